"""Facts about the machine and the processes, recorded beside the figures:
`driver.py meta` (hardware, versions, commit), `loadavg` and `rss` (peak RSS of a process)."""
import datetime
import os
import platform
import subprocess

from driver_proc import proc_status
from driver_state import ROOT, log, update_state


def run_text(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def cmd_meta(args):
    cpu_model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    git = run_text(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = run_text(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"])
    secantus = run_text([os.path.join(ROOT, ".venv/bin/python"), "-c", "import importlib.metadata as m; print(m.version('SecantusDB'))"])
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command, "nproc": os.cpu_count(), "cpu_model": cpu_model, "memory_gib": round(mem_kb / 1048576, 1),
        "kernel": platform.release(), "loadavg_at_start": load,
        "git_commit": git, "sources_modified": bool(dirty),
        "swift": (run_text(["swift", "--version"]) or "").splitlines()[0] if run_text(["swift", "--version"]) else None,
        "redis": run_text(["redis-server", "--version"]), "wrk": (run_text(["wrk", "-v"]) or "").splitlines()[0] if run_text(["wrk", "-v"]) is not None else None,
        "secantusdb": secantus, "libmongoc": run_text(["pkg-config", "--modversion", "libmongoc-1.0"]),
        "python": platform.python_version(), "partitions": args.partitions,
    }
    update_state(args.state, "meta", meta)


def cmd_loadavg(args):
    with open("/proc/loadavg") as f:
        update_state(args.state, "meta", {args.key: f.read().split()[:3]})


def cmd_rss(args):
    status = proc_status(args.pid_of)
    update_state(args.state, "rss", {args.label: {"vmhwm_bytes": status.get("VmHWM"), "vmrss_bytes": status.get("VmRSS")}})
    log(f"{args.label}: VmHWM {status.get('VmHWM', 0) / 1048576:.1f} MiB, VmRSS {status.get('VmRSS', 0) / 1048576:.1f} MiB")
