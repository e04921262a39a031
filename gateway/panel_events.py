"""What a wired panel's DC-09 / Contact ID message means for the control room
(ARCHITECTURE §5 mapping, §6 kinds and priorities). Pure: the caller passes the panel's
configuration and the receive time, and does the I/O (ACK, quarantine, submit).

Every frame with a right CRC and length gets an answer (the serial link writes it):

- `ack`: an ADM-CID event or a NULL link test, whatever we made of it. A frame we can read but
  cannot use (an account that is not this panel's, a zone that is not wired to a flat, an event
  code outside the contract) is acknowledged AND quarantined: a NAK would only make the panel
  send the same bytes again until it gives up (a NAK means "damaged on the line", and these
  were not), and an alarm receiving centre's receiver does the same: it takes the call and
  shows the unknown account or zone as a fault for someone to fix in the configuration.
- `duh`: a message whose header is readable but whose content is not (another protocol
  token, encryption, data that is not Contact ID). DC-09's "I do not understand": the panel
  stops retrying and reports the event as rejected, so the panel itself shows it was not
  delivered, instead of believing an ACK for an alarm nobody could read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from config import Panel
from gateway.classify import PRIORITY
from gateway.messages import SignalOut
from gateway.sia import ADM_CID, NULL, ContactId, Message, SiaError, parse_contact_id

NEW, RESTORE, STILL_ACTIVE = 1, 3, 6
TEST_REPORT = 602
PANEL_ZONE = "000"  # the panel itself (its mains, its battery, its test report)

# Contact ID event code -> alert kind (§5 mapping, §6 kinds). None: raises no alert.
EVENT_KINDS: dict[int, str | None] = {
    151: "gas_alarm",
    120: "panic", 121: "panic", 122: "panic",
    100: "medical", 101: "medical",
    110: "fire",
    383: "tamper", 137: "tamper",
    380: "fault", 373: "fault",
    302: "battery_low", 384: "battery_low",
    301: "power_loss",
    TEST_REPORT: None,  # periodic test report: the panel's heartbeat, no alert
}
# The panels are the gas-detection panels of the older buildings: their trouble is a fault on
# gas detection, urgent (§6 "fault on a gas detector"), not the ordinary priority 3.
PANEL_FAULT_PRIORITY = 2


def priority_of(kind: str) -> int:
    return PANEL_FAULT_PRIORITY if kind == "fault" else PRIORITY[kind]


Reply = Literal["ack", "duh"]
WRAP_SAFE_BUCKET_S = 300  # see event_key()


@dataclass(frozen=True)
class Rejection:
    reason: str  # quarantine reason: unknown_account, unknown_zone, unknown_event, ...
    detail: str


@dataclass(frozen=True)
class Interpreted:
    """What to do with one well-formed frame: answer `reply`; if `from_panel`, the panel
    spoke (supervision); record `signals`; quarantine `rejection` if set."""

    reply: Reply
    from_panel: bool
    signals: list[SignalOut] = field(default_factory=list)
    rejection: Rejection | None = None
    event: ContactId | None = None


def event_key(panel_id: str, msg: Message, crc: int, received_at: float) -> str:
    """The idempotency key of one transmitted event.

    A retransmission is byte-identical (same sequence, same CRC, same timestamp), so it gets
    the same key and the control room records it once, however often the panel repeats it
    (no ACK in time, a NAK, the gateway restarted before it answered).

    Across a sequence wrap (9999 -> 0001) the sequence alone would collide; with the CRC, a
    collision needs the same sequence AND the same message bytes. With the panel's timestamp
    (to the second, with the date) that cannot happen: at 9600 baud, with one frame in flight
    and an ACK for each, a panel cannot send 9999 frames in under several minutes, so the
    wrapped frame's timestamp differs. A frame without timestamp could repeat exactly (the same
    event on the same zone, 9999 frames later) and would be dropped as a duplicate: a lost
    alarm. So for those, the gateway's receive time in 5-minute buckets stands in: frames a
    wrap apart are always in different buckets (a wrap takes longer than 5 minutes), while a
    retransmission (seconds later) almost always falls in the same one; when it straddles a
    bucket edge, the control room sees a repeat of the same open alert, never a second alert
    and never a lost one.
    """
    key = f"{panel_id}:{msg.seq}:{crc:04X}"
    if msg.timestamp_text is not None:
        return f"{key}:{msg.timestamp_text}"
    return f"{key}:r{int(received_at // WRAP_SAFE_BUCKET_S)}"


def interpret(msg: Message, crc: int, panel: Panel, received_at: float) -> Interpreted:
    """One well-formed message from the line of `panel`, received at `received_at` (the
    gateway's clock, seconds since the epoch)."""
    if msg.token == NULL:
        return _link_test(msg, panel)
    if msg.token != ADM_CID:
        return Interpreted("duh", False, rejection=Rejection(
            "unsupported", f"message token {msg.token!r} (only ADM-CID, unencrypted)"))
    try:
        cid = parse_contact_id(msg.data)
    except SiaError as exc:
        return Interpreted("duh", False, rejection=Rejection(exc.reason, exc.detail))
    refused = _refusal(msg, cid, panel)
    if refused is not None:
        return refused
    kind = EVENT_KINDS[cid.event]
    if kind is None:  # the periodic test report: heard, nothing to raise
        return Interpreted("ack", True, event=cid)
    if cid.zone != PANEL_ZONE and cid.zone not in panel.zones:
        return Interpreted("ack", True, event=cid, rejection=Rejection(
            "unknown_zone", f"zone {cid.zone} is not wired to a flat on {panel.id}"))
    # zone 000 is about the panel itself: an alert on the panel, no flat
    zone = None if cid.zone == PANEL_ZONE else cid.zone
    return Interpreted("ack", True, [_signal(msg, crc, panel, received_at, cid, kind, zone)],
                       event=cid)


def _link_test(msg: Message, panel: Panel) -> Interpreted:
    if msg.account.upper() != panel.account.upper():
        return Interpreted("ack", False, rejection=Rejection(
            "unknown_account", f"link test from account {msg.account}, "
            f"not {panel.id}'s {panel.account}"))
    return Interpreted("ack", True)


def _refusal(msg: Message, cid: ContactId, panel: Panel) -> Interpreted | None:
    """Why a Contact ID report is not taken (wrong account, unknown event or qualifier)."""
    if msg.account.upper() != panel.account.upper() or cid.account.upper() != msg.account.upper():
        return Interpreted("ack", False, event=cid, rejection=Rejection(
            "unknown_account", f"account {msg.account}/{cid.account} on the line of "
            f"{panel.id} (account {panel.account})"))
    if cid.event not in EVENT_KINDS:
        return Interpreted("ack", True, event=cid, rejection=Rejection(
            "unknown_event", f"Contact ID event {cid.event:03d} is not in the mapping"))
    if cid.qualifier not in (NEW, RESTORE, STILL_ACTIVE):
        return Interpreted("ack", True, event=cid, rejection=Rejection(
            "bad_qualifier", f"qualifier {cid.qualifier} (1 new, 3 restore, 6 still active)"))
    return None


def _signal(msg: Message, crc: int, panel: Panel, received_at: float, cid: ContactId,
            kind: str, zone: str | None) -> SignalOut:
    condition = "restored" if cid.qualifier == RESTORE else "active"
    detail: dict[str, object] = {
        "event": f"{cid.event:03d}", "qualifier": cid.qualifier, "group": cid.group,
        "seq": msg.seq, "account": cid.account}
    if msg.timestamp is not None:
        detail["panel_ts"] = msg.timestamp.isoformat()
    observed = datetime.fromtimestamp(received_at, UTC).isoformat()
    key = f"{event_key(panel.id, msg, crc, received_at)}/{kind}"
    return SignalOut(key, panel.id, kind, priority_of(kind), condition, observed, detail, zone)
