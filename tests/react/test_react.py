#!/usr/bin/env python3
"""The seed's React hooks (clients/react/tracking-hooks.ts) in a real headless Chromium, end to end.

Type-checks the hooks and a test app written as the seed's pages are (layout,
sign-up, chat, tools, lab; tests/react/src) with Debian's tsc, bundles it with
Debian's esbuild and node-react/node-react-dom, and drives it against its own
sluice-ingest and sluice-worker on the test servers of scripts/test.sh (the
stack and browser helpers of tests/browser/test_tracker.py). Checks what MongoDB
stored: a pending-consent app sends nothing and sets no cookie before the
banner's Accept; every hook call stored with the seed's fields; the feedback
joined to its chat; identify linking later events to the user; page views with
time and scroll depth; and, with data-auto="false", usePageTracking's page views.

    scripts/test.sh runs it (BROWSER_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/react/test_react.py

Exits 0 when every check passed, 1 otherwise; fails, never skips, when a tool is missing.
"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "browser"))
import test_tracker as browser  # noqa: E402  (its stack, browser and check helpers)

browser.LOG_TAG = "react"
from test_tracker import check, log, js_wait  # noqa: E402

ROOT = browser.ROOT
NODE_PATH = "/usr/share/nodejs"  # Debian's node-react, node-react-dom
USER = "user-9"


def build(out_dir):
    """Type-checks with tsc, then bundles with esbuild into out_dir/app.js."""
    for tool, package in [("tsc", "node-typescript"), ("esbuild", "esbuild")]:
        if not shutil.which(tool):
            browser.fail(f"{tool} not found: apt-get install {package} (scripts/bootstrap.sh does)")
    if not os.path.isdir(os.path.join(NODE_PATH, "react-dom")):
        browser.fail(f"React not found in {NODE_PATH}: apt-get install node-react node-react-dom (scripts/bootstrap.sh does)")
    config = os.path.join(HERE, "tsconfig.json")
    typed = subprocess.run(["tsc", "-p", config], capture_output=True, text=True)
    check(typed.returncode == 0, f"tsc accepts the hooks and the app:\n{typed.stdout}{typed.stderr}")
    # The hooks against the real React types too, which Debian's node-react ships
    # (skipLibCheck: they import csstype and prop-types, which Debian lacks).
    real_types = os.path.join(NODE_PATH, "@types", "react")
    check(os.path.isdir(real_types), f"{real_types} is installed (node-react)")
    real_config = os.path.join(out_dir, "tsconfig.real-react.json")
    with open(real_config, "w") as f:
        json.dump({"compilerOptions": {"target": "es2019", "module": "esnext", "moduleResolution": "node", "lib": ["dom", "es2019"],
                                       "strict": True, "noEmit": True, "skipLibCheck": True, "types": [],
                                       "paths": {"react": [real_types]}, "baseUrl": out_dir},
                   "files": [os.path.join(ROOT, "clients", "react", "tracking-hooks.ts")]}, f)
    typed = subprocess.run(["tsc", "-p", real_config], capture_output=True, text=True)
    check(typed.returncode == 0, f"tsc accepts the hooks against Debian's @types/react:\n{typed.stdout}{typed.stderr}")
    bundled = subprocess.run(
        ["esbuild", os.path.join(HERE, "src", "main.tsx"), "--bundle", f"--outfile={out_dir}/app.js", "--jsx=automatic",
         "--define:process.env.NODE_ENV=\"production\"", f"--tsconfig={config}", "--log-level=warning"],
        capture_output=True, text=True, env={**os.environ, "NODE_PATH": NODE_PATH})
    if bundled.returncode != 0:
        browser.fail(f"esbuild failed:\n{bundled.stderr}")
    log(f"built app.js ({os.path.getsize(os.path.join(out_dir, 'app.js'))} bytes)")


class AppHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the app's pages, its bundle and the browser test's recorder.js; every other path is the app (SPA routes)."""

    ingest_origin = ""
    bundle_dir = ""

    def do_GET(self):
        name = os.path.basename(self.path.split("?")[0])
        if name == "app.js":
            path = os.path.join(self.bundle_dir, name)
        elif name == "recorder.js":
            path = os.path.join(browser.PAGES, name)
        else:
            path = os.path.join(HERE, "pages", name if name in ("app.html", "manual.html") else "app.html")
        with open(path, "rb") as f:
            body = f.read().replace(b"{{INGEST}}", self.ingest_origin.encode())
        browser.send_page(self, body, "text/html; charset=utf-8" if path.endswith(".html") else "text/javascript")

    def log_message(self, *args):
        pass


