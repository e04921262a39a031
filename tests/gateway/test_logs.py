import json
import logging

from gateway.logs import JsonFormatter


def test_json_logs_are_one_object_per_line() -> None:
    rec = logging.LogRecord("gateway", logging.WARNING, __file__, 1, "%s offline", ("gas-1",),
                            None)
    entry = json.loads(JsonFormatter().format(rec))
    assert (entry["level"], entry["logger"], entry["msg"]) == ("warning", "gateway",
                                                               "gas-1 offline")
