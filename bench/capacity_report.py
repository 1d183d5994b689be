"""bench/results/capacity.md and capacity.json from bench/capacity_measure.py's state file: the
machine, the commit, and the figures of bench/capacity_measure.sh with how each was taken.
docs/capacity.md cites these files; bench/capacity.py reads the json. Standard library only."""
import argparse
import datetime
import json
import os
import subprocess


def run_text(argv):
    """A command's stdout, stripped (empty when it cannot run)."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return ""


def meta(binaries):
    """Where and from what the figures came: date, machine, commit, the binaries' build time."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    mtimes = {exe: datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(binaries, exe)), datetime.timezone.utc)
              .strftime("%Y-%m-%d %H:%M UTC") for exe in ("sluice-ingest", "sluice-worker")}
    return {"command": "bash bench/capacity_measure.sh",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "git_commit": run_text(["git", "-C", root, "rev-parse", "--short", "HEAD"]),
            "sources_modified": bool(run_text(["git", "-C", root, "status", "--porcelain", "--", "Sources"])),
            "binaries_built": mtimes, "nproc": os.cpu_count(),
            "secantusdb": run_text([os.path.join(root, ".venv/bin/python"), "-c",
                                    "import importlib.metadata as m; print(m.version('SecantusDB'))"])}


def markdown(data):
    """capacity.md's text from the state and its meta."""
    m, rm, sb = data["meta"], data["redis_memory"], data["store_bytes"]
    lines = [
        "# Capacity measurements",
        "",
        f"Written by `{m['command']}` on {m['date']} at commit {m['git_commit']} (Sources/ modified: "
        f"{m['sources_modified']}; release binaries built {m['binaries_built']['sluice-ingest']} (ingest), "
        f"{m['binaries_built']['sluice-worker']} (worker)); {m['nproc']} cores, Redis {rm['redis']}, "
        f"SecantusDB {m['secantusdb']}. Method: the script's header; how the figures are used: docs/capacity.md.",
        "",
        "## 1. Redis memory per queued event",
        "",
        f"{rm['entries']:,} entries over {rm['partitions']} partition streams, each the bench's stamped entry "
        f"(`e` = {rm['e_bytes']} bytes of canonical JSON, `v` = 1) with fresh ids and timestamps, XADDed into an "
        f"empty Redis (AOF off) in {rm['seconds']} s.",
        "",
        "| | before | after | per entry |",
        "|---|---:|---:|---:|",
        f"| used_memory | {rm['before']['used_memory']:,} | {rm['after']['used_memory']:,} | **{rm['bytes_per_entry']:,}** |",
        f"| used_memory_rss | {rm['before']['used_memory_rss']:,} | {rm['after']['used_memory_rss']:,} | {rm['rss_bytes_per_entry']:,} |",
        "",
        f"Per million queued events: **{rm['mib_per_million']:,} MiB** of used_memory.",
        "",
        "## 2. Bytes per stored document",
        "",
        f"{sb['posted']:,} events of the bench's mix over {sb['visitors']:,} visitors (bench/driver.py prefill), "
        f"{sb['events_stored']:,} stored as documents of their own (feedback and engagement updates make none). "
        "BSON bytes: every document read back raw, as MongoDB stores it before compression; "
        "collStats: what the embedded store reports.",
        "",
        "| collection | documents | BSON bytes / document | indexes | collStats size / storageSize / totalIndexSize |",
        "|---|---:|---:|---:|---|",
    ]
    for name, row in sb["collections"].items():
        stats = row["coll_stats"]
        shown = " / ".join(f"{stats.get(k):,}" if isinstance(stats.get(k), int) else "—"
                           for k in ("size", "storageSize", "totalIndexSize")) if "error" not in stats else "not answered"
        per = f"{row['bson_bytes_per_document']:,}" if row["bson_bytes_per_document"] else "—"
        lines.append(f"| {name} | {row['documents']:,} | {per} | {row['indexes']} | {shown} |")
    rollups = sb["collections"]["rollups"].get("by_granularity", {})
    lines += [
        "",
        f"Per stored event: **{sb['event_bson_bytes_per_event']:,}** BSON bytes of event documents, plus "
        f"**{sb['derived_bson_bytes_per_event']:,}** of derived documents (sessions, visitors, roll-ups). "
        f"A roll-up bucket document: hour {rollups.get('hour')} bytes, day {rollups.get('day')} bytes "
        f"(one site, every event of the run in it).",
        "",
        "## 3. Redis bytes per derived key",
        "",
        "`MEMORY USAGE key SAMPLES 0` of every key of each kind after the drain and flush (docs/derived-data.md).",
        "",
        "| prefix | what | keys | bytes per key |",
        "|---|---|---:|---:|",
    ]
    for prefix, row in sb["redis_keys"].items():
        per = f"{row['bytes_per_key']:,}" if row["bytes_per_key"] else "—"
        lines.append(f"| `{prefix}:` | {row['what']} | {row['keys']:,} | {per} |")
    return "\n".join(lines) + "\n"


def main():
    """Writes capacity.json and capacity.md into --out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", required=True)
    parser.add_argument("--out", required=True, help="the results directory")
    parser.add_argument("--binaries", required=True, help="where the measured release binaries are")
    args = parser.parse_args()
    data = {"meta": meta(args.binaries), **json.load(open(args.state))}
    with open(os.path.join(args.out, "capacity.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "capacity.md"), "w") as f:
        f.write(markdown(data))


if __name__ == "__main__":
    main()
