"""The kiosk's behaviour without a window, one module per flow, combined by the one facade the
screens and tests use (`kiosk.controller.KioskController`):

    core.py       state every flow shares, calls to the control room (off the UI thread,
                  refused at once while offline), outcome and refusal messages
    session.py    logging in (flat + PIN, card), the idle timeout, keep-alive, logging out
    ordering.py   ordering a service: a paid item is confirmed first (pure rules + the flow)
    reporting.py  reporting: repair, complaint, help, enquiry, suggestion
    account.py    my account, requests, fees and held items
    pickup.py     picking up an item by code or scanned slip, with the wrong-code lockout
    collect.py    collecting the flat's held item after a card login (no code)
    visitors.py   announcing a visitor to the desk, and the flat's visitors expected

Each flow is a class over `KioskCore` holding only its own state (reset with the resident's
through `_reset_resident`); the facade puts them together and decides what to draw. No Kivy.
"""