def result(driver, name):
    """Waits for the page to report `name` (or an error) and returns it."""
    js_wait(driver, f"the app's {name} call", f"window.__results && (window.__results['{name}'] || window.__results.error)", 20)
    results = driver.execute_script("return window.__results")
    check("error" not in results, f"the app's calls resolved ({results})")
    return results.get(name)


def cookies(driver):
    return {c["name"]: c["value"] for c in driver.get_cookies()}


def visit(driver, origin):
    seen = {}
    log("app: consent pending, nothing sent before Accept")
    driver.get(f"{origin}/app.html")
    js_wait(driver, "the tracker to load", "window.sluice && window.sluice.version === 1")
    time.sleep(1.5)
    seen["requestsBefore"] = driver.execute_script("return window.__requests")
    seen["cookiesBefore"] = cookies(driver)
    driver.find_element("id", "accept").click()

    log("app: sign up (identify), chat and its feedback, a tool, a lab experiment, through the layout's navigation")
    driver.find_element("id", "nav-signup").click()
    driver.find_element("id", "signup").click()
    seen["signup"], seen["identify"] = result(driver, "signup"), result(driver, "identify")
    driver.find_element("id", "nav-chat").click()
    driver.find_element("id", "ask").click()
    seen["chat"] = result(driver, "chat")
    driver.find_element("id", "rate").click()
    seen["feedback"] = result(driver, "feedback")
    driver.find_element("id", "nav-tools").click()
    driver.find_element("id", "run-tool").click()
    seen["tool"] = result(driver, "tool")
    driver.find_element("id", "nav-lab").click()
    driver.execute_script("window.scrollTo(0, Math.round(0.5 * document.documentElement.scrollHeight - window.innerHeight))")
    time.sleep(0.3)
    driver.find_element("id", "run-lab").click()
    seen["lab"] = result(driver, "lab")
    seen["cookiesAfter"] = cookies(driver)
    browser.screenshot(driver, "react-app")

    log("manual.html: data-auto=false, usePageTracking sends a page view per route")
    driver.get(f"{origin}/manual.html")  # pagehide: the lab page's engagement goes by beacon
    js_wait(driver, "the manual page view", "(window.__requests || []).some(function (r) { return r.status == 202; })")
    driver.find_element("id", "nav-chat").click()
    js_wait(driver, "the route's page view", "(window.__requests || []).filter(function (r) { return r.status == 202; }).length >= 2")
    time.sleep(0.5)
    driver.get("about:blank")
    return seen


