"""The adversarial benchmark's driver (bench/adversarial.sh starts the stack).

For each body class of bench/adversarial_bodies.py and each size, posts the
same body over BENCH_ADV_CONNS connections for BENCH_ADV_SECONDS and reads the
ingest process's CPU (utime + stime from /proc/<pid>/stat) before and after:
µs of ingest CPU per KB of body, beside the typical body's of the same size,
loaded right before and right after each class (their mean is the yardstick).
Refused bodies (400/413) count as well: the CPU spent refusing is work too.
Meanwhile a probe times GET /healthz every 50 ms on its own connection.

Prints the table and writes adversarial.md and adversarial.json to --out.
Target: the worst class costs at most 3x the typical; /healthz under 0.5 s.
"""

import argparse
import http.client
import json
import os
import subprocess
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import adversarial_bodies

CPU_RATIO_TARGET = 3.0
HEALTHZ_TARGET_S = 0.5
REQUEST_TIMEOUT_S = 120


def cpu_seconds(pid):
    """utime + stime of the process, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class HealthProbe(threading.Thread):
    """GET /healthz every 50 ms; keeps (start time, seconds taken or None on failure)."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
                connection.request("GET", "/healthz")
                ok = connection.getresponse().status == 200
                connection.close()
                self.samples.append((started, time.monotonic() - started if ok else None))
            except OSError:
                self.samples.append((started, None))
            self.stopping.wait(0.05)

    def worst_between(self, start, end):
        """The slowest answer in [start, end]; a failed probe counts as infinity."""
        taken = [s for t, s in self.samples if start <= t <= end]
        if not taken:
            return None
        return max(float("inf") if s is None else s for s in taken)


