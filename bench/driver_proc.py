"""CPU, context switches and memory of processes, read from /proc: what driver.py's
measurements record beside their figures (CpuWindow: % of a core per named process
over a measurement, and what the rest of the machine used meanwhile)."""
import os
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0
    rest = stat[stat.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def context_switches(pid):
    """Voluntary + involuntary context switches of every thread of a process."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


def machine_busy_ticks():
    """CPU ticks all cores spent busy (not idle, not iowait) since boot."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = parts
    return user + nice + system + irq + softirq + steal


class CpuWindow:
    """CPU use of named processes between start() and stop(), as % of one core;
    plus `other`: everything else on the machine (other people's builds...)."""

    def __init__(self, pids):
        self.pids = {name: int(pid) for name, pid in pids.items() if pid}

    def start(self):
        self.t0 = time.monotonic()
        self.c0 = {name: cpu_ticks(pid) for name, pid in self.pids.items()}
        self.children0 = os.times()
        self.m0 = machine_busy_ticks()
        self.self0 = os.times()
        return self

    def stop(self, extra_child_name=None):
        elapsed = time.monotonic() - self.t0
        out = {name: round(100.0 * (cpu_ticks(pid) - self.c0[name]) / CLK_TCK / elapsed, 1) for name, pid in self.pids.items()}
        t = os.times()
        if extra_child_name:
            used = (t.children_user - self.children0.children_user) + (t.children_system - self.children0.children_system)
            out[extra_child_name] = round(100.0 * used / elapsed, 1)
        me = (t.user - self.self0.user) + (t.system - self.self0.system)
        machine = 100.0 * (machine_busy_ticks() - self.m0) / CLK_TCK / elapsed
        out["other"] = round(max(0.0, machine - sum(out.values()) - 100.0 * me / elapsed), 1)
        return out


def parse_pids(specs):
    pids = {}
    for spec in specs or []:
        name, _, pid = spec.partition("=")
        pids[name] = pid
    return pids
