#!/usr/bin/env python3
"""The browser tracker (GET /tracker.js) in a real headless Chromium, end to end.

Starts its own sluice-ingest and sluice-worker (binaries in $SLUICE_BIN_DIR) on
the test servers of scripts/test.sh: Redis $SLUICE_TEST_REDIS_URL database 0
(no Swift test uses it; flushed before and after) and MongoDB
$SLUICE_TEST_MONGO_URL with a fresh database. Serves tests/browser/pages from
another loopback port (so every tracker request is cross-origin) and drives
Chromium through a visit: page one (queued calls, a forced 503 and retry, the
manual API), a link to page two, SPA route changes (pushState, popstate),
scrolling, a hidden tab, a page with Global Privacy Control; then, in a fresh
profile, a data-consent="pending" page (nothing sent before optIn, identify,
reset, calls with properties and context, feedback text, optOut). Then it checks
what MongoDB stored. Screenshots go to tests/browser/artifacts/.

    scripts/test.sh runs it (BROWSER_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/browser/test_tracker.py

Exits 0 when every check passed, 1 otherwise. It fails, never skips, when
Chromium, chromedriver or selenium is missing.
"""
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PAGES = os.path.join(HERE, "pages")
ARTIFACTS = os.path.join(HERE, "artifacts")
TRACKER_SOURCE = os.path.join(ROOT, "Sources", "SluiceIngest", "Tracker", "tracker.js")
REDIS_DB = 0
# A desktop Chrome on Linux: the worker stores Chromium's own headless user
# agent ("HeadlessChrome") as a bot, without a session or visitor.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
HIDDEN_SECONDS = 3.0

STARTED = time.monotonic()
failures = []
passed = 0


LOG_TAG = "browser"  # the React and schema tests, which use these helpers, set their own


def log(message):
    print(f"{LOG_TAG}: [{time.monotonic() - STARTED:5.1f}s] {message}", flush=True)


def check(condition, message):
    global passed
    if condition:
        passed += 1
    else:
        failures.append(message)
        log(f"FAILED: {message}")
    return condition


def fail(message):
    log(f"error: {message}")
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the condition may race the thing it waits for
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


# ------------------------------------------------------------------ servers


class PageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves tests/browser/pages with {{INGEST}} replaced by ingest's origin, never cached."""

    ingest_origin = ""

    def do_GET(self):
        name = self.path.split("?")[0].split("#")[0].lstrip("/") or "page1.html"
        path = os.path.join(PAGES, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read().replace(b"{{INGEST}}", self.ingest_origin.encode())
        send_page(self, body, "text/html; charset=utf-8" if path.endswith(".html") else "text/javascript")

    def log_message(self, *args):
        pass


class Stack:
    """sluice-ingest and sluice-worker on the test servers, logs in a temp dir."""

    def __init__(self, bin_dir, redis_url, mongo_url, tmp):
        self.bin_dir, self.tmp = bin_dir, tmp
        self.ingest_port = free_port()
        self.settings = {
            "SLUICE_REDIS_URL": redis_url, "SLUICE_MONGO_URL": mongo_url, "SLUICE_INGEST_PORT": str(self.ingest_port),
            "SLUICE_WORKER_PORT": "0", "SLUICE_CONSUMER_NAME": "browser-test", "SLUICE_BLOCK_MS": "200", "SLUICE_FLUSH_INTERVAL": "1",
            "SLUICE_LOG_LEVEL": "info",
        }
        self.procs = {}

    def start(self):
        for name in ["ingest", "worker"]:
            exe = os.path.join(self.bin_dir, f"sluice-{name}")
            if not os.access(exe, os.X_OK):
                fail(f"{exe} not found: build first (scripts/test.sh does)")
            out = open(os.path.join(self.tmp, f"{name}.log"), "ab")
            self.procs[name] = subprocess.Popen(
                [exe], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **self.settings}, start_new_session=True)
        wait_for("ingest /healthz", lambda: self.alive() and http_request(self.ingest_port, "GET", "/healthz")[0] == 200)

    def alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"sluice-{name} exited with status {proc.returncode}")
        return True

    def stop(self):
        for name in ["worker", "ingest"]:
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def show_logs(self, lines=30):
        for name in self.procs:
            path = os.path.join(self.tmp, f"{name}.log")
            with open(path, errors="replace") as f:
                tail = f.readlines()[-lines:]
            print(f"----- last {len(tail)} lines of sluice-{name} -----\n{''.join(tail)}----- end -----", flush=True)


