"""Benchmark: `python -m firmware_sim load` against a mosquitto of its own, in each mode.

    .venv/bin/python bench/load_broker.py                      # 10,000 devices x 1 msg/s x 60 s
    .venv/bin/python bench/load_broker.py --seconds 20 --only per-device

For each variant it starts a fresh mosquitto on a free port (config: listener, anonymous,
no persistence, `max_connections -1`), runs the load command with `--json`, and samples, once a
second, the broker's CPU time and the whole machine's (/proc/stat), so that over the load's
steady window (second 1 to S-1) it can say where the CPU went: the load generator, the broker,
or anything else on the machine. Prints the machine, each exact command, and a Markdown table;
`--out PATH` keeps every figure as JSON. Exit status 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launcher.processes import ProcessGroup, free_port  # noqa: E402

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
TICKS = os.sysconf("SC_CLK_TCK")
VARIANTS: dict[str, list[str]] = {
    "per-device": ["--mode", "per-device"],
    "per-device-2p": ["--mode", "per-device", "--processes", "2"],
    "multiplexed": ["--mode", "multiplexed"],
    "multiplexed-2p": ["--mode", "multiplexed", "--processes", "2"],
}


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    try:
        mosq = subprocess.run([MOSQUITTO, "-h"], capture_output=True, text=True, timeout=5)
        mosq_version = (mosq.stdout or mosq.stderr).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        mosq_version = "not found"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model.group(1).strip() if model else "unknown",
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "unknown",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "mosquitto": mosq_version,
        "nofile": "soft {}, hard {}".format(*resource.getrlimit(resource.RLIMIT_NOFILE)),
    }


def proc_cpu(pid: int) -> float:
    """utime + stime of one process, seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def proc_rss_peak_mb(pid: int) -> float:
    m = re.search(r"^VmHWM:\s*(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(m.group(1)) / 1024 if m else 0.0


def machine_cpu() -> tuple[float, float, float]:
    """(busy, softirq, steal) CPU seconds of the whole machine, all cores; busy is everything
    but idle, iowait and steal."""
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = vals[:8]
    return (user + nice + system + irq + softirq) / TICKS, softirq / TICKS, steal / TICKS


def all_processes() -> dict[int, tuple[float, int, str]]:
    """pid -> (CPU seconds, parent pid, command line) of every process."""
    out: dict[int, tuple[float, int, str]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[int(d.name)] = ((int(fields[11]) + int(fields[12])) / TICKS, int(fields[1]),
                            cmd.strip()[:90])
    return out


@dataclass
class Sample:
    t: float
    broker: float
    busy: float
    softirq: float
    steal: float
    procs: dict[int, tuple[float, int, str]]


@dataclass
class Sampler:
    """Once a second: the broker's CPU time, the machine's, and every process's."""

    broker_pid: int
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            busy, softirq, steal = machine_cpu()
            try:
                b = proc_cpu(self.broker_pid)
            except OSError:
                return
            self.samples.append(Sample(time.monotonic(), b, busy, softirq, steal,
                                       all_processes()))
            self.stop.wait(1.0)

    def between(self, t_lo: float, t_hi: float, load_pid: int) -> dict[str, Any] | None:
        inside = [s for s in self.samples if t_lo <= s.t <= t_hi]
        if len(inside) < 2:
            return None
        a, b = inside[0], inside[-1]
        wall = b.t - a.t
        others = []
        for pid, (cpu, ppid, cmd) in b.procs.items():
            if pid in (self.broker_pid, load_pid, os.getpid()) or ppid == load_pid:
                continue
            used = (cpu - a.procs[pid][0] if pid in a.procs else cpu) / wall  # or new since
            if used >= 0.02:
                others.append({"pid": pid, "cores": round(used, 2), "cmd": cmd})
        others.sort(key=lambda o: -o["cores"])
        return {"wall_s": round(wall, 1), "broker_cores": (b.broker - a.broker) / wall,
                "machine_busy_cores": (b.busy - a.busy) / wall,
                "softirq_cores": (b.softirq - a.softirq) / wall,
                "steal_cores": (b.steal - a.steal) / wall, "other_processes": others[:5]}


def run_variant(name: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    port = free_port()
    conf = tmp / f"mosquitto-{name}.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_connections -1\nlog_type error\nlog_type warning\n")
    group = ProcessGroup(tmp / "log")
    out = tmp / f"{name}.json"
    cmd = [sys.executable, "-m", "firmware_sim", "--mqtt-url", f"mqtt://127.0.0.1:{port}",
           "load", "--devices", str(args.devices), "--rate", f"{args.rate:g}",
           "--seconds", f"{args.seconds:g}", "--qos", str(args.qos), *VARIANTS[name],
           "--json", str(out)]
    shown = " ".join(["python", *cmd[1:-2]])
    print(f"\n== {name}: {shown}", flush=True)
    try:
        broker = group.start(f"mosquitto-{name}", [MOSQUITTO, "-c", str(conf)], python=False)
        group.wait_port("127.0.0.1", port, broker)
        sampler = Sampler(broker.proc.pid)
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        first_progress: list[float] = []
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stderr is not None and proc.stdout is not None

        def read_stderr() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                sys.stderr.write(line)
                if " s  sent " in line and not first_progress:
                    first_progress.append(time.monotonic())  # 5 s after sending began

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        stdout = proc.stdout.read()
        rc = proc.wait()
        reader.join(5)
        sampler.stop.set()
        thread.join(5)
        print(stdout, end="", flush=True)
        broker_rss = proc_rss_peak_mb(broker.proc.pid)
    finally:
        group.stop_all()
    result: dict[str, Any] = {"variant": name, "command": shown, "rc": rc}
    if out.exists():
        result["report"] = json.loads(out.read_text())
    if first_progress:
        t0 = first_progress[0] - 5.0
        window = sampler.between(t0 + 1, t0 + args.seconds - 1, proc.pid)
        if window is not None:
            result["window"] = window
    result["broker_peak_rss_mb"] = round(broker_rss, 1)
    return result


def table(results: list[dict[str, Any]]) -> str:
    """One row per variant; CPU in cores (CPU seconds per second) over the steady window."""
    head = ("| variant | target msg/s | sent/s | acked/s | behind | connect s | load CPU "
            "| load peak RSS MiB | broker CPU | broker peak RSS MiB | machine busy "
            "| other processes | unattributed | exit |")
    rows = [head, "|" + " --- |" * 14]
    notes = []
    nan = float("nan")
    for r in results:
        rep, win = r.get("report", {}), r.get("window", {})
        load_cores = (rep.get("cpu_send_pct", 0) / 100) if rep else nan
        others = win.get("other_processes", [])
        other = sum(o["cores"] for o in others)
        # Busy but not in any process alive at both ends of the window: processes that came
        # and went, and the kernel's own work (softirq: loopback TCP delivery).
        rest = (win.get("machine_busy_cores", nan) - load_cores - win.get("broker_cores", nan)
                - other)
        rows.append(
            f"| {r['variant']} | {rep.get('target_rate', 0):g} | {rep.get('sent_per_s', 0):g} "
            f"| {format(rep.get('acked_per_s', 0), 'g') if rep.get('qos') else '-'} "
            f"| {rep.get('behind', '-')} "
            f"| {rep.get('connect_s', 0):.1f} | {load_cores:.2f} "
            f"| {rep.get('rss_sum_mb', 0):.0f} "
            f"| {win.get('broker_cores', nan):.2f} | {r['broker_peak_rss_mb']:.0f} "
            f"| {win.get('machine_busy_cores', nan):.2f} "
            f"| {other:.2f} | {max(0.0, rest):.2f} | {r['rc']} |")
        notes += [f"{r['variant']}: other process {o['cores']:.2f} cores: {o['cmd']}"
                  for o in others]
    return "\n".join(rows + (["", *notes] if notes else []))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--qos", type=int, choices=[0, 1], default=1)
    ap.add_argument("--only", action="append", choices=sorted(VARIANTS),
                    help="run only this variant (repeatable; default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "load_broker.json")
    args = ap.parse_args()
    if not Path(MOSQUITTO).exists():
        sys.exit(f"mosquitto not found at {MOSQUITTO} (apt-get install mosquitto)")
    # Both the broker and the load generator inherit this: 10,000 connections need >10,000 fds.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    info = machine()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    tmp = args.out.parent / "load_broker"
    tmp.mkdir(parents=True, exist_ok=True)
    results = [run_variant(name, args, tmp) for name in (args.only or list(VARIANTS))]
    print("\n" + table(results))
    args.out.write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    print(f"\nfigures: {args.out}")


if __name__ == "__main__":
    main()
