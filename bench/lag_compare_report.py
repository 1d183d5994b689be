"""The report of bench/lag-compare.sh: the baseline's and this tree's lag phase side
by side, the ratio of their p99s, and the baseline re-pinned for make bench."""
import argparse
import datetime
import json


def row(name, lag):
    ms, stale = lag["lag_ms"], lag["staleness"]["ms"]
    return (f"| {name} | {lag['events_per_s']:.0f} | {lag['probes']} ({lag['probes_missing']} not seen) | "
            f"{ms['p50']} | {ms['p99']} | {ms['max']} | {stale['max'] if stale['max'] is not None else '—'} |")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--state", required=True)
    p.add_argument("--commit", required=True, help="the baseline commit")
    p.add_argument("--current", required=True, help="this tree's commit")
    p.add_argument("--out", required=True)
    p.add_argument("--pin", required=True, help="bench/lag-baseline.json, rewritten with the baseline's figure")
    args = p.parse_args()
    state = json.load(open(args.state))
    before, after = state["lag_baseline"], state["lag_current"]
    ratio = after["lag_ms"]["p99"] / before["lag_ms"]["p99"]
    lines = [
        "# End-to-end lag before and after derived data moved to Redis, one run",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `make bench-lag-compare`: "
        f"{args.commit} (before) and {args.current} (this tree), each on a private Redis + SecantusDB after draining the "
        f"same prefilled backlog, then {after['seconds']:.0f} s of posting at the same rate, every request's first "
        "event a probe polled until visible in `userevents` (lag = seen − `receivedAt`).",
        "",
        "| build | events/s | probes | lag p50 ms | lag p99 ms | lag max ms | session staleness max ms |",
        "|---|---|---|---|---|---|---|",
        row(f"before ({args.commit})", before),
        row(f"this tree ({args.current})", after),
        "",
        f"**p99 ratio, this tree / before: {ratio:.2f}** (target ≤ 1.00: no worse than before).",
        "",
        "The before build writes sessions and visitors in each batch, so its session documents are as fresh "
        "as its events; this tree writes them behind (`SLUICE_FLUSH_INTERVAL`, 60 s), so its staleness is judged against that interval + 1 s in make bench.",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    pin = {
        "what": f"End-to-end lag before derived data moved to Redis (issue #13's 'today'): {args.commit} measured by "
                f"make bench-lag-compare beside {args.current} (bench/results/lag-compare.md), after the same drain and "
                f"with the same {after['seconds']:.0f}-s phase as make bench's lag phase.",
        "commit": args.commit,
        "events_per_s": before["events_per_s"],
        "seconds": before["seconds"],
        "lag_ms": before["lag_ms"],
    }
    with open(args.pin, "w") as f:
        json.dump(pin, f, indent=2)
        f.write("\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
