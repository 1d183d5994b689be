"""`make bench-dashboard`'s report: the pages' server time at each store size side by
side, as views between two writes of the site's roll-ups find it and as the first view
after a write finds it, how soon a write shows in the overview, with the ratio of the largest to the smallest and, given three
sizes or more, to the next smaller one (past the point where every bucket's rows are
full, time should stay flat however many events there are), from what bench/dashboard.sh left
in its temp dir (per size: data.json, rebuild.json, rebuild.log, pages.json). Prints
the table and writes dashboard.md and dashboard.json. Standard library only.
"""
import argparse
import datetime
import json
import os
import platform

TARGET_MS = 100.0
UNCACHED_NOTE = "10 timed requests per route and range after one untimed, one at a time"
# A p95 counts as grown with the history when it is both this much larger (ratio) and
# this many milliseconds more: below that, one run's noise on a shared machine.
GROWTH_RATIO, GROWTH_MS = 1.5, 5.0
# (name, p50 field, p95 field) of each timing: between writes (reads reused), after a write (open buckets read again behind the view).
TIMINGS = [("between writes", "p50", "p95"), ("after a write", "writtenP50", "writtenP95")]


def load(directory, size):
    def read(name):
        with open(os.path.join(directory, str(size), name), encoding="utf-8") as f:
            return f.read()

    result = json.loads(read("pages.json"))
    result["data"] = json.loads(read("data.json").strip().splitlines()[-1])
    result["rebuild"] = json.loads(read("rebuild.json"))
    result["rebuild"]["summary"] = next((line.strip() for line in read("rebuild.log").splitlines() if "wrote" in line), "")
    return result


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) / 1024 / 1024
    return f"{model}, {os.cpu_count()} cores, {memory:.1f} GiB, Linux {platform.release()}"


def count(n):
    return f"{n:,}"


def rows_by_key(result):
    return {(r["page"], r["route"], r["range"]): r for r in result["rows"]}


def compare(small, large, p95="p95"):
    """One line per route and range: both sizes, the ratio of their `p95` field, and the verdicts."""
    lines, small_rows = [], rows_by_key(small)
    for row in large["rows"]:
        base = small_rows.get((row["page"], row["route"], row["range"]))
        ratio = row[p95] / base[p95] if base and base[p95] > 0 else None
        grew = base is not None and ratio is not None and ratio > GROWTH_RATIO and row[p95] - base[p95] > GROWTH_MS
        lines.append({"page": row["page"], "route": row["route"], "range": row["range"], "small": base, "large": row, "ratio": ratio,
                      "withinTarget": row[p95] <= TARGET_MS, "grew": grew})
    return lines


def ratio_cell(line):
    ratio = f"{line['ratio']:.2f}×" if line["ratio"] is not None else "—"
    return ratio + (" (grew)" if line["grew"] else "")


def table(lines, results, recent=None, p50="p50", p95="p95", first=True):
    """Markdown rows: `p50` / `p95` at every size, the largest's ratio to the smallest (and to the
    next smaller size, `recent`, when there are three), the verdicts, and (`first`) the first
    request's time at the largest size."""
    sizes = " | ".join(f"{count(r['events'])} events: p50 / p95 ms" for r in results)
    ratios = f"p95 ratio to {count(results[0]['events'])}" + (f" | p95 ratio to {count(results[-2]['events'])}" if recent else "")
    first_header = f" {count(results[-1]['events'])}: first request ms |" if first else ""
    out = [f"| page | route | range | {sizes} | {ratios} | ≤ {TARGET_MS:.0f} ms p95? |{first_header}",
           "|---|---|---|" + "---|" * len(results) + "---|" * (2 if recent else 1) + "---|" + ("---|" if first else "")]
    middle = [rows_by_key(r) for r in results[1:-1]]
    for index, line in enumerate(lines):
        key = (line["page"], line["route"], line["range"])
        cells = [line["small"]] + [m.get(key) for m in middle] + [line["large"]]
        figures = " | ".join(f"{c[p50]:.1f} / {c[p95]:.1f}" if c else "—" for c in cells)
        ratio = ratio_cell(line) + (f" | {ratio_cell(recent[index])}" if recent else "")
        verdict = "yes" if line["withinTarget"] else "**NO**"
        first_cell = f" {line['large'].get('first') or 0:.0f} |" if first else ""
        out.append(f"| {line['page']} | {line['route']} | {line['range']} | {figures} | {ratio} | {verdict} |{first_cell}")
    return out