def http_request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def redis_flush(redis_url):
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True, timeout=10)


def redis_lines(redis_url, *command):
    done = subprocess.run(["redis-cli", "-u", redis_url, *command], check=True, capture_output=True, text=True, timeout=10)
    return done.stdout.splitlines()


def workers_idle(redis_url, partitions=4):
    """Every entry appended so far delivered to the worker group and acknowledged, and
    every derived change flushed: sessions, visitors and roll-ups are written behind."""
    for partition in range(partitions):
        if redis_lines(redis_url, "ZCARD", f"dirty:{{{partition}}}") != ["0"]:
            return False
    for partition in range(partitions):
        stream = f"events:{{{partition}}}"
        newest = redis_lines(redis_url, "XREVRANGE", stream, "+", "-", "COUNT", "1")
        if not newest or not newest[0]:  # an empty stream (redis-cli prints an empty line)
            continue
        group = redis_lines(redis_url, "XINFO", "GROUPS", stream)
        fields = dict(zip(group[0::2], group[1::2]))
        if fields.get("last-delivered-id") != newest[0] or fields.get("pending") != "0":
            return False
    return True


# ------------------------------------------------------------------ browser


def start_browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        fail("selenium is not installed in this Python (scripts/bootstrap.sh installs it into .venv)")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_exe = shutil.which("chromedriver")
    if not browser or not driver_exe:
        fail("chromium or chromedriver not found: apt-get install chromium chromium-driver (scripts/bootstrap.sh does)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
                f"--user-agent={USER_AGENT}", "--no-first-run", "--disable-extensions"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(driver_exe))
    driver.set_script_timeout(15)
    return driver


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    driver.save_screenshot(path)
    log(f"screenshot {path}")


def js_wait(driver, what, expression, timeout=15.0):
    return wait_for(what, lambda: driver.execute_script(f"return {expression}"), timeout)


def batch_requests(driver):
    return [r for r in driver.execute_script("return window.__requests || []") if "/api/analytics/batch" in r["url"]]


# ------------------------------------------------------------------ the visit


