"""A full classroom: N real browser sessions on one dashboard server at once.

Starts ``streamlit run dashboard.py`` on a free localhost port, opens N browser
contexts in one headless Chromium (Debian's package, driven by Playwright) at the
same moment, and has each student

1. open the dashboard (time to first render: the script idle -- ``stApp`` with
   ``data-test-script-state="notRunning"`` -- no ``stSkeleton`` left, the sidebar
   picker and the page title drawn),
   The table splits it: "app shell" (HTML and JavaScript loaded: the browser's
   work, done on each student's own machine in class) and "server's share"
   (from there to the first render: the websocket and the script run).
2. pick a function in the sidebar picker,
3. move the Home page's "number of points" slider one step,
4. go to the Speed race, set the smallest race (fewest points, one repeat) and press
   its primary button, waiting until the race's results are drawn.

It prints one table: first-render median and 95th percentile, the time of each
step, errors seen (``stException`` elements, timeouts, other failures) and the peak
resident memory of the server's process tree (polled from /proc), with the goals
(N = 30 with no error, p95 first render < 5 s, peak < 1 GB) marked met or missed.

    .venv/bin/python bench/load.py            # N = 30
    .venv/bin/python bench/load.py -n 5 --cold

The browser runs on the same machine as the server, so on a small machine the
figures include the browser's own CPU use; they are an upper bound on what the
server alone would give.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Script runs are counted from the server's own ``script_finished`` messages on the
# websocket, with the browser tests' helper (it works on sync and async pages alike):
# the DOM's script-state attribute can miss a run of a few milliseconds entirely.
sys.path.insert(0, str(ROOT))
from tests.browser.e2e import watch_runs  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage",
                 # Thirty students have thirty screens: no tab is a background tab whose
                 # timers Chromium throttles (that would time the browser, not the server).
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]

#: Functions the students pick (preset labels in the sidebar picker), in turn.
PICKS = ["sin x", "x³", "eˣ", "|x|", "cos x", "e^(−2x) + 3 sin 3x"]

GOAL_N, GOAL_P95_S, GOAL_PEAK_MB = 30, 5.0, 1024

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
EXCEPTION = '[data-testid="stException"]'
RESULTS = (f'{MAIN} [data-testid="stVegaLiteChart"], {MAIN} [data-testid="stArrowVegaLiteChart"], '
           f'{MAIN} [data-testid="stDataFrame"], {MAIN} [data-testid="stTable"]')
THUMB = 'input[type="range"], [role="slider"]'

_FIRST_RENDER = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !!document.querySelector('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    && !!document.querySelector('[data-testid="stMain"] h1');
}"""

# --- the server and its memory -------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("streamlit")
    cmd = [str(exe) if exe.exists() else "streamlit", "run", "dashboard.py",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("the server did not answer its health check within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (its own process group, made at start)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # sandbox workers share the group; make sure none is left
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemoryPoller(threading.Thread):
    """Peak RSS of the server process alone and of its whole tree (sandbox workers too)."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_server = self.peak_tree = 0.0
        self.cpu_start = self.cpu_now = 0.0  # the server's CPU seconds, at mark() and latest
        self.stopped = threading.Event()

    def mark(self) -> None:
        """Count the server's CPU time from now on (after the warm-up)."""
        self.cpu_start = _cpu_s(self.pid)

    def run(self) -> None:
        while not self.stopped.is_set():
            kids, tree, todo = _children(), [], [self.pid]
            while todo:
                p = todo.pop()
                tree.append(p)
                todo.extend(kids.get(p, []))
            server = _rss_mb(self.pid)
            self.cpu_now = _cpu_s(self.pid) or self.cpu_now
            self.peak_server = max(self.peak_server, server)
            self.peak_tree = max(self.peak_tree, server + sum(_rss_mb(p) for p in tree[1:]))
            self.stopped.wait(self.every)


# --- one student ------------------------------------------------------------------------

class Student:
    def __init__(self, i: int):
        self.i = i
        self.times: dict[str, float] = {}
        self.exceptions = 0
        self.timeouts: list[str] = []
        self.failures: list[str] = []
        self.where = ""  # the sub-step in progress, named when a step times out

    async def step(self, name: str, page, coro, timeout_s: float) -> bool:
        from playwright.async_api import TimeoutError as PwTimeout

        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(coro, timeout_s)
        except (PwTimeout, asyncio.TimeoutError):
            self.timeouts.append(f"{name} ({self.where})" if self.where else name)
            return False
        except Exception as err:  # noqa: BLE001  (any failure is a finding, counted and printed)
            self.failures.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:120]}")
            return False
        finally:
            try:
                self.exceptions = max(self.exceptions, await page.locator(EXCEPTION).count())
            except Exception:  # noqa: BLE001
                pass
        self.times[name] = time.perf_counter() - t0
        return True


