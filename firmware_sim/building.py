"""A simulated building (or estate): many devices in one asyncio loop, and a control socket
through which the command line raises events on the running devices."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path

from firmware_sim.device import SimDevice
from firmware_sim.malformed import by_name
from firmware_sim.state import CounterStore

log = logging.getLogger("firmware_sim")

# Devices connecting at once. A whole estate powering up is a connection storm; real
# devices spread it with random start-up delays, and the embedded broker needs it spread.
CONNECT_CONCURRENCY = 8


class Simulation:
    def __init__(self, devices: list[SimDevice], store: CounterStore, control_path: Path) -> None:
        self.devices = {d.id: d for d in devices}
        self.store = store
        self.control_path = control_path
        self.stop = asyncio.Event()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        for d in self.devices.values():
            boot, _ = self.store.get(d.id)
            d.boot, d.seq = boot + 1, 0  # powering on: a new boot, the sequence restarts
            self.store.put(d.id, d.boot, d.seq)
        self.store.save()
        self.control_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.control_path.unlink()
        server = await asyncio.start_unix_server(self._handle, path=str(self.control_path))
        inode = self.control_path.stat().st_ino
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        tasks: list[asyncio.Task[None]] = []
        try:
            tasks = [asyncio.create_task(d.run(self.stop, gate)) for d in self.devices.values()]
            tasks.append(asyncio.create_task(self._report_ready()))
            while not self.stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), 5.0)
                self._save()
        finally:
            server.close()
            self.stop.set()
            # Devices disconnect cleanly (no last will); a broker too busy to take the
            # DISCONNECTs in time must not hold up the shutdown.
            await asyncio.wait(tasks, timeout=5.0)
            self._save()
            # Remove the socket only if it is still ours (a newer simulation may own the path).
            with contextlib.suppress(FileNotFoundError):
                if self.control_path.stat().st_ino == inode:
                    self.control_path.unlink()

    async def _report_ready(self) -> None:
        while not self.stop.is_set():
            up = sum(1 for d in self.devices.values() if d.client and d.client.connected)
            if up == len(self.devices):
                log.info("all %d devices online", up)
                self.ready.set()
                return
            await asyncio.sleep(0.5)

    def _save(self) -> None:
        for d in self.devices.values():
            self.store.put(d.id, d.boot, d.seq)
        self.store.save()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            try:
                reply = await self.command(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                reply = {"ok": False, "error": f"bad request: {exc}"}
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()

    async def command(self, req: dict[str, object]) -> dict[str, object]:
        """One request from the control socket (see `firmware_sim/__main__.py` for the CLI)."""
        cmd = req.get("cmd")
        if cmd == "list":
            return {"ok": True, "devices": [
                {"id": d.id, "kind": d.kind, "unit": d.unit, "boot": d.boot, "seq": d.seq,
                 "online": d.connected, "pending": len(d.pending)}
                for d in self.devices.values()]}
        dev = self.devices.get(str(req.get("device")))
        if dev is None:
            return {"ok": False, "error": f"no device {req.get('device')!r} in this simulation"}
        done: dict[str, object] = {"ok": True, "device": dev.id}
        if cmd == "stimulus":
            try:
                reports = dev.stimulate(str(req["what"]), req.get("value"))
            except ValueError as exc:
                return {"ok": False, "error": str(exc)}
            seqs = await dev.report(reports)
            return done | {"boot": dev.boot, "seqs": seqs, "sent": not dev.pending,
                           "reports": [f"{t}/{s}" for t, s, _ in reports]}
        if cmd == "event":  # a raw event, bypassing the device's behaviour
            extra = dict(req.get("extra") or {})  # type: ignore[call-overload]
            seqs = await dev.report([(str(req["type"]), str(req["state"]), extra)],
                                    topic_device=req.get("as_device"))  # type: ignore[arg-type]
            return done | {"boot": dev.boot, "seqs": seqs, "sent": not dev.pending}
        if cmd == "offline":
            dev.go_offline()
            return done
        if cmd == "online":
            dev.go_online()
            return done
        if cmd == "reboot":
            dev.reboot()
            return done | {"boot": dev.boot}
        if cmd == "inject":
            return await self._inject(dev, req) | {"device": dev.id}
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    async def _inject(self, dev: SimDevice, req: dict[str, object]) -> dict[str, object]:
        fault = req.get("fault")
        if fault == "duplicate":
            dev.duplicate_next = True
        elif fault == "reorder":
            dev.reorder_next = True
        elif fault == "skew":
            dev.skew_ms = int(req.get("value") or 0)  # type: ignore[call-overload]
        elif fault == "drain":
            dev.drain_per_beat = int(req.get("value") or 0)  # type: ignore[call-overload]
        elif fault == "malformed":
            try:
                m = by_name(str(req.get("value")))
            except KeyError as exc:
                return {"ok": False, "error": str(exc.args[0])}
            if not dev.connected:
                return {"ok": False, "error": f"{dev.id} is not connected"}
            assert dev.client is not None
            await dev.client.publish(m.topic(dev.site, dev.id), m.payload, qos=1)
            return {"ok": True, "reason": m.reason}
        else:
            return {"ok": False, "error": f"unknown fault {fault!r}"}
        return {"ok": True}


async def send_control(path: Path, request: dict[str, object], timeout: float = 30.0
                       ) -> dict[str, object] | None:
    """Ask a running simulation; None when none is running at `path`. A simulation that
    does not answer in `timeout` (the device waits up to 10 s for its broker's PUBACK) is an
    error reply, not an exception."""
    try:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=2**24)
    except (FileNotFoundError, ConnectionRefusedError):
        return None
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        try:
            line = await asyncio.wait_for(reader.readline(), timeout)
        except TimeoutError:
            return {"ok": False, "error": f"the simulation did not answer within {timeout:.0f}s"}
        if not line:
            return {"ok": False, "error": "the simulation closed the connection (stopping?)"}
        return json.loads(line)
    finally:
        writer.close()
