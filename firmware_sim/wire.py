"""A small asyncio MQTT 3.1.1 client, written from the OASIS specification.

Independent of paho (which the gateway uses) on purpose, and light enough to hold
thousands of device connections in one process. QoS 0 and 1 only, which is what
devices use (ARCHITECTURE §4).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 12, 13, 14

CONNACK_CODES = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorized",
}


class MqttError(Exception):
    pass


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s: str) -> bytes:
    raw = s.encode("utf-8")
    return struct.pack("!H", len(raw)) + raw


def _bin(b: bytes) -> bytes:
    return struct.pack("!H", len(b)) + b


def packet(ptype: int, flags: int, body: bytes) -> bytes:
    return bytes([(ptype << 4) | flags]) + _varint(len(body)) + body


def connect_packet(client_id: str, keepalive: int, clean: bool, will: Will | None,
                   username: str | None, password: str | None) -> bytes:
    flags = 0x02 if clean else 0
    payload = _str(client_id)
    if will is not None:
        flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
        payload += _str(will.topic) + _bin(will.payload)
    if username is not None:
        flags |= 0x80
        payload += _str(username)
        if password is not None:
            flags |= 0x40
            payload += _bin(password.encode())
    var = _str("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
    return packet(CONNECT, 0, var + payload)


def publish_packet(topic: str, payload: bytes, qos: int, retain: bool, pid: int | None,
                   dup: bool = False) -> bytes:
    flags = (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = _str(topic) + (struct.pack("!H", pid) if qos else b"") + payload
    return packet(PUBLISH, flags, body)


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, int, bytes]:
    first = (await reader.readexactly(1))[0]
    length, mult = 0, 1
    for _ in range(4):
        b = (await reader.readexactly(1))[0]
        length += (b & 0x7F) * mult
        if not b & 0x80:
            break
        mult *= 128
    else:
        raise MqttError("malformed remaining length")
    return first >> 4, first & 0x0F, await reader.readexactly(length)


OnMessage = Callable[[str, bytes], None]


class MqttClient:
    """One connection. `publish(qos=1)` resolves when the broker's PUBACK arrives."""

    def __init__(self, host: str, port: int, client_id: str, *, keepalive: int = 60,
                 clean: bool = True, will: Will | None = None, username: str | None = None,
                 password: str | None = None, on_message: OnMessage | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.tls = tls
        self.keepalive, self.clean, self.will = keepalive, clean, will
        self.username, self.password = username, password
        self.on_message = on_message
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[None]] = {}
        self._next_pid = 0
        self._tasks: list[asyncio.Task[None]] = []
        self.closed = asyncio.Event()
        self.closed.set()

    @property
    def connected(self) -> bool:
        return not self.closed.is_set()

    def _pid(self) -> int:
        self._next_pid = self._next_pid % 65535 + 1
        return self._next_pid

    async def connect(self, timeout: float = 10.0) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=self.tls,
                                    server_hostname=self.host if self.tls else None), timeout)
        self._writer.write(connect_packet(self.client_id, self.keepalive, self.clean, self.will,
                                          self.username, self.password))
        await self._writer.drain()
        ptype, _, body = await asyncio.wait_for(read_packet(self._reader), timeout)
        if ptype != CONNACK or len(body) != 2:
            self._abort()
            raise MqttError(f"expected CONNACK, got packet type {ptype}")
        if body[1] != 0:
            self._abort()
            raise MqttError(f"broker refused connection: {CONNACK_CODES.get(body[1], body[1])}")
        self.closed.clear()
        self._tasks = [asyncio.create_task(self._read_loop()),
                       asyncio.create_task(self._ping_loop())]

    async def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False,
                      dup: bool = False, timeout: float = 10.0) -> None:
        sent = self._send_publish(topic, payload, qos, retain, dup)
        assert self._writer is not None
        try:
            await self._writer.drain()
            if sent is not None:
                await asyncio.wait_for(sent[1], timeout)
        finally:
            if sent is not None and self._pending.get(sent[0]) is sent[1]:
                del self._pending[sent[0]]

    def publish_nowait(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False,
                       dup: bool = False) -> asyncio.Future[None] | None:
        """Hand a PUBLISH to the transport without waiting (no drain, no timeout).

        QoS 0: returns None. QoS 1: returns the future the broker's PUBACK resolves, or that
        fails with MqttError if the connection is lost first; the caller owns any timeout.
        Flow control is the caller's too: see `write_backlog`, `in_flight` and `drain`."""
        sent = self._send_publish(topic, payload, qos, retain, dup)
        return None if sent is None else sent[1]

    def publish_many(self, messages: Iterable[tuple[str, bytes]], qos: int = 0
                     ) -> list[asyncio.Future[None]]:
        """Several non-retained PUBLISHes handed to the transport in one write (so one system
        call rather than one each), without waiting, like `publish_nowait`. Returns the PUBACK
        futures in order for QoS 1, nothing for QoS 0."""
        if self._writer is None or not self.connected:
            raise MqttError("not connected")
        if qos == 0:
            self._writer.write(b"".join(publish_packet(t, p, 0, False, None)
                                        for t, p in messages))
            return []
        loop = asyncio.get_running_loop()
        futs: list[asyncio.Future[None]] = []
        chunks: list[bytes] = []
        for t, p in messages:
            pid = self._pid()
            fut: asyncio.Future[None] = loop.create_future()
            self._pending[pid] = fut
            futs.append(fut)
            chunks.append(publish_packet(t, p, 1, False, pid))
        self._writer.write(b"".join(chunks))
        return futs

    def _send_publish(self, topic: str, payload: bytes, qos: int, retain: bool,
                      dup: bool) -> tuple[int, asyncio.Future[None]] | None:
        if self._writer is None or not self.connected:
            raise MqttError("not connected")
        if qos == 0:
            self._writer.write(publish_packet(topic, payload, 0, retain, None))
            return None
        pid = self._pid()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[pid] = fut
        self._writer.write(publish_packet(topic, payload, 1, retain, pid, dup))
        return pid, fut

    @property
    def in_flight(self) -> int:
        """QoS 1 messages (and subscriptions) sent and not yet acknowledged."""
        return len(self._pending)

    def write_backlog(self) -> int:
        """Bytes written and not yet accepted by the socket."""
        if self._writer is None:
            return 0
        return self._writer.transport.get_write_buffer_size()

    async def drain(self) -> None:
        """Wait until the transport's buffer is below its high-water mark."""
        if self._writer is not None:
            await self._writer.drain()

    async def subscribe(self, topic: str, qos: int = 1, timeout: float = 10.0) -> None:
        if self._writer is None:
            raise MqttError("not connected")
        pid = self._pid()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[pid] = fut
        self._writer.write(packet(SUBSCRIBE, 0x02, struct.pack("!H", pid) + _str(topic)
                                  + bytes([qos])))
        await self._writer.drain()
        try:
            await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(pid, None)

    async def disconnect(self) -> None:
        """A clean disconnect: the broker discards the last will."""
        if self._writer is not None and self.connected:
            with contextlib.suppress(ConnectionError, OSError):
                self._writer.write(packet(DISCONNECT, 0, b""))
                await self._writer.drain()
        self._abort()

    def drop(self) -> None:
        """Vanish without DISCONNECT, as a device losing power or network: the broker
        publishes the last will."""
        self._abort()

    def _abort(self) -> None:
        for t in self._tasks:
            if t is not asyncio.current_task():
                t.cancel()
        if self._writer is not None:
            self._writer.close()
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(MqttError("connection lost"))
        self._pending.clear()
        self.closed.set()

    async def _read_loop(self) -> None:
        assert self._reader is not None and self._writer is not None
        try:
            while True:
                ptype, flags, body = await read_packet(self._reader)
                if ptype in (PUBACK, SUBACK):
                    (pid,) = struct.unpack("!H", body[:2])
                    fut = self._pending.pop(pid, None)
                    if fut is not None and not fut.done():
                        fut.set_result(None)
                elif ptype == PUBLISH:
                    qos = (flags >> 1) & 0x03
                    (tlen,) = struct.unpack("!H", body[:2])
                    topic = body[2:2 + tlen].decode("utf-8")
                    rest = body[2 + tlen:]
                    if qos:
                        pid_bytes, rest = rest[:2], rest[2:]
                        self._writer.write(packet(PUBACK, 0, pid_bytes))
                    if self.on_message is not None:
                        self.on_message(topic, rest)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, MqttError):
            pass
        finally:
            self._abort()

    async def _ping_loop(self) -> None:
        assert self._writer is not None
        try:
            while True:
                await asyncio.sleep(self.keepalive * 0.75)
                self._writer.write(packet(PINGREQ, 0, b""))
                await self._writer.drain()
        except (ConnectionError, OSError):
            self._abort()