async def _rerun(page, action, timeout_ms: float) -> None:
    """Do ``action`` and wait until a script run it caused has finished and the page is idle."""
    armed = page.script_runs
    await action()
    await _run_after(page, armed, timeout_ms)


async def _run_after(page, armed: int, timeout_ms: float) -> None:
    deadline = time.perf_counter() + timeout_ms / 1000
    while page.script_runs <= armed:
        if time.perf_counter() > deadline:
            raise asyncio.TimeoutError
        await asyncio.sleep(0.05)
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                 state="attached", timeout=timeout_ms)


async def _first_render(s: "Student", page, url: str, timeout_ms: float) -> None:
    t0 = time.perf_counter()
    s.where = "loading the page"
    await page.goto(url, wait_until="commit", timeout=timeout_ms)
    await page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout_ms)
    s.times["app shell"] = time.perf_counter() - t0  # HTML + JavaScript loaded, before the script runs
    s.where = "the first script run"
    await page.wait_for_function(_FIRST_RENDER, timeout=timeout_ms, polling=100)
    s.where = ""


async def _pick(page, label: str, timeout_ms: float) -> None:
    async def act():
        await page.locator(f'{SIDEBAR} [data-testid="stSelectbox"] :is(input, [role="combobox"])').first.click()
        await page.get_by_role("option", name=label, exact=True).click()
    await _rerun(page, act, timeout_ms)


async def _nudge(page, key: str, press: str, timeout_ms: float) -> bool:
    """Move the slider with widget key ``key`` by a key press; False when it is already there."""
    thumb = page.locator(f".st-key-{key} :is({THUMB})").first
    if not await thumb.count():
        return False
    value = "el => el.value !== undefined && el.value !== '' ? String(el.value) : el.getAttribute('aria-valuenow')"
    before = await thumb.evaluate(value)
    armed = page.script_runs
    await thumb.focus()
    await page.keyboard.press(press)
    if await thumb.evaluate(value) == before:
        return False
    await _run_after(page, armed, timeout_ms)
    return True


async def _race(s: "Student", page, timeout_ms: float) -> None:
    s.where = "opening the Speed race page"

    async def go():
        link = page.locator(f'{SIDEBAR} [data-testid="stSidebarNav"] a[href$="speed_race"]').first
        await link.click()
    await _rerun(page, go, timeout_ms)
    s.where = "setting the race's size"
    await _nudge(page, "race_n", "Home", timeout_ms)       # the fewest points
    await _nudge(page, "race_repeats", "Home", timeout_ms)  # one repeat
    s.where = "racing"

    async def press():
        await page.locator(f'{MAIN} [data-testid="stBaseButton-primary"]').first.click()
    await _rerun(page, press, timeout_ms)
    await page.wait_for_selector(RESULTS, state="attached", timeout=timeout_ms)
    s.where = ""


async def student(browser, i: int, url: str, start: asyncio.Event, args, shared=None) -> Student:
    s = Student(i)
    # Own context: a separate browser profile per student (nothing cached between them).
    # With --tabs, a tab of one shared context: still its own Streamlit session, but the
    # JavaScript bundle is fetched and compiled once, as on a student's own machine.
    ctx = shared or await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    watch_runs(page)
    ms = args.timeout * 1000
    try:
        await start.wait()
        if await s.step("first render", page, _first_render(s, page, url, ms), args.timeout):
            s.where = "picking"
            if await s.step("pick a function", page, _pick(page, PICKS[i % len(PICKS)], ms), args.timeout):
                s.where = "sliding"
                await s.step("move a slider", page, _nudge(page, "home_n", "ArrowRight", ms), args.timeout)
            await s.step("run a race", page, _race(s, page, ms), args.race_timeout)
    finally:
        await (page.close() if shared else ctx.close())
    return s


# --- the run ------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


