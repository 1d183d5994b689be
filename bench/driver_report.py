"""`driver.py report`: bench/results/latest.{md,json} (the table, CPU use per run, details,
SecantusDB's time, the profiles), the results block of a doc and the table on the
terminal; and `median-single`, which reads the median round back for bench/run.sh."""
import json
import os

import derived  # bench/derived.py: the lag baseline
import derived_report  # bench/derived_report.py: the derived data's lines in the details
from driver_state import ROOT, load_state, log, update_state
from driver_table import LAG_PHASES, build_rows, fmt_mib, paired_rounds, table_lines


def markdown(state, rows, summary):
    meta = state.get("meta", {})
    out = []
    out.append("# Sluice benchmark results\n")
    out.append(f"Written by `{meta.get('command', 'make bench')}` on {meta.get('date')}; "
               "every figure below comes from that one run (see [docs/performance.md](../../docs/performance.md) for the method).\n")
    out.append("| | |\n|---|---|")
    for key, label in [("cpu_model", "CPU"), ("nproc", "cores (nproc)"), ("memory_gib", "memory (GiB)"), ("kernel", "kernel"),
                       ("loadavg_at_start", "load average at start"), ("loadavg_at_end", "load average at end"),
                       ("git_commit", "commit"), ("sources_modified", "Sources/ modified vs commit"), ("swift", "Swift"),
                       ("redis", "Redis"), ("secantusdb", "SecantusDB"), ("libmongoc", "libmongoc"), ("wrk", "wrk"),
                       ("partitions", "partitions")]:
        value = meta.get(key)
        if isinstance(value, list):
            value = " ".join(value)
        out.append(f"| {label} | {value} |")
    out.append("")
    out.extend(load_note(state))
    out.extend(table_lines(rows))
    out.append("")
    crow = cpu_rows(state)
    if crow:
        names = []
        for _, cpu in crow:
            for name in cpu:
                if name not in names:
                    names.append(name)
        out.append("CPU use during each measurement, % of one core (2 cores = 200%):\n")
        out.append("| run | " + " | ".join(names) + " |")
        out.append("|---|" + "---|" * len(names))
        for label, cpu in crow:
            out.append(f"| {label} | " + " | ".join("—" if cpu.get(n) is None else f"{cpu[n]:.0f}" for n in names) + " |")
        out.append("")
    details = []
    corpus = state.get("corpus")
    if corpus:
        details.append(f"- Single-event bodies: {corpus['single_bodies']} distinct, {corpus['single_body_bytes_min']}–{corpus['single_body_bytes_max']} bytes "
                       f"(mean {corpus['single_body_bytes_avg']}); batch bodies: {corpus['batch_size']} events, mean {corpus['batch_body_bytes_avg']} bytes.")
    entry = state.get("stream_entry")
    if entry:
        details.append(f"- XADD ceiling payload: a real entry ingest wrote (fields {', '.join(entry['fields'])}; `e` = {entry['e_bytes']} bytes).")
    for label, run in state.get("wrk", {}).items():
        lat = run["latency_ms"]
        details.append(f"- wrk {label}: -t{run['threads']} -c{run['connections']} -d{run['duration_s']}s"
                       + (f" paced at {run['target_rate']} req/s" if run.get("target_rate") else "")
                       + f": {run['requests_per_s']:,.0f} req/s, {run['events_per_s']:,.0f} events/s, p50 {lat['p50']:.2f} / p90 {lat['p90']:.2f} / p99 {lat['p99']:.2f} / "
                       f"p99.9 {lat['p99.9']:.2f} / max {lat['max']:.2f} ms, {run['requests']:,} requests, failed or non-2xx: {run['error_count']}"
                       + (f"; ingest {run['ingest_cpu_us_per_request']} µs CPU and {run['ingest_context_switches_per_request']} context switches per request"
                          if run.get("ingest_cpu_us_per_request") is not None and run.get("ingest_context_switches_per_request") is not None else ""))
    for label, run in state.get("xadd", {}).items():
        details.append(f"- redis-benchmark {label}: `{run['command']}` → {run['requests_per_s']:,.0f} XADD/s, p50 {run['p50_ms']} ms, "
                       f"p99 {run['p99_ms']} ms (appendonly {run['appendonly']}, appendfsync {run['appendfsync']})")
    prefill = state.get("prefill")
    if prefill:
        details.append(f"- Drain pre-fill: {prefill['events']:,} mixed events posted through ingest in batches of {prefill['batch_size']}, "
                       f"{prefill['visitors']:,} visitors, {prefill['user_agents']} user agents; stream lengths {prefill['stream_lengths']}.")
    drain = state.get("drain")
    if drain:
        details.append(f"- Drain: {drain['events']:,} events in {drain['seconds']} s from the first read to the last acknowledgement "
                       f"(worker start-up before the first read: {drain['startup_s']} s, not counted); worker CPU {drain['worker_cpu_s']} s = "
                       f"{drain['worker_cpu_us_per_event']} µs/event; worker VmHWM {fmt_mib(drain['worker_vmhwm_bytes'])}.")
    ceiling = state.get("mongo_ceiling")
    if ceiling:
        details.append(f"- Raw bulk-insert ceiling: {ceiling['documents']:,} documents read back from the worker's database, inserted in "
                       f"{ceiling['bulks']} unordered bulks (batches of {ceiling['batch_size']} in stream order, one bulk per collection per batch) "
                       f"into a fresh database with the same {ceiling['secondary_indexes']} secondary indexes: {ceiling['seconds']:.2f} s.")
    profile = state.get("profile")
    if profile and profile.get("enrichment_share") is not None:
        details.append(f"- Enrichment share of the worker's CPU samples (perf, {profile['samples']} samples): "
                       f"{100 * profile['enrichment_share']:.1f}% → ≈ {profile['enrichment_us_per_event']:.1f} µs/event.")
    for key, what in LAG_PHASES:
        lag = state.get(key)
        if not lag:
            continue
        details.append(f"- Lag at {what}: {lag['events']:,} events in {lag['seconds']} s ({lag['requests']} batch requests of {lag['events_per_request']}), "
                       f"the first event of each request a probe: {lag['probes']} probes seen, "
                       f"{lag['probes_missing']} not seen; poll period p50 {lag['poll_period_ms_p50']} ms; max lag {lag['lag_ms']['max']} ms.")
    if state.get("lag_baseline"):
        details.append(f"- Lag baseline (bench/lag-baseline.json): {state['lag_baseline']['what']}")
    details += derived_report.details(state)
    rss = state.get("rss", {})
    for label, value in rss.items():
        details.append(f"- {label} memory: VmHWM {fmt_mib(value.get('vmhwm_bytes'))}, VmRSS {fmt_mib(value.get('vmrss_bytes'))}.")
    if details:
        out.append("Details:\n")
        out.extend(details)
        out.append("")
    out.extend(mongo_section(state))
    out.extend(profile_section(state))
    return "\n".join(out)


