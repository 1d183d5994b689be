#!/usr/bin/env python3
"""The Express middleware (clients/express) under Debian's nodejs and node-express, end to end.

Runs the sender's unit tests (node --test sender.test.js), then starts its own
sluice-ingest and sluice-worker (tests/browser's Stack, on the servers of
scripts/test.sh: Redis database 0, flushed, and a fresh MongoDB database) with
a sites file holding a write key and a server key, and tests/express/app.js, a
small Express app using the middleware with the server key. A "browser"
(requests carrying a desktop Chrome's user agent and a visitor cookie) sends a
page view straight to ingest, as tracker.js would, then uses the app. Checks
what MongoDB stored: the API calls with their route, method, status and
response time, the server page view, the browser's device (not Node's), the
cookie's visitor and one session shared with the browser's own page view;
skipped routes are absent; a visitor without a cookie gets one from the app.
Then an app whose ingest is down still answers at once.

    scripts/test.sh runs it (BROWSER_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/express/test_express.py

Exits 0 when every check passed, 1 otherwise; fails, never skips, when node or
node-express is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "browser"))
import test_tracker as stack_helpers  # noqa: E402  (its Stack, HTTP and check helpers)

stack_helpers.LOG_TAG = "express"
from test_tracker import check, log  # noqa: E402

NODE_PATH = "/usr/share/nodejs"  # Debian's node-express
WRITE_KEY = "wk_shop_0123456789abcdef"
SERVER_KEY = "sk_shop_0123456789abcdef"
VISITOR = "vis-express-1"
USER_AGENT = stack_helpers.USER_AGENT


def start_app(tmp, endpoint, name):
    """Starts app.js; returns (process, port)."""
    log_path = os.path.join(tmp, f"{name}.log")
    out = open(log_path, "ab")
    proc = subprocess.Popen(
        ["node", os.path.join(HERE, "app.js")], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, "NODE_PATH": NODE_PATH, "PORT": "0", "SLUICE_ENDPOINT": endpoint, "SLUICE_KEY": SERVER_KEY},
        start_new_session=True)

    def port():
        if proc.poll() is not None:
            raise RuntimeError(f"app.js exited with status {proc.returncode}: {open(log_path).read()}")
        for line in open(log_path):
            if line.startswith("listening "):
                return int(line.split()[1])
        return None
    return proc, stack_helpers.wait_for("app.js to listen", port)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def browse(app_port, ingest_port):
    """The visit: the tracker's page view straight to ingest, then the app's pages and API."""
    cookie = {"Cookie": f"sluice_visitor={VISITOR}", "User-Agent": USER_AGENT}
    body = json.dumps({"id": "browser-pv", "url": "https://shop.example/landing", "writeKey": WRITE_KEY}).encode()
    status, _, text = stack_helpers.http_request(ingest_port, "POST", "/api/analytics/track/pageview",
                                                 {**cookie, "Content-Type": "application/json"}, body)
    check(status == 202, f"the browser's own page view is accepted: {status} {text!r}")
    referer = {**cookie, "Referer": "https://www.google.com/"}
    for method, path, expected in [("GET", "/", 200), ("GET", "/api/items/42", 200), ("POST", "/api/orders", 201),
                                   ("GET", "/api/slow", 200), ("GET", "/api/missing", 404), ("GET", "/health", 200)]:
        body = json.dumps({"items": [1, 2]}).encode() if method == "POST" else None
        headers = {**referer, "Content-Type": "application/json"} if body else referer
        status, _, _ = stack_helpers.http_request(app_port, method, path, headers, body)
        check(status == expected, f"app {method} {path} answers {expected}, got {status}")
    status, headers, _ = stack_helpers.http_request(app_port, "GET", "/api/items/7", {"User-Agent": USER_AGENT})
    set_cookie = headers.get("set-cookie", "")
    check(status == 200 and set_cookie.startswith("sluice_visitor=") and "HttpOnly" in set_cookie,
          f"a visitor without a cookie is given one by the app: {set_cookie!r}")
    new_visitor = set_cookie.split(";")[0].split("=", 1)[1] if "=" in set_cookie else ""
    status, _, text = stack_helpers.http_request(app_port, "POST", "/__flush", {})
    stats = json.loads(text)
    check(status == 200 and stats["stats"]["sent"] == 7 and not stats["errors"], f"the middleware sent its events: {stats}")
    return new_visitor


def check_storage(db, app_port, new_visitor):
    calls = {doc["endpoint"]: doc for doc in db.apiusages.find({"visitorId": VISITOR})}
    check(set(calls) == {"/", "/api/items/:id", "/api/orders", "/api/slow", "/api/missing"},
          f"one API call per tracked route, by route pattern, /health skipped: {sorted(calls)}")
    browser_page = db.pageviews.find_one({"eventId": "browser-pv"})
    session = browser_page and browser_page.get("sessionId")
    check(bool(session), f"the browser's page view has a session: {browser_page}")
    for endpoint, method, status in [("/api/items/:id", "GET", 200), ("/api/orders", "POST", 201), ("/api/missing", "GET", 404)]:
        doc = calls.get(endpoint, {})
        check(doc.get("method") == method and doc.get("statusCode") == status, f"{endpoint}: method and status stored: {doc}")
    for endpoint, doc in calls.items():
        device = doc.get("device") or {}
        check(device.get("type") == "desktop" and device.get("browser") == "Chrome",
              f"{endpoint}: the browser's device, not Node's: {device}")
        check(doc.get("userAgent") == USER_AGENT, f"{endpoint}: the relayed user agent: {doc.get('userAgent')!r}")
        check(doc.get("sessionId") == session, f"{endpoint}: joins the browser's session {session}: {doc.get('sessionId')}")
        check(isinstance(doc.get("responseTime"), (int, float)), f"{endpoint}: a response time: {doc.get('responseTime')!r}")
        check(doc.get("ip") == "127.0.0.0", f"{endpoint}: the relayed, anonymised address: {doc.get('ip')!r}")
    slow = calls.get("/api/slow", {}).get("responseTime", 0)
    check(150 <= slow < 5000, f"/api/slow's response time covers its 150 ms: {slow}")
    pages = list(db.pageviews.find({"visitorId": VISITOR}))
    server_pages = [p for p in pages if p.get("eventId") != "browser-pv"]
    check(len(server_pages) == 1 and server_pages[0].get("url") == f"http://127.0.0.1:{app_port}/",
          f"one server page view, for the HTML page: {[p.get('url') for p in server_pages]}")
    check(all(p.get("sessionId") == session for p in server_pages), "the server page view joins the session")
    check(server_pages and server_pages[0].get("referrer") == "https://www.google.com/", "the page view's referrer is relayed")
    visitor = db.visitors.find_one({"_id": VISITOR})
    check(visitor is not None and visitor.get("pageViews", visitor.get("pageviews", 2)) >= 2, f"one visitor for browser and server: {visitor}")
    check(db.apiusages.count_documents({"visitorId": new_visitor}) == 1, f"the app's new cookie {new_visitor!r} is the events' visitor")


def check_ingest_down(tmp):
    """An app whose ingest does not answer still serves at once."""
    proc, port = start_app(tmp, f"http://127.0.0.1:{stack_helpers.free_port()}", "app-down")
    try:
        started = time.monotonic()
        for _ in range(20):
            status, _, _ = stack_helpers.http_request(port, "GET", "/api/items/1", {"User-Agent": USER_AGENT})
            check(status == 200, f"served while ingest is down: {status}")
        took = time.monotonic() - started
        check(took < 2.0, f"20 requests with ingest down took {took:.2f}s")
        _, _, text = stack_helpers.http_request(port, "GET", "/__stats", {})
        log(f"with ingest down: {json.loads(text)['stats']}")
    finally:
        stop(proc)


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        stack_helpers.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    if not shutil.which("node") or not os.path.isdir(os.path.join(NODE_PATH, "express")):
        stack_helpers.fail(f"node or {NODE_PATH}/express not found: apt-get install nodejs node-express (scripts/bootstrap.sh does)")
    import pymongo

    unit = subprocess.run(["node", "--test", os.path.join(HERE, "sender.test.js")], capture_output=True, text=True)
    check(unit.returncode == 0, f"node --test sender.test.js:\n{unit.stdout[-3000:]}{unit.stderr[-2000:]}")

    tmp = tempfile.mkdtemp(prefix="sluice-express.")
    sites = os.path.join(tmp, "sites.json")
    with open(sites, "w") as f:
        json.dump({"sites": [{"id": "shop", "writeKeys": [WRITE_KEY], "serverKeys": [SERVER_KEY]}]}, f)
    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{stack_helpers.REDIS_DB}"
    database = f"express_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    stack_helpers.redis_flush(redis_url)
    stack = stack_helpers.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    stack.settings["SLUICE_SITES"] = sites
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    app = None
    ok = False
    try:
        stack.start()
        app, app_port = start_app(tmp, f"http://127.0.0.1:{stack.ingest_port}", "app")
        log(f"ingest :{stack.ingest_port}, app :{app_port}, mongo database {database}")
        new_visitor = browse(app_port, stack.ingest_port)
        db = mongo[database]
        stack_helpers.wait_for("the worker to store the visit", lambda: stack.alive()
                               and db.apiusages.count_documents({}) >= 6 and db.pageviews.count_documents({}) >= 2
                               and stack_helpers.workers_idle(redis_url), timeout=30)
        check_storage(db, app_port, new_visitor)
        check_ingest_down(tmp)
        ok = not stack_helpers.failures
    except Exception as error:
        stack_helpers.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        if app is not None:
            stop(app)
        stack_helpers.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return stack_helpers.verdict()


if __name__ == "__main__":
    sys.exit(main())