async def classroom(url: str, args, mem: "MemoryPoller") -> tuple[list[Student], float]:
    from playwright.async_api import async_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit("Debian's chromium is needed: sudo apt-get install chromium")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            if not args.cold:  # the teacher opens the app first, as in class
                warm = await student(browser, -1, url, _set(asyncio.Event()), args)
                if warm.timeouts or warm.failures:
                    print(f"warning: the teacher's warm-up session failed: {warm.timeouts + warm.failures}")
            start = asyncio.Event()
            shared = await browser.new_context(viewport={"width": 1280, "height": 900}) if args.tabs else None
            tasks = [asyncio.create_task(student(browser, i, url, start, args, shared)) for i in range(args.n)]
            await asyncio.sleep(1.0)  # every context is open; now they all go at once
            mem.mark()
            t0 = time.perf_counter()
            start.set()
            students = await asyncio.gather(*tasks)
            return students, time.perf_counter() - t0
        finally:
            await browser.close()


def _set(ev: asyncio.Event) -> asyncio.Event:
    ev.set()
    return ev


def report(students: list[Student], wall: float, mem: MemoryPoller, args) -> bool:
    first = [s.times["first render"] for s in students if "first render" in s.times]
    exceptions = sum(s.exceptions for s in students)
    timeouts = sum(len(s.timeouts) for s in students)
    failures = [f for s in students for f in s.failures]
    errors = exceptions + timeouts + len(failures)
    p50, p95 = pct(first, 0.5), pct(first, 0.95)

    print(f"\nA full classroom: {args.n} browser sessions at once on {os.cpu_count()} cores "
          f"({'cold server' if args.cold else 'server warmed by one session first'}; "
          f"{'tabs of one browser context' if args.tabs else 'one browser context each'}); wall {wall:.1f} s; "
          f"load average before: {args.load_before}")
    print(f"{'step':<18}{'done':>6}{'median s':>10}{'p95 s':>8}{'max s':>8}")
    for s in students:
        if "app shell" in s.times and "first render" in s.times:
            s.times["server's share"] = s.times["first render"] - s.times["app shell"]
    for step in ("app shell", "server's share", "first render", "pick a function", "move a slider", "run a race"):
        xs = [s.times[step] for s in students if step in s.times]
        print(f"{step:<18}{len(xs):>4}/{len(students):<2}{pct(xs, .5):>9.2f}{pct(xs, .95):>8.2f}"
              f"{max(xs) if xs else float('nan'):>8.2f}")
    print(f"errors: {exceptions} stException, {timeouts} timeouts, {len(failures)} other failures")
    for s in students:
        if s.timeouts or s.failures:
            print(f"  session {s.i}: timed out in {s.timeouts or '-'}; {s.failures or ''}")
    print(f"peak memory: server {mem.peak_server:.0f} MB, server and its workers {mem.peak_tree:.0f} MB")
    cpu = mem.cpu_now - mem.cpu_start
    print(f"server CPU time during the classroom: {cpu:.1f} s of {wall:.1f} s wall "
          f"({cpu / max(wall, 1e-9):.0%} of one core; {cpu / max(len(students), 1):.2f} s per session); "
          f"the rest of the machine's time went to the browser and to other work")

    goals = [
        (f"N = {GOAL_N} sessions with no error", args.n >= GOAL_N and errors == 0,
         f"N = {args.n}, {errors} errors"),
        (f"p95 first render < {GOAL_P95_S:g} s", p95 < GOAL_P95_S and len(first) == len(students),
         f"p95 {p95:.2f} s (median {p50:.2f} s) over {len(first)} renders"),
        (f"peak server memory < {GOAL_PEAK_MB / 1024:g} GB", mem.peak_tree < GOAL_PEAK_MB,
         f"{mem.peak_tree:.0f} MB"),
    ]
    print(f"\n{'goal':<36}{'result':<8}figure")
    for name, ok, figure in goals:
        print(f"{name:<36}{'met' if ok else 'MISSED':<8}{figure}")
    return all(ok for _, ok, _ in goals)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=GOAL_N, help="browser sessions at once (default 30)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per step before it counts as a timeout")
    ap.add_argument("--tabs", action="store_true",
                    help="tabs of one browser context instead of a context each (less browser CPU)")
    ap.add_argument("--race-timeout", type=float, default=300, help="seconds for the race step")
    ap.add_argument("--cold", action="store_true", help="no warm-up session before the classroom")
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    args = ap.parse_args()

    args.load_before = " ".join(f"{v:.1f}" for v in os.getloadavg())
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.NamedTemporaryFile("w", prefix="load-server-", suffix=".log", delete=False) as log:
        server = start_server(port, log)
        mem = MemoryPoller(server.pid)
        mem.start()
        try:
            students, wall = asyncio.run(classroom(url, args, mem))
        finally:
            mem.stopped.set()
            mem.join(2)
            stop_server(server)
    ok = report(students, wall, mem, args)
    print(f"(server log: {log.name})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
