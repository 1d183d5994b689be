#!/usr/bin/env python3
"""The capacity model's invariants (bench/capacity_model.py, docs/capacity.md), on the committed
results in bench/results: it reproduces the measured single-worker drain, each added part never
lowers what is sustained and stops helping at the ceiling the docs name, what is sustained is the
smallest ceiling, and `make capacity` refuses missing figures and bad arguments clearly.
Run by scripts/test.sh (CAPACITY_TEST=0 skips it); needs no server, takes about a second."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bench")
sys.path.insert(0, BENCH)

from capacity_inputs import MissingFigure, load  # noqa: E402
from capacity_model import CapacityModel, Deployment  # noqa: E402

FIGURES, _ = load()
MODEL = CapacityModel(FIGURES)
MEASURED = json.load(open(os.path.join(BENCH, "results", "latest.json")))


def rate(**parts):
    """Events/s a deployment of these parts sustains."""
    return MODEL.sustained(Deployment(**parts))[0]


class CapacityModelTests(unittest.TestCase):
    def test_matches_the_measured_single_worker_drain(self):
        sustained, part = MODEL.sustained(Deployment(partitions=4, workers=1, redis_nodes=1))
        self.assertAlmostEqual(sustained, MEASURED["raw"]["drain"]["events_per_s"], delta=1.0)
        self.assertEqual(part, "workers")

    def test_sustained_is_the_smallest_ceiling(self):
        for d in (Deployment(p, w, r, c, k) for p in (1, 4, 16) for w in (1, 4, 64) for r in (1, 3, 16)
                  for c in (0.5, 8) for k in (1, 10, 1000)):
            ceilings = MODEL.ceilings(d)
            sustained, part = MODEL.sustained(d)
            self.assertEqual(sustained, min(ceilings.values()), d)
            self.assertEqual(ceilings[part], sustained, d)

    def test_monotonic_in_workers_redis_nodes_ingest_and_store(self):
        base = dict(partitions=16, workers=8, redis_nodes=4, ingest_cores=2, store_speedup=10)
        for key, values in (("workers", range(1, 65)), ("redis_nodes", range(1, 33)),
                            ("ingest_cores", [0.1 * n for n in range(1, 40)]), ("store_speedup", [1, 2, 5, 10, 100, 1000])):
            rates = [rate(**{**base, key: v}) for v in values]
            self.assertEqual(rates, sorted(rates), key)

    def test_partitions_help_in_multiples_of_the_redis_nodes(self):
        rates = [MODEL.redis(Deployment(6 * m, 64, 6)) for m in range(1, 6)]
        self.assertEqual(rates, sorted(rates))
        # 8 partitions over 6 nodes: the busiest holds 2, so less than 6 partitions carry.
        self.assertLess(MODEL.redis(Deployment(8, 64, 6)), MODEL.redis(Deployment(6, 64, 6)))

    def test_redis_nodes_beyond_the_partitions_hold_nothing(self):
        for p in (1, 4, 8):
            self.assertEqual(MODEL.redis(Deployment(p, 8, p)), MODEL.redis(Deployment(p, 8, 4 * p)))

    def test_workers_stop_helping_at_the_store_ceiling(self):
        store = MODEL.store(Deployment(4, 1, 1))
        first_at = next(w for w in range(1, 100) if rate(partitions=4, workers=w, redis_nodes=1) >= store)
        self.assertEqual(rate(partitions=4, workers=first_at + 10, redis_nodes=1), store)
        self.assertLessEqual(first_at, 2, "the measured store is saturated by two workers at the measured rate")

    def test_no_part_count_raises_the_flusher_ceiling(self):
        one = MODEL.flusher(Deployment(4, 1, 1, 1, 100))
        self.assertEqual(one, MODEL.flusher(Deployment(64, 256, 64, 32, 100)))
        self.assertLessEqual(rate(partitions=64, workers=256, redis_nodes=64, ingest_cores=32, store_speedup=100), one)

    def test_sizing_reaches_its_peak_with_headroom_or_says_why(self):
        d, reason = MODEL.size(1000, headroom=0.7)
        self.assertIsNone(reason)
        self.assertGreaterEqual(MODEL.sustained(d)[0], 1000 / 0.7)
        for peak in (500, 5_000, 20_000, 300_000):
            for mode in ("batch", "single"):
                d, _ = MODEL.size(peak, headroom=0.7, mode=mode)
                ceilings = MODEL.ceilings(d)
                del ceilings["flusher"]  # the one no count of parts raises: reported as the reason instead
                self.assertGreaterEqual(min(ceilings.values()), peak / 0.7 * 0.999, (peak, mode, ceilings))
                self.assertEqual(d.partitions % d.redis_nodes, 0, d)
        d, reason = MODEL.size(10_000_000, headroom=0.7)
        self.assertIsNotNone(d)
        self.assertIn("flusher", reason)

    def test_every_input_is_traced_to_a_results_file(self):
        for name, figure in FIGURES.items():
            self.assertRegex(figure.source, r"^(latest|capacity)\.json ", name)
            self.assertGreaterEqual(figure.value, 0, name)


class CapacityCommandTests(unittest.TestCase):
    def run_capacity(self, *args):
        """bench/capacity.py with `args`, its exit status and output."""
        return subprocess.run([sys.executable, os.path.join(BENCH, "capacity.py"), *args],
                              capture_output=True, text=True, timeout=60)

    def test_prints_the_tables(self):
        out = self.run_capacity()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("| 1,000 |", out.stdout)
        self.assertIn("latest.json raw.drain.events_per_s", out.stdout)

    def test_a_missing_results_file_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(BENCH, "results", "latest.json"), tmp)
            out = self.run_capacity("--results", tmp)
            self.assertEqual(out.returncode, 1)
            self.assertIn("capacity.json not found", out.stderr)
            with self.assertRaises(MissingFigure):
                load(tmp)

    def test_bad_arguments_are_refused(self):
        for args, words in ((["--peaks", "10k"], "--peaks"), (["--headroom", "1.5"], "--headroom")):
            out = self.run_capacity(*args)
            self.assertEqual(out.returncode, 2, args)
            self.assertIn(words, out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
