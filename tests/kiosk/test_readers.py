"""The card reader and barcode scanner: line parsing, and pyserial reading a simulated
reader on a pty (firmware_sim.kiosk_readers)."""

from __future__ import annotations

import queue
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_sim.kiosk_readers import ReaderPty
from kiosk.readers import SerialReader, parse_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "value"), [
    (b"04A3150201", "04A3150201"),
    (b"04a3150201 ", "04A3150201"),
    (b"CARD:04A3150201", "04A3150201"),
    (b"\x00\xff", None),
    (b"hello", None),
    (b"04A3", None),
])
def test_card_lines(raw: bytes, value: str | None) -> None:
    assert parse_line("card", raw) == value


def test_scanner_lines() -> None:
    assert parse_line("scanner", b"483920") == "483920"
    assert parse_line("scanner", b"48 39") is None


def test_a_swipe_on_the_simulated_reader_arrives_once_through_pyserial() -> None:
    reads: queue.Queue[tuple[str, str]] = queue.Queue()
    card, scanner = ReaderPty(), ReaderPty()
    readers = [SerialReader("card", card.path, lambda k, v: reads.put((k, v))),
               SerialReader("scanner", scanner.path, lambda k, v: reads.put((k, v)))]
    try:
        for r in readers:
            r.start()
        for r in readers:
            assert r.opened.wait(10), f"{r.port} did not open"
        card.write_line("garbage!!")  # noise is dropped, the next line still reads
        card.swipe("04a3150201")
        scanner.scan("483920")
        got = {reads.get(timeout=10), reads.get(timeout=10)}
        assert got == {("card", "04A3150201"), ("scanner", "483920")}
        assert reads.empty()
    finally:
        for r in readers:
            r.stop()
        card.close()
        scanner.close()


def test_the_readers_command_prints_its_ports_and_takes_commands() -> None:
    proc = subprocess.run([sys.executable, "-m", "firmware_sim", "readers"], cwd=ROOT,
                          input="card 04A3150201\nscan 483920\nbogus\nquit\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "card reader: /dev/pts/" in proc.stdout and "scanner: /dev/pts/" in proc.stdout
    assert proc.stdout.count("ok") == 2 and "? bogus" in proc.stdout
