"""The results table: one row per figure (Sluice, the ceiling of the same run, their ratio,
the target, met?) and a machine-readable summary, built from the state file; with the
number formats and the pairing of rounds with their ceilings."""
import derived_report  # bench/derived_report.py: the derived data's rows in the table


def fmt_int(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_ms(value):
    return "—" if value is None else f"{value:.2f} ms"


def fmt_mib(value):
    return "—" if value is None else f"{value / 1048576:.1f} MiB"


def ratio(a, b):
    return None if not a or not b else a / b


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def met(ok):
    return "—" if ok is None else ("**yes**" if ok else "**NO**")


def paired_rounds(wrk, xadd, prefix, ceiling, value):
    """Per round (runs labelled `<prefix><conns>-r<round>`, ceiling `<ceiling>-r<round>`;
    unlabelled runs are one round): (ratio, Sluice's best run, the ceiling run,
    the connection counts tried), sorted by ratio so the middle one is the median."""
    by_round = {}
    for label, run in wrk.items():
        if label.startswith(prefix):
            rest = label[len(prefix):]
            by_round.setdefault(rest.rsplit("-r", 1)[1] if "-r" in rest else "", []).append(run)
    out = []
    for round_id, runs in by_round.items():
        best = max(runs, key=lambda v: v[value])
        ceiling_run = xadd.get(f"{ceiling}-r{round_id}" if round_id else ceiling)
        conns = "/".join(str(c) for c in sorted({v["connections"] for v in runs}))
        out.append((ratio(best[value], ceiling_run and ceiling_run["requests_per_s"]), best, ceiling_run, conns))
    return sorted(out, key=lambda t: -1 if t[0] is None else t[0])


def rounds_text(rounds):
    if len(rounds) < 2:
        return ""
    return f"median of {len(rounds)} rounds of ceiling then Sluice, ratios {', '.join(fmt_ratio(t[0]) for t in rounds)}; "


# The lag phases: the baseline's rate (equal load, the target's comparison), then half the drain rate.
LAG_PHASES = [("lag_equal", "the baseline's rate"), ("lag", "half the drain rate")]


def build_rows(state):
    """(figure, sluice, ceiling, ratio, target, met) rows plus a machine-readable summary."""
    rows, summary = [], {}
    wrk = state.get("wrk", {})
    xadd = state.get("xadd", {})
    rounds = paired_rounds(wrk, xadd, "single-c", "p1", "requests_per_s")
    if rounds:
        r, best, p1, conns = rounds[len(rounds) // 2]
        rows.append((f"1. single-event ingest, req/s ({rounds_text(rounds)}best of c={conns}; wrk -t{best['threads']} -c{best['connections']})",
                     fmt_int(best["requests_per_s"]), f"{fmt_int(p1 and p1['requests_per_s'])} (XADD -P 1 -c 32)",
                     fmt_ratio(r), "≥ 0.5× (aim 1.0×)", met(None if r is None else r >= 0.5)))
        lat = best["latency_ms"]
        rows.append(("↳ latency at that maximum, p50 / p99 / p99.9",
                     f"{fmt_ms(lat['p50'])} / {fmt_ms(lat['p99'])} / {fmt_ms(lat['p99.9'])}",
                     f"{fmt_ms(p1 and p1['p50_ms'])} / {fmt_ms(p1 and p1['p99_ms'])} / — (XADD)", "—", "—", "—"))
        if best.get("ingest_cpu_us_per_request") is not None:
            redis_us = best["cpu_percent"].get("redis", 0) / 100.0 * 1e6 / best["requests_per_s"]
            rows.append(("↳ CPU per request at that maximum (ingest, Redis), ingest context switches per request",
                         f"{best['ingest_cpu_us_per_request']:.0f} µs, {redis_us:.0f} µs; {best.get('ingest_context_switches_per_request', 0):.1f} switches",
                         f"{p1 and p1.get('redis_cpu_us_per_command') or '—'} µs Redis CPU per XADD" if p1 and p1.get("redis_cpu_us_per_command") else "—",
                         "—", "—", "—"))
        floor = wrk.get("floor-healthz")
        if floor:
            rf = ratio(floor["requests_per_s"], p1 and p1["requests_per_s"])
            rows.append((f"↳ the HTTP server's floor: GET /healthz (no body, no Redis; wrk -t{floor['threads']} -c{floor['connections']})",
                         f"{fmt_int(floor['requests_per_s'])} req/s, {floor.get('ingest_cpu_us_per_request', 0):.0f} µs ingest CPU per request",
                         f"{fmt_int(p1 and p1['requests_per_s'])} (XADD -P 1 -c 32)", fmt_ratio(rf), "—", "—"))
            summary["healthz_floor"] = {"rps": floor["requests_per_s"], "ratio": rf, "cpu_us_per_request": floor.get("ingest_cpu_us_per_request")}
        summary["single_ingest"] = {"rps": best["requests_per_s"], "ceiling_rps": p1 and p1["requests_per_s"], "ratio": r, "target": 0.5,
                                    "met": None if r is None else r >= 0.5, "latency_ms": lat,
                                    "ratio_of_each_round": [t[0] for t in rounds]}
    # Paced runs at half load (single-half-1, -2, ...): the run with the median p99 is shown.
    halves = sorted((v for k, v in wrk.items() if k.startswith("single-half")), key=lambda v: v["latency_ms"]["p99"])
    if halves:
        half = halves[len(halves) // 2]
        p99 = half["latency_ms"]["p99"]
        runs = f"median of {len(halves)} paced runs, p99s {', '.join(fmt_ms(v['latency_ms']['p99']) for v in halves)}; " if len(halves) > 1 else ""
        rows.append((f"↳ p99 latency at half of that (paced wrk, {runs}ran at {fmt_int(half['requests_per_s'])} req/s for a target of {fmt_int(half['target_rate'])})",
                     f"{fmt_ms(half['latency_ms']['p50'])} p50 / **{fmt_ms(p99)}** p99 / {fmt_ms(half['latency_ms']['p99.9'])} p99.9",
                     "—", "—", "p99 ≤ 5 ms", met(p99 <= 5.0)))
        summary["single_half_latency"] = {"rps": half["requests_per_s"], "target_rps": half["target_rate"], "latency_ms": half["latency_ms"],
                                          "p99_ms_of_each_run": [v["latency_ms"]["p99"] for v in halves],
                                          "target_p99_ms": 5.0, "met": p99 <= 5.0}
    brounds = paired_rounds(wrk, xadd, "batch-c", "p64", "events_per_s")
    if brounds:
        r, bbest, p64, conns = brounds[len(brounds) // 2]
        rows.append((f"2. batch ingest, events/s ({bbest['events_per_request']} events/request; {rounds_text(brounds)}best of c={conns})",
                     fmt_int(bbest["events_per_s"]), f"{fmt_int(p64 and p64['requests_per_s'])} (XADD -P 64, AOF everysec)",
                     fmt_ratio(r), "≥ 0.5×", met(None if r is None else r >= 0.5)))
        if bbest.get("ingest_cpu_us_per_request") is not None:
            redis_us = bbest["cpu_percent"].get("redis", 0) / 100.0 * 1e6 / bbest["events_per_s"]
            rows.append(("↳ CPU per event at that maximum (ingest, Redis)",
                         f"{bbest['ingest_cpu_us_per_request'] / bbest['events_per_request']:.1f} µs, {redis_us:.1f} µs",
                         f"{p64.get('redis_cpu_us_per_command')} µs Redis CPU per XADD" if p64 and p64.get("redis_cpu_us_per_command") else "—",
                         "—", "—", "—"))
        summary["batch_ingest"] = {"events_per_s": bbest["events_per_s"], "ceiling": p64 and p64["requests_per_s"], "ratio": r,
                                   "target": 0.5, "met": None if r is None else r >= 0.5,
                                   "ratio_of_each_round": [t[0] for t in brounds]}
    drain, ceiling = state.get("drain"), state.get("mongo_ceiling")
    if drain:
        drain_rows, drain_summary = derived_report.drain_rows(drain, ceiling)
        bound = derived_report.store_bound(drain, ceiling)
        if bound:
            drain_rows.insert(2 if "busy_s" in drain else 1, (
                "↳ the store's own bound: the ceiling's insert time over that plus SecantusDB's time for the drain's "
                "derived writes and seed reads (sessions, visitors, rollups; its `top` counters, below)",
                f"derived {bound['rollup_ms'] / 1000:.1f} s of store time", f"inserts {bound['ceiling_ms'] / 1000:.1f} s",
                fmt_ratio(bound["ratio"]), "—", "—"))
            summary["drain_store_bound"] = bound
        rows += drain_rows
        summary.update(drain_summary)
        prof = state.get("profile", {})
        if prof.get("enrichment_us_per_event") is not None:
            sluice = (f"{prof['enrichment_us_per_event']:.1f} µs enrich + {prof['stitching_us_per_event']:.1f} µs session script "
                      f"(perf); whole worker {drain['worker_cpu_us_per_event']:.1f} µs CPU/event")
        else:
            sluice = f"≤ {drain['worker_cpu_us_per_event']:.1f} µs (whole worker CPU/event; no perf profile)"
        rows.append(("4. enrichment, µs/event (share of worker CPU by perf; worker CPU from /proc over the drain)", sluice,
                     f"{ceiling['client_cpu_us_per_doc']:.1f} µs/doc (raw-insert client CPU)" if ceiling else "—", "—", "—", "—"))
        summary["enrichment"] = {"enrich_us_per_event": prof.get("enrichment_us_per_event"),
                                 "session_script_us_per_event": prof.get("stitching_us_per_event"),
                                 "worker_cpu_us_per_event": drain["worker_cpu_us_per_event"]}
    rollup_rows, rollup_summary = derived_report.rollup_rows(state)
    rows += rollup_rows
    summary.update(rollup_summary)
    rss = state.get("rss", {})
    ingest_rss = rss.get("ingest", {}).get("vmhwm_bytes")
    if ingest_rss:
        ok = ingest_rss <= 64 * 1048576
        rows.append(("5. ingest peak RSS (VmHWM after the ingest runs)", fmt_mib(ingest_rss), "—", "—", "≤ 64 MiB", met(ok)))
        summary["ingest_rss"] = {"bytes": ingest_rss, "target_bytes": 64 * 1048576, "met": ok}
    if drain:
        rows.append(("↳ worker peak RSS (VmHWM after the drain)", fmt_mib(drain["worker_vmhwm_bytes"]), "—", "—", "—", "—"))
        summary["worker_rss"] = {"bytes": drain["worker_vmhwm_bytes"]}
    baseline = state.get("lag_baseline")
    for key, what in LAG_PHASES:
        if state.get(key):
            lag_rows, lag_summary = derived_report.lag_rows(state[key], baseline, key, what)
            rows += lag_rows
            summary.update(lag_summary)
    return rows, summary


def table_lines(rows):
    out = ["| figure | Sluice | ceiling (same run) | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return out
