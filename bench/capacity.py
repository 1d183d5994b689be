"""`make capacity`: the capacity model's tables (docs/capacity.md). Reads the measured figures from
bench/results/latest.json and capacity.json (bench/capacity_inputs.py), prints them with their
sources, then the sustained events/s of P partitions x W workers x R Redis nodes as each part is
added (bench/capacity_model.py), where each stops helping, and the parts a given peak needs.
Standard library only; no server is started."""
import argparse
import sys

from capacity_inputs import RESULTS, MissingFigure, load
from capacity_model import CapacityModel, Deployment

PARTS = ["ingest", "redis", "workers", "store", "flusher"]


def table(title, model, swept, deployments):
    """One sweep of the part `swept`: each deployment's ceilings, what it sustains, and what adding
    the part gained, for its own ceiling and for what is sustained."""
    print(f"\n{title}\n")
    print("| P | W | R | ingest cores | store k | " + " | ".join(PARTS) + f" | sustained | bound by | gain: {swept} | gain: sustained |")
    print("|" + "---:|" * (5 + len(PARTS)) + "---:|---|---:|---:|")
    previous = None
    for d in deployments:
        ceilings = model.ceilings(d)
        rate, part = model.sustained(d)
        gains = ("—", "—") if previous is None else (f"{ceilings[swept] / previous[0]:.2f}x", f"{rate / previous[1]:.2f}x")
        marks = " | ".join(f"{ceilings[p]:,.0f}" for p in PARTS)
        print(f"| {d.partitions} | {d.workers} | {d.redis_nodes} | {d.ingest_cores:g} | {d.store_speedup:g} | {marks} "
              f"| **{rate:,.0f}** | {part} | {gains[0]} | {gains[1]} |")
        previous = (ceilings[swept], rate)


def sweeps(model, mode):
    """Each part added in turn, from a deployment where it is the bound until it is not."""
    base = dict(ingest_cores=2, mode=mode)
    table("Adding workers on the measured store (P=4, R=1, k=1): the store's ceiling comes at the second worker",
          model, "workers", [Deployment(4, w, 1, store_speedup=1, **base) for w in (1, 2, 3, 4, 8)])
    table("Adding workers on a store 10x the measured one (P=4, R=1): one Redis node's ceiling comes next",
          model, "workers", [Deployment(4, w, 1, store_speedup=10, **base) for w in (1, 2, 3, 4, 8)])
    table("Adding Redis nodes with P=4 (W=32, k=100): 3 nodes help no more than 2 (the busiest holds 2 of 4 "
          "partitions); nodes beyond P hold nothing", model, "redis",
          [Deployment(4, 32, r, store_speedup=100, ingest_cores=4, mode=mode) for r in (1, 2, 3, 4, 6, 8)])
    table("Adding partitions with R=6 (W=32, k=100): only a multiple of R spreads evenly (8 leave the busiest node "
          "2 of 8, worse than 6); past P=R, nothing is gained", model, "redis",
          [Deployment(p, 32, 6, store_speedup=100, ingest_cores=4, mode=mode) for p in (4, 6, 8, 12, 16)])
    table("The flusher (one worker at a time) as the store grows (P=16, W=64, R=16)", model, "flusher",
          [Deployment(16, 64, 16, store_speedup=k, ingest_cores=8, mode=mode) for k in (1, 10, 100, 1000)])


def sizing(model, peaks, headroom, mode):
    """The parts each peak needs (CapacityModel.size), what they sustain and what bounds them."""
    print(f"\nParts for a peak, every part at most {headroom:.0%} busy ({mode} ingest):\n")
    print("| peak events/s | ingest cores | Redis masters | partitions | workers | store k | sustained | bound by |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for peak in peaks:
        d, reason = model.size(peak, headroom, mode)
        rate, part = model.sustained(d)
        print(f"| {peak:,} | {d.ingest_cores:g} | {d.redis_nodes} | {d.partitions} | {d.workers} | {d.store_speedup:g} "
              f"| {rate:,.0f} | {reason or part} |")

def main():
    """Checks the arguments, loads the figures, prints the inputs, sweeps and sizing."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", default=RESULTS, help="the directory with latest.json and capacity.json")
    parser.add_argument("--mode", choices=["batch", "single"], default="batch",
                        help="events arrive in batches of 100 (the tracker's) or one per request")
    parser.add_argument("--peaks", default="1000,10000,100000", help="comma-separated peaks, events/s")
    parser.add_argument("--headroom", type=float, default=0.7, help="the busiest a part may be at the peak (0-1]")
    args = parser.parse_args()
    try:
        peaks = [int(p) for p in args.peaks.split(",")]
    except ValueError:
        parser.error(f"--peaks: comma-separated whole numbers, got {args.peaks!r}")
    if not 0 < args.headroom <= 1 or any(p <= 0 for p in peaks):
        parser.error("--headroom must be in (0, 1] and every peak above 0")
    try:
        figures, commits = load(args.results)
    except MissingFigure as error:
        sys.exit(f"capacity: {error}")
    print("Measured inputs (value, unit, where it was read):\n")
    for name, figure in figures.items():
        print(f"  {name:24} {figure.value:>12,} {figure.unit:40} {figure.source}")
    for file_name, (run_commit, results_commit) in commits.items():
        print(f"  {file_name}: measured at {run_commit}, committed in {results_commit}")
    model = CapacityModel(figures)
    sweeps(model, args.mode)
    sizing(model, peaks, args.headroom, args.mode)


if __name__ == "__main__":
    main()