def visit(driver, pages_origin):
    """Drives the pages; returns what the checks need to know from the browser."""
    seen = {}

    log("page one: async tracker, snippet calls queued before it loaded, first batch answered 503")
    driver.get(f"{pages_origin}/page1.html")
    check(driver.execute_script("return window.__queuedBeforeLoad") is True, "page one's calls were queued before tracker.js loaded")
    js_wait(driver, "the tracker to load", "window.sluice && window.sluice.version === 1")
    # Chat and event (queued) went in the first batch, refused once with 503; the
    # chat promise resolved after the retry, then feedback went in a later batch.
    js_wait(driver, "the queued chat's feedback to be accepted", "window.__feedbackId || window.__queuedError", timeout=20)
    check(driver.execute_script("return window.__queuedError") is None, f"queued calls resolved: {driver.execute_script('return window.__queuedError')}")
    seen["chatId"] = driver.execute_script("return window.__chatId")
    seen["queuedEventId"] = driver.execute_script("return window.__queuedEventId")
    seen["feedbackId"] = driver.execute_script("return window.__feedbackId")

    log("page one: the manual API, one call refused by ingest (400) in the same batch")
    seen["manual"] = driver.execute_async_script("""
        var done = arguments[arguments.length - 1];
        Promise.allSettled([
          sluice.trackTool('json-formatter', 'dev', {size: 1200}, {ok: true}, true, null, 12.5),
          sluice.trackExperiment('caption-v2', 'vision', {image: 'cat.png'}, {caption: 'a cat'}, 'm2', false, 'timeout', 30000),
          sluice.trackEvent('ui', 'click', {button: 'buy'}, false, 'sold out'),
          sluice.trackEvent('ui', 'broken', {}, 'not a boolean')
        ]).then(function (results) {
          done(results.map(function (r) { return r.status == 'fulfilled' ? {id: r.value} : {error: String(r.reason)}; }));
        });
    """)
    seen["page1Requests"] = batch_requests(driver)
    screenshot(driver, "page1")

    log("page one -> page two by a link (pagehide on page one); page two loads tracker.js deferred, default endpoint")
    driver.find_element("id", "next").click()
    js_wait(driver, "page two's tracker", "window.sluice && window.sluice.version === 1 && location.pathname == '/page2.html'")
    js_wait(driver, "page two's page view to be accepted", "(window.__requests || []).some(function (r) { return r.status == 202; })")

    log("page two: scroll to 60%, then SPA route changes: pushState ?view=a, pushState ?view=b, back (popstate)")
    driver.execute_script("window.scrollTo(0, Math.round(0.6 * document.documentElement.scrollHeight - window.innerHeight))")
    time.sleep(0.3)  # the scroll event fires on the next frame
    screenshot(driver, "page2-scrolled")
    driver.execute_script("document.title = 'View A'; history.pushState({view: 'a'}, '', '?view=a')")
    time.sleep(1.3)  # the view's page view goes in its own batch
    driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
    time.sleep(0.3)
    driver.execute_script("document.title = 'View B'; history.pushState({view: 'b'}, '', '?view=b')")
    time.sleep(1.3)
    driver.execute_script("document.title = 'View A'; history.back()")
    js_wait(driver, "popstate back to ?view=a", "location.search == '?view=a'")
    back_at = time.monotonic()
    time.sleep(1.5)
    screenshot(driver, "page2-view-a")

    log(f"page two: hide the tab for {HIDDEN_SECONDS}s (a new tab in front), then show it again")
    beacons_before = len([r for r in batch_requests(driver) if r["via"] == "beacon"])
    page_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    time.sleep(HIDDEN_SECONDS)
    driver.close()
    driver.switch_to.window(page_tab)
    check(driver.execute_script("return document.visibilityState") == "visible", "page two is visible again after the other tab closed")
    changes = driver.execute_script("return window.__visibility")
    hidden = [c for c in changes if c["state"] == "hidden"]
    shown = [c for c in changes if c["state"] == "visible"]
    hidden_ms = shown[-1]["at"] - hidden[-1]["at"] if hidden and shown else 0
    check(hidden_ms >= HIDDEN_SECONDS * 1000 - 500, f"the tab was hidden (visibilitychange) for about {HIDDEN_SECONDS}s ({changes})")
    seen["beaconsOnHide"] = len([r for r in batch_requests(driver) if r["via"] == "beacon"]) - beacons_before
    seen["page2Requests"] = batch_requests(driver)
    time.sleep(0.5)
    leave_at = time.monotonic()
    # Visible time of the last view: from popstate to leaving, less the hidden time.
    # The Python-side clock runs a little long (polling, the navigation's own time), hence the slack below.
    seen["viewA2MaxMs"] = (leave_at - back_at) * 1000 - hidden_ms

    log("Global Privacy Control page with data-respect-dnt (pagehide on page two first)")
    driver.get(f"{pages_origin}/dnt.html")
    js_wait(driver, "the opted-out tracker", "window.sluice && window.sluice.version === 1")
    seen["dntEventId"] = driver.execute_async_script("""
        var done = arguments[arguments.length - 1];
        sluice.optIn(); // a consent banner's yes does not override the browser's signal
        sluice.trackEvent('privacy', 'should-not-be-sent').then(done, function (e) { done('rejected: ' + e); });
    """)
    time.sleep(1.5)
    screenshot(driver, "dnt")
    seen["dntRequests"] = driver.execute_script("return window.__requests")
    # Cookies are per host, not per port: ingest's visitor cookie shows on the pages' host too.
    seen["cookies"] = {c["name"]: c["value"] for c in driver.get_cookies()}
    driver.get("about:blank")  # pagehide on the GPC page: still nothing
    return seen


