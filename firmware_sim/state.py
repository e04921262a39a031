"""Each device's boot counter and event sequence, kept across simulator runs (a real device
keeps them in flash), so `(device, boot, seq)` never repeats."""

from __future__ import annotations

import json
import os
from pathlib import Path


class CounterStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, dict[str, int]] = {}
        if path.exists():
            try:
                self.data = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                # A torn file: start every device on a new boot, which is always safe.
                self.data = {}

    def get(self, device: str) -> tuple[int, int]:
        d = self.data.get(device, {})
        return int(d.get("boot", 0)), int(d.get("seq", 0))

    def put(self, device: str, boot: int, seq: int) -> None:
        self.data[device] = {"boot": boot, "seq": seq}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data))
        os.replace(tmp, self.path)
