#!/usr/bin/env python3
"""The traffic, the failover and the verdict of the Redis Cluster acceptance test.

tests/cluster/run.sh starts the cluster, SecantusDB, ingest (SLUICE_REPLICA_ACKS=1)
and a worker, then runs this. It posts --events events in batches of 10 through
POST /api/analytics/batch at a steady --rate, never retrying, and records each
batch's answer: 202 (accepted) or 503 (refused); any other answer, or no answer,
fails the run at once. A third of the way through it SIGKILLs the master that
holds the most partition streams, waits until that master's replica is promoted
(CLUSTER NODES on the surviving nodes), then restarts the killed node with its
own command line so it rejoins as the new master's replica and WAIT 1 can be
satisfied again. Posting goes on throughout.

Once the worker has drained every partition (pending and lag 0 in every group,
and the stored count steady), it counts the run's event ids across the event
collections in MongoDB. It fails on an accepted event stored zero times or more
than once, any event stored more than once, no refusal at all, a failover that
did not happen, or no batch accepted after the promotion (ingest never followed
the new slot map). Refused events that were stored anyway are counted: a 503
only means "not accepted", a sender would retry with the same id.

    failover.py --nodes 127.0.0.1:P1=PID1,... --ingest-port P --mongo-url URL --restarted-pids FILE
"""
import argparse
import collections
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pymongo
import redis

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
from chaos_derived import EVENT_COLLECTIONS, USER_AGENTS  # noqa: E402  (the scripts folder is not a package)

NODE_SCRIPT = os.path.join(HERE, "node.sh")
BATCH = 10
# Seconds given to each wait: promotion, rejoin, drain. Bounded so the whole test
# stays within its three minutes.
PROMOTION_TIMEOUT = 30
REJOIN_TIMEOUT = 30
DRAIN_TIMEOUT = 60
# The stored count must stay put this long, with no backlog, to count as drained.
STEADY_SECONDS = 2.0
HTTP_TIMEOUT = 15


def log(message):
    print(f"cluster: {message}", flush=True)


class Failure(Exception):
    """A verdict of the run: printed, and the exit status is 1."""