def shows_table(results):
    """Markdown rows: how soon a write shows in the overview, per range, at every size."""
    sizes = " | ".join(f"{count(r['events'])} events: p50 / p95 / max ms" for r in results)
    out = [f"| overview JSON over | {sizes} |", "|---|" + "---|" * len(results)]
    for index, row in enumerate(results[0].get("shows", [])):
        cells = " | ".join(f"{r['shows'][index]['p50']:.0f} / {r['shows'][index]['p95']:.0f} / {r['shows'][index]['max']:.0f}"
                           if len(r.get("shows", [])) > index else "—" for r in results)
        out.append(f"| {row['range']} | {cells} |")
    return out


def uncached_table(results):
    """Markdown rows: each report route at every size on the dashboard that keeps nothing."""
    sizes = " | ".join(f"{count(r['events'])} events: p50 / p95 ms" for r in results)
    out = [f"| page | route | range | {sizes} | ≤ {TARGET_MS:.0f} ms p95 at {count(results[-1]['events'])}? |",
           "|---|---|---|" + "---|" * len(results) + "---|"]
    by_size = [rows_by_key(r) for r in results]
    for row in results[-1]["rows"]:
        if "uncachedP95" not in row:
            continue
        key = (row["page"], row["route"], row["range"])
        cells = " | ".join(f"{s[key]['uncachedP50']:.1f} / {s[key]['uncachedP95']:.1f}" if "uncachedP95" in s.get(key, {}) else "—"
                           for s in by_size)
        out.append(f"| {row['page']} | {row['route']} | {row['range']} | {cells} | {'yes' if row['uncachedP95'] <= TARGET_MS else 'no'} |")
    return out


