"""Suite-wide settings for the processes the tests start."""

import os

# Control-room processes started by tests hash every password and PIN at start-up: with the
# production argon2 cost that is seconds on a loaded machine, and the tests are not about it.
os.environ.setdefault("BUTLER_PASSWORD_HASH_COST", "low")