def visit_consent(driver, pages_origin):
    """A fresh browser (no cookie yet) on a data-consent="pending" page, playing its banner:
    a call before consent, optIn, identify, calls with properties and context and a
    userId of their own, feedback with text, reset, optOut."""
    seen = {}
    log("consent page: data-consent=pending, nothing sent and no cookie until optIn")
    driver.get(f"{pages_origin}/consent.html")
    js_wait(driver, "the pending tracker", "window.sluice && window.sluice.version === 1")
    seen["beforeId"] = driver.execute_async_script("""
        var done = arguments[arguments.length - 1];
        sluice.trackEvent('consent', 'before-optin').then(done, function (e) { done('rejected: ' + e); });
    """)
    time.sleep(1.5)
    seen["requestsBefore"] = driver.execute_script("return window.__requests")
    seen["cookiesBefore"] = {c["name"]: c["value"] for c in driver.get_cookies()}

    log("consent page: optIn, identify, calls with a last options argument, feedback text, reset, optOut")
    seen["calls"] = driver.execute_async_script("""
        var done = arguments[arguments.length - 1], ids = {};
        sluice.optIn();
        sluice.identify('user-42', {plan: 'pro'}).then(function (id) {
          ids.identify = id;
          return sluice.trackChat('sales', 'Sales bot', 'Price?', '10 EUR', 300, 'gpt-y', 'de',
            {properties: {experiment: 'b'}, context: {locale: 'de-DE'}});
        }).then(function (id) {
          ids.chat = id;
          return sluice.trackFeedback(id, false, 'Too slow');
        }).then(function () {
          return sluice.trackEvent('ui', 'share', {to: 'mail'}, true, null, {userId: 'user-7'});
        }).then(function (id) {
          ids.share = id;
          sluice.reset();
          return sluice.trackEvent('auth', 'logout');
        }).then(function (id) {
          ids.logout = id;
          // Opted out while a batch is on the wire, and that batch answered 503: no retry.
          window.FORCE_503_ONCE = true;
          window.ON_SEND = function () { window.ON_SEND = null; sluice.optOut(); };
          var onTheWire = sluice.trackEvent('consent', 'sent-then-opted-out');
          sluice.flush();
          return onTheWire;
        }).then(function (id) {
          ids.onTheWire = id;
          ids.sentBeforeOptOut = window.__requests.length;
          return sluice.trackEvent('consent', 'after-optout');
        }).then(function (id) {
          ids.afterOptOut = id;
          done(ids);
        }, function (e) { done({error: String(e)}); });
    """)
    time.sleep(1.5)
    seen["requestsAfter"] = driver.execute_script("return window.__requests")
    seen["cookiesAfter"] = {c["name"]: c["value"] for c in driver.get_cookies()}
    screenshot(driver, "consent")
    driver.get("about:blank")  # pagehide while opted out: nothing more
    time.sleep(0.5)
    return seen


