"""`python -m tests.support.fake_kiosk_api --port N [--incident]`: the stand-in over HTTP."""

from .server import main

main()
