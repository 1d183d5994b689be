"""The capacity model (docs/capacity.md): sustained events/s of a Sluice deployment with P
partitions, W workers, R Redis nodes (masters), I ingest cores and a store k times the measured
one, from the measured per-part figures (bench/capacity_inputs.py). Each part has a ceiling; the
deployment sustains the smallest. Standard library only."""
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Deployment:
    """How many of each part: partitions, workers, Redis masters, ingest cores, the store's
    capacity in multiples of the measured store, and how events arrive (batch or single)."""
    partitions: int
    workers: int
    redis_nodes: int
    ingest_cores: float = 1.0
    store_speedup: float = 1.0
    mode: str = "batch"


class CapacityModel:
    """Ceilings per part, in events/s, from measured per-event costs:

    - ingest: stateless, linear in cores (ingest CPU per event);
    - Redis: one node is single-threaded: ingest's and the worker's Redis CPU per event. A partition's
      keys share a hash tag, so they live on one node: R nodes carry the load of P partitions
      only as evenly as P divides over R (the busiest holds ceil(P/R)); nodes beyond P hold nothing;
    - workers: each is a serial loop whose time per event is the store's share (which a faster store
      shrinks) plus the rest (its CPU, Redis round trips), measured together as one worker's drain rate;
      workers share every partition through the consumer group, so P does not cap them;
    - store: its time per event in the drain (event inserts at the raw-insert ceiling's pace, plus
      the derived writes and seed reads), divided by k;
    - flusher: derived documents are written by one worker at a time (`sluice:flush:lock`), so its
      time per document bounds every deployment, whatever W is.
    """

    def __init__(self, figures):
        """Takes the figures of capacity_inputs.load()."""
        self.f = {name: figure.value for name, figure in figures.items()}
        # One worker's busy time per event, less the store's time in it.
        self.worker_rest_us = 1e6 / self.f["worker_rate"] - self.f["store_us"]
        self.flush_rest_us = self.f["flush_us_per_doc"] - self.f["flush_store_us_per_doc"]

    def ingest(self, d):
        """Ingest's events/s: linear in cores."""
        return d.ingest_cores * 1e6 / self.f[f"ingest_us_{d.mode}"]

    def redis_node(self, d):
        """One Redis node's events/s: its CPU per event from ingest and workers together, and never
        more than its measured XADD ceiling."""
        return min(1e6 / (self.f[f"redis_ingest_us_{d.mode}"] + self.f["redis_worker_us"]), self.f["xadd_ceiling"])

    def redis(self, d):
        """R nodes' events/s: as many nodes as carry partitions, at the busiest one's pace."""
        busiest = math.ceil(d.partitions / d.redis_nodes)
        return self.redis_node(d) * (d.partitions / busiest)

    def worker(self, d):
        """One worker's events/s: serial, so the store's share of its time shrinks with k, the rest not."""
        per_event = self.worker_rest_us + self.f["store_us"] / d.store_speedup
        return min(1e6 / per_event, 1e6 / self.f["worker_cpu_us"])

    def workers(self, d):
        """W workers' events/s: each at one worker's rate."""
        return d.workers * self.worker(d)

    def store(self, d):
        """The store's events/s: k times the measured one."""
        return d.store_speedup * 1e6 / self.f["store_us"]

    def flusher(self, d):
        """The one flusher's events/s: its time per derived document, the store's share of it over k."""
        per_doc = self.flush_rest_us + self.f["flush_store_us_per_doc"] / d.store_speedup
        return 1e6 / (self.f["derived_docs_per_event"] * per_doc)

    def ceilings(self, d):
        """Every part's ceiling, events/s, by name."""
        return {"ingest": self.ingest(d), "redis": self.redis(d), "workers": self.workers(d),
                "store": self.store(d), "flusher": self.flusher(d)}

    def sustained(self, d):
        """(events/s the deployment sustains, the part that bounds it)."""
        ceilings = self.ceilings(d)
        part = min(ceilings, key=ceilings.get)
        return ceilings[part], part

    def size(self, peak, headroom=0.7, mode="batch", partitions_min=4):
        """The fewest parts that carry `peak` events/s with every part at most `headroom` busy, and
        None, or the reason when a ceiling no count of parts raises (the flusher) stays below it."""
        target = peak / headroom
        store_speedup = max(1.0, target / self.store(Deployment(1, 1, 1, mode=mode)))
        unit = Deployment(1, 1, 1, 1.0, store_speedup, mode)
        nodes = math.ceil(target / self.redis_node(unit))
        # Partitions a multiple of the masters, so each holds as many (the busiest sets the ceiling).
        deployment = Deployment(partitions=nodes * math.ceil(partitions_min / nodes), workers=math.ceil(target / self.worker(unit)),
                                redis_nodes=nodes, ingest_cores=math.ceil(10 * target / self.ingest(unit)) / 10,
                                store_speedup=math.ceil(store_speedup * 10) / 10, mode=mode)
        flusher = self.flusher(deployment)
        if flusher < target:
            return deployment, (f"flusher: one worker at a time writes derived documents, at most {flusher:,.0f} events/s "
                                f"with this store; no count of parts raises it")
        return deployment, None
