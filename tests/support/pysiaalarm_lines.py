"""pysiaalarm's own test-line builder and real-panel example lines, to test our DC-09 receiver
against what the receiver Home Assistant uses is tested with.

Copied from github.com/eavanvalkenburg/pysiaalarm at commit 0f539a6 (tests/test_utils.py:
create_test_line and the helpers it calls, verbatim but for formatting; tests/
test_sia_package_cases.py: the example lines). MIT License, Copyright (c) 2021
E.A. van Valkenburg. The builder is not in the pysiaalarm wheel (only its tests have it), hence
the copy; the encryption uses pycryptodome as the original does.
"""

from __future__ import annotations

from binascii import hexlify
from datetime import UTC, datetime, timedelta

from Crypto.Cipher import AES

IV = bytes.fromhex("00000000000000000000000000000000")  # pysiaalarm.const.IV
KEY = "AAAAAAAAAAAAAAAA"
ADM_REVERSE_MAP = {"RP": 1602, "WA": 1113}


def crc_calc(msg: str) -> str:
    """Calculate the CRC of the msg."""
    crc = 0
    for letter in str.encode(msg):
        temp = letter
        for _ in range(0, 8):
            temp ^= crc & 1
            crc >>= 1
            if (temp & 1) != 0:
                crc ^= 0xA001
            temp >>= 1
    return f"{crc:x}".upper().zfill(4)


def create_test_line(account, key, code, seq="7654", time_offset=timedelta(0),
                     msg_type="SIA-DCS", alter_crc=False, alter_key=False, wrong_event=False,
                     use_fixed_time=False) -> str:
    """Create a test line, with encrytion if key is supplied."""
    if wrong_event:
        return "This is not a SIA Event."
    timestamp = _get_timestamp(time_offset)
    if use_fixed_time:
        timestamp = "_16:04:02,07-09-2020"
    if key and alter_key:
        key = key[:-1] + str(int(key[-1], 16) - 1)
    line = _construct_string(msg_type, seq, account, code, timestamp, key)
    # (pysiaalarm's random CRC on alter_crc; a fixed wrong one here so the test is repeatable)
    crc = f"{int(crc_calc(line), 16) ^ 0xFFFF:04X}" if alter_crc else crc_calc(line)
    leng = str(int(str(len(line)), 16)).zfill(4)
    return rf"{crc}{leng}{line}"


def _construct_string(msg_type, seq, account, code, timestamp, key=None):
    """Construct the string based on the inputs."""
    content = _construct_content(msg_type, "0" if code == "RP" else "1", code, timestamp, key)
    return f'"{"*" if key else ""}{msg_type}"{seq}L0#{account}[{content}'


def _construct_content(msg_type, zone, code, timestamp, key=None):
    """Construct the content of the message."""
    cont = f"]{timestamp}"
    if msg_type == "SIA-DCS":
        cont = f"|Nri{zone}/{code}000" + cont
    if msg_type == "ADM-CID":
        cont = f"|{ADM_REVERSE_MAP.get(code)} 00 {int(zone):03d}" + cont
    if key:
        return _encrypt_content(key, cont)
    return cont


def _encrypt_content(key, content):
    """Create encrypted content."""
    if not isinstance(key, bytes):
        key = key.encode("utf-8")
    encrypter = AES.new(key, AES.MODE_CBC, IV)
    extra = len(content) % 16
    unencrypted = (16 - extra) * "0" + content
    return hexlify(encrypter.encrypt(unencrypted.encode("utf-8"))).decode(encoding="utf-8").upper()


def _get_timestamp(timed: timedelta) -> str:
    """Create a timestamp in the right format."""
    return (datetime.now(UTC) - timed).strftime("_%H:%M:%S,%m-%d-%Y")


# Real-panel lines from pysiaalarm's test cases (tests/test_sia_package_cases.py), with the
# account, the SIA code pysiaalarm reads and the time each was sent (for the window).
REAL_PANEL_LINES: list[tuple[str, str, str, str | None]] = [
    (r'87CD0037"ADM-CID"9876R579BDFL789ABC#12345A[#12345A|1110 00 129]_14:12:04,09-25-2011',
     "12345A", "FA", "14:12:04,09-25-2011"),
    (r'57150047"ADM-CID"0247R4F39L4F39#4F39[#4F39|3401 01 057]', "4F39", "CL", None),
    (r'9618004D"SIA-DCS"7960L0#123456[#123456|Nri1CL0^VX FRONTE ^]_22:40:48,04-11-2021',
     "123456", "CL", "22:40:48,04-11-2021"),
    (r'97F90078"SIA-DCS"6002L0#AAA[|Nri2/JC12]_12:58:23,09-15-2021', "AAA", "JC",
     "12:58:23,09-15-2021"),
    (r'87570078"SIA-DCS"6002L0#AAA[|Nri1/CL501][M0026B9E4268B]_14:12:04,09-25-2019', "AAA",
     "CL", "14:12:04,09-25-2019"),
    (r'5B090059"SIA-DCS"0004L0#1111[#1111|Nri1/PA501][X006E07.7777777][Y49N06.6666666]'
     r"_20:45:46,04-22-2021", "1111", "PA", "20:45:46,04-22-2021"),
    (r'E5D50078"SIA-DCS"6002L0#AAA[|Nri1/CL501]_14:12:04,09-25-2019', "AAA", "CL",
     "14:12:04,09-25-2019"),
    (r'C4160279"SIA-DCS"5268L0#AAA[Nri1/WA000]_08:40:47,07-08-2020', "AAA", "WA",
     "08:40:47,07-08-2020"),
    # encrypted NULL (link test) with pysiaalarm's test key
    (r'76D80055"*NULL"0000R0L0#AAAB[B4BC8B40D0E6D959D6BEA78E88CC0B2155741A3C44FBB96D476A3E55'
     r"7CAD64D9", "AAAB", "RP", "18:24:52,07-05-2020"),
]