def check_consent(db, seen, pages_origin):
    calls = seen["calls"]
    check("error" not in calls, f"the consent page's calls resolved ({calls})")
    check(seen["requestsBefore"] == [], f"nothing was sent before optIn ({seen['requestsBefore']})")
    check(seen["cookiesBefore"] == {}, f"no cookie before optIn ({seen['cookiesBefore']})")
    check(len(seen["beforeId"]) == 36, f"a call before consent still resolves with an id ({seen['beforeId']})")
    visitor = seen["cookiesAfter"].get("sluice_visitor")
    check(visitor is not None, f"optIn's first request set the visitor cookie ({seen['cookiesAfter']})")
    check(len(seen["requestsAfter"]) == calls.get("sentBeforeOptOut"), "nothing was sent after optOut, leaving included")
    sent = [e for r in seen["requestsAfter"] if r.get("body") for e in json.loads(r["body"])["batch"]]
    check(all(e.get("eventName") not in ("before-optin", "after-optout") for e in sent), "the calls made without consent were never sent")
    wire = [e for e in sent if e.get("eventName") == "sent-then-opted-out"]
    check(len(wire) == 1 and wire[0]["id"] == calls.get("onTheWire"),
          f"a batch answered 503 after optOut is not retried, its promise resolves ({len(wire)} sends)")

    views = list(db.pageviews.find({"visitorId": visitor}))
    check(len(views) == 1 and views[0].get("url") == f"{pages_origin}/consent.html" and views[0].get("userId") is None,
          f"optIn sent the page's one page view, before identify ({views})")
    events = {e["eventName"]: e for e in db.userevents.find({"visitorId": visitor})}
    check(sorted(events) == ["identify", "logout", "sent-then-opted-out", "share"],
          f"identify, share, logout and the batch on the wire at optOut stored, nothing else ({sorted(events)})")
    identify = events.get("identify", {})
    check(identify.get("eventId") == calls.get("identify") and identify.get("userId") == "user-42"
          and identify.get("eventData") == {"plan": "pro"}, f"identify stored the user and traits ({identify})")
    share = events.get("share", {})
    check(share.get("userId") == "user-7", f"the last argument's userId wins over identify's ({share.get('userId')})")
    check(events.get("logout", {}).get("userId") is None, f"after reset events carry no userId ({events.get('logout')})")
    chat = db.chatinteractions.find_one({"visitorId": visitor}) or {}
    check(chat.get("eventId") == calls.get("chat") and chat.get("userId") == "user-42" and chat.get("language") == "de"
          and chat.get("properties") == {"experiment": "b"} and chat.get("context") == {"locale": "de-DE"},
          f"the chat carries identify's userId and the last argument's properties and context ({chat})")
    check(chat.get("satisfied") is False and chat.get("feedback") == "Too slow", f"the feedback text is kept on its chat ({chat})")
    owner = db.visitors.find_one({"_id": visitor}) or {}
    check("user-42" in (owner.get("userIds") or []), f"the visitor is linked to the identified user ({owner.get('userIds')})")


# ------------------------------------------------------------------ checks


def check_transport(seen):
    requests = seen["page1Requests"]
    forced = [r for r in requests if r.get("forced")]
    if check(len(forced) == 1, f"one batch was answered a forced 503 (got {len(forced)})"):
        first = json.loads(forced[0]["body"])
        ids = [e["id"] for e in first["batch"]]
        retries = [json.loads(r["body"]) for r in requests if not r.get("forced") and r["body"]
                   and [e["id"] for e in json.loads(r["body"])["batch"]] == ids]
        check(len(retries) == 1, f"the refused batch was sent again with the same ids {ids} (found {len(retries)} retries)")
        if retries:
            check(retries[0]["batch"][0]["sentAt"] != first["batch"][0]["sentAt"], "the retry carries a new sentAt")
        check(seen["chatId"] in ids and seen["queuedEventId"] in ids, "the queued chat and event were in the refused batch")
        check(first.get("writeKey") == "wk_browser_test", "data-write-key is sent as writeKey in the batch body")
    for r in requests:
        if r["via"] == "fetch" and r["body"]:
            for event in json.loads(r["body"])["batch"]:
                check("sentAt" in event and "timestamp" in event and "id" in event, f"event {event.get('id')} has id, timestamp and sentAt")
    check(seen["beaconsOnHide"] >= 1, f"hiding the tab sent a beacon (sent {seen['beaconsOnHide']})")
    check(seen["dntRequests"] == [], f"nothing was sent with Global Privacy Control on (sent {seen['dntRequests']})")
    check(isinstance(seen["dntEventId"], str) and len(seen["dntEventId"]) == 36, f"an opted-out call still resolves with an id ({seen['dntEventId']})")
    manual = seen["manual"]
    check(all("id" in r for r in manual[:3]), f"tool, experiment and event calls resolved with ids: {manual[:3]}")
    check("error" in manual[3] and "400" in manual[3]["error"], f"the invalid event was refused alone: {manual[3]}")