def size_lines(result):
    data, rebuild = result["data"], result["rebuild"]
    seconds = max(rebuild["seconds"], 1)
    cpu = ", ".join(f"{name} {value:.0f}%" for name, value in result["cpu"].items())
    out = [f"- **{count(result['events'])} events** (asked; {count(data['events'])} written: "
           + ", ".join(f"{name} {count(n)}" for name, n in data["collections"].items()) + ")",
           f"  - raw collections written in {data['seconds']:.0f} s ({count(data['docsPerSecond'])} documents/s, bulks of 2,000)",
           f"  - `sluicectl rollups rebuild`: {rebuild['seconds']} s, {count(round(data['events'] / seconds))} events/s; {rebuild['summary']}",
           f"  - CPU while timing, % of one core (200% = both): {cpu}"]
    for read in result["store"]:
        if "p95" in read:
            out.append(f"  - store alone (pymongo, same find): {read['read']}: p50 {read['p50']:.1f} ms, p95 {read['p95']:.1f} ms, "
                       f"{count(read['jsonBytes'])} bytes as JSON")
        else:
            out.append(f"  - {read['read']}: {count(read['rows'])}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--sizes", nargs="+", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--commit", default="unknown")
    args = parser.parse_args()
    results = [load(args.dir, size) for size in args.sizes]
    small, large = results[0], results[-1]
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    markdown = [f"# The dashboard at {' and '.join(count(r['events']) for r in results)} events",
                "", f"`make bench-dashboard`, {stamp}, {machine()}; commit {args.commit}. Method: docs/performance.md "
                "(\"The dashboard: `make bench-dashboard`\").", ""]
    comparisons, verdicts, tables = {}, [], []
    for name, p50, p95 in TIMINGS:
        lines = compare(small, large, p95)
        # Given three sizes or more, the largest beside the next smaller too.
        recent = compare(results[-2], large, p95) if len(results) > 2 else None
        comparisons[name] = {"comparison": lines, "comparisonToNextSmaller": recent}
        worst = max(lines, key=lambda line: line["large"][p95])
        grown = [line for line in lines if line["grew"]]
        met = all(line["withinTarget"] for line in lines) and not grown
        verdict = (f"{name.capitalize()}: **{'met' if met else 'NOT MET'}**. Slowest: {worst['page']} {worst['route']} over "
                   f"{worst['range']}, p95 {worst['large'][p95]:.1f} ms; routes grown past {GROWTH_RATIO}× and {GROWTH_MS:.0f} ms: "
                   f"{len(grown)} of {len(lines)} from {count(small['events'])} events")
        if recent:
            verdict += (f", {sum(line['grew'] for line in recent)} from {count(results[-2]['events'])} (shown, not part of the "
                        "verdict, which is against the smallest)")
        verdicts.append((met, verdict + "."))
        tables += [f"## {name.capitalize()}", "", *table(lines, results, recent, p50, p95, first=p95 == "p95"), ""]
    met = all(ok for ok, _ in verdicts)
    markdown += [f"Target (every page ≤ {TARGET_MS:.0f} ms p95 of server time at {count(large['events'])} events, not growing with "
                 f"the history), both as views between two writes of the site's roll-ups find it and as the first view after a "
                 f"write finds it: **{'met' if met else 'NOT MET'}**.", ""]
    markdown += [f"- {text}" for _, text in verdicts] + [""]
    markdown += [f"Server time is the dashboard's `Server-Timing` header; {small['requests']} timed requests per route and range, "
                 "one at a time. *Between writes*: after 3 untimed ones, so the reads a report makes are reused as they are "
                 "until the flusher next writes the site's buckets. *After a write*: the site's roll-up generation replaced "
                 "before each request, as a flush pass does, so each view is served the read it has while the open buckets "
                 "(those within the roll-up window) are read again from the store behind it; no write loads the store meanwhile, "
                 "so on a busy site this is a lower bound. The data covers the 30 whole UTC days before today; \"today\" reads "
                 "the live day, which the rebuild leaves to the worker (empty here).", ""]
    markdown += tables
    markdown += ["## How soon a write shows", "",
                 f"Yesterday's day document and its noon hour's given one more page view and the site a new roll-up generation, as a flush pass "
                 f"does, then the overview's JSON asked every 10 ms until it shows it: ms from the generation to that answer, "
                 f"{small.get('shows', [{}])[0].get('rounds', 0)} rounds per range: the store's reads of the open buckets made "
                 "behind the views, one after another, and up to 10 ms of asking.", "", *shows_table(results), ""]
    if all(any("uncachedP95" in row for row in r["rows"]) for r in results):
        markdown += ["## With nothing kept", "",
                     "Not part of the verdict: each report route of a second dashboard on the same store started with "
                     "`SLUICE_DASHBOARD_CACHE_SECONDS=0`, so every view reads every bucket it shows from the store, "
                     f"{UNCACHED_NOTE}. That is what a view costs when no read is kept for it: the first view of a page after the "
                     "process starts, and (for the open days, which are all of yesterday's and today's buckets) the first after a "
                     "minute without one. The 30-day and 7-day ranges read their closed days too, which a running dashboard "
                     "keeps for `SLUICE_DASHBOARD_CACHE_SECONDS`.", "", *uncached_table(results), ""]
    markdown += ["## Each store", ""]
    for result in results:
        markdown += size_lines(result)
    text = "\n".join(markdown) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "dashboard.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(args.out, "dashboard.json"), "w", encoding="utf-8") as f:
        json.dump({"at": stamp, "commit": args.commit, "machine": machine(), "met": met, "timings": comparisons, "results": results}, f,
                  indent=1)


if __name__ == "__main__":
    main()
