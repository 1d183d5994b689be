#!/usr/bin/env python3
"""docs/schema.md's example queries, run through pymongo against a store seeded by the real pipeline.

Starts its own sluice-ingest and sluice-worker on the test servers of
scripts/test.sh (the stack helpers of tests/browser/test_tracker.py), sends
tests/schema/seed.py's traffic, waits until the worker stored it, then checks:
every mongosh query in the guide is one of tests/schema/queries.py (and the other
way round), and each returns what the seeded store holds; every collection and
index the worker created is named in the guide.

    scripts/test.sh runs it (SCHEMA_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/schema/test_schema.py
"""
import os
import re
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "browser"))
import test_tracker as stack_helpers  # noqa: E402  (its Stack, http and Redis helpers)

stack_helpers.LOG_TAG = "schema"
from test_tracker import check, log  # noqa: E402
import queries  # noqa: E402
import seed  # noqa: E402

GUIDE = os.path.join(ROOT, "docs", "schema.md")


def guide_queries(text):
    """Every line of a ```js block in the guide that starts with db."""
    blocks = re.findall(r"```js\n(.*?)```", text, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("db.")]


def normalise(value):
    """Numbers compared as floats, so an $avg of whole numbers matches an int."""
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, tuple):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def check_guide(db, text):
    written = guide_queries(text)
    tested = [mongosh for mongosh, _, _ in queries.QUERIES]
    check(len(tested) >= 12, f"at least a dozen example queries ({len(tested)})")
    for mongosh in tested:
        check(mongosh in written, f"docs/schema.md shows the tested query: {mongosh}")
    for mongosh in written:
        check(mongosh in tested, f"the guide's query is tested (add it to tests/schema/queries.py): {mongosh}")
    for mongosh, run, expected in queries.QUERIES:
        try:
            got = run(db)
        except Exception as error:  # the store refused the query: report it as a failed check
            got = f"{type(error).__name__}: {error}"
        check(normalise(got) == normalise(expected), f"{mongosh}\n      returned {got!r}\n      expected {expected!r}")
    for name in sorted(db.list_collection_names()):
        check(f"`{name}`" in text, f"the guide describes the collection {name}")
        for index in db[name].list_indexes():
            if index["name"] != "_id_":
                check(f"`{index['name']}`" in text, f"the guide lists the index {name}.{index['name']}")


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        stack_helpers.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    import pymongo

    with open(GUIDE) as f:
        text = f.read()
    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{stack_helpers.REDIS_DB}"
    database = f"schema_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    tmp = tempfile.mkdtemp(prefix="sluice-schema.")
    stack_helpers.redis_flush(redis_url)
    stack = stack_helpers.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    ok = False
    try:
        stack.start()
        headers = {"Content-Type": "application/json"}
        seed.send(lambda body, agent: stack_helpers.http_request(
            stack.ingest_port, "POST", "/api/analytics/batch", {**headers, "User-Agent": agent}, body)[0])
        db = mongo[database]
        stack_helpers.wait_for("the worker to store the seed", lambda: stack.alive()
                               and db.apiusages.count_documents({}) == 2 and db.userevents.count_documents({}) == 2
                               and stack_helpers.workers_idle(redis_url), timeout=30)
        log(f"seeded {seed.event_count()} events through ingest and the worker into {database}")
        check_guide(db, text)
        ok = not stack_helpers.failures
    except Exception as error:
        stack_helpers.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        stack_helpers.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return stack_helpers.verdict()


if __name__ == "__main__":
    sys.exit(main())