def check_storage(db, seen, pages_origin):
    visitor = seen["cookies"].get("sluice_visitor")
    check(visitor is not None, f"the sluice_visitor cookie was set (cookies: {list(seen['cookies'])})")

    views = list(db.pageviews.find())
    page_views = [v for v in views if "url" in v]
    by_url = {}
    for view in views:
        by_url.setdefault(view.get("url", "").replace(pages_origin, ""), []).append(view)
    log("stored page views: " + ", ".join(f"{v.get('url', '?').replace(pages_origin, '')} "
                                          f"(timeSpent {v.get('timeSpent')}, scrollDepth {v.get('scrollDepth')})" for v in views))
    check(len(views) == 5 and len(page_views) == 5, f"5 page views stored (page one, page two, view a, view b, view a again), got {len(views)}")
    check(all(v.get("timeSpent", 0) > 0 for v in views), "every page view has timeSpent > 0")
    check(all(0 < v.get("scrollDepth", -1) <= 100 for v in views), "every page view has a scrollDepth in 1..100")
    page1, page2 = by_url.get("/page1.html", [{}])[0], by_url.get("/page2.html", [{}])[0]
    check(page1.get("title") == "Sluice test page one" and "referrer" not in page1, f"page one: title, no referrer ({page1.get('title')}, {page1.get('referrer')})")
    check(page2.get("referrer") == f"{pages_origin}/page1.html", f"page two's referrer is page one ({page2.get('referrer')})")
    check(page2.get("scrollDepth") == 60, f"page two was scrolled to 60% (stored {page2.get('scrollDepth')})")
    check(page2.get("path") == "/page2.html", f"page two's path ({page2.get('path')})")
    view_a = by_url.get("/page2.html?view=a", [])
    view_b = by_url.get("/page2.html?view=b", [])
    check(len(view_a) == 2 and len(view_b) == 1, f"SPA views: 2 of ?view=a (pushState, popstate) and 1 of ?view=b, got {len(view_a)} and {len(view_b)}")
    check(all(v.get("title") == "View A" for v in view_a) and all(v.get("title") == "View B" for v in view_b), "SPA views carry their titles")
    check(all("referrer" not in v for v in view_a + view_b), "SPA views have no referrer")
    check(all(v.get("scrollDepth") == 100 for v in view_a + view_b), "SPA views scrolled to the bottom have scrollDepth 100")
    if len(view_a) == 2:
        last = max(view_a, key=lambda v: v["timestamp"])
        check(1500 <= last["timeSpent"] <= seen["viewA2MaxMs"] + 1000,
              f"visible time excludes the {HIDDEN_SECONDS}s hidden: 1500 <= {last['timeSpent']} <= {seen['viewA2MaxMs'] + 1000:.0f} ms")

    visitors = list(db.visitors.find())
    check(len(visitors) == 1 and visitors[0]["_id"] == visitor, f"one visitor, the cookie's ({[v['_id'] for v in visitors]} vs {visitor})")
    if visitors:
        check(visitors[0].get("pageViews") == 5, f"the visitor has 5 page views ({visitors[0].get('pageViews')})")
        check((visitors[0].get("device") or {}).get("type") == "desktop", f"the visitor's device is a desktop ({visitors[0].get('device')})")
    sessions = list(db.sessions.find())
    check(len(sessions) == 1, f"one session for the run ({len(sessions)})")
    if sessions:
        check(sessions[0].get("pageViews") == 5 and sessions[0].get("entryPage") == "/page1.html",
              f"the session has 5 page views from /page1.html ({sessions[0].get('pageViews')}, {sessions[0].get('entryPage')})")

    chats = list(db.chatinteractions.find())
    check(len(chats) == 1, f"one chat interaction ({len(chats)})")
    if chats:
        chat = chats[0]
        check(chat.get("eventId") == seen["chatId"] and chat.get("agentId") == "support" and chat.get("agentName") == "Support bot"
              and chat.get("userMessage") == "Where is my order?" and chat.get("aiResponse") == "On its way."
              and chat.get("responseTime") == 840 and chat.get("model") == "gpt-x" and chat.get("language") == "en",
              f"the chat's fields were stored ({chat})")
        check(chat.get("satisfied") is True, "the chat has satisfied: true after trackFeedback")
    tools = list(db.toolusages.find())
    check(len(tools) == 1 and tools[0].get("eventId") == seen["manual"][0].get("id") and tools[0].get("toolName") == "json-formatter"
          and tools[0].get("category") == "dev" and tools[0].get("inputData") == {"size": 1200} and tools[0].get("outputData") == {"ok": True}
          and tools[0].get("success") is True and "errorMessage" not in tools[0] and tools[0].get("executionTime") == 12.5,
          f"one tool usage with its fields ({tools})")
    labs = list(db.labexperiments.find())
    check(len(labs) == 1 and labs[0].get("experimentName") == "caption-v2" and labs[0].get("experimentType") == "vision"
          and labs[0].get("inputData") == {"image": "cat.png"} and labs[0].get("outputData") == {"caption": "a cat"}
          and labs[0].get("model") == "m2" and labs[0].get("success") is False and labs[0].get("errorMessage") == "timeout"
          and labs[0].get("processingTime") == 30000, f"one lab experiment with its fields ({labs})")
    events = {e["eventName"]: e for e in db.userevents.find()}
    check(sorted(events) == ["click", "signup"], f"two user events, signup (queued) and click ({sorted(events)})")
    if "signup" in events and "click" in events:
        check(events["signup"].get("eventId") == seen["queuedEventId"] and events["signup"].get("eventType") == "auth"
              and events["signup"].get("eventData") == {"plan": "pro"} and events["signup"].get("success") is True,
              f"the queued event's fields ({events['signup']})")
        check(events["click"].get("eventData") == {"button": "buy"} and events["click"].get("success") is False
              and events["click"].get("errorMessage") == "sold out", f"the click event's fields ({events['click']})")

    everything = views + chats + tools + labs + list(events.values())
    check(all(d.get("visitorId") == visitor for d in everything), "every event belongs to the cookie's visitor")
    check(all(d.get("sessionId") == (sessions[0]["_id"] if sessions else None) for d in everything), "every event is in the one session")
    check(all(d.get("userAgent") == USER_AGENT for d in everything), "events carry the browser's user agent")
    check(not any("writeKey" in d for d in everything), "writeKey is not stored")


