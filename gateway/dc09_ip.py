"""SIA DC-09 over IP, as the receiver reads it: ADM-CID and SIA-DCS, in clear or AES-encrypted,
checked (CRC, account, key, timestamp window) and answered with the standard's ACK, NAK or DUH.
Pure: the caller passes the accounts and the receive time, and does the I/O
(gateway/dc09_server.py).

A message on the wire (TCP or UDP) is

    [LF] CRC 0LLL "[*]TOKEN" SSSS [Rrrr] Lppp #ACCT [data] [xdata].. [_HH:MM:SS,MM-DD-YYYY] [CR]

With encryption (`*` before the token), everything after `[` is the hex of AES-CBC (zero IV)
over `pad | data ] [xdata] _timestamp`, with the account's key: a key of 16, 24 or 32
characters, its characters used as the key bytes (AES-128/192/256), as pysiaalarm and the
panels it serves do.

The answers (DC-09 5.5):
- `NAK` (`"NAK"0000R0L0A0[]_now`): the message cannot be trusted or taken: bad CRC, an unknown
  account, an encrypted message that does not decrypt with the account's key, a message in
  clear from an account that has a key (else the key would protect nothing), or a timestamp
  outside the window (40 s behind to 20 s ahead of the receiver's clock; the NAK carries the
  receiver's time so the panel can correct its clock). An encrypted message must have a
  timestamp (without one a recorded message could be replayed).
- `DUH`: readable and trusted, but not understood (another token, data that is neither Contact
  ID nor SIA-DCS).
- `ACK`: taken; for an encrypted message, `"*ACK"` with `]_timestamp` encrypted the same way.

The length field is not checked on IP: TCP and UDP carry their own integrity, the CRC covers the
message, and real panels (and pysiaalarm's test lines) send lengths that are wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from Crypto.Cipher import AES

from config import Panel
from gateway.messages import SignalOut
from gateway.panel_events import NEW, RESTORE, Interpreted, Rejection, interpret
from gateway.sia import ADM_CID, NULL, Message, crc16_arc, encode_frame, format_timestamp

SIA_DCS = "SIA-DCS"
WINDOW_BEHIND_S = 40  # a message may be this much older than the receiver's clock...
WINDOW_AHEAD_S = 20  # ...or this much ahead of it
IV = bytes(16)
_TS_FORMAT = "%H:%M:%S,%m-%d-%Y"

Answer = Literal["ack", "nak", "duh"]

_LINE = re.compile(
    r"(?P<crc>[0-9A-Fa-f]{4})(?P<length>[0-9A-Fa-f]{4})"
    r'"(?P<star>\*)?(?P<token>[A-Z][A-Z0-9-]*)"'
    r"(?P<seq>[0-9]{4})"
    r"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?"
    r"L(?P<line>[0-9A-Fa-f]{1,6})"
    r"(?:#(?P<account>[0-9A-Fa-f]{3,16}))?"
    r"\[(?P<rest>.*)", re.S)
# The plain content after `[`: data `]`, extended data blocks, an optional timestamp.
_CONTENT = re.compile(
    r"(?P<data>[^\]]*)\](?P<xdata>(?:\[[^\]]*\])*)"
    r"(?:_(?P<ts>[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}))?")
_ADM_DATA = re.compile(r"(?:#?(?P<account>[0-9A-Fa-f]{3,16}))?\|?"
                       r"(?P<q>[0-9])(?P<event>[0-9]{3}) (?P<group>[0-9]{2}) (?P<zone>[0-9]{3})")
# SIA-DCS data: [#acct]|N[ti hh:mm/][id nnn/][ri nnn/]CC[zone][^text^]
_SIA_DATA = re.compile(
    r"(?:#(?P<account>[0-9A-Fa-f]{3,16}))?\|?N?"
    r"(?:ti[0-9]{2}:[0-9]{2}/?)?(?:id[0-9]*/?)?(?:ri(?P<ri>[0-9]*)/?)?"
    r"(?P<code>[A-Z]{2})(?P<zone>[0-9]*)(?:\^.*\^)?")

# SIA-DCS event codes -> the Contact ID event and qualifier that mean the same (§5 mapping),
# so both formats go through one interpretation (gateway/panel_events.py).
SIA_CODES: dict[str, tuple[int, int]] = {
    "GA": (NEW, 151), "GH": (RESTORE, 151),  # gas alarm / restore
    "FA": (NEW, 110), "FH": (RESTORE, 110),  # fire
    "MA": (NEW, 100), "MH": (RESTORE, 100),  # medical
    "PA": (NEW, 120), "PH": (RESTORE, 120),  # panic
    "HA": (NEW, 122), "HH": (RESTORE, 122),  # hold-up (silent panic)
    "TA": (NEW, 137), "TR": (RESTORE, 137),  # tamper
    "ET": (NEW, 380), "ER": (RESTORE, 380),  # expansion/system trouble
    "FT": (NEW, 373), "FJ": (RESTORE, 373),  # fire (detection) trouble
    "YT": (NEW, 302), "YR": (RESTORE, 302),  # system battery trouble / restore
    "AT": (NEW, 301), "AR": (RESTORE, 301),  # AC (mains) trouble / restore
    "RP": (NEW, 602),  # automatic (periodic) test
}
# Codes a panel sends that are about arming, access or the like: heard, taken, nothing raised.
SIA_HEARD_ONLY = frozenset({"CL", "OP", "CG", "OG", "BC", "NL", "RR", "RS", "LB", "LX", "JC",
                            "CA", "OA", "TX", "TS", "TE", "UX"})


@dataclass(frozen=True)
class Decoded:
    """What to do with one message: send `reply` (framed bytes); if `panel` is set, that panel
    spoke (supervision) and `signals` are to be recorded before the reply is sent; quarantine
    `rejection` if set."""

    answer: Answer
    reply: bytes
    panel: Panel | None = None
    signals: list[SignalOut] = field(default_factory=list)
    rejection: Rejection | None = None
    token: str | None = None
    encrypted: bool = False


def cipher_for(key: str) -> Any:
    return AES.new(key.encode("ascii"), AES.MODE_CBC, IV)


def encrypt_hex(key: str, text: str) -> str:
    """Pad at the front to whole blocks (as pysiaalarm does) and encrypt; uppercase hex."""
    padded = text.zfill(len(text) + 16 - len(text) % 16)
    return cipher_for(key).encrypt(padded.encode("ascii")).hex().upper()  # type: ignore[no-any-return]


def decrypt_hex(key: str, text: str) -> str | None:
    """The plain content, pad removed, or None if it is not what the key would have made."""
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        return None
    if not raw or len(raw) % 16:
        return None
    plain: bytes = cipher_for(key).decrypt(raw)
    try:
        content = plain.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not content.isprintable():
        return None
    # The pad runs up to `|` before the data; a message without data (NULL) has `]` next.
    bar, close = content.find("|"), content.find("]")
    if close < 0:
        return None
    if 0 <= bar < close:
        return content[bar:]
    return content[close:]


def nak(now: datetime) -> bytes:
    return encode_frame(f'"NAK"0000R0L0A0[]{format_timestamp(now)}')


def _echo(token: str, m: re.Match[str]) -> str:
    receiver = f"R{m['receiver']}" if m["receiver"] is not None else ""
    account = f"#{m['account']}" if m["account"] is not None else ""
    return f'"{token}"{m["seq"]}{receiver}L{m["line"]}{account}['


def _answer(kind: Literal["ack", "duh"], m: re.Match[str], key: str | None,
            now: datetime) -> bytes:
    token = kind.upper()
    if key is None or kind == "duh":
        return encode_frame(_echo(token, m) + "]")
    return encode_frame(_echo("*" + token, m) + encrypt_hex(key, "]" + format_timestamp(now)))


def _panel_for(account: str | None, data: str, panels: dict[str, Panel]) -> Panel | None:
    if account is None:  # some panels name the account only in the data block
        found = re.match(r"#([0-9A-Fa-f]{3,16})\|", data)
        account = found[1] if found else None
    return panels.get(account.upper()) if account else None


def decode(line: bytes, panels: dict[str, Panel], received_at: float) -> Decoded:
    """One DC-09 message from the network. `panels` by account (upper case)."""
    now = datetime.fromtimestamp(received_at, UTC)
    text = line.strip(b"\r\n\x00 ").decode("ascii", errors="replace")
    m = _LINE.fullmatch(text)
    if m is None:
        return Decoded("nak", nak(now), rejection=Rejection("bad_format",
                                                            "not a DC-09 message"))
    message = text[8:]
    if int(m["crc"], 16) != crc16_arc(message.encode("ascii", errors="replace")):
        return Decoded("nak", nak(now), rejection=Rejection(
            "bad_crc", f"CRC field {m['crc']}, message CRC {crc16_arc(message.encode()):04X}"))
    encrypted = m["star"] is not None
    panel = _panel_for(m["account"], m["rest"], panels)
    token = m["token"]
    if panel is None:
        return Decoded("nak", nak(now), token=token, encrypted=encrypted, rejection=Rejection(
            "unknown_account", f"account {m['account']} is no panel's"))
    key = panel.key
    opened = _open(m["rest"], panel, encrypted)
    if isinstance(opened, Rejection):
        return Decoded("nak", nak(now), token=token, encrypted=encrypted, rejection=opened)
    rest = opened
    content = _CONTENT.fullmatch(rest)
    if content is None:
        return Decoded("duh", _answer("duh", m, key, now), token=token, encrypted=encrypted,
                       rejection=Rejection("bad_format", f"content {rest[:80]!r}"))
    stale = _outside_window(content["ts"], now, required=encrypted)
    if stale is not None:
        return Decoded("nak", nak(now), token=token, encrypted=encrypted,
                       rejection=Rejection("bad_timestamp", f"{panel.id}: {stale}"))
    result = _interpret(token, m, content, panel, received_at)
    if result is None:
        return Decoded("duh", _answer("duh", m, key, now), token=token, encrypted=encrypted,
                       rejection=Rejection("unsupported", f"{token} data "
                                           f"{content['data'][:80]!r}"))
    reply = _answer(result.reply, m, key, now)
    return Decoded(result.reply, reply, panel if result.from_panel else None, result.signals,
                   result.rejection, token, encrypted)


def _open(rest: str, panel: Panel, encrypted: bool) -> str | Rejection:
    """The plain content after `[`, or why the message is refused (NAK)."""
    if panel.key is not None and not encrypted:  # else the key would protect nothing
        return Rejection("not_encrypted", f"{panel.id} has a key and sent a message in clear")
    if not encrypted:
        return rest
    if panel.key is None:
        return Rejection("no_key", f"{panel.id} sent an encrypted message and has no key in "
                         "the site file")
    plain = decrypt_hex(panel.key, rest)
    if plain is None:
        return Rejection("bad_key", f"{panel.id}: the message does not decrypt with its key")
    return plain[1:] if plain.startswith("|") else plain


def _outside_window(ts_text: str | None, now: datetime, *, required: bool) -> str | None:
    if ts_text is None:
        return "an encrypted message without a timestamp" if required else None
    try:
        ts = datetime.strptime(ts_text, _TS_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return f"timestamp {ts_text} is not a date"
    if not now - timedelta(seconds=WINDOW_BEHIND_S) <= ts <= now + timedelta(
            seconds=WINDOW_AHEAD_S):
        return (f"timestamp {ts_text} is {(ts - now).total_seconds():+.0f} s from the "
                f"receiver's clock (window -{WINDOW_BEHIND_S} s .. +{WINDOW_AHEAD_S} s)")
    return None


def _interpret(token: str, m: re.Match[str], content: re.Match[str], panel: Panel,
               received_at: float) -> Interpreted | None:
    """As a serial frame (gateway/panel_events.py), after putting the data in Contact ID form.
    None: data this receiver does not understand (DUH)."""
    data = content["data"]
    account = m["account"] or panel.account
    if token == NULL:
        cid_data = data
    elif token == ADM_CID:
        adm = _ADM_DATA.fullmatch(data)
        if adm is None:
            return None
        cid_data = (f"#{adm['account'] or account}|{adm['q']}{adm['event']} "
                    f"{adm['group']} {adm['zone']}")
    elif token == SIA_DCS:
        converted = _sia_as_contact_id(data, account)
        if not isinstance(converted, str):
            return converted
        cid_data, token = converted, ADM_CID
    else:
        return None
    msg = Message(token, m["seq"], m["receiver"], m["line"], account, cid_data, content["ts"],
                  _parse_ts(content["ts"]))
    crc = crc16_arc(f"{m['token']}{m['seq']}{data}{content['ts'] or ''}".encode())
    result = interpret(msg, crc, panel, received_at)
    if m["token"] == SIA_DCS:
        for s in result.signals:
            s.detail["sia_code"] = data
    return result


def _sia_as_contact_id(data: str, account: str) -> str | Interpreted | None:
    """SIA-DCS data as Contact ID data; or the answer itself (a code heard only, or not in the
    mapping); None if it is not SIA-DCS data."""
    sia = _SIA_DATA.fullmatch(data)
    if sia is None:
        return None
    code = sia["code"]
    if code in SIA_HEARD_ONLY:
        return Interpreted("ack", True)
    if code not in SIA_CODES:
        return Interpreted("ack", True, rejection=Rejection(
            "unknown_event", f"SIA code {code} is not in the mapping"))
    q, event = SIA_CODES[code]
    zone = int(sia["zone"] or 0)
    if zone > 999:
        return None
    return f"#{sia['account'] or account}|{q}{event:03d} 00 {zone:03d}"


def _parse_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, _TS_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
