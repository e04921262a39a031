"""The estate on a 3-node NATS cluster: devices (firmware_sim, MQTT 3.1.1) on one node's MQTT
listener, two gateway replicas on the cluster's JetStream, the control room."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx

from launcher.nats_cluster import NATS_SERVER, NatsCluster
from launcher.processes import ProcessGroup, free_port
from tests.support.stack import Stack

__all__ = ["NATS_SERVER", "NatsStack"]

REPLICAS = ("gateway-a", "gateway-b")


@dataclass
class NatsStack(Stack):
    """`device_node` takes the devices; each replica prefers the node named in `prefers`."""

    device_node: str = "n1"
    prefers: dict[str, str] = field(default_factory=lambda: {"gateway-a": "n3",
                                                             "gateway-b": "n2"})
    metrics_ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cluster = NatsCluster(ProcessGroup(self.tmp / "log"), self.tmp)
        self.mqtt_port = self.cluster.node(self.device_node).mqtt_port
        super().__post_init__()
        self.cluster.group = self.group

    def start_broker(self) -> None:
        self.cluster.start_all()

    def nats_urls(self, first: str) -> list[str]:
        nodes = sorted(self.cluster.nodes, key=lambda n: n.name != first)
        return [n.nats_url for n in nodes]

    def start_gateway(self, name: str | None = None) -> None:
        for replica in [name] if name else list(REPLICAS):
            port = self.metrics_ports.setdefault(replica, free_port())
            state = self.tmp / replica
            state.mkdir(exist_ok=True)
            child = self.group.start(replica, [
                "-m", "gateway", *self._config(), "--source", "nats",
                "--nats-url", ",".join(self.nats_urls(self.prefers[replica])),
                "--client-id", replica, "--state-dir", str(state),
                "--metrics-port", str(port)])
            self.group.wait_http(f"http://127.0.0.1:{port}/health", child, timeout=60)
        self.metrics_port = self.metrics_ports[REPLICAS[0]]

    def replica_metrics(self, replica: str) -> str:
        return httpx.get(f"http://127.0.0.1:{self.metrics_ports[replica]}/metrics",
                         timeout=5).text

    def stream_leader(self) -> str:
        """The node leading the MQTT message stream (its Raft leader), asked of a live
        node."""
        import nats

        from gateway.nats_link import MQTT_STREAM

        async def ask() -> str:
            nc = await nats.connect(servers=self.cluster.nats_urls, connect_timeout=2)
            try:
                info = await nc.jetstream(timeout=5).stream_info(MQTT_STREAM)
                return str(info.cluster.leader) if info.cluster else ""
            finally:
                await nc.close()

        return asyncio.run(ask())
