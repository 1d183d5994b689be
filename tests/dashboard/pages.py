"""Reads the dashboard's pages in Chromium and compares what they show with the figures
expected.py computed from the raw collections, page by page; saves a screenshot of each.

The figures are read from the DOM the way a person reads them: each headline
card's shown value (`[data-figure=<key>] .value`), each table's cells
(`[data-table=<name>]`), the real-time page's `#rt-*` elements and the journey
page's `#sessions` and `#timeline` rows.
"""
import os

import expected
from test_tracker import check, log

# Every page (path, name) in the navigation bar's order; the report pages' names are
# those of expected.figures, and they are read for one UTC day.
PAGES = [("/", "overview"), ("/realtime", "realtime"), ("/chats", "chats"), ("/tools", "tools"), ("/lab", "lab"),
         ("/journey", "journey"), ("/funnels", "funnels"), ("/performance", "performance")]
SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT = 1200, 1400

READ_FIGURES = """
    var out = {};
    document.querySelectorAll('[data-figure]').forEach(function (card) {
      out[card.dataset.figure] = card.querySelector('.value').textContent.trim();
    });
    return out;"""
READ_COLUMNS = """
    var cells = document.querySelectorAll(arguments[0] + ' thead th');
    return Array.prototype.map.call(cells, function (cell) { return cell.textContent.trim(); });"""
READ_TABLE = """
    var rows = document.querySelectorAll(arguments[0] + ' tbody tr');
    return Array.prototype.map.call(rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent.trim(); });
    });"""