def mongo_section(state):
    drain, ceiling = state.get("drain", {}).get("mongo"), state.get("mongo_ceiling", {}).get("mongo")
    if not drain:
        return []
    events = state["drain"]["events"]
    out = ["Where SecantusDB spent its time (its `top` counters: server time per collection and operation) during the "
           f"worker drain of {events:,} events" + (" and during the raw bulk-insert ceiling:\n" if ceiling else ":\n")]
    out.append("| collection, operation | drain: server ms | drain: commands | ceiling: server ms | ceiling: commands |")
    out.append("|---|---|---|---|---|")
    keys = list(drain["by_collection"])
    for key in (ceiling or {}).get("by_collection", {}):
        if key not in keys:
            keys.append(key)
    for key in keys:
        d = drain["by_collection"].get(key, {})
        c = (ceiling or {}).get("by_collection", {}).get(key, {})
        out.append(f"| {key} | {d.get('ms', '—')} | {d.get('commands', '—')} | {c.get('ms', '—')} | {c.get('commands', '—')} |")
    out.append(f"| **total** | **{drain['total_ms']}** | | **{(ceiling or {}).get('total_ms', '—')}** | |")
    out.append("")
    return out


def profile_section(state):
    profile = state.get("profile")
    if not profile:
        return []
    out = ["## Profiles (perf, separate runs after the measurements)\n"]
    for name, label in [("ingest", "sluice-ingest under the single-event load"), ("ingest_batch", "sluice-ingest under the batch load"),
                        ("worker", "sluice-worker draining")]:
        p = profile.get(name)
        if not p:
            continue
        out.append(f"### {label} ({p['samples']:,} samples)\n")
        out.append("Threads: " + ", ".join(f"{t['thread']} {t['percent']:.0f}%" for t in p["threads"]) + ".\n")
        out.append("Self time by module: " + ", ".join(f"{m['module']} {m['percent']:.1f}%" for m in p["modules"]) + ".\n")
        out.append("| self % | function | where |")
        out.append("|---|---|---|")
        for row in p["self"][:12]:
            out.append(f"| {row['percent']:.1f} | `{row['symbol'][:110]}` ({row['dso']}) | {row['where'] or '—'} |")
        out.append("")
        out.append("| inclusive % | self % | Sluice function (source file: type.function) |")
        out.append("|---|---|---|")
        for row in p["sluice_inclusive"][:15]:
            out.append(f"| {row['inclusive']:.1f} | {row['self']:.1f} | {row['where'] or row['symbol'][:110]} |")
        out.append("")
    if profile.get("enrichment_us_per_event") is not None:
        out.append(f"Worker CPU by samples: {profile['worker'].get('cpu_us_per_event_by_samples')} µs/event over {profile['events']:,} events; "
                   f"`EventEnricher.enrich` (user agent, clock, traffic source) {100 * profile['enrichment_share']:.1f}% of it = "
                   f"{profile['enrichment_us_per_event']} µs/event; `BatchProcessor.stitchSessions` (the Redis session script) "
                   f"{100 * profile['stitching_share']:.1f}% = {profile['stitching_us_per_event']} µs/event.\n")
    return out