def post_for(host, port, route, body, seconds, connections):
    """Posts `body` on `connections` keep-alive connections, each at least once and
    until `seconds` pass; returns the statuses seen and how often."""
    statuses = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": "application/json", "Cookie": "sluice_visitor=v-adversarial"}

    def sender():
        connection = None
        while True:
            try:
                connection = connection or http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
                connection.request("POST", route, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except OSError as error:
                status = type(error).__name__
                connection = None
            with lock:
                statuses[status] += 1
            if time.monotonic() >= deadline:
                break
        if connection:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def clear_streams(redis_port, partitions):
    """Drops what the accepted bodies queued, so Redis memory stays flat across classes."""
    keys = [f"events:{{{p}}}" for p in range(partitions)]
    subprocess.run(["redis-cli", "-p", str(redis_port), "DEL", *keys], check=True, stdout=subprocess.DEVNULL)


def load(args, probe, name, attacks, route, body):
    """One body under load: a warm-up request, then `args.seconds` on `args.connections`."""
    split = urlsplit(args.url)
    post_for(split.hostname, split.port, route, body, 0, 1)
    cpu_before, started = cpu_seconds(args.pid), time.monotonic()
    statuses = post_for(split.hostname, split.port, route, body, args.seconds, args.connections)
    cpu, ended = cpu_seconds(args.pid) - cpu_before, time.monotonic()
    clear_streams(args.redis_port, args.partitions)
    requests = sum(statuses.values())
    kilobytes = len(body) / 1024
    return {
        "class": name, "attacks": attacks, "route": route, "body_kb": round(kilobytes, 1),
        "requests": requests, "statuses": dict(sorted(statuses.items())),
        "cpu_s": round(cpu, 3), "wall_s": round(ended - started, 2),
        "us_cpu_per_kb": round(cpu * 1e6 / (requests * kilobytes), 2),
        "healthz_worst_s": probe.worst_between(started, ended),
    }


def show(row):
    print(f"  {row['class']:16} {row['body_kb']:8.1f} KB  {row['requests']:5} requests  {row['statuses']}  "
          f"{row['us_cpu_per_kb']:9.2f} µs/KB  {row['ratio']:5.2f}x", flush=True)


def measure(args, probe):
    """Every class at every size, each between two loads of the typical body of the
    same size: its ratio is to their mean, so a slow minute on a shared machine
    moves both sides of it. The typical row shows the median of its loads."""
    (typical_name, typical_build, typical_attacks), *classes = adversarial_bodies.CLASSES
    rows = []
    for size in args.sizes:
        typical_route, typical_body = typical_build(size)
        def typical_load():
            return load(args, probe, typical_name, typical_attacks, typical_route, typical_body)
        typicals = [typical_load()]
        size_rows = []
        for name, build, attacks in classes:
            route, body = build(size)
            row = load(args, probe, name, attacks, route, body)
            typicals.append(typical_load())
            row["typical_us_cpu_per_kb"] = round((typicals[-2]["us_cpu_per_kb"] + typicals[-1]["us_cpu_per_kb"]) / 2, 2)
            row["ratio"] = round(row["us_cpu_per_kb"] / row["typical_us_cpu_per_kb"], 2)
            show(row)
            size_rows.append(row)
        typical = sorted(typicals, key=lambda r: r["us_cpu_per_kb"])[len(typicals) // 2]
        slowest = [r["healthz_worst_s"] for r in typicals if r["healthz_worst_s"] is not None]
        typical = {**typical, "requests": sum(r["requests"] for r in typicals),
                   "statuses": dict(sum((Counter(r["statuses"]) for r in typicals), Counter())),
                   "healthz_worst_s": max(slowest) if slowest else None, "loads": len(typicals),
                   "typical_us_cpu_per_kb": typical["us_cpu_per_kb"], "ratio": 1.0}
        show(typical)
        rows += [{**r, "size": size} for r in [typical] + size_rows]
    return rows


def seconds_text(value):
    if value is None:
        return "-"
    return "failed" if value == float("inf") else f"{value * 1000:.0f} ms"


def report(rows, args):
    """The table, the verdicts, and the two result files."""
    worst = max((r for r in rows if r["class"] != "typical"), key=lambda r: r["ratio"])
    healthz = [r["healthz_worst_s"] for r in rows if r["healthz_worst_s"] is not None]
    healthz_worst = max(healthz) if healthz else None
    cpu_met = worst["ratio"] <= CPU_RATIO_TARGET
    healthz_met = healthz_worst is not None and healthz_worst < HEALTHZ_TARGET_S
    lines = [
        "| class | body KB | requests | status codes | µs CPU/KB | typical beside it, µs CPU/KB | ratio | worst /healthz |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        codes = ", ".join(f"{code}×{count}" for code, count in r["statuses"].items())
        lines.append(f"| {r['class']} | {r['body_kb']} | {r['requests']} | {codes} | {r['us_cpu_per_kb']} | "
                     f"{r['typical_us_cpu_per_kb']} | {r['ratio']}x | {seconds_text(r['healthz_worst_s'])} |")
    verdicts = [
        f"Worst class: {worst['class']} at {worst['body_kb']} KB, {worst['ratio']}x the typical body's CPU per KB "
        f"(target at most {CPU_RATIO_TARGET:g}x): {'met' if cpu_met else 'NOT MET'}.",
        f"Slowest GET /healthz during the load: {seconds_text(healthz_worst)} "
        f"(target under {HEALTHZ_TARGET_S:g} s): {'met' if healthz_met else 'NOT MET'}.",
    ]
    table = "\n".join(lines)
    print("\n" + table + "\n\n" + "\n".join(verdicts))
    os.makedirs(args.out, exist_ok=True)
    header = (f"# Adversarial bodies: ingest CPU per KB\n\nWritten by `make bench-adversarial` at commit {args.commit} "
              f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.connections} connections, "
              f"{args.seconds:g} s per class and size, each between two loads of the typical body, release build. Method and reading: docs/performance.md.\n\n")
    with open(os.path.join(args.out, "adversarial.md"), "w") as out:
        out.write(header + table + "\n\n" + "\n\n".join(verdicts) + "\n")
    with open(os.path.join(args.out, "adversarial.json"), "w") as out:
        json.dump({"commit": args.commit, "connections": args.connections, "seconds": args.seconds, "rows": rows,
                   "worst": {"class": worst["class"], "size": worst["size"], "ratio": worst["ratio"], "met": cpu_met},
                   "healthz_worst_s": None if healthz_worst in (None, float("inf")) else healthz_worst,
                   "healthz_met": healthz_met}, out, indent=1)
        out.write("\n")
    return cpu_met and healthz_met


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="ingest base URL")
    parser.add_argument("--pid", type=int, required=True, help="the ingest process")
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[262_144, 1_048_576], help="body sizes in bytes")
    parser.add_argument("--seconds", type=float, default=2, help="load per class and size")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--commit", default="unknown")
    parser.add_argument("--out", required=True, help="directory for adversarial.md and .json")
    args = parser.parse_args()
    split = urlsplit(args.url)
    probe = HealthProbe(split.hostname, split.port)
    probe.start()
    rows = measure(args, probe)
    probe.stopping.set()
    met = report(rows, args)
    print("adversarial targets: " + ("met" if met else "NOT MET"))


if __name__ == "__main__":
    main()
