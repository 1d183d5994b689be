#!/usr/bin/env python3
"""SLUICE_COOKIE_DOMAIN in a real headless Chromium: a page on one host and
ingest on another host of the same parent domain share the visitor cookie.

Chromium resolves www.shop.test and ingest.shop.test to 127.0.0.1
(--host-resolver-rules). The page, served by this script on www.shop.test,
loads tracker.js from ingest.shop.test, whose sluice-ingest runs with
SLUICE_COOKIE_DOMAIN=.shop.test (its own ingest and worker on the servers of
scripts/test.sh: Redis database 0, flushed, and a fresh MongoDB database). The
tracker's page view sets the cookie; the next page load on www.shop.test must
carry it, with the visitor id MongoDB stored for that page view: the site's
own server (clients/express, SluiceClient) reads the same visitor.

    scripts/test.sh runs it (BROWSER_TEST=0 skips it there); by hand, with the
    servers and env of scripts/test.sh: .venv/bin/python tests/browser/test_cookie_domain.py

Exits 0 when every check passed, 1 otherwise.
"""
import http.server
import os
import shutil
import sys
import tempfile
import threading
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_tracker as browser  # noqa: E402  (its Stack, wait and check helpers)

browser.LOG_TAG = "cookie-domain"
from test_tracker import check, log  # noqa: E402

PARENT = "shop.test"
SITE_HOST = f"www.{PARENT}"
INGEST_HOST = f"ingest.{PARENT}"


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """The site on www.shop.test: a page with the tracker; records each request's Cookie header."""

    ingest_origin = ""
    cookies = []

    def do_GET(self):
        SiteHandler.cookies.append((self.path, self.headers.get("Cookie", "")))
        body = (f'<!doctype html><html><head><meta charset="utf-8"><title>Shop {self.path}</title>'
                f'<script defer src="{self.ingest_origin}/tracker.js"></script></head>'
                f'<body><h1 id="heading">Shop {self.path}</h1></body></html>').encode()
        browser.send_page(self, body, "text/html; charset=utf-8")

    def log_message(self, *args):
        pass


def start_browser():
    """Headless Chromium as test_tracker starts it, resolving *.shop.test to loopback."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-agent={browser.USER_AGENT}",
                "--no-first-run", "--disable-extensions", f"--host-resolver-rules=MAP *.{PARENT} 127.0.0.1"]:
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def main():
    env = os.environ
    missing = [k for k in ["SLUICE_BIN_DIR", "SLUICE_TEST_REDIS_URL", "SLUICE_TEST_MONGO_URL"] if not env.get(k)]
    if missing:
        browser.fail(f"{', '.join(missing)} not set: run it through scripts/test.sh (make test), which starts the servers")
    if not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("chromedriver"):
        browser.fail("chromium or chromedriver not found: apt-get install chromium chromium-driver (scripts/bootstrap.sh does)")
    import pymongo

    redis_url = env["SLUICE_TEST_REDIS_URL"].rstrip("/") + f"/{browser.REDIS_DB}"
    database = f"cookiedomain_{uuid.uuid4().hex[:8]}"
    mongo_base = env["SLUICE_TEST_MONGO_URL"].rstrip("/")
    tmp = tempfile.mkdtemp(prefix="sluice-cookie-domain.")
    browser.redis_flush(redis_url)
    stack = browser.Stack(env["SLUICE_BIN_DIR"], redis_url, f"{mongo_base}/{database}", tmp)
    stack.settings["SLUICE_COOKIE_DOMAIN"] = f".{PARENT}"
    stack.settings["SLUICE_INGEST_HOST"] = "127.0.0.1"
    mongo = pymongo.MongoClient(mongo_base + "/", serverSelectionTimeoutMS=5000)
    site = driver = None
    ok = False
    try:
        stack.start()
        SiteHandler.ingest_origin = f"http://{INGEST_HOST}:{stack.ingest_port}"
        site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        site_origin = f"http://{SITE_HOST}:{site.server_address[1]}"
        log(f"site {site_origin}, ingest {SiteHandler.ingest_origin}, mongo database {database}")
        driver = start_browser()
        driver.get(f"{site_origin}/first")
        db = mongo[database]
        page = browser.wait_for("the tracker's page view to be stored", lambda: stack.alive()
                                and db.pageviews.find_one({"url": f"{site_origin}/first"}), timeout=30)
        visitor = page.get("visitorId")
        cookies = {c["name"]: c for c in driver.get_cookies()}
        cookie = cookies.get("sluice_visitor", {})
        check(cookie.get("domain") == f".{PARENT}", f"ingest's cookie is on the parent domain: {cookie}")
        check(cookie.get("value") == visitor, f"the cookie holds the stored page view's visitor {visitor!r}: {cookie}")
        driver.get(f"{site_origin}/second")
        browser.wait_for("the second page load", lambda: any(path == "/second" for path, _ in SiteHandler.cookies))
        sent = dict(SiteHandler.cookies)["/second"]
        check(f"sluice_visitor={visitor}" in sent, f"the site's own host receives the visitor cookie ingest set: {sent!r}")
        check(dict(SiteHandler.cookies)["/first"] == "", "no cookie before the first visit")
        browser.wait_for("the second page view", lambda: db.pageviews.find_one({"url": f"{site_origin}/second"}), timeout=30)
        visitors = {p.get("visitorId") for p in db.pageviews.find({})}
        check(visitors == {visitor}, f"both page views have one visitor: {visitors}")
        ok = not browser.failures
    except Exception as error:
        browser.failures.append(f"{type(error).__name__}: {error}")
        log(f"error: {type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        if site is not None:
            site.shutdown()
        browser.clean_up(stack, ok, mongo, database, redis_url, tmp)
    return browser.verdict()


if __name__ == "__main__":
    sys.exit(main())