def check_tracker_route(ingest_port, pages_origin):
    status, headers, body = http_request(ingest_port, "GET", "/tracker.js")
    with open(TRACKER_SOURCE, "rb") as f:
        source = f.read()
    check(status == 200 and body == source, "GET /tracker.js serves Sources/SluiceIngest/Tracker/tracker.js byte for byte")
    check(headers.get("content-type", "").startswith("text/javascript"), f"tracker.js content type ({headers.get('content-type')})")
    check("max-age=" in headers.get("cache-control", "") and "public" in headers.get("cache-control", ""), f"tracker.js is cacheable ({headers.get('cache-control')})")
    etag = headers.get("etag")
    check(bool(etag), "tracker.js has an ETag")
    status, headers, body = http_request(ingest_port, "GET", "/tracker.js", {"If-None-Match": f'"other", {etag}'})
    check(status == 304 and body == b"" and headers.get("etag") == etag, f"If-None-Match with its ETag answers 304 ({status})")
    status, _, _ = http_request(ingest_port, "GET", "/tracker.js", {"If-None-Match": '"other"'})
    check(status == 200, "another ETag gets the script")
    status, headers, body = http_request(ingest_port, "HEAD", "/tracker.js")
    check(status == 200 and headers.get("content-length") == str(len(source)), f"HEAD /tracker.js ({status}, {headers.get('content-length')})")
    # What the tracker needs from ingest's CORS answers.
    status, headers, _ = http_request(ingest_port, "POST", "/api/analytics/batch", {"Origin": pages_origin, "Content-Type": "text/plain"}, b"{}")
    check(headers.get("access-control-allow-origin") == pages_origin and headers.get("access-control-allow-credentials") == "true",
          f"ingest answers a cross-origin POST with the CORS headers the tracker needs ({headers})")
    if "retry-after" not in headers.get("access-control-expose-headers", "").lower():
        log("note: ingest does not send Access-Control-Expose-Headers: Retry-After, so cross-origin pages cannot read "
            "Retry-After and the tracker falls back to exponential backoff")


