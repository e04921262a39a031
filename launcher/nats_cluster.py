"""A 3-node NATS cluster of our own, with JetStream and each node's MQTT listener, on free
ports of this machine (tests and benchmarks never touch a server the machine already runs).

Devices speak their unchanged MQTT 3.1.1 to any node's MQTT port; the gateway replicas speak
NATS to the client ports. nats-server's MQTT support needs JetStream and an explicit
`server_name`; it keeps MQTT sessions and retained messages in JetStream streams of its own.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from launcher.processes import Child, ProcessGroup, free_port

NATS_SERVER = shutil.which("nats-server") or (
    "/usr/sbin/nats-server" if Path("/usr/sbin/nats-server").exists() else None)


@dataclass
class NatsNode:
    name: str
    client_port: int = field(default_factory=free_port)
    cluster_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.client_port}"

    @property
    def mqtt_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.mqtt_port}"


def node_config(node: NatsNode, peers: list[NatsNode], store: Path) -> str:
    routes = ", ".join(f"nats-route://127.0.0.1:{p.cluster_port}" for p in peers
                       if p is not node)
    # MQTT: QoS 1 subscriptions (each device's `cmd`) are JetStream consumers. A command is
    # worth nothing after a restart of the node the device is on, so those consumers are
    # kept in memory and on one node: 50,000 devices are 50,000 consumers, and R3 file
    # consumers would cost three Raft groups each. The sessions and retained messages
    # (`state`) stay replicated (stream_replicas 3).
    return f"""server_name: {node.name}
listen: 127.0.0.1:{node.client_port}
http: 127.0.0.1:{node.http_port}
max_payload: 65536
jetstream {{
  store_dir: "{store}"
  max_memory_store: 512MB
  max_file_store: 4GB
}}
cluster {{
  name: butler
  listen: 127.0.0.1:{node.cluster_port}
  routes: [{routes}]
}}
mqtt {{
  listen: 127.0.0.1:{node.mqtt_port}
  stream_replicas: 3
  consumer_replicas: 1
  consumer_memory_storage: true
  max_ack_pending: 100
}}
"""


@dataclass
class NatsCluster:
    """Three nodes, n1..n3. `start(name)` (re)starts one with the same ports and store."""

    group: ProcessGroup
    tmp: Path
    nodes: list[NatsNode] = field(default_factory=lambda: [NatsNode(f"n{i}")
                                                           for i in (1, 2, 3)])

    @property
    def nats_urls(self) -> list[str]:
        return [n.nats_url for n in self.nodes]

    def node(self, name: str) -> NatsNode:
        return next(n for n in self.nodes if n.name == name)

    def start(self, name: str) -> Child:
        if NATS_SERVER is None:
            raise RuntimeError("nats-server is not installed: scripts/system-deps.sh test")
        node = self.node(name)
        store = self.tmp / f"nats-{name}"
        store.mkdir(parents=True, exist_ok=True)
        conf = self.tmp / f"nats-{name}.conf"
        conf.write_text(node_config(node, self.nodes, store))
        return self.group.start(f"nats-{name}", [NATS_SERVER, "-c", str(conf)], python=False)

    def start_all(self, timeout: float = 60.0) -> None:
        children = [self.start(n.name) for n in self.nodes]
        for node, child in zip(self.nodes, children, strict=True):
            self.group.wait_for(f"nats {node.name} healthy with JetStream",
                                lambda node=node: healthy(node), timeout, child)
            self.group.wait_port("127.0.0.1", node.mqtt_port, child, timeout)

    def stop(self, name: str, sig: int) -> None:
        self.group.stop(f"nats-{name}", sig)


def healthy(node: NatsNode) -> bool:
    """The node answers /healthz: JetStream is up and it has caught up with the cluster."""
    try:
        return httpx.get(f"http://127.0.0.1:{node.http_port}/healthz", timeout=2).status_code \
            == 200
    except httpx.HTTPError:
        return False
