"""Scripted runs of the real kiosk window, for GUI tests, screenshots and benchmarks; test
code, not part of the kiosk.

`python -m tests.support.kiosk_driver --script run.json [kiosk options]` starts the kiosk as
`python -m kiosk [kiosk options]` would, then performs the script's steps through the
window's own input path (steps.py: posted touches, as a finger on the glass; driver.py runs
them and writes the report; screen.py reads the window; script.py reads the script file). The
kiosk itself knows nothing of scripts: this entry point builds its app and attaches the driver.
Nothing here imports Kivy; driver.py does, once the kiosk has configured it.

A script is a JSON list of steps, or an object `{"steps": [...], "report": "report.json",
"timeout": 120}`. Relative paths are taken from the script's folder; the report defaults to
`<script>.report.json`. Steps:

    {"screenshot": "home.png"}         save the window as PNG once the screen has settled
    {"tap_text": "增值管家服务"}         touch down and up on the centre of the visible label
    {"wait_screen": "menu"}            until that screen is current and its transition is over
    {"wait_text": "面议"}              until a visible label shows exactly this text
    {"wait_no_text": "..."}            until no visible label shows this text
    {"wait": 0.5}                      seconds
    {"tap_keys": "246810"}             tap these keys of the visible keypad, one by one
    {"tap_keys_from_file": "code.txt"} until <script folder>/code.txt exists, then tap the keys
                                       of its text (known only while the script runs, e.g. a
                                       one-time code); the report names no key
    {"type_text": "Wang Fang", "field": "Type the visitor's name"}
                                       touch the visible text field with that grey hint (or
                                       the only one shown), then type the text into it as a
                                       keyboard would
    {"mark": "at-login"}               write the file <script folder>/at-login, holding the
                                       DISPLAY and XAUTHORITY as JSON (the test, outside,
                                       waits for it to act, e.g. swipe a card)
    {"wait_file": "swiped"}            until <script folder>/swiped exists
    {"set_idle": 5}                    from now on the idle timeout is 5 s (a test runs its
                                       flows with a long one, then waits for this short one)
    {"layout": "login"}                once settled, record in the step's result the keys of
                                       every visible keypad (`keys`: text, size, the size of
                                       its rendered text), the `tappables` and the `overflow`
    {"measure_tap": "增值管家服务", "screen": "menu"}
                                       tap, then time until that screen is current and drawn
                                       (ms in the step's "ms"; for make bench-kiosk)
    (wait_*, tap_* and measure_tap take an optional "timeout" in seconds, default 10)

"Settled" means: no screen transition runs, no call to the control room is waited for
(the progress overlay is gone) and a frame has been drawn since.

The report (JSON) has `ok`, `error`, the final `screen`, `lang`, `font`, `window`, visible
`texts`, the menu's `items`, the `tappables` with their sizes, labels whose text `overflow`s its
box, and per step its result and the screen and texts after it. The app exits 0 when every step
passed, else 1.
"""