def open_page(driver, origin, path, screenshots, name):
    """Loads `path`; with `screenshots` a directory, saves the whole page there as `name`.png."""
    driver.get(origin + path)
    check(driver.execute_script("return location.pathname") == path.split("?")[0],
          f"{path} opened as itself (at {driver.current_url}: a login redirect?)")
    if screenshots:
        os.makedirs(screenshots, exist_ok=True)
        # The whole page (at most SCREENSHOT_HEIGHT), the window's own frame added; measured
        # in a short window, as a page never measures shorter than its window.
        driver.set_window_size(SCREENSHOT_WIDTH, 300)
        height, frame = driver.execute_script("return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
        driver.set_window_size(SCREENSHOT_WIDTH, min(height, SCREENSHOT_HEIGHT) + frame)
        target = os.path.join(screenshots, f"{name}.png")
        driver.save_screenshot(target)
        driver.set_window_size(1280, 800)
        log(f"screenshot {target}")


def table(driver, name):
    """The rows of the table `name` on the page, as cell texts."""
    return driver.execute_script(READ_TABLE, f'[data-table="{name}"]')


def check_rows(driver, path, name, want):
    """The table `name` holds a row per expected first cell, with the expected values in the
    columns named; rows are matched by their first cell, every column by its heading."""
    selector = f'[data-table="{name}"]'
    columns = driver.execute_script(READ_COLUMNS, selector)
    shown = {row[0]: dict(zip(columns, row)) for row in driver.execute_script(READ_TABLE, selector) if row}
    check(sorted(shown) == sorted(want), f"{path}: table {name} has rows {sorted(shown)}, the raw collections give {sorted(want)}")
    for key, values in want.items():
        got = {column: shown.get(key, {}).get(column) for column in values}
        check(got == values, f"{path}: table {name}, row {key}: {got}, the raw collections give {values}")


def check_report(driver, origin, path, name, figures, day, screenshots=None):
    """A report page's headline figures, its main table's rows (`figures["rows"]`) and on the
    overview the top page equal the expected ones."""
    open_page(driver, origin, f"{path}?range=custom&from={day.isoformat()}&to={day.isoformat()}", screenshots, name)
    shown = driver.execute_script(READ_FIGURES)
    want = {key: value for key, value in figures[name].items() if not key.startswith("topPage")}
    for key, value in want.items():
        check(shown.get(key) == value, f"{path}: {key} shows {shown.get(key)!r}, the raw collections give {value!r}")
    log(f"{path}: {', '.join(f'{key} {shown.get(key)}' for key in want)}")
    if name in figures["rows"]:
        check_rows(driver, path, *figures["rows"][name])
    if name == "overview":
        pages = table(driver, "pages")
        top = pages[0][:2] if pages else None
        check(top == [figures[name]["topPage"], figures[name]["topPageViews"]],
              f"/: the top page is {top}, the raw collections give {figures[name]['topPage']} ({figures[name]['topPageViews']} views)")


def check_bots_included(driver, origin, db, day):
    """With "Include bots" (`audience=all`) the overview counts the crawler's page views too."""
    want = expected.everyone(db, day)
    open_page(driver, origin, f"/?range=custom&from={day.isoformat()}&to={day.isoformat()}&audience=all", None, "overview-all")
    shown = driver.execute_script(READ_FIGURES).get("pageViews")
    pages = table(driver, "pages")
    top = pages[0][:2] if pages else None
    check(shown == want["pageViews"] and top == want["topPage"],
          f"/?audience=all: page views {shown}, top page {top}; the raw collections give {want['pageViews']}, {want['topPage']}")
    log(f"/?audience=all: page views {shown}, top page {top} (bots included)")


def check_funnels(driver, origin, db, day):
    """Each configured funnel, chosen on the funnels page, shows its cohort step by step."""
    for name, steps, reached in expected.funnels(db, day):
        figures, rows = expected.funnel_figures(steps, reached)
        open_page(driver, origin, f"/funnels?range=custom&from={day.isoformat()}&to={day.isoformat()}&funnel={name}", None, "funnel")
        shown = driver.execute_script(READ_FIGURES)
        got = {key: shown.get(key) for key in figures}
        check(got == figures, f"/funnels?funnel={name}: {got}, the raw collections give {figures}")
        check_rows(driver, f"/funnels?funnel={name}", "funnel-steps", rows)
        log(f"/funnels?funnel={name}: {' > '.join(steps)}: visitors {reached}, {figures['funnelConversion']}")


def check_realtime(driver, origin, db, now, screenshots=None):
    """The real-time page's live visitors, active sessions, events of the last 30 minutes
    and pages viewed now equal what the raw collections hold for those windows."""
    want = expected.realtime(db, now())
    open_page(driver, origin, "/realtime", screenshots, "realtime")
    shown = {key: driver.find_element("id", f"rt-{key}").text for key in ["visitors", "sessions", "events"]}
    for key, value in shown.items():
        check(value == want[key], f"/realtime: {key} shows {value!r}, the raw collections give {want[key]!r}")
    pages = driver.execute_script(READ_TABLE, "#rt-pages")
    check(pages == want["pages"], f"/realtime: pages being viewed now {pages}, the raw collections give {want['pages']}")
    log(f"/realtime: live visitors {shown['visitors']}, active sessions {shown['sessions']}, events {shown['events']}, pages {pages}")


def check_journey(driver, origin, db, visitor, screenshots=None):
    """The journey page lists the visitor's sessions newest first and shows the oldest
    session's events in time order, of the kinds stored."""
    sessions = expected.visitor_sessions(db, visitor)
    open_page(driver, origin, f"/journey?q={visitor}", None, "journey")
    rows = driver.execute_script("""return Array.prototype.map.call(document.querySelectorAll('#sessions tbody tr a'),
        function (a) { return new URL(a.href).searchParams.get('session'); });""")
    check(rows == sessions, f"/journey: {visitor}'s sessions newest first {rows}, the raw collections give {sessions}")
    oldest = sessions[-1]
    events = expected.session_events(db, oldest)
    open_page(driver, origin, f"/journey?q={visitor}&session={oldest}", screenshots, "journey")
    kinds = driver.execute_script("""return Array.prototype.map.call(document.querySelectorAll('#timeline tbody tr'),
        function (row) { return row.dataset.kind; });""")
    check(kinds == [kind for kind, _ in events], f"/journey: the session's timeline {kinds}, the raw collections give {events}")
    log(f"/journey: {len(rows)} sessions of {visitor}; the oldest has {len(kinds)} events: {', '.join(kinds)}")


def check_all(driver, origin, db, day, now, visitor, screenshots=None):
    """Every page, in the navigation bar's order; `now` gives the current time for the
    real-time page's windows."""
    figures = {**expected.figures(db, day), "rows": expected.rows(db, day)}
    for path, name in PAGES:
        if name == "realtime":
            check_realtime(driver, origin, db, now, screenshots)
        elif name == "journey":
            check_journey(driver, origin, db, visitor, screenshots)
        else:
            check_report(driver, origin, path, name, figures, day, screenshots)
        if name == "overview":
            check_bots_included(driver, origin, db, day)
        if name == "funnels":
            check_funnels(driver, origin, db, day)
