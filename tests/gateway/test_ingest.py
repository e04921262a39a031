import json
import time

from config import load_site
from gateway.ingest import Ingestor
from gateway.messages import Inbound
from gateway.quarantine import Quarantine

SITE = load_site()


def _msg(topic: str, payload: bytes) -> Inbound:
    return Inbound(topic, payload, 1, False, 1, time.time())


def _evt(device: str, **body: object) -> Inbound:
    return _msg(f"estate/v1/riverside/{device}/evt", json.dumps(body).encode())


def test_a_gas_alarm_becomes_one_idempotent_signal() -> None:
    ing = Ingestor(SITE, Quarantine())
    out = ing.process(_evt("gas-1-2-1502", seq=5, boot=2, ts=1, type="gas", state="alarm",
                           lel=27.5))
    [sig] = out.signals
    assert (sig.device, sig.kind, sig.priority, sig.condition) == (
        "gas-1-2-1502", "gas_alarm", 1, "active")
    assert sig.key == "gas-1-2-1502:2:5/gas_alarm"
    assert sig.detail["lel"] == 27.5


def test_an_unregistered_device_is_quarantined_not_alerted() -> None:
    q = Quarantine()
    out = Ingestor(SITE, q).process(_evt("gas-9-9-9999", seq=1, boot=1, ts=1, type="gas",
                                         state="alarm", lel=50))
    assert out.signals == []
    assert q.counts["unknown_device"] == 1


def test_bad_input_is_quarantined_and_the_next_good_message_still_processed() -> None:
    q = Quarantine()
    ing = Ingestor(SITE, q)
    assert ing.process(_msg("estate/v1/riverside/btn-1-1-0101/evt", b"{oops")).signals == []
    assert ing.process(_msg("estate/v1/other-site/btn-1-1-0101/evt", b"{}")).signals == []
    assert q.counts == {"bad_json": 1, "wrong_site": 1}
    assert q.items()[0].payload == b"{oops"
    ok = ing.process(_evt("btn-1-1-0101", seq=1, boot=1, ts=1, type="panic", state="pressed"))
    assert [s.kind for s in ok.signals] == ["panic"]


def test_device_health_is_reported_on_change_not_per_message() -> None:
    ing = Ingestor(SITE, Quarantine())
    tel = b'{"seq": 1, "boot": 1, "ts": 1, "batt": 80, "lel": 0.5}'
    ing.process(_msg("estate/v1/riverside/gas-1-1-0101/tel", tel))
    first = ing.take_health_report()
    assert [(r["id"], r["online"], r["battery"]) for r in first] == [("gas-1-1-0101", True, 80)]
    ing.process(_msg("estate/v1/riverside/gas-1-1-0101/tel", tel))
    assert ing.take_health_report() == []
    assert [r["id"] for r in ing.take_health_report(with_last_seen=True)] == ["gas-1-1-0101"]
    ing.process(_msg("estate/v1/riverside/gas-1-1-0101/state", b"offline"))
    assert ing.take_health_report()[0]["online"] is False


def test_every_entry_of_the_malformed_catalogue_is_quarantined_with_its_reason() -> None:
    from firmware_sim.malformed import catalogue

    entries = catalogue()
    assert len(entries) >= 20
    for m in entries:
        q = Quarantine()
        ing = Ingestor(SITE, q)
        out = ing.process(_msg(m.topic("riverside", "gas-1-1-0101"), m.payload))
        assert out.signals == [], m.name
        assert dict(q.counts) == {m.reason: 1}, m.name
        good = ing.process(_evt("btn-1-1-0101", seq=1, boot=1, ts=1, type="panic",
                                state="pressed"))
        assert [s.kind for s in good.signals] == ["panic"], m.name


def test_gas_level_noise_is_not_a_change_but_a_real_move_is() -> None:
    ing = Ingestor(SITE, Quarantine())

    def tel(lel: float) -> None:
        body = json.dumps({"seq": 1, "boot": 1, "ts": 1, "lel": lel}).encode()
        ing.process(_msg("estate/v1/riverside/gas-1-1-0101/tel", body))

    tel(0.5)
    assert [r["lel"] for r in ing.take_health_report()] == [0.5]
    for noisy in (0.7, 0.3, 0.9, 1.2):
        tel(noisy)
    assert ing.take_health_report() == []
    tel(2.0)
    assert [r["lel"] for r in ing.take_health_report()] == [2.0]
