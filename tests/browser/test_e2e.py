"""End-to-end: the real dashboard in headless Chromium, as a class meets it.

Each test opens fresh browser contexts (new sessions) against one
``streamlit run`` server. Pages are treated alike: widgets and charts are
found by ``data-testid`` and widget keys, never by a page's wording, so the
pages can be rewritten without touching these tests. Screenshots of every page
in light and dark theme and at phone width go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import time

import numpy as np
import pytest

from . import e2e

pytestmark = pytest.mark.browser

#: Every page st.navigation registers, by URL path (file name without ".py"; home is "/").
#: The pages that share the sidebar's function picker (f of x).
PAGES = ["/", "/symbolic", "/numerical", "/autodiff", "/speed_race"]
#: Every page: the many-variables page has its own picker, for f(x, y).
ALL_PAGES = PAGES + ["/many_variables"]
TYPED = "x^3 - 2*x"
TYPED_TEX = "x^{3} - 2 x"


def _name(path: str) -> str:
    return path.strip("/") or "home"


def _no_errors(page, server, where: str) -> None:
    shown = e2e.exceptions(page)
    assert not shown, f"{where}: exception on the page: {shown}\nserver log:\n{server.log_tail()}"
    assert not page.errors, f"{where}: JavaScript errors: {page.errors}"


def test_navigation_lists_every_page(new_page, server):
    page = new_page()
    e2e.load(page, server.url + "/")
    assert sorted(e2e.nav_paths(page)) == sorted(ALL_PAGES)
    # The picker's default choice is written to the URL at once, so even a first link is shareable.
    assert e2e.query(page.url).get("f"), page.url


def _survey(page, server, path: str, shot: str, walk: bool = True) -> list[dict]:
    """Check each tab view of the page; screenshot the first view and the first view with charts.

    With ``walk=False`` it stops at the first view that shows a chart.
    Returns the states of every chart seen on screen.
    """
    e2e.show_charts(page)
    seen, shot_charts = [], False
    for view in e2e.tab_views(page):
        if seen and not walk:
            break
        where = f"{path} (tabs clicked: {view})"
        _no_errors(page, server, where)
        width = page.evaluate("document.documentElement.clientWidth")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width + 1, f"{where}: the page scrolls sideways ({overflow} > {width} px)"
        states = [dict(st, view=view) for st in e2e.chart_states(page) if st["visible"]]
        for st in states:
            assert st["drawn"], f"{where}: a chart has no marks drawn: {st}"
            assert st["height"] >= 150, f"{where}: a chart is too small to read: {st}"
            assert st["width"] <= width, f"{where}: a chart is wider than the window: {st}"
            assert st["cut"] <= 2, f"{where}: a chart's legend or title is cut off at the right: {st}"
        if not view:
            e2e.screenshot(page, shot)
        elif states and not shot_charts and not seen:
            e2e.screenshot(page, shot + "-charts")
        shot_charts = shot_charts or bool(states)
        seen += states
    assert seen, f"{path}: no chart on the page"
    return seen


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_renders_charts_with_csv_in_theme(new_page, server, baseline, path, theme):
    """Every page: no exception, every chart drawn and readable in every tab, a CSV beside each chart.

    Light theme walks every tab; dark theme stops at the first view with charts.
    """
    page = new_page(theme=theme)
    e2e.load(page, server.url + path)
    if theme == "light":
        baseline.setdefault(path, e2e.signatures(page))
    lum = e2e.background_luminance(page)
    assert (lum > 0.8) if theme == "light" else (lum < 0.1), f"{path}: {theme} theme not applied (luminance {lum:.2f})"
    _survey(page, server, path, f"{_name(path)}-{theme}", walk=theme == "light")

    # Every chart offers its data: a CSV download follows each chart before the next one.
    order = e2e.chart_download_order(page)
    assert order.count("D") >= order.count("C"), f"{path}: fewer CSV downloads than charts ({order})"
    for i, ch in enumerate(order):
        if ch == "C":
            nxt = order[i + 1:].replace("C", "|", 1).split("|")[0]
            assert "D" in nxt, f"{path}: chart {order[:i + 1].count('C')} has no CSV download next to it ({order})"


@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_fits_a_phone_with_a_typed_function_from_the_url(new_page, server, path):
    """At 390 px nothing scrolls sideways and charts fit; a link's typed function reaches the page."""
    page = new_page(phone=True)
    if path in PAGES:
        e2e.load(page, f"{server.url}{path}?f=typed&expr=x%5E3+-+2%2Ax")
        assert e2e.sidebar_latex(page) == f"f(x) = {TYPED_TEX}", path
        assert e2e.typed_text(page) == TYPED, path
    else:  # its own picker: a typed f(x, y) from the link
        e2e.load(page, f"{server.url}{path}?mv_f=typed&mv_expr=x%5E2+y+-+y%5E3")
        assert page.locator('[data-testid="stException"]').count() == 0, path
    _survey(page, server, path, f"{_name(path)}-phone")


