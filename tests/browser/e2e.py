"""Helpers for driving the dashboard in a real browser (Playwright, sync API).

Everything here finds elements by Streamlit's ``data-testid`` attributes and
by widget keys (Streamlit gives a keyed widget's container the class
``st-key-<key>``), never by the wording of a page, so the pages can change
their text freely.
"""

from __future__ import annotations

import pathlib
import re
import time
from urllib.parse import parse_qsl, urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"

#: Streamlit's own end-to-end tests wait for this: the script has finished its run.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
CHART = '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
# 1.67 draws sliders with a hidden <input type="range">; older releases with role="slider".
SLIDER_THUMB = '[data-testid="stSlider"] input[type="range"], [data-testid="stSlider"] [role="slider"]'

LOAD_TIMEOUT_MS = 120_000   # the first visit of a page may compile JAX functions
RERUN_TIMEOUT_MS = 90_000

# Script runs are counted from the server's own messages on the page's websocket: a
# ``script_finished`` ForwardMsg ends each run. (The stApp element's script-state
# attribute is not enough: when a run takes a few milliseconds, React draws only its
# end, and "running" never reaches the DOM.) A run cut short for a newer rerun is not
# counted: the one that replaces it is.
def watch_runs(page) -> None:
    """Count the script runs the server finishes for ``page`` (call before the first goto).

    Works on Playwright's sync and async pages alike; ``bench/load.py`` uses it too.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    early = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
    page.script_runs = 0
    page.runs_armed = 0

    def on_frame(payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = ForwardMsg()
        msg.ParseFromString(bytes(payload))
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != early:
            page.script_runs += 1

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


# Remembers when the document last changed (any element, attribute or text).
# The script-state flips are changes too, so a run that just ended counts as recent.
_QUIET = """() => {
  if (window.__e2eQuietObserver) return;
  window.__e2eLastChange = performance.now();
  window.__e2eQuietObserver = new MutationObserver(() => { window.__e2eLastChange = performance.now(); });
  window.__e2eQuietObserver.observe(document.documentElement,
                                    {attributes: true, childList: true, characterData: true, subtree: true});
}"""
QUIET_MS = 800

# A short fingerprint of every chart's drawing (SVG markup or canvas pixels).
_SIGNATURES = """(sel) => {
  const hash = (s) => { let h = 2166136261; for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); } return (h >>> 0).toString(16) + ':' + s.length; };
  return [...document.querySelectorAll(sel)].map(el => {
    if (el.offsetParent === null) return 'hidden';
    const svg = el.querySelector('svg.marks');
    if (svg) return hash(svg.outerHTML);
    const canvas = el.querySelector('canvas');
    if (canvas) { try { return hash(canvas.toDataURL()); } catch (e) { return 'canvas?'; } }
    return 'empty';
  });
}"""

# For each chart: is it drawn (an SVG with marks, or a non-empty canvas) and how big.
_CHART_STATE = """(sel) => [...document.querySelectorAll(sel)].map(el => {
  const r = el.getBoundingClientRect();
  const svg = el.querySelector('svg.marks');
  const canvas = el.querySelector('canvas');
  const drawn = svg ? svg.querySelectorAll('.role-mark').length > 0
                    : !!(canvas && canvas.width > 0 && canvas.height > 0);
  const visible = r.width > 0 && r.height > 0 && el.offsetParent !== null;
  // Legends and titles that run past the chart's right edge are cut off (phones).
  let cut = 0, what = '';
  if (svg && visible) {
    const right = svg.getBoundingClientRect().right;
    svg.querySelectorAll('.role-legend, .role-title').forEach(g => {
      const over = Math.round(g.getBoundingClientRect().right - right);
      if (over > cut) { cut = over; what = (g.classList.contains('role-title') ? 'title: ' : 'legend: ')
                                         + g.textContent.slice(0, 80); } });
  }
  return {drawn, visible, cut, what, width: Math.round(r.width), height: Math.round(r.height)};
})"""

# Chart and CSV-download elements of the main area in document order: "C" and "D".
_CHART_DOWNLOAD_ORDER = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stVegaLiteChart"], [data-testid="stMain"] [data-testid="stArrowVegaLiteChart"], '
    + '[data-testid="stMain"] [data-testid="stDownloadButton"]')]
  .map(el => el.getAttribute('data-testid') === 'stDownloadButton' ? 'D' : 'C').join('')"""