def wait_for(what, condition, timeout, interval=0.1):
    """Polls condition() until it returns something truthy, which is returned; Failure after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except (redis.RedisError, OSError):
            pass
        time.sleep(interval)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


# ------------------------------------------------------------------ cluster

class Node:
    """One redis-server of the cluster: its address, its process, a client of its own (no redirects)."""

    def __init__(self, address, pid):
        self.address, self.pid = address, pid
        host, port = address.rsplit(":", 1)
        self.client = redis.Redis(host=host, port=int(port), protocol=2, decode_responses=True,
                                  socket_timeout=2, socket_connect_timeout=1)
        # Every reply as sent; CLUSTER NODES and XINFO are read below.
        self.client.response_callbacks.clear()

    def __call__(self, *args):
        return self.client.execute_command(*args)

    def streams(self, pattern):
        """Names of the stream keys matching pattern (SCAN; the raw reply's cursor is a string)."""
        cursor, keys = "0", []
        while True:
            cursor, batch = self("SCAN", cursor, "MATCH", pattern, "COUNT", 1000, "TYPE", "stream")
            keys.extend(batch)
            if cursor == "0":
                return sorted(keys)


def cluster_nodes(node):
    """CLUSTER NODES as seen by node: {node id: {"address", "flags", "master", "slots"}}."""
    view = {}
    for line in node("CLUSTER", "NODES").splitlines():
        fields = line.split()
        if len(fields) < 8:
            continue
        view[fields[0]] = {"address": fields[1].split("@")[0], "flags": set(fields[2].split(",")),
                           "master": fields[3], "slots": fields[8:]}
    return view


class Cluster:
    """The six nodes, addressed by "host:port", with the pids run.sh started them as."""

    def __init__(self, spec):
        self.nodes = {}
        for item in spec.split(","):
            address, pid = item.split("=")
            self.nodes[address] = Node(address, int(pid))
        self.dead = set()

    def survivor(self):
        return next(node for address, node in self.nodes.items() if address not in self.dead)

    def view(self):
        return cluster_nodes(self.survivor())

    def masters(self):
        """Addresses of the masters that serve slots and are not failed."""
        return [n["address"] for n in self.view().values()
                if "master" in n["flags"] and "fail" not in n["flags"] and n["slots"]]

    def partition_streams(self, address):
        """The partition streams a master holds: streams named events:* other than dead-letter ones."""
        return [k for k in self.nodes[address].streams("events:*") if "dead" not in k]

    def dead_letter_streams(self, address):
        return self.nodes[address].streams("*dead*")

    def kill(self, address):
        node = self.nodes[address]
        os.kill(node.pid, signal.SIGKILL)
        self.dead.add(address)

    def restart(self, address, argv, log_path, pids_file):
        """Starts the killed node again (tests/cluster/node.sh), output appended to its log."""
        with open(log_path, "ab") as log_file:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        with open(pids_file, "a") as f:
            f.write(f"{proc.pid} redis-server {address} (restarted)\n")
        self.nodes[address].pid = proc.pid
        self.dead.discard(address)


def node_launch(node):
    """What restarting the node needs: tests/cluster/node.sh's arguments and the log it writes to.
    Redis rewrites its process title, so they come from its configuration, not /proc/PID/cmdline."""
    settings = {}
    for name in ("port", "cluster-port", "dir"):
        settings.update(dict(zip(*[iter(node("CONFIG", "GET", name))] * 2)))
    argv = [NODE_SCRIPT, settings["port"], settings["cluster-port"], settings["dir"]]
    return argv, os.readlink(f"/proc/{node.pid}/fd/1")


def promoted(cluster, victim_id, replica_id):
    """True once every surviving node sees the replica as a master and the victim as failed, state ok."""
    for address, node in cluster.nodes.items():
        if address in cluster.dead:
            continue
        view = cluster_nodes(node)
        if "master" not in view[replica_id]["flags"] or "fail" not in view[victim_id]["flags"]:
            return False
        if "cluster_state:ok" not in node("CLUSTER", "INFO"):
            return False
    return True


def rejoined(cluster, address, master_id):
    """True once the restarted node is a replica of master_id with its link up."""
    node = cluster.nodes[address]
    me = next(n for n in cluster_nodes(node).values() if "myself" in n["flags"])
    return ("slave" in me["flags"] and me["master"] == master_id
            and "master_link_status:up" in node("INFO", "replication"))


# ------------------------------------------------------------------ traffic

def make_event(run_id, n):
    """Event number n of the run: a page view, or every third one a user event; ids unique to the run."""
    common = {"id": f"{run_id}-{n}", "visitorId": f"v-{n % 20}", "timestamp": int(time.time() * 1000)}
    if n % 3 == 2:
        return {"type": "event", **common, "eventType": "cluster", "eventName": "tick", "properties": {"n": n}}
    return {"type": "pageview", **common, "url": f"https://shop.example.com/p/{n % 50}", "title": f"page {n % 50}"}


class Sender(threading.Thread):
    """Posts the events in batches at a steady rate, once each: no retries, every answer recorded."""

    def __init__(self, port, total, rate, run_id):
        super().__init__(daemon=True)
        self.port, self.total, self.rate, self.run_id = port, total, rate, run_id
        self.accepted, self.refused = [], []
        self.reasons = collections.Counter()
        # (monotonic time of the answer, first event number, status) per batch.
        self.answers = []
        self.posted = 0
        self.failure = None

    def post(self, events):
        """One request on a connection of its own: a kept-alive one that ingest closed
        while idle would fail a request that never reached it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("POST", "/api/analytics/batch", json.dumps({"batch": events}),
                         {"content-type": "application/json", "user-agent": USER_AGENTS[0]})
            response = conn.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            conn.close()

    def run(self):
        started = time.monotonic()
        for first in range(0, self.total, BATCH):
            events = [make_event(self.run_id, n) for n in range(first, min(first + BATCH, self.total))]
            ids = [e["id"] for e in events]
            try:
                status, body = self.post(events)
            except (OSError, http.client.HTTPException) as error:
                self.failure = f"batch of events {first}..{first + len(ids) - 1}: no answer from ingest ({error!r})"
                return
            self.answers.append((time.monotonic(), first, status))
            if status == 202:
                self.accepted.extend(ids)
            elif status == 503:
                self.refused.extend(ids)
                self.reasons[refusal_reason(body)] += 1
            else:
                self.failure = f"batch of events {first}..{first + len(ids) - 1}: HTTP {status}, not 202 or 503: {body[:300]}"
                return
            self.posted = first + len(ids)
            time.sleep(max(0.0, started + self.posted / self.rate - time.monotonic()))


def refusal_reason(body):
    """The problem a 503 names, digits dropped so the same cause counts once."""
    try:
        problem = json.loads(body)["details"][0]["problem"]
    except (ValueError, KeyError, IndexError, TypeError):
        problem = body
    return "".join("N" if c.isdigit() else c for c in problem)[:120]


# ------------------------------------------------------------------- drain

def backlog(cluster):
    """Entries pending or not yet read over every partition stream on the live masters; and the streams seen."""
    total, streams = 0, []
    for address in cluster.masters():
        node = cluster.nodes[address]
        for stream in cluster.partition_streams(address):
            streams.append(stream)
            groups = node("XINFO", "GROUPS", stream)
            if not groups:
                total += node("XLEN", stream)
            for group in groups:
                info = dict(zip(group[::2], group[1::2]))
                lag = info.get("lag")
                if lag is None:
                    # Redis cannot always tell the lag (e.g. after a failover): count what follows
                    # the group's last delivered entry.
                    lag = len(node("XRANGE", stream, "(" + info["last-delivered-id"], "+", "COUNT", 10000) or [])
                total += lag + (info.get("pending") or 0)
    return total, streams


def stored_counts(db):
    """How many documents carry each eventId, over every event collection."""
    counts = collections.Counter()
    for name in EVENT_COLLECTIONS:
        for doc in db[name].find({}, {"eventId": 1}):
            counts[doc.get("eventId")] += 1
    return counts


def wait_drained(cluster, db, partitions):
    """Waits until no partition has pending or unread entries and the stored count stays put."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    last_count, steady_since, waiting, streams = None, None, None, []
    while time.monotonic() < deadline:
        try:
            waiting, streams = backlog(cluster)
            count = sum(stored_counts(db).values())
        except (redis.RedisError, pymongo.errors.PyMongoError) as error:
            log(f"drain check failed, retrying: {error}")
            time.sleep(0.5)
            continue
        if waiting == 0 and count == last_count:
            if time.monotonic() - steady_since >= STEADY_SECONDS:
                if len(set(streams)) != partitions:
                    log(f"warning: {len(set(streams))} partition streams found on the masters, {partitions} expected: {sorted(set(streams))}")
                return
        else:
            last_count, steady_since = count, time.monotonic()
        time.sleep(0.3)
    raise Failure(f"the worker did not drain within {DRAIN_TIMEOUT} s: {waiting} entries pending or unread in {sorted(set(streams))}")


def dead_letter_ids(cluster):
    """Event ids found in dead-letter streams on the live masters."""
    ids = []
    for address in cluster.masters():
        for stream in cluster.dead_letter_streams(address):
            for _, fields in cluster.nodes[address]("XRANGE", stream, "-", "+") or []:
                entry = dict(zip(fields[::2], fields[1::2]))
                try:
                    ids.append(json.loads(entry["e"])["id"])
                except (ValueError, KeyError, TypeError):
                    ids.append(f"(undecodable entry in {stream})")
    return ids


# ------------------------------------------------------------------- run

def choose_victim(cluster):
    """The master holding the most partition streams (ties: the lowest address), and its streams."""
    holdings = {address: cluster.partition_streams(address) for address in cluster.masters()}
    victim = max(sorted(holdings), key=lambda a: len(holdings[a]))
    return victim, holdings


def fail_over(cluster, sender, args):
    """Kills the chosen master a third of the way through; returns what happened, for the summary."""
    wait_for("a third of the events to be answered", lambda: sender.posted >= args.events // 3 or not sender.is_alive(),
             timeout=args.events / args.rate + 60, interval=0.02)
    if sender.failure:
        raise Failure(sender.failure)
    victim, holdings = choose_victim(cluster)
    view = cluster.view()
    victim_id = next(i for i, n in view.items() if n["address"] == victim)
    replicas = [i for i, n in view.items() if n["master"] == victim_id and "fail" not in n["flags"]]
    if not replicas:
        raise Failure(f"master {victim} has no replica to promote: {view}")
    replica_id = replicas[0]
    argv, log_path = node_launch(cluster.nodes[victim])
    log("partition streams per master: " + "; ".join(f"{a}: {', '.join(s) or '-'}" for a, s in sorted(holdings.items())))
    at_event = sender.posted
    cluster.kill(victim)
    killed = time.monotonic()
    log(f"SIGKILLed master {victim} at event {at_event}; its replica is {view[replica_id]['address']}")

    wait_for(f"the replica {view[replica_id]['address']} to be promoted", lambda: promoted(cluster, victim_id, replica_id),
             timeout=PROMOTION_TIMEOUT)
    promotion = time.monotonic()
    log(f"replica {view[replica_id]['address']} promoted {promotion - killed:.1f} s after the kill, cluster_state:ok")

    cluster.restart(victim, argv, log_path, args.restarted_pids)
    wait_for(f"the restarted {victim} to rejoin as a replica", lambda: rejoined(cluster, victim, replica_id),
             timeout=REJOIN_TIMEOUT)
    log(f"{victim} restarted and rejoined as a replica {time.monotonic() - killed:.1f} s after the kill")
    return {"victim": victim, "at_event": at_event, "killed": killed, "promotion": promotion,
            "replica": view[replica_id]["address"]}


def verdict(sender, counts, dead_ids, failover):
    """The summary line and the list of problems (empty: the run passed)."""
    accepted, refused = sender.accepted, sender.refused
    lost = [i for i in accepted if counts[i] == 0]
    duplicated = [i for i in accepted if counts[i] > 1]
    stored_twice = [i for i in refused if counts[i] > 1]
    refused_stored = sum(1 for i in refused if counts[i] >= 1)
    exactly_once = len(accepted) - len(lost) - len(duplicated)
    after_promotion = sum(1 for t, _, status in sender.answers if status == 202 and t > failover["promotion"])
    refusal_times = [t - failover["killed"] for t, _, status in sender.answers if status == 503]
    print(f"cluster failover: {len(accepted)} accepted = {exactly_once} stored exactly once, {len(refused)} refused (503), "
          f"{refused_stored} of them stored anyway; master {failover['victim']} killed at event {failover['at_event']}, "
          f"replica {failover['replica']} promoted after {failover['promotion'] - failover['killed']:.1f} s", flush=True)
    if refusal_times:
        log(f"503s answered from {min(refusal_times):+.1f} s to {max(refusal_times):+.1f} s around the kill; "
            f"{after_promotion} batches accepted after the promotion")
    for reason, n in sender.reasons.most_common():
        log(f"  {n} batches refused: {reason}")
    problems = []
    if lost:
        dead = [i for i in lost if i in dead_ids]
        problems.append(f"{len(lost)} accepted events not stored ({len(dead)} of them dead-lettered): {lost[:10]}")
    if duplicated:
        problems.append(f"{len(duplicated)} accepted events stored more than once: {duplicated[:10]}")
    if stored_twice:
        problems.append(f"{len(stored_twice)} refused events stored more than once: {stored_twice[:10]}")
    if not refused:
        problems.append("no batch was refused: the failover never reached the traffic (no 503 while the master was down)")
    if not after_promotion:
        problems.append("no batch was accepted after the replica's promotion: ingest did not follow the new slot map")
    if dead_ids:
        log(f"{len(dead_ids)} entries in dead-letter streams: {dead_ids[:10]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", required=True, help="the cluster's nodes, host:port=pid, comma-separated")
    parser.add_argument("--ingest-port", type=int, required=True)
    parser.add_argument("--mongo-url", required=True, help="SLUICE_MONGO_URL of the worker (its database is read)")
    parser.add_argument("--partitions", type=int, default=4, help="SLUICE_PARTITIONS (default 4)")
    parser.add_argument("--events", type=int, default=2000, help="events to post (default 2000)")
    parser.add_argument("--rate", type=int, default=100, help="events per second (default 100)")
    parser.add_argument("--restarted-pids", required=True, help="file to which the restarted node's pid is appended")
    args = parser.parse_args()

    cluster = Cluster(args.nodes)
    mongo = pymongo.MongoClient(args.mongo_url, serverSelectionTimeoutMS=30000)
    db = mongo.get_default_database()
    run_id = f"cf-{uuid.uuid4().hex[:8]}"
    sender = Sender(args.ingest_port, args.events, args.rate, run_id)
    started = time.monotonic()
    log(f"posting {args.events} events in batches of {BATCH} at {args.rate}/s (~{args.events / args.rate:.0f} s), ids {run_id}-N")
    try:
        sender.start()
        failover = fail_over(cluster, sender, args)
        sender.join(timeout=args.events / args.rate * 3 + 60)
        if sender.is_alive():
            raise Failure("posting did not finish in time")
        if sender.failure:
            raise Failure(sender.failure)
        log(f"posting done after {time.monotonic() - started:.0f} s: {len(sender.accepted)} accepted, {len(sender.refused)} refused")
        wait_drained(cluster, db, args.partitions)
        problems = verdict(sender, stored_counts(db), dead_letter_ids(cluster), failover)
    except Failure as failure:
        problems = [str(failure)]
    for problem in problems:
        log(f"FAIL: {problem}")
    log(f"{'passed' if not problems else 'failed'} in {time.monotonic() - started:.0f} s")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