def check_storage(db, seen, origin):
    check(seen["requestsBefore"] == [] and seen["cookiesBefore"] == {},
          f"nothing sent and no cookie before consent ({seen['requestsBefore']}, {seen['cookiesBefore']})")
    visitor = seen["cookiesAfter"].get("sluice_visitor")
    check(visitor is not None, "the visitor cookie was set after consent")
    mine = {"visitorId": visitor}

    chat = db.chatinteractions.find_one(mine) or {}
    check(chat.get("eventId") == seen["chat"] and chat.get("agentId") == "support" and chat.get("agentName") == "Support bot"
          and chat.get("userMessage") == "Where is my order?" and chat.get("aiResponse") == "On its way."
          and chat.get("responseTime") == 840 and chat.get("model") == "gpt-x" and chat.get("language") == "en",
          f"useChatTracking's trackChat stored the seed's fields ({chat})")
    check(chat.get("satisfied") is False and chat.get("feedback") == "Too vague", f"trackFeedback joined its chat ({chat})")
    tool = db.toolusages.find_one(mine) or {}
    check(tool.get("eventId") == seen["tool"] and tool.get("toolName") == "json-formatter" and tool.get("category") == "dev"
          and tool.get("inputData") == {"size": 1200} and tool.get("outputData") == {"ok": True} and tool.get("success") is True
          and tool.get("executionTime") == 12.5 and tool.get("properties") == {"source": "toolbar"},
          f"useToolTracking's trackTool stored the seed's fields and the last argument's properties ({tool})")
    lab = db.labexperiments.find_one(mine) or {}
    check(lab.get("eventId") == seen["lab"] and lab.get("experimentName") == "caption-v2" and lab.get("experimentType") == "vision"
          and lab.get("inputData") == {"image": "cat.png"} and lab.get("outputData") == {"caption": "a cat"}
          and lab.get("model") == "m2" and lab.get("success") is False and lab.get("errorMessage") == "timeout"
          and lab.get("processingTime") == 30000, f"useLabTracking's trackExperiment stored the seed's fields ({lab})")
    events = {e["eventName"]: e for e in db.userevents.find(mine)}
    signup = events.get("signup", {})
    check(signup.get("eventId") == seen["signup"] and signup.get("eventType") == "auth" and signup.get("eventData") == {"plan": "pro"}
          and signup.get("success") is True and signup.get("userId") is None,
          f"useEventTracking's trackEvent stored the signup, before identify ({signup})")
    check(events.get("identify", {}).get("userId") == USER, f"identify stored ({events.get('identify')})")
    check(all(d.get("userId") == USER for d in [chat, tool, lab]), "identify linked the later chat, tool and lab events to the user")
    owner = db.visitors.find_one({"_id": visitor}) or {}
    check(USER in (owner.get("userIds") or []), f"the visitor lists the user ({owner.get('userIds')})")

    views = {v.get("path"): v for v in db.pageviews.find(mine)}
    log("stored page views: " + ", ".join(f"{p} (timeSpent {v.get('timeSpent')}, scrollDepth {v.get('scrollDepth')}, userId {v.get('userId')})"
                                          for p, v in views.items()))
    check(sorted(views) == ["/app.html", "/chat", "/lab", "/manual.html", "/signup", "/tools"],
          f"one page view per route, the first sent at consent ({sorted(views)})")
    check(all(v.get("timeSpent", 0) > 0 and 0 < v.get("scrollDepth", -1) <= 100 for v in views.values()),
          "every page view has its time and scroll depth")
    check(views.get("/lab", {}).get("scrollDepth") == 50, f"the lab page was scrolled to 50% ({views.get('/lab', {}).get('scrollDepth')})")
    manual_chat = [v for v in db.pageviews.find(mine) if v.get("url") == f"{origin}/chat"]
    check(len(manual_chat) == 2, f"/chat viewed twice: in the app and by usePageTracking on manual.html ({len(manual_chat)})")


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        browser.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    import pymongo

    tmp = tempfile.mkdtemp(prefix="sluice-react.")
    build(tmp)
    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{browser.REDIS_DB}"
    database = f"react_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    browser.redis_flush(redis_url)
    stack = browser.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    pages = driver = None
    ok = False
    try:
        stack.start()
        AppHandler.ingest_origin = f"http://127.0.0.1:{stack.ingest_port}"
        AppHandler.bundle_dir = tmp
        pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AppHandler)
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{pages.server_address[1]}"
        driver = browser.start_browser()
        seen = visit(driver, origin)
        driver.quit()
        driver = None
        db = mongo[database]
        browser.wait_for("the worker to store the visit", lambda: stack.alive()
                         and db.pageviews.count_documents({"timeSpent": {"$gt": 0}}) >= 7
                         and db.chatinteractions.count_documents({"feedback": {"$exists": True}}) >= 1
                         and browser.workers_idle(redis_url), timeout=30)
        check_storage(db, seen, origin)
        ok = not browser.failures
    except Exception as error:
        browser.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        if pages is not None:
            pages.shutdown()
        browser.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return browser.verdict()


if __name__ == "__main__":
    sys.exit(main())