def url_path(url: str) -> str:
    return urlsplit(url).path or "/"


def query(url: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        out.setdefault(k, []).append(v)
    return out


def arm(page) -> None:
    """Start counting script runs from now (call before the action that reruns)."""
    page.runs_armed = page.script_runs


def wait_rerun(page, timeout_ms: int = RERUN_TIMEOUT_MS) -> None:
    """Wait until a run started after :func:`arm` has finished, then let the page settle."""
    deadline = time.monotonic() + timeout_ms / 1000
    while page.script_runs <= page.runs_armed:
        assert time.monotonic() < deadline, f"no script run finished within {timeout_ms / 1000:.0f} s"
        page.wait_for_timeout(50)
    settle(page, timeout_ms)


def settle(page, timeout_ms: int = LOAD_TIMEOUT_MS) -> None:
    """Wait for the script to be idle, the sidebar drawn, and the page's drawing quiet.

    The script-state attribute flips to "notRunning" when the server says the run
    is over, but the browser draws the run's elements a moment later (charts last),
    so idle alone is not enough: the document must also stop changing for
    ``QUIET_MS`` and every chart must have drawn something.
    """
    # Every page draws its sidebar: the function picker, or (many variables) the copy-link control.
    page.wait_for_selector(f'{SIDEBAR} :is([data-testid="stSelectbox"], [data-testid="stPopover"])',
                           state="attached", timeout=timeout_ms)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    page.evaluate(_QUIET)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        quiet = page.evaluate("() => performance.now() - window.__e2eLastChange")
        sigs = signatures(page)
        if quiet >= QUIET_MS and "empty" not in sigs and page.locator(IDLE).count() == 1:
            return
        page.wait_for_timeout(150)


def load(page, url: str) -> None:
    """Open ``url`` in ``page`` and wait for its first script run to finish and draw."""
    arm(page)
    page.goto(url, wait_until="domcontentloaded")
    wait_rerun(page, LOAD_TIMEOUT_MS)


def signatures(page) -> list[str]:
    return page.evaluate(_SIGNATURES, f"{MAIN} :is({CHART})")


_DOWNLOAD_AFTER = """([sel, i]) => {
  const chart = document.querySelectorAll(sel)[i];
  const buttons = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDownloadButton"]')];
  return buttons.findIndex(b => chart.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def chart_csv(page, i: int) -> str:
    """The data of chart ``i`` (main area, page order), from the CSV download that follows it."""
    j = page.evaluate(_DOWNLOAD_AFTER, [f"{MAIN} :is({CHART})", i])
    assert j >= 0, f"chart {i} has no download after it"
    button = page.locator(f'{MAIN} [data-testid="stDownloadButton"]').nth(j).locator("button:visible").first
    return download_text(page, button)


def download_text(page, button) -> str:
    with page.expect_download(timeout=30_000) as info:
        button.click()
    return pathlib.Path(info.value.path()).read_text(encoding="utf-8")


def chart_states(page) -> list[dict]:
    return page.evaluate(_CHART_STATE, f"{MAIN} :is({CHART})")


def chart_download_order(page) -> str:
    return page.evaluate(_CHART_DOWNLOAD_ORDER)


def exceptions(page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


def show_charts(page) -> bool:
    """Make sure the page shows its charts; True when it needed its primary button pressed.

    Most pages draw charts straight away. A page whose charts come from a costly
    action (the speed race) draws them after its primary button is pressed.
    """
    if any(sig != "hidden" for sig in signatures(page)):
        return False
    if _primary(page) is None:
        return False
    press_primary(page)
    return True


def _primary(page):
    buttons = page.locator(f'{MAIN} [data-testid="stBaseButton-primary"]')
    return next((b for b in buttons.all() if b.is_visible() and b.is_enabled()), None)


def press_primary(page) -> None:
    """Press the first visible primary button and wait for its run and a chart on screen."""
    button = _primary(page)
    assert button is not None, "no primary button to press"
    arm(page)
    button.click()
    wait_rerun(page, timeout_ms=180_000)
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].some(el => el.offsetParent !== null)",
        arg=f"{MAIN} :is({CHART})", timeout=30_000)
    settle(page)


TAB = f'{MAIN} [data-testid="stTab"]'


def tab_views(page, limit: int = 30):
    """Visit every view of the page's tabs (nested ones too), yielding after each.

    Yields the list of tab indices clicked so far; :func:`open_view` replays it
    on a freshly loaded page. The first view (nothing clicked) comes first.
    """
    yield []
    clicked: list[int] = []
    for _ in range(limit):
        tabs = page.locator(TAB)
        nxt = next((i for i in range(tabs.count()) if i not in clicked
                    and tabs.nth(i).get_attribute("aria-selected") != "true" and tabs.nth(i).is_visible()), None)
        if nxt is None:
            return
        clicked.append(nxt)
        open_view(page, [nxt])
        yield list(clicked)


def open_view(page, clicks: list[int]) -> None:
    for i in clicks:
        page.locator(TAB).nth(i).click()
        settle(page)


def main_sliders(page):
    """The visible slider thumbs of the main area, in page order."""
    thumbs = page.locator(f"{MAIN} :is({SLIDER_THUMB})")
    return [thumbs.nth(i) for i in range(thumbs.count()) if _thumb_visible(thumbs.nth(i))]


def _thumb_visible(thumb) -> bool:
    # The range <input> itself is visually hidden; judge by its slider's box.
    return thumb.evaluate("el => { const s = el.closest('[data-testid=\"stSlider\"]');"
                          " const r = s.getBoundingClientRect(); return r.width > 0 && s.offsetParent !== null; }")


def thumb_value(thumb) -> str:
    return thumb.evaluate("el => el.value !== undefined && el.value !== '' ? String(el.value)"
                          " : el.getAttribute('aria-valuenow')")


def slider_values(page) -> list[str]:
    """Every main-area slider's value, shown or in a hidden tab."""
    thumbs = page.locator(f"{MAIN} :is({SLIDER_THUMB})")
    return [thumb_value(thumbs.nth(i)) for i in range(thumbs.count())]


def nudge(page, thumb, key: str = "ArrowRight") -> str:
    """Move a slider one step with the keyboard and wait for the rerun it causes.

    Returns the key that moved it (ArrowLeft when the thumb was already at its end).
    """
    before = thumb_value(thumb)
    arm(page)
    thumb.focus()
    page.keyboard.press(key)
    if thumb_value(thumb) == before:
        key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
        page.keyboard.press(key)
    assert thumb_value(thumb) != before, "the slider did not move with the arrow keys"
    wait_rerun(page)
    return key


def sidebar_latex(page) -> str:
    """The TeX source of the function shown under the picker (KaTeX keeps it in MathML)."""
    ann = page.locator(f"{SIDEBAR} .katex-mathml annotation")
    return ann.first.text_content() if ann.count() else ""


def choose_typed(page, text: str) -> None:
    """Pick "type your own…" in the sidebar picker, type ``text`` and press Enter."""
    typed = page.locator(f'{SIDEBAR} [data-testid="stTextInput"] input')
    if not typed.count():
        arm(page)
        page.locator(f'{SIDEBAR} [data-testid="stSelectbox"] :is(input, [role="combobox"])').first.click()
        page.get_by_role("option", name=re.compile("type your own")).click()
        wait_rerun(page)
    arm(page)
    typed.fill(text)
    typed.press("Enter")
    wait_rerun(page)


def typed_text(page) -> str | None:
    typed = page.locator(f'{SIDEBAR} [data-testid="stTextInput"] input')
    return typed.input_value() if typed.count() else None


def nav_paths(page) -> list[str]:
    return [url_path(h) for h in page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
        "els => els.map(a => a.href)")]