@pytest.mark.parametrize("path", ALL_PAGES)
def test_keyboard_slider_changes_chart_and_link_reproduces_it(new_page, server, path):
    """Move the page's sliders with the arrow keys until a chart changes; then share the link.

    Every tab view is tried in turn. The first slider whose move changes both
    the URL (it is bound to the query string) and a chart on screen is the one
    shared; a slider that is not in the URL is put back. The link from the
    sidebar's "copy link" control, opened in a new browser session, must show
    the same function and slider values, and the changed charts the same data
    (compared through their CSV downloads: the drawings themselves differ by a
    pixel when fonts load at another moment).
    """
    page = new_page(clipboard=True)
    e2e.load(page, server.url + path)
    gated = e2e.show_charts(page)   # charts that appear only after the primary button
    found, tried = None, 0
    for view in e2e.tab_views(page):
        before = e2e.signatures(page)
        if not any(sig != "hidden" for sig in before):
            continue
        for thumb in e2e.main_sliders(page)[:6]:
            tried += 1
            url0 = page.url
            key = e2e.nudge(page, thumb)
            _no_errors(page, server, path)
            if gated:
                e2e.press_primary(page)
            after = e2e.signatures(page)
            if e2e.query(page.url) != e2e.query(url0) and after != before:
                found = view
                changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b and b != "hidden"]
                break
            # Not in the URL (or changed nothing): put it back, so the shared state stays in the URL.
            e2e.nudge(page, thumb, "ArrowLeft" if key == "ArrowRight" else "ArrowRight")
            if gated:
                e2e.press_primary(page)
            before = e2e.signatures(page)
        if found is not None:
            break
    assert tried, f"{path}: no slider next to a chart"
    assert found is not None, f"{path}: none of {tried} sliders is bound to the URL and changes a chart"

    link = e2e.share_link(page)
    assert link.startswith(server.url) and e2e.url_path(link) == path, link
    assert e2e.query(link) == e2e.query(page.url), (link, page.url)
    values = e2e.slider_values(page)
    data = {i: e2e.chart_csv(page, i) for i in changed} if not gated else {}

    fresh = new_page()
    e2e.load(fresh, link)
    _no_errors(fresh, server, f"{path} from a shared link")
    if gated:
        e2e.press_primary(fresh)
    e2e.open_view(fresh, found)
    assert e2e.slider_values(fresh) == values
    assert e2e.sidebar_latex(fresh) == e2e.sidebar_latex(page)
    # The charts the slider changed hold the same data (timings differ run to run: not compared).
    for i, csv_text in data.items():
        assert e2e.chart_csv(fresh, i) == csv_text, f"{path}: chart {i} has other data from the link"


