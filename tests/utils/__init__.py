"""The helpers every test shares: one `wait_until`, one way to sign in (`token`, `auth`)."""

from tests.utils.auth import auth, token
from tests.utils.waiting import wait_until

__all__ = ["auth", "token", "wait_until"]
