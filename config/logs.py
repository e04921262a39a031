"""Every service's log set-up: plain lines for people (time, level, logger, message) or one
JSON object per line for a log pipeline (BUTLER_LOG_FORMAT=json; the gateway's `--log-format`).

`setup(fmt)` puts one handler on the root logger, so every library's records (uvicorn's,
Kivy's in Python mode, the warnings module's) come out the same way, timestamped and levelled.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def setup(fmt: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(fmt))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.captureWarnings(True)  # warnings get a time and a level too
    # One line per HTTP request to the control room is noise; failures are logged by us.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def uvicorn_config() -> dict[str, Any]:
    """uvicorn's `log_config`: its loggers hand their records to the root logger (set up by
    `setup`) instead of printing on their own, so the access and error lines are formatted
    like every other."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {name: {"handlers": [], "propagate": True, "level": "INFO"}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
