"""The lobby kiosk: a Kivy touch app for residents (ARCHITECTURE §1, §2).

`python -m kiosk --help` tells how to start it. Decisions live in plain modules
(`catalogue`, `fonts`); Kivy stays in `app`, `widgets` and `screens`.
"""
