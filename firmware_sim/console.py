"""The simulators' command-line output: one line of text to the terminal, flushed.

The `python -m firmware_sim` commands talk to a person (or a test reading their output), so
their lines are their interface; they go through `say` rather than `print` (ruff T201 keeps
`print` out of product code). `sys.stdout`/`sys.stderr` are looked up at each call so that a
redirected stream (a test's capture) is honoured.
"""

from __future__ import annotations

import sys


def say(text: str, *, err: bool = False) -> None:
    """Write `text` and a newline to stdout (stderr with `err=True`) and flush it at once."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()
