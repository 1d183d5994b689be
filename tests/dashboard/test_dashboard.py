#!/usr/bin/env python3
"""The dashboard's pages in headless Chromium show the figures the raw collections hold.

Starts its own sluice-ingest and sluice-worker (120 s session timeout, 1 s flush
interval, three funnels) on the test servers of scripts/test.sh (Redis database 0, flushed
before and after; a fresh MongoDB database), sends seed.py's traffic through
ingest's routes, waits until the worker stored every event and flushed the
derived state, and starts sluice-dashboard on the same store. Then:

- the seed's visitor and session routes answer the visitor's sessions and each
  session's events in time order (access.py);
- every page, opened in Chromium, shows the figures expected.py computes from
  the raw event collections: visitors, sessions, page views, bounce rate and the
  top page (and with bots included, the crawler's page views); live visitors,
  active sessions, recent events and pages viewed now; satisfaction rate; tool
  and lab success rates; the journey's sessions and timeline; signups /
  visitors and each funnel of expected.FUNNELS step by step; API error rates
  (pages.py);
- a second dashboard with SLUICE_ADMIN_TOKEN refuses an anonymous caller on
  every route but the login and `current`, and after logging in through the
  form the same pages show the same figures; logging out ends that login.

    scripts/test.sh runs it (DASHBOARD_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh:
    .venv/bin/python tests/dashboard/test_dashboard.py [--screenshots docs/screenshots]

--screenshots DIR saves a PNG of each page of the open dashboard there (the
README's screenshots come from it). Exits 0 when every check passed, 1 otherwise.
"""
import argparse
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "browser"))
import test_tracker as stack_helpers  # noqa: E402  (its Stack, browser, http and Redis helpers)

stack_helpers.LOG_TAG = "dashboard"
from test_tracker import log  # noqa: E402
import access  # noqa: E402
import expected  # noqa: E402
import pages  # noqa: E402
import seed  # noqa: E402

JOURNEY_VISITOR = "visitor-1"  # the one with two sessions


def utc_now():
    """Now, in UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def start_dashboard(stack, name, settings):
    """A sluice-dashboard on the stack's Redis and store, on a free port; returns (process, port)."""
    exe = os.path.join(stack.bin_dir, "sluice-dashboard")
    if not os.access(exe, os.X_OK):
        stack_helpers.fail(f"{exe} not found: build first (scripts/test.sh does)")
    port = stack_helpers.free_port()
    env = {key: value for key, value in os.environ.items() if key != "SLUICE_ADMIN_TOKEN"}  # open unless `settings` set one
    env.update({"SLUICE_REDIS_URL": stack.settings["SLUICE_REDIS_URL"], "SLUICE_MONGO_URL": stack.settings["SLUICE_MONGO_URL"],
                "SLUICE_DASHBOARD_PORT": str(port), "SLUICE_FUNNELS": expected.FUNNELS, "SLUICE_LOG_LEVEL": "info", **settings})
    out = open(os.path.join(stack.tmp, f"{name}.log"), "ab")
    process = subprocess.Popen([exe], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    stack.procs[name] = process  # stopped and its log shown with the rest
    stack_helpers.wait_for(f"{name} /login", lambda: running(process, name) and stack_helpers.http_request(port, "GET", "/login")[0] == 200)
    return process, port


def running(process, name):
    """True while `process` runs; raises once it has exited."""
    if process.poll() is not None:
        raise RuntimeError(f"{name} exited with status {process.returncode}")
    return True


def stop(stack, name):
    """Stops the dashboard `name` if it runs."""
    process = stack.procs.get(name)
    if process and process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


def seed_day():
    """Waits, just after a UTC midnight, until the seed's oldest event falls on today;
    returns today (UTC), the day every event falls on."""
    now = utc_now()
    oldest = now - datetime.timedelta(seconds=seed.OLDEST_SECONDS + 30)
    if oldest.date() != now.date():
        wait = (datetime.datetime.combine(now.date(), datetime.time(), tzinfo=datetime.timezone.utc)
                + datetime.timedelta(seconds=seed.OLDEST_SECONDS + 30) - now).total_seconds()
        log(f"just after midnight UTC: waiting {wait:.0f}s so every seeded event falls on one day")
        time.sleep(wait)
    return utc_now().date()


def send_seed(stack, db, redis_url):
    """Sends the seed through ingest and waits until it is stored and flushed; returns its UTC day."""
    day = seed_day()
    headers = {"Content-Type": "application/json"}
    seed.send(lambda route, body, agent: stack_helpers.http_request(
        stack.ingest_port, "POST", route, {**headers, "User-Agent": agent}, body)[0], utc_now())
    want = seed.stored_documents()
    stack_helpers.wait_for("the worker to store the seed and flush the derived state", lambda: stack.alive()
                           and sum(db[c].count_documents({}) for c in expected.KINDS) == want
                           and stack_helpers.workers_idle(redis_url), timeout=60)
    log(f"seeded {want} event documents through ingest; stored and flushed")
    return day


def run(stack, db, redis_url, screenshots):
    """Every check, on the open dashboard and then on one with a token."""
    day = send_seed(stack, db, redis_url)
    _, port = start_dashboard(stack, "dashboard-open", {})
    access.check_seed_routes(port, db, JOURNEY_VISITOR)
    driver = stack_helpers.start_browser()
    try:
        pages.check_all(driver, f"http://127.0.0.1:{port}", db, day, utc_now, JOURNEY_VISITOR, screenshots)
        stop(stack, "dashboard-open")
        token = secrets.token_hex(16)
        _, port = start_dashboard(stack, "dashboard-token", {"SLUICE_ADMIN_TOKEN": token})
        session = expected.visitor_sessions(db, JOURNEY_VISITOR)[0]
        access.check_anonymous(port, JOURNEY_VISITOR, session)
        access.check_bearer(port, token, JOURNEY_VISITOR)
        access.log_in(driver, f"http://127.0.0.1:{port}", token)
        log("logged in: the same pages through the token's cookie")
        pages.check_all(driver, f"http://127.0.0.1:{port}", db, day, utc_now, JOURNEY_VISITOR)
        access.log_out(driver, f"http://127.0.0.1:{port}")
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", metavar="DIR", help="save a PNG of each page of the open dashboard in DIR")
    arguments = parser.parse_args()
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        stack_helpers.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    import pymongo

    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{stack_helpers.REDIS_DB}"
    database = f"dashboard_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    tmp = tempfile.mkdtemp(prefix="sluice-dashboard.")
    stack_helpers.redis_flush(redis_url)
    stack = stack_helpers.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    stack.settings.update({"SLUICE_SESSION_TIMEOUT": str(seed.SESSION_TIMEOUT_SECONDS), "SLUICE_FUNNELS": expected.FUNNELS})
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    ok = False
    try:
        stack.start()
        run(stack, mongo[database], redis_url, arguments.screenshots and os.path.abspath(arguments.screenshots))
        ok = not stack_helpers.failures
    except Exception as error:
        stack_helpers.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}\n{traceback.format_exc()}")
    finally:
        for name in ["dashboard-token", "dashboard-open"]:
            stop(stack, name)
        stack_helpers.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return stack_helpers.verdict(time.monotonic() - stack_helpers.STARTED)


if __name__ == "__main__":
    sys.exit(main())