def go_to_page(page, path: str) -> None:
    """Switch page the way a student does: the sidebar navigation (session state is kept)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = links.evaluate_all("els => els.map(a => a.href)")
    index = [url_path(h) for h in hrefs].index(path)
    arm(page)
    links.nth(index).click()
    page.wait_for_url(lambda u: url_path(u) == path, timeout=30_000)
    wait_rerun(page)


def share_link(page) -> str:
    """Open the sidebar's "copy link" popover, press its copy button, return what it copied.

    The context needs clipboard permissions (``new_page(clipboard=True)``).
    """
    page.locator(f'{SIDEBAR} [data-testid="stPopover"] button').first.click()
    box = page.locator('[data-testid="stPopoverBody"] .dl-share-url')
    box.wait_for(state="visible", timeout=10_000)
    page.wait_for_function("el => el.value === window.location.href", arg=box.element_handle(), timeout=5_000)
    shown = box.input_value()
    page.locator('[data-testid="stPopoverBody"] .dl-share-copy').click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)", timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown, (copied, shown)
    page.keyboard.press("Escape")
    return copied


def screenshot(page, name: str) -> pathlib.Path:
    """Save the whole page (the main area scrolls inside the window) as a PNG artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(window.innerHeight, ...[...document.querySelectorAll("
        "'[data-testid=\"stMain\"], [data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 16, 7000)})
    try:
        page.mouse.move(viewport["width"] - 2, 2)   # no hover tooltip in the picture
        page.wait_for_timeout(400)
        settle(page)
        page.screenshot(path=str(path), animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return path


def background_luminance(page) -> float:
    """Relative luminance (0 black … 1 white) of the app's background colour."""
    rgb = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def process_tree_rss_mb(pid: int) -> tuple[float, float]:
    """RSS (MiB) of process ``pid`` alone, and of it with all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))

    def rss(p: int) -> float:
        try:
            for line in pathlib.Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += rss(p)
        todo.extend(children.get(p, []))
    return rss(pid), total


# Where the first chart of the main area starts, from the top of the page (the main area scrolls).
_FIRST_CHART_TOP = """(sel) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const chart = [...document.querySelectorAll(sel)].find(el => el.offsetParent !== null
      && el.getBoundingClientRect().height > 0);
  return chart ? Math.round(chart.getBoundingClientRect().top + main.scrollTop) : null;
}"""

# Every table of the main area that is on screen: inside the window, and, when its content is
# wider than its frame, scrolling inside that frame (st.dataframe's grid has its own scroller).
_TABLES = """() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  return [...document.querySelectorAll('[data-testid="stMain"] :is([data-testid="stDataFrame"], '
      + '[data-testid="stTable"], [data-testid="stMarkdownContainer"] table)')]
    .filter(el => el.offsetParent !== null && el.getBoundingClientRect().width > 0)
    .map(el => {
      const r = el.getBoundingClientRect();
      const inner = [el, ...el.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1);
      const framed = inner.every(e => scrolls(e) || [...inner].some(o => o !== e && o.contains(e) && scrolls(o)))
          || (el.parentElement && scrolls(el.parentElement));
      return {kind: el.getAttribute('data-testid') || 'markdown table', left: Math.round(r.left),
              right: Math.round(r.right), vw, wider: inner.length > 0, framed};
    });
}"""


def first_chart_top(page) -> int | None:
    return page.evaluate(_FIRST_CHART_TOP, f"{MAIN} :is({CHART})")


def tables(page) -> list[dict]:
    return page.evaluate(_TABLES)