def test_typed_function_follows_every_page(new_page, server, baseline):
    """A function typed on home reaches every page through session state (page switches).

    Each page's charts must differ from what they draw for the default function
    (recorded by the light-theme render tests, or here when run alone). The URL
    route (a new session opening ``?f=typed&expr=…``) is checked on every page by
    the phone test.
    """
    page = new_page()
    missing = [p for p in PAGES if p not in baseline]
    if missing:
        e2e.load(page, server.url + missing[0])
        for path in missing:
            if path != missing[0]:
                e2e.go_to_page(page, path)
            baseline[path] = e2e.signatures(page)
    e2e.load(page, server.url + "/")
    default_tex = e2e.sidebar_latex(page)

    e2e.choose_typed(page, TYPED)
    _no_errors(page, server, "typing a function")
    assert e2e.sidebar_latex(page) == f"f(x) = {TYPED_TEX}" != default_tex
    assert e2e.query(page.url).get("f") == ["typed"] and e2e.query(page.url).get("expr") == [TYPED], page.url

    for path in PAGES[1:] + ["/"]:
        if path != "/" or e2e.url_path(page.url) != "/":
            e2e.go_to_page(page, path)
        _no_errors(page, server, path)
        assert e2e.sidebar_latex(page) == f"f(x) = {TYPED_TEX}", path
        assert e2e.typed_text(page) == TYPED, path
        assert e2e.query(page.url).get("expr") == [TYPED], f"{path}: {page.url}"
        now = e2e.signatures(page)
        if any(sig not in ("hidden", "empty") for sig in baseline[path]):
            assert now != baseline[path], f"{path}: charts did not change for the typed function"


def test_link_reproduces_home_state_with_its_data(new_page, server):
    """A hand-written link sets home's function and points; the CSV holds exactly that data."""
    page = new_page()
    e2e.load(page, server.url + "/?f=typed&expr=sin(x)&home_n=50&home_range=-2&home_range=3")
    _no_errors(page, server, "home from a link")
    assert e2e.typed_text(page) == "sin(x)"
    assert e2e.sidebar_latex(page) == r"f(x) = \sin{\left(x \right)}"
    assert page.locator('.st-key-home_n input[type="range"]').input_value() == "50"
    assert [t.input_value() for t in page.locator('.st-key-home_range input[type="range"]').all()] == ["-2", "3"]

    text = e2e.download_text(page, page.locator(".st-key-csv_home_curves button:visible").first)
    rows = list(csv.DictReader(io.StringIO(text)))
    f = [r for r in rows if r["series"] == "f(x)"]
    x = np.array([float(r["x"]) for r in f])
    y = np.array([float(r["y"]) for r in f])
    assert len(f) == 50 and x.min() == -2 and x.max() == 3
    np.testing.assert_allclose(y, np.sin(x), atol=1e-12)


def test_server_memory_at_idle(new_page, server, baseline):
    """RSS of the server after every page has been loaded once; written to artifacts/memory.txt.

    Community Cloud guarantees an app 690 MB and stops it above 2.7 GB. The
    server process itself must fit the guaranteed share; with the worker
    processes it starts (core.sandbox) it must stay below the cap. (Pages the
    render tests loaded are not loaded again.)
    """
    missing = [p for p in PAGES if p not in baseline]
    if missing:
        page = new_page()
        e2e.load(page, server.url + missing[0])
        for path in missing[1:]:
            e2e.go_to_page(page, path)
        page.context.close()   # the session ends; what stays is the server's idle footprint
    time.sleep(3)
    alone, tree = e2e.process_tree_rss_mb(server.pid)
    assert alone > 50, "could not read the server's memory"
    mb = 1.048576  # MB per MiB
    report = (f"streamlit server RSS after loading every page once, idle: {alone:.0f} MiB ({alone * mb:.0f} MB); "
              f"with its worker processes: {tree:.0f} MiB ({tree * mb:.0f} MB)\n")
    (e2e.ROOT / "artifacts").mkdir(exist_ok=True)
    (e2e.ROOT / "artifacts" / "memory.txt").write_text(report)
    print(report)
    assert alone * mb < 690, report
    assert tree * mb < 2700 * 0.9, report