def send_page(handler, body, content_type):
    """Answers a test page server's request with `body`, never cached."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def clean_up(stack, ok, mongo, database, redis_url, tmp):
    """Stops the stack (printing its logs after a failure) and removes what the run
    made: its MongoDB database, its Redis data and its temp dir. Best effort."""
    stack.stop()
    if not ok:
        stack.show_logs()
    try:
        mongo.drop_database(database)
    except Exception:
        pass
    mongo.close()
    try:
        redis_flush(redis_url)
    except Exception:
        pass
    shutil.rmtree(tmp, ignore_errors=True)


def verdict(elapsed=None):
    """Prints every failed check, or the count passed; the process's exit status."""
    took = f", in {elapsed:.1f}s" if elapsed is not None else ""
    if failures:
        log(f"{len(failures)} check(s) failed, {passed} passed{took}:")
        for failure in failures:
            print(f"  - {failure}", flush=True)
        return 1
    log(f"all {passed} checks passed{took}")
    return 0


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    try:
        import pymongo
    except ImportError:
        fail("pymongo is not installed in this Python (use .venv/bin/python)")

    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{REDIS_DB}"
    database = f"browser_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    tmp = tempfile.mkdtemp(prefix="sluice-browser.")
    redis_flush(redis_url)
    stack = Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    pages = driver = None
    ok = False
    try:
        stack.start()
        ingest_origin = f"http://127.0.0.1:{stack.ingest_port}"
        PageHandler.ingest_origin = ingest_origin
        pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        pages_origin = f"http://127.0.0.1:{pages.server_address[1]}"
        log(f"ingest {ingest_origin}, pages {pages_origin}, mongo database {database}, redis db {REDIS_DB}")

        check_tracker_route(stack.ingest_port, pages_origin)
        driver = start_browser()
        log(f"browser: {driver.capabilities.get('browserVersion')}")
        seen = visit(driver, pages_origin)
        driver.quit()
        driver = None
        check_transport(seen)

        db = mongo[database]
        # Everything is sent by now; wait until the worker stored it all (engagement included).
        wait_for("the worker to store the visit", lambda: stack.alive()
                 and db.pageviews.count_documents({"timeSpent": {"$gt": 0}}) >= 5
                 and db.userevents.count_documents({}) >= 2 and db.labexperiments.count_documents({}) >= 1
                 and db.chatinteractions.count_documents({"satisfied": True}) >= 1
                 and workers_idle(redis_url), timeout=30)
        check_storage(db, seen, pages_origin)

        driver = start_browser()  # a new profile: no cookie yet
        consent = visit_consent(driver, pages_origin)
        driver.quit()
        driver = None
        wait_for("the worker to store the consent page's events", lambda: stack.alive()
                 and db.userevents.count_documents({"eventName": "logout"}) >= 1
                 and db.chatinteractions.count_documents({"feedback": {"$exists": True}}) >= 1
                 and workers_idle(redis_url), timeout=30)
        check_consent(db, consent, pages_origin)
        ok = not failures
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        if pages is not None:
            pages.shutdown()
        clean_up(stack, ok, mongo, database, redis_url, tmp)
    return verdict(time.monotonic() - STARTED)


if __name__ == "__main__":
    sys.exit(main())
