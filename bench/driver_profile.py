"""`driver.py profile`: top costs from perf.data files (threads, modules, functions by
self and inclusive time), Swift names demangled and located in Sources/, and the
worker's enrichment and session-stitching shares."""
import os
import re
import subprocess

from driver_state import ROOT, log, update_state


PERF_LINE_SELF = re.compile(r"^\s+([\d.]+)%\s+(\d+)\s+(\S+)\s+\[([.k])\]\s+(.*?)\s*$")
PERF_LINE_CHILDREN = re.compile(r"^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+\[([.k])\]\s+(.*?)\s*$")
PERF_LINE_COMM = re.compile(r"^\s+([\d.]+)%\s+(\d+)\s+(.*?)\s*$")


def demangle(names):
    """Swift names, fully demangled and simplified (two lists, same order)."""
    def run(extra):
        try:
            out = subprocess.run(["swift", "demangle", *extra], input="\n".join(names), capture_output=True, text=True, timeout=120)
            lines = out.stdout.split("\n")
            return lines[:len(names)] if len(lines) >= len(names) else names
        except (OSError, subprocess.SubprocessError):
            return names
    return run([]), run(["--simplified"])


def source_index():
    """Swift type name -> source files declaring or extending it."""
    index = {}
    pattern = re.compile(r"^\s*(?:public\s+|private\s+|fileprivate\s+|internal\s+|package\s+|final\s+)*"
                         r"(?:struct|class|enum|actor|protocol|extension)\s+(\w+)", re.M)
    for base, _, files in os.walk(os.path.join(ROOT, "Sources")):
        for name in files:
            if name.endswith(".swift"):
                path = os.path.join(base, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    body = f.read()
                for match in pattern.finditer(body):
                    index.setdefault(match.group(1), []).append((os.path.relpath(path, ROOT), body))
    return index


WITNESS = re.compile(r"protocol witness for [\w.]*?\.(\w+)\(.*? in conformance Sluice\w+\.(\w+)")
FUNCTION_NAME = re.compile(r"\b(Sluice\w+)\.((?:[A-Za-z_]\w*\.)*?)(?:\((\w+) in _\w+\)|(\w+))\(")


def locate(full_name, index):
    """'Sources/…/File.swift: Type.member' for a Sluice function, else None."""
    witness = WITNESS.search(full_name)
    if witness:  # "protocol witness for P.member(...) in conformance SluiceX.Type"
        types, member = [witness.group(2)], witness.group(1)
        candidates = index.get(types[0], [])
        return f"{candidates[0][0] if candidates else 'Sluice'}: {types[0]}.{member}"
    match = FUNCTION_NAME.search(full_name)
    if not match:
        return None
    types = [t for t in match.group(2).split(".") if t]
    member = match.group(3) or match.group(4)
    if not types:  # a free function
        types = []
    candidates = (index.get(types[-1], []) if types else [])
    chosen = None
    for path, body in candidates:
        if member == "init" or re.search(r"\b(?:func|var|let|case)\s+`?%s\b" % re.escape(member), body):
            chosen = path
            break
    if chosen is None and candidates:
        chosen = candidates[0][0]
    return f"{chosen or match.group(1)}: {'.'.join(types + [member])}"


def clean_symbol(symbol):
    """perf pads symbols and may append empty columns ('-  -')."""
    return re.sub(r"(\s+-)+\s*$", "", symbol).strip()


def perf_lines(path, args):
    out = subprocess.run(["perf", "report", "-i", path, "--stdio", "-n", "-g", "none", "--percent-limit", "0.2", *args],
                         capture_output=True, text=True, timeout=600)
    return [l for l in out.stdout.splitlines() if l and not l.startswith("#")]


ANY_FUNCTION = re.compile(r"\b([A-Z_]\w*)\.((?:[A-Za-z_]\w*\.)*?)(?:\((\w+) in _\w+\)|(\w+))\(")
RUNTIME_DSOS = {"libswiftCore.so": "Swift runtime (retain/release, metadata, casts)", "libswift_Concurrency.so": "Swift concurrency runtime",
                "[kernel.kallsyms]": "kernel (syscalls, scheduling, TCP)", "libc.so.6": "libc (malloc/free, memcpy)"}


def module_of(full_name, dso):
    match = ANY_FUNCTION.search(full_name)
    if match and dso not in ("[kernel.kallsyms]", "libc.so.6"):
        module = match.group(1)
        return "Swift stdlib (specialised)" if module == "Swift" else module
    if dso in RUNTIME_DSOS:
        return RUNTIME_DSOS[dso]
    return f"{dso} (thunks, outlined copies, metadata accessors)" if dso.startswith("sluice-") else dso


def summarise_perf(path, index, top=15):
    """Top costs of one perf.data: by thread, by module, by self time, Sluice functions by inclusive time."""
    threads, total = [], 0
    for line in perf_lines(path, ["--no-children", "--sort", "comm"]):
        m = PERF_LINE_COMM.match(line)
        if m:
            name = m.group(3)
            if name.endswith("default-qos"):
                name = "Swift concurrency pool"
            threads.append({"thread": name, "percent": float(m.group(1)), "samples": int(m.group(2))})
            total += int(m.group(2))
    self_rows = []
    for line in perf_lines(path, ["--no-children", "--sort", "dso,symbol", "--percent-limit", "0"]):
        m = PERF_LINE_SELF.match(line)
        if m:
            self_rows.append({"percent": float(m.group(1)), "dso": m.group(3), "symbol": clean_symbol(m.group(5))})
    child_rows = []
    for line in perf_lines(path, ["--children", "--sort", "symbol"]):
        m = PERF_LINE_CHILDREN.match(line)
        if m:
            child_rows.append({"inclusive": float(m.group(1)), "self": float(m.group(2)), "symbol": clean_symbol(m.group(5))})
    full, simple = demangle([r["symbol"] for r in self_rows])
    modules = {}
    for row, f, sname in zip(self_rows, full, simple):
        row["symbol"] = sname
        row["where"] = locate(f, index)
        module = module_of(f, row["dso"])
        modules[module] = modules.get(module, 0.0) + row["percent"]
    full, simple = demangle([r["symbol"] for r in child_rows])
    sluice = []
    for row, f, sname in zip(child_rows, full, simple):
        row["symbol"], row["full"] = sname, f
        if "Sluice" in f:
            row["where"] = locate(f, index)
            sluice.append(row)
    # Several specialisations, thunks or async parts of one function: keep the largest.
    seen, top_sluice = set(), []
    for row in sluice:
        key = row["where"] or row["symbol"]
        if key in seen:
            continue
        seen.add(key)
        top_sluice.append({k: row[k] for k in ("inclusive", "self", "symbol", "where")})
    by_module = [{"module": m, "percent": round(p, 2)} for m, p in sorted(modules.items(), key=lambda kv: -kv[1]) if p >= 0.5]
    return {"samples": total, "threads": threads[:8], "modules": by_module[:top], "self": self_rows[:top],
            "sluice_inclusive": top_sluice[:top], "_all_children": child_rows}


def cmd_profile(args):
    index = source_index()
    result = {}
    for name, path in (("ingest", args.ingest), ("ingest_batch", args.ingest_batch)):
        if path and os.path.exists(path):
            summary = summarise_perf(path, index)
            summary.pop("_all_children")
            result[name] = summary
    if args.worker and os.path.exists(args.worker):
        worker = summarise_perf(args.worker, index)
        children = worker.pop("_all_children")

        def share(pattern):
            return max((r["inclusive"] for r in children if re.search(pattern, r["full"])), default=0.0) / 100.0
        enrich = share(r"EventEnricher\.\(?enrich\b")
        stitch = share(r"BatchProcessor\.\(?stitchSessions\b")
        worker["enrichment_share"] = round(enrich, 4)
        worker["stitching_share"] = round(stitch, 4)
        # cpu-clock sampling at F Hz: each sample stands for 1/F s of CPU time.
        cpu_us = 1e6 * worker["samples"] / args.frequency / args.worker_events
        worker["cpu_us_per_event_by_samples"] = round(cpu_us, 1)
        result["enrichment_share"] = round(enrich, 4)
        result["stitching_share"] = round(stitch, 4)
        result["enrichment_us_per_event"] = round(enrich * cpu_us, 2)
        result["stitching_us_per_event"] = round(stitch * cpu_us, 2)
        result["samples"] = worker["samples"]
        result["events"] = args.worker_events
        result["worker"] = worker
    update_state(args.state, "profile", result)
    if "enrichment_us_per_event" in result:
        log(f"profile: enrichment {100 * result['enrichment_share']:.1f}% of worker CPU samples ≈ "
            f"{result['enrichment_us_per_event']} µs/event; session stitching ≈ {result['stitching_us_per_event']} µs/event")