def cpu_rows(state):
    rows = []
    wrk = state.get("wrk", {})
    for label, run in wrk.items():
        rows.append((f"wrk {label} (-t{run['threads']} -c{run['connections']})", run.get("cpu_percent", {})))
    for label, run in state.get("xadd", {}).items():
        rows.append((f"redis-benchmark XADD -P {run['pipeline']}", run.get("cpu_percent", {})))
    if state.get("drain"):
        cpu = dict(state["drain"].get("cpu_percent", {}))
        cpu["worker"] = state["drain"]["worker_cpu_percent"]
        rows.append(("worker drain", cpu))
    if state.get("mongo_ceiling"):
        cpu = dict(state["mongo_ceiling"].get("cpu_percent", {}))
        cpu["mongo_ceiling"] = state["mongo_ceiling"].get("client_cpu_percent")
        rows.append(("raw bulk-insert ceiling", cpu))
    return rows


def machine_line(meta):
    return (f"{meta.get('cpu_model')}, {meta.get('nproc')} cores, {meta.get('memory_gib')} GiB, Linux {meta.get('kernel')}; "
            f"commit {meta.get('git_commit')}{' with uncommitted changes in Sources/' if meta.get('sources_modified') else ''}")


def load_note(state):
    others = [cpu.get("other") for _, cpu in cpu_rows(state) if cpu.get("other") is not None]
    if not others:
        return []
    mean_other = sum(others) / len(others)
    note = (" Other processes took a large share of the machine during this run, so every figure — Sluice's and the "
            "ceilings' alike — is lower than on an idle machine; the ratios are the figures to compare." if mean_other > 20 else "")
    return [f"CPU used by other processes on the machine during the measurements: {mean_other:.0f}% of one core on average "
            f"(max {max(others):.0f}%; 200% = both cores).{note}\n"]


def update_doc(path, state, rows):
    """Replaces the block between the bench markers in `path` with this run's table."""
    begin, end = "<!-- bench:begin (written by make bench) -->", "<!-- bench:end -->"
    with open(path) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        log(f"{path} has no bench markers; not updated")
        return
    meta = state.get("meta", {})
    block = [begin, "", f"`{meta.get('command', 'make bench')}`, {meta.get('date')}, {machine_line(meta)}. "
             "Full results, CPU use per process and the profiles: [bench/results/latest.md](../bench/results/latest.md) "
             "([json](../bench/results/latest.json)).", ""]
    block += load_note(state)
    block += table_lines(rows)
    block += ["", end]
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + "\n".join(block) + tail)
    log(f"updated the results block in {os.path.relpath(path, ROOT)}")


def cmd_median_single(args):
    """Prints a field of the best single-event run of the median round (for run.sh)."""
    state = load_state(args.state)
    rounds = paired_rounds(state.get("wrk", {}), state.get("xadd", {}), "single-c", "p1", "requests_per_s")
    best = rounds[len(rounds) // 2][1]
    print(best["connections"] if args.field == "connections" else round(best["requests_per_s"] / 2))


def cmd_report(args):
    if args.lag_baseline:
        update_state(args.state, "lag_baseline", derived.lag_baseline(args.lag_baseline))
    state = load_state(args.state)
    rows, summary = build_rows(state)
    md = markdown(state, rows, summary)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(md)
    public = {k: v for k, v in state.items()}
    if "stream_entry" in public:
        public["stream_entry"] = {k: v for k, v in public["stream_entry"].items()}
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump({"summary": summary, "raw": public}, f, indent=2, sort_keys=True)
        f.write("\n")
    if args.doc:
        update_doc(args.doc, state, rows)
    # The table on the terminal, aligned.
    header = ("figure", "Sluice", "ceiling (same run)", "ratio", "target", "met?")
    table = [header] + [tuple(str(c).replace("**", "") for c in row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for n, row in enumerate(table):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    print()
    print(f"written: {os.path.relpath(os.path.join(args.out, 'latest.md'), ROOT)}, {os.path.relpath(os.path.join(args.out, 'latest.json'), ROOT)}")
