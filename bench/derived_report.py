"""The table rows of `make bench` for the worker drain, the derived documents, the
roll-up maintenance CPU and the lag (issue #13's targets), from the state file
driver.py fills (bench/derived.py measures them)."""

DRAIN_TARGET = 0.5
ROLLUP_TARGET_US = 5.0


def fmt_int(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def met(ok):
    return "—" if ok is None else ("**yes**" if ok else "**NO**")


def fmt_s(ms):
    return "—" if ms is None else f"{ms / 1000:.1f} s"


def drain_rows(drain, ceiling):
    """3. the drain over the worker's busy time, acknowledged and flushed times, documents per event."""
    rows, summary = [], {}
    docs_per_s = ceiling and ceiling["documents_per_s"]
    r = None if not docs_per_s else drain["events_per_s"] / docs_per_s
    ceiling_text = f"{fmt_int(docs_per_s)} (raw libmongoc unordered bulks of {ceiling and ceiling['batch_size']})"
    head = f"3. worker drain, events/s ({fmt_int(drain['events'])} events, one worker, SLUICE_BATCH_SIZE {drain['batch_size']} per partition, enrichment on"
    if "busy_s" in drain:
        rows.append((f"{head}; over the worker's busy time: first read → last acknowledgement ({drain['acked_s']:.1f} s, with "
                     f"{drain.get('flushes_before_ack', 0)} flushes in it, {drain.get('flush_before_ack_s', 0):.1f} s) + the flush work "
                     f"after it ({drain['flush_after_ack_s']:.1f} s), not the wait for the flush timer)",
                     fmt_int(drain["events_per_s"]), ceiling_text, fmt_ratio(r), f"≥ {DRAIN_TARGET}×", met(None if r is None else r >= DRAIN_TARGET)))
        rows.append((f"↳ events acknowledged / derived documents flushed (every dirty:{{p}} empty; SLUICE_FLUSH_INTERVAL "
                     f"{drain['flush_interval_s']} s), from the first read",
                     f"{drain['acked_s']:.1f} s ({fmt_int(drain['events_per_s_acked'])} events/s) / {drain['flushed_s']:.1f} s",
                     "—", fmt_ratio(None if not docs_per_s else drain["events_per_s_acked"] / docs_per_s), "—", "—"))
        summary["drain_times"] = {k: drain.get(k) for k in ("acked_s", "flushed_s", "busy_s", "flush_before_ack_s", "flush_after_ack_s",
                                                            "flush_total_s", "flushes", "flush_interval_s", "events_per_s_acked")}
    else:
        rows.append((f"{head}; first read → last acknowledgement)", fmt_int(drain["events_per_s"]), ceiling_text, fmt_ratio(r),
                     f"≥ {DRAIN_TARGET}×", met(None if r is None else r >= DRAIN_TARGET)))
    summary["drain"] = {"events_per_s": drain["events_per_s"], "ceiling": docs_per_s, "ratio": r, "target": DRAIN_TARGET,
                        "met": None if r is None else r >= DRAIN_TARGET, "worker_cpu_us_per_event": drain["worker_cpu_us_per_event"]}
    w = drain.get("writes")
    if w and w.get("events_stored"):
        docs = w["documents"]
        ok = w["session_visitor_writes"] <= docs["sessions"] + docs["visitors"]
        by = w["derived_writes"]
        rows.append(("↳ documents written per stored event (worker's /metrics: events stored, derived inserts and updates): "
                     "(events + derived inserts) / events; derived updates / events; total",
                     f"{w['inserts_per_event']:.3f}; {w['updates_per_event']:.3f}; {w['documents_per_event']:.3f}",
                     f"floor 1 + (sessions + visitors) / events = {w['floor_per_event']:.3f} ({fmt_int(docs['sessions'])} sessions, "
                     f"{fmt_int(docs['visitors'])} visitors, {fmt_int(w['events_stored'])} events)",
                     fmt_ratio(w["documents_per_event"] / w["floor_per_event"]),
                     "at the floor: each session and visitor written once", met(ok)))
        rows.append(("↳ derived writes by collection, inserts / updates",
                     "; ".join(f"{c} {fmt_int(by[c + ' insert'])} / {fmt_int(by[c + ' update'])}" for c in ("sessions", "visitors", "rollups")),
                     f"{fmt_int(docs['rollups'])} roll-up documents", "—", "—", "—"))
        summary["documents_per_event"] = {"inserts_per_event": w["inserts_per_event"], "updates_per_event": w["updates_per_event"],
                                          "documents_per_event": w["documents_per_event"], "floor": w["floor_per_event"],
                                          "derived_writes": by, "documents": docs, "met": ok}
    return rows, summary


def store_bound(drain, ceiling):
    """The best drain ratio the store allows: a worker must store the same documents (the
    ceiling's server time) and its derived documents (SecantusDB's time on sessions, visitors
    and rollups during the drain, seed reads included); with no time of its own it would reach
    ceiling / (ceiling + derived). None without both servers' counters."""
    drain_top, ceiling_top = (drain or {}).get("mongo"), (ceiling or {}).get("mongo")
    if not drain_top or not ceiling_top or not ceiling_top["total_ms"]:
        return None
    derived_ms = sum(v["ms"] for k, v in drain_top["by_collection"].items() if k.split(" ")[0] in ("sessions", "visitors", "rollups"))
    return {"rollup_ms": round(derived_ms, 1), "ceiling_ms": ceiling_top["total_ms"],
            "ratio": round(ceiling_top["total_ms"] / (ceiling_top["total_ms"] + derived_ms), 3)}


def rollup_rows(state):
    """Roll-up maintenance CPU per event (in-process), beside Redis's CPU per event over the drain."""
    bench, drain = state.get("rollup_bench"), state.get("drain", {})
    if not bench:
        return [], {}
    us = bench["rollup_cpu_us_per_event"]
    redis_us = drain.get("redis_cpu_us_per_event")
    scripts = sum(r["us_per_event"] for r in drain.get("redis_commands", []) if r["command"] in ("evalsha", "eval"))
    rows = [(f"↳ roll-up maintenance, CPU µs/event in the worker (DerivedChanges of each partition's share of a batch of "
             f"{bench['batch_size']} + the acknowledgement script's arguments; in-process over make bench-enrichment's "
             f"{fmt_int(bench['events'])} events)",
             f"{us:.2f} µs",
             f"Redis CPU during the drain: {redis_us:.1f} µs/event (all the worker's Redis work), {scripts:.1f} µs of it in "
             "scripts (the session script per event, the acknowledgement script per batch and partition; INFO commandstats)"
             if redis_us is not None else "—",
             "—", f"≤ {ROLLUP_TARGET_US:.0f} µs", met(us <= ROLLUP_TARGET_US))]
    return rows, {"rollup_maintenance": {"cpu_us_per_event": us, "target": ROLLUP_TARGET_US, "met": us <= ROLLUP_TARGET_US,
                                         "redis_cpu_us_per_event_drain": redis_us, "redis_scripts_us_per_event_drain": scripts}}


def store_load(lag):
    """What SecantusDB carried while a lag phase posted: its CPU, and its server time per
    second of posting with the probe looks' part of it (a load past one core of
    SecantusDB is past what the store can carry, whatever the pipeline does)."""
    if "store_ms" not in lag:
        return ""
    per_s = lambda ms: 100.0 * ms / 1000.0 / lag["seconds"]
    return (f"; SecantusDB meanwhile {lag['cpu'].get('mongo', 0):.0f}% of a core, server time {per_s(lag['store_ms']):.0f}% of the "
            f"posting time (queries on userevents, the probe looks at most: {per_s(lag['probe_looks_ms']):.0f}%)")


def lag_rows(lag, baseline, key, what):
    """6. lag to the event collection (held to the pinned baseline's p99) and the session
    documents' staleness, for the lag phase stored under `key` (`what` says its rate)."""
    rows, summary = [], {}
    p99 = lag["lag_ms"]["p99"] if lag["probes"] else None
    ok = None if p99 is None or baseline is None else p99 <= baseline["p99_ms"]
    rows.append((f"6. end-to-end lag receivedAt → visible in MongoDB, p50 / p99 (at {fmt_int(lag['events_per_s'])} events/s "
                 f"= {what}; {lag['probes']} probes{store_load(lag)})",
                 f"{lag['lag_ms']['p50']:.0f} ms / {p99:.0f} ms" if p99 is not None else "—", "—", "—",
                 f"p99 ≤ before derived data ({baseline['p99_ms']:.0f} ms at {fmt_int(baseline['events_per_s'])} events/s)"
                 if baseline else "p99 ≤ the baseline (none)", met(ok)))
    summary[key] = {"events_per_s": lag["events_per_s"], "lag_ms": lag["lag_ms"], "probes": lag["probes"],
                    "baseline_p99_ms": baseline["p99_ms"] if baseline else None, "met": ok}
    stale = lag.get("staleness")
    if stale:
        ms, interval = stale["ms"], lag.get("flush_interval_s", 30)
        bound = (interval + 1) * 1000
        ok = None if ms["max"] is None else ms["max"] <= bound and not stale["never_fresh"]
        rows.append((f"↳ derived staleness: receivedAt → the probe's session document shows it (lastActivity ≥ its timestamp), "
                     f"p50 / p99 / max ({stale['probes']} sampled probes of people"
                     + (f", {stale['never_fresh']} never shown" if stale["never_fresh"] else "") + ")",
                     f"{fmt_s(ms['p50'])} / {fmt_s(ms['p99'])} / {fmt_s(ms['max'])}", "—", "—",
                     f"≤ flush interval + 1 s ({interval + 1} s)", met(ok)))
        summary[key + "_staleness"] = {"ms": ms, "probes": stale["probes"], "never_fresh": stale["never_fresh"],
                                        "target_ms": bound, "met": ok}
    return rows, summary


def details(state):
    """Lines for the results file's details list."""
    out = []
    drain, lag, bench = state.get("drain", {}), state.get("lag", {}), state.get("rollup_bench")
    if "busy_s" in drain:
        out.append(f"- Derived documents of the drain: {drain['dirty_at_ack']:,} keys dirty at the last acknowledgement; "
                   f"flushed {drain['flushed_s']} s after the first read; the worker flushed {drain['flushes']} times, "
                   f"{drain['flush_total_s']} s in all, {drain['flush_after_ack_s']} s of it after the last acknowledgement "
                   f"(the rest overlaps the acknowledgements: the flusher has a thread and a Redis connection of its own); busy time "
                   f"{drain['busy_s']} s; worker CPU to the flush {drain['worker_cpu_to_flushed_us_per_event']} µs/event.")
    if drain.get("writes"):
        w = drain["writes"]
        out.append(f"- Documents per event count the worker's own counters after the drain: {w['events_stored']:,} events stored "
                   f"(`sluice_worker_events_stored_total`), {w['derived_inserts']:,} derived inserts and {w['derived_updates']:,} "
                   "updates (`sluice_worker_derived_writes_total`); sessions and visitors are the documents in those collections then.")
    if drain.get("redis_commands"):
        out.append("- Redis's time by command over the drain (INFO commandstats, µs per event; the commands a script runs "
                   "are also inside its `evalsha`): " + ", ".join(f"{r['command']} {r['us_per_event']} ({r['calls']:,} calls)"
                                                                  for r in drain["redis_commands"]) + ".")
    if lag.get("staleness"):
        s = lag["staleness"]
        out.append(f"- Derived staleness: {s['probes']} sampled probes (every 10th request's, when its user agent is a person's), "
                   f"{s['never_fresh']} never shown within the flush interval + 60 s, {s['without_session']} stored without a session.")
    if bench:
        block = "\n".join("  " + line for line in ["```", *bench["output"].splitlines(), "```"])
        out.append("- `sluice-enrichment-bench` (in-process, after the other measurements):\n\n" + block)
    return out
