"""The seed's visitor and session routes against the raw collections, and the
dashboard's access control with SLUICE_ADMIN_TOKEN set: every route of
docs/dashboard.openapi.json (and the real-time event stream) refuses an anonymous
caller but the login and `current`; a bearer token and the cookie of POST /login
open them, a wrong token does not, and a logout revokes the cookie.
"""
import json
import os
import urllib.parse

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.wait import WebDriverWait

import expected
from test_tracker import ROOT, check, http_request, log

SPEC = os.path.join(ROOT, "docs", "dashboard.openapi.json")
# Open with a token set (docs/dashboard.md, "Access"): the login itself and a visitor's own ids.
OPEN_ROUTES = {("GET", "/login"), ("POST", "/login"), ("GET", "/api/analytics/analytics/current")}
LOGIN_COOKIE = "sluice_dashboard"


def check_seed_routes(port, db, visitor):
    """The visitor route answers the visitor's sessions newest first; the session route
    the session's events, every kind, in time order; unknown ids are 404."""
    sessions = expected.visitor_sessions(db, visitor)
    status, _, body = http_request(port, "GET", f"/api/analytics/analytics/visitor/{visitor}")
    answer = json.loads(body) if status == 200 else {}
    got = [s.get("_id") for s in answer.get("sessions", [])]
    check(status == 200 and answer.get("visitor", {}).get("_id") == visitor and got == sessions and answer.get("next") is None,
          f"the visitor route answers {visitor}'s sessions newest first: {status}, {got}, the raw collections give {sessions}")
    for session in sessions:
        want = expected.session_events(db, session)
        status, _, body = http_request(port, "GET", f"/api/analytics/analytics/session/{urllib.parse.quote(session)}")
        answer = json.loads(body) if status == 200 else {}
        events = answer.get("events", [])
        got = [(e.get("kind"), e.get("eventId")) for e in events]
        times = [e.get("timestamp") for e in events]
        check(status == 200 and answer.get("session", {}).get("_id") == session and got == want and times == sorted(times),
              f"the session route answers {session}'s events in time order: {status}, {got}, the raw collections give {want}")
        log(f"session route: {session}: {len(got)} events, {', '.join(kind for kind, _ in got)}")
    for route in ["visitor/no-such-visitor", "session/no-such-session"]:
        status, _, _ = http_request(port, "GET", f"/api/analytics/analytics/{route}")
        check(status == 404, f"/api/analytics/analytics/{route} answers 404 ({status})")


def protected_routes(visitor, session):
    """Every (method, path) of the contract but the open ones, path parameters filled in
    with seeded ids, plus the real-time event stream the contract leaves out."""
    with open(SPEC) as f:
        paths = json.load(f)["paths"]
    routes = [("GET", "/api/dashboard/realtime/stream")]
    for path, operations in paths.items():
        filled = path.replace("{visitorId}", visitor).replace("{sessionId}", urllib.parse.quote(session))
        routes += [(method.upper(), filled) for method in operations if method in ("get", "post")]
    return [(method, path) for method, path in routes if (method, path) not in OPEN_ROUTES]


def check_anonymous(port, visitor, session):
    """Every protected route refuses a caller without the token: 401 for JSON and CSV,
    a 303 to /login for pages; the open ones answer."""
    routes = protected_routes(visitor, session)
    for method, path in routes:
        status, headers, body = http_request(port, method, path, {"Content-Type": "application/x-www-form-urlencoded"},
                                             b"" if method == "POST" else None)
        refused = status == 401 or (status == 303 and headers.get("location") == "/login")
        check(refused and visitor.encode() not in body, f"anonymous {method} {path} is refused ({status}, {headers.get('location')})")
        status, headers, _ = http_request(port, method, path, {"Authorization": "Bearer not-the-token-0123456789"})
        check(status in (401, 303), f"{method} {path} with a wrong bearer token is refused ({status})")
    status, _, _ = http_request(port, "GET", "/login")
    check(status == 200, f"GET /login is open ({status})")
    status, _, _ = http_request(port, "GET", "/api/analytics/analytics/current")
    check(status == 200, f"GET /api/analytics/analytics/current is open ({status})")
    log(f"token set: {len(routes)} routes refuse an anonymous caller; /login and current answer")


def check_bearer(port, token, visitor):
    """`Authorization: Bearer <token>` opens the visitor route."""
    status, _, body = http_request(port, "GET", f"/api/analytics/analytics/visitor/{visitor}", {"Authorization": f"Bearer {token}"})
    check(status == 200 and json.loads(body).get("visitor", {}).get("_id") == visitor, f"the bearer token opens the visitor route ({status})")


def log_in(driver, origin, token):
    """Logs in through the form; a wrong token first, which must fail without a cookie."""
    for attempt in ["wrong-token-0123456789abcdef", token]:
        driver.get(f"{origin}/login")
        driver.find_element("id", "token").send_keys(attempt)
        button = driver.find_element("css selector", "form[action='/login'] button")
        button.click()
        WebDriverWait(driver, 10).until(replaced(button))  # the answer to the POST has loaded
        cookie = driver.get_cookie(LOGIN_COOKIE)
        if attempt != token:
            check(cookie is None and driver.execute_script("return location.pathname") == "/login",
                  f"a wrong token logs nobody in ({driver.current_url}, {cookie})")
    check(driver.execute_script("return location.pathname") == "/", f"the login leads to the overview ({driver.current_url})")
    check(cookie is not None and cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict" and "expiry" in cookie,
          f"the login cookie is HttpOnly, SameSite=Strict and expires ({cookie})")


def replaced(element):
    """A wait condition: `element`'s page has been replaced by the next one.

    Selenium's `staleness_of` waits for StaleElementReferenceException, but Chromium
    may instead answer a lookup of a node from the page being torn down with "Node
    with given id does not belong to the document", a plain WebDriverException; both
    mean the old page is gone.
    """
    def gone(_driver):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return gone


def log_out(driver, origin):
    """The pages' logout button ends the login: its cookie no longer opens a page."""
    cookie = driver.get_cookie(LOGIN_COOKIE)
    button = driver.find_element("css selector", "form[action='/logout'] button")
    button.click()
    WebDriverWait(driver, 10).until(replaced(button))
    check(driver.get_cookie(LOGIN_COOKIE) is None, "logging out clears the login cookie")
    driver.get(f"{origin}/")
    check(driver.execute_script("return location.pathname") == "/login", f"after logging out a page leads to the login ({driver.current_url})")
    if cookie:
        status, headers, _ = http_request(int(origin.rsplit(":", 1)[1]), "GET", "/", {"Cookie": f"{LOGIN_COOKIE}={cookie['value']}"})
        check(status == 303 and headers.get("location") == "/login", f"the logged-out cookie, sent again, is refused ({status})")
