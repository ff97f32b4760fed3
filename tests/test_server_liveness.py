"""Issue 11: one short formula must never freeze the class.

These tests start one real ``streamlit run dashboard.py`` server (127.0.0.1, a free
port) and drive it with the browserless client in ``tests/stclient.py``: many
sessions at once, as a class would. Timings here are liveness margins only (a
rerun that normally takes 0.4 s must finish within 5 s while others attack), never
speed goals.

    .venv/bin/python -m pytest -m server tests/test_server_liveness.py

``DERIVLAB_MEMORY_MB`` (default 1024) is the server tree's memory budget in test b;
it is passed on to the server too.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import threading
import time

import pytest

from tests import stclient
from tests.stclient import Session

pytestmark = [pytest.mark.server, pytest.mark.slow]

PAGES = ["", "symbolic", "numerical", "autodiff", "speed_race"]

#: Short inputs that once froze (or could freeze) a server: huge exact numbers,
#: towers, products and nestings that make SymPy/NumPy/JAX work for minutes.
FREEZERS = [
    "(((1/3)^1000)^1000)^1000",
    "((1/999999999999999)^1000)^1000",
    "((1/3)^1000)^1000 + ((1/7)^1000)^1000",
    "((1/3)^1000)^10",
    "(1+1/999999999999999)^1000",
    "x^x^x^x^x^x",
    "x^x^x^x^x^x^x^x",
    "sin(10^300)",
    "atan(10^300)*x",
    "sqrt(999999999999989*999999999999997)",
    "*".join(f"sin({k}*x)" for k in range(1, 30)),
    "exp(sin(" * 20 + "x" + "))" * 20,
    "sqrt(sin(x)*cos(2x)*tan(3x))",  # SymPy's domain tools took 22 s on it: now in a worker
]
FREEZER_XY = "((1/999999999999999)^1000)^1000+x*y"

BYSTANDER_MAX_S = 5.0       # a bystander's rerun (normally 0.4 s) must end within this
HEALTH_MAX_S = 3.0          # every health check must be answered within this
ATTACK_ABANDON_S = 20.0     # an attacker that has not finished by then is closed (allowed)
ATTACK_CONCURRENCY = 4
ATTACK_BUDGET_S = 150.0     # no new attacker starts after this


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = stclient.free_port()
    log_path = tmp_path_factory.mktemp("stserver") / "server.log"
    env = {}
    if os.environ.get("DERIVLAB_MEMORY_MB"):
        env["DERIVLAB_MEMORY_MB"] = os.environ["DERIVLAB_MEMORY_MB"]
    with open(log_path, "wb") as log:
        proc = stclient.start_server(port, env=env, log=log)
    try:
        stclient.wait_healthy(port, proc, timeout=120)
        srv = _Server(port, proc, log_path)
        yield srv
    finally:
        stclient.stop_server(proc)


class _Server:
    def __init__(self, port, proc, log_path):
        self.port, self.proc, self.log_path = port, proc, log_path
        self.url = f"http://127.0.0.1:{port}"

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def _q(**params) -> dict:
    return params


def typed(expr: str) -> dict:
    return {"f": "typed", "expr": expr}


class HealthPoller:
    """GET /_stcore/health every 0.5 s in a thread; keeps every latency (None: no answer in 10 s)."""

    def __init__(self, port: int, every: float = 0.5, max_s: float = 400.0):
        self.port, self.every, self.max_s = port, every, max_s
        self.latencies: list[float | None] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        t0 = time.monotonic()
        while not self._stop.is_set() and time.monotonic() - t0 < self.max_s:
            ms = stclient.health_ms(self.port, timeout=10)
            self.latencies.append(None if ms is None else ms / 1000)
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(15)

    def worst(self) -> float:
        return max((x if x is not None else float("inf")) for x in self.latencies) if self.latencies else 0.0


async def _bystander(url: str, stop: asyncio.Event, times: list, failures: list) -> None:
    """A student on Home moving the x-range slider back and forth, a rerun every ~0.5 s."""
    async with Session("bystander") as s:
        await s.connect(url)
        first = await s.run(page="", query="")
        if not first.finished or first.n_exceptions:
            failures.append(f"first run: {first.summary()}")
            return
        ranges = [(-4.0, 4.0), (-5.0, 5.0)]
        i = 0
        deadline = time.monotonic() + 600
        while not stop.is_set() and time.monotonic() < deadline:
            r = await s.set_widget("home_range", ranges[i % 2], timeout=60)
            i += 1
            times.append(r.t_end if r.finished else float("inf"))
            if not r.finished or r.n_exceptions:
                failures.append(f"rerun {i}: {r.summary()}")
                if r.error and "connection" in r.error:
                    return
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass


async def _attacker(url: str, page: str, query: dict, results: list) -> None:
    s = Session(f"attacker {page or '/'}")
    try:
        await s.connect(url)
        r = await s.run(page=page, query=query, timeout=ATTACK_ABANDON_S)
        results.append((page, query, r))
    except Exception as err:  # a refused connection is a failure too
        results.append((page, query, err))
    finally:
        await s.close()  # abandoned if it had not finished: allowed


def _attacks() -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    for expr in FREEZERS:
        out.append(("", typed(expr)))
        out.append(("symbolic", typed(expr)))
    out.append(("symbolic", {"sym_tab": "x and y", "sym_xy": FREEZER_XY}))  # that tab open, as a link can say
    for expr in (FREEZERS[0], FREEZERS[6], FREEZERS[10], FREEZERS[11]):
        out.append(("autodiff", typed(expr)))
        out.append(("numerical", typed(expr)))
    return out


def test_liveness_under_freeze_inputs(server):
    """A bystander keeps working and the server keeps answering while others open every freezer."""
    times: list[float] = []
    failures: list[str] = []
    results: list = []

    async def main():
        stop = asyncio.Event()
        by = asyncio.create_task(_bystander(server.url, stop, times, failures))
        await asyncio.sleep(3)  # the bystander's first run (imports) before the attack
        sem = asyncio.Semaphore(ATTACK_CONCURRENCY)
        t0 = time.monotonic()

        async def one(page, query):
            async with sem:
                if time.monotonic() - t0 > ATTACK_BUDGET_S:
                    results.append((page, query, "not started: time budget spent"))
                    return
                await _attacker(server.url, page, query, results)

        await asyncio.gather(*(one(p, q) for p, q in _attacks()))
        await asyncio.sleep(2)  # one more bystander rerun after the attack
        stop.set()
        await asyncio.wait_for(by, 90)

    with HealthPoller(server.port) as health:
        stclient.run_sync(main())

    finished = [r for _, _, r in results if isinstance(r, stclient.RunResult) and r.finished]
    abandoned = [(p, q) for p, q, r in results if isinstance(r, stclient.RunResult) and not r.finished]
    broken = [(p, q, r) for p, q, r in results if not isinstance(r, stclient.RunResult)]
    with_exceptions = [(p, q, [e.body[:200] for e in r.exceptions]) for p, q, r in results
                       if isinstance(r, stclient.RunResult) and r.n_exceptions]
    report = (f"bystander reruns: {len(times)}, median {statistics.median(times) if times else 0:.2f} s, "
              f"worst {max(times) if times else 0:.2f} s; health checks: {len(health.latencies)}, "
              f"worst {health.worst():.2f} s; attackers: {len(results)} ({len(finished)} finished, "
              f"{len(abandoned)} abandoned after {ATTACK_ABANDON_S:g} s, {len(broken)} failed)")
    print(report)
    for p, q in abandoned:
        print("  abandoned:", p or "/", q)
    problems = []
    if failures:
        problems.append(f"bystander failures: {failures[:5]}")
    slow = [t for t in times if t > BYSTANDER_MAX_S]
    if slow:
        problems.append(f"{len(slow)} bystander reruns over {BYSTANDER_MAX_S:g} s (worst {max(slow):.1f} s)")
    late = [x for x in health.latencies if x is None or x > HEALTH_MAX_S]
    if late:
        problems.append(f"{len(late)} health checks unanswered within {HEALTH_MAX_S:g} s")
    if with_exceptions:
        problems.append(f"attacker pages with exception elements: {with_exceptions[:6]}")
    if broken:
        problems.append(f"attacker sessions that failed: {broken[:4]}")
    if len(times) < 10:
        problems.append(f"only {len(times)} bystander reruns in the whole test")
    assert not problems, report + "\n" + "\n".join(problems) + "\n--- server log ---\n" + server.log_tail()


# --- b. memory ------------------------------------------------------------------------

MEMORY_MB = float(os.environ.get("DERIVLAB_MEMORY_MB", "1024"))
N_FUNCTIONS = int(os.environ.get("DERIVLAB_MEMORY_FUNCS", "200"))  # fewer for a quick look
MEMORY_CONCURRENCY = 3
MEMORY_BUDGET_S = 300.0


def _distinct_functions(n: int) -> list[str]:
    out = []
    for k in range(n):
        if k % 4 == 3:  # some longer ones
            out.append(f"exp(-x^2/{k + 2})*cos({k % 7 + 1}*x) + log(1 + x^2)*sin(x/{k + 1}) + x^3/{k + 3}")
        else:
            out.append(f"x^2 + {k + 1}*sin(x)")
    return out


def test_memory_after_many_functions(server):
    """200 distinct functions through Home and Automatic (JAX), then idle: the tree stays in budget."""
    pid = server.proc.pid
    base = stclient.server_tree_rss_mb(pid)
    peak = [base]
    errors: list[str] = []
    done = [0]

    async def one(expr: str, sem: asyncio.Semaphore, t0: float):
        async with sem:
            if time.monotonic() - t0 > MEMORY_BUDGET_S:
                return
            async with Session("memory") as s:
                await s.connect(server.url)
                for page, query in (("", typed(expr)), ("autodiff", None)):
                    r = await s.run(page=page, query=query, timeout=60)
                    if not r.finished or r.n_exceptions:
                        errors.append(f"{expr} on {page or '/'}: {r.summary()}")
                done[0] += 1
            peak[0] = max(peak[0], stclient.server_tree_rss_mb(pid))

    async def main():
        sem = asyncio.Semaphore(MEMORY_CONCURRENCY)
        t0 = time.monotonic()
        await asyncio.gather(*(one(e, sem, t0) for e in _distinct_functions(N_FUNCTIONS)))
        return time.monotonic() - t0

    took = stclient.run_sync(main())
    time.sleep(10)  # idle
    after = stclient.server_tree_rss_mb(pid)
    report = (f"{done[0]} of {N_FUNCTIONS} functions in {took:.0f} s; server tree RSS {base:.0f} MB before, "
              f"peak {max(peak[0], after):.0f} MB, {after:.0f} MB after 10 s idle; budget {MEMORY_MB:.0f} MB")
    print(report)
    assert not errors, report + f"\n{errors[:5]}"
    assert done[0] == N_FUNCTIONS, report + " (time budget spent before every function was opened)"
    assert max(peak[0], after) < MEMORY_MB, report


# --- c. per-session caps ----------------------------------------------------------------

def _n_results(r: stclient.RunResult) -> list[str]:
    """The page's N(·, digits) results, as "N(expr, digits) = value" (the code block shows the call,
    then its value as a comment: it runs as pasted)."""
    out = []
    for t, b in r.texts:
        m = re.search(r"^(N\(.*\))\n# (.+)$", b, re.M) if t == "code" else None
        if m:
            out.append(f"{m.group(1)} = {m.group(2)}")
    return out


def test_one_browser_gets_one_heavy_request_at_a_time(server):
    """Two 1,000,000-digit requests at once from one browser (two tabs: the same XSRF cookie,
    which core/sandbox counts requests against): the second is refused with a message;
    another browser's request still runs."""
    out: dict = {}

    async def main():
        cookie = stclient.browser_cookie(server.url)
        assert "_streamlit_xsrf" in cookie, cookie
        async with Session("tab 1", cookie) as a1, Session("tab 2", cookie) as a2, Session("other") as b:
            for s in (a1, a2, b):
                await s.connect(server.url)
                first = await s.run(page="symbolic", query={"sym_limit": "8", "sym_tab": "Exact numbers"},
                                    timeout=60)
                assert first.finished and not first.n_exceptions, first.summary()
            frag = a1.widget("sym_digits").fragment_id
            # Tab 1: N(sqrt(18), 10^6) (a fragment rerun, as the browser sends it).
            a1.set_state("sym_digits", 1_000_000)
            a1.set_state("sym_const", "pi")
            t1 = asyncio.create_task(a1.collect(await a1.send_rerun(fragment_id=frag), fragment=True, timeout=45))
            await asyncio.sleep(1.0)
            # Tab 2, while the first still runs: N(e, 10^6).
            a2.set_state("sym_digits", 1_000_000)
            a2.set_state("sym_const", "exp(1)")
            t2 = asyncio.create_task(a2.collect(await a2.send_rerun(fragment_id=frag), fragment=True, timeout=45))
            # Meanwhile another student asks for something lighter but real.
            b.set_state("sym_digits", 100_000)
            tb = asyncio.create_task(b.collect(await b.send_rerun(fragment_id=frag), fragment=True, timeout=45))
            out["a1"], out["a2"], out["b"] = await t1, await t2, await tb

    stclient.run_sync(main())
    for name in ("a1", "a2", "b"):
        r = out[name]
        print(name, r.summary(), [x[:120] for x in r.alerts[:2]], [x[:50] for x in _n_results(r)])
    ra, rb = out["a2"], out["b"]
    assert ra.finished and not ra.n_exceptions, ra.summary()
    assert not any(x.startswith("N(exp(1), 1000000) =") for x in _n_results(ra)), \
        "the second heavy request of one browser ran instead of being refused"
    assert ra.alerts, "the refused request shows no message"
    assert rb.finished and not rb.n_exceptions, rb.summary()
    assert any(x.startswith("N(sqrt(18), 100000) =") for x in _n_results(rb)), \
        f"another browser's request did not run: {rb.alerts}"


# --- d. no Markdown injection -------------------------------------------------------------

INJECTIONS = [
    "[Session expired - click here](https://evil.example/login)",
    "x^2 # ![](http://127.0.0.1:9/pixel.png)",
]
#: What would render as a link or an image in Markdown (outside code spans).
_LINKISH = re.compile(r"\]\(\s*(https?:|//)|<\s*(a|img)\b|https?://evil|127\.0\.0\.1:9", re.I)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def _markdown_sources(r: stclient.RunResult) -> list[tuple[str, str]]:
    """Every text that the frontend renders as Markdown: markdown (incl. captions), alert and
    heading bodies, exception messages marked as Markdown, widget labels and help texts."""
    out = []
    for s in r.seen:
        if s.type in stclient.MARKDOWN_TYPES:
            out.append((s.type, s.body))
        elif s.type == "exception" and s.element.exception.message_is_markdown:
            out.append(("exception", s.element.exception.message))
        elif s.type in stclient.WIDGET_TYPES:
            w = getattr(s.element, s.type)
            for field in ("label", "help"):
                if getattr(w, field, ""):
                    out.append((f"{s.type}.{field}", getattr(w, field)))
    return out


def injected(body: str) -> bool:
    """Whether Markdown ``body`` would render a link or image (code spans are verbatim)."""
    return bool(_LINKISH.search(_CODE_SPAN.sub("", body)))


def test_injected_markdown_check_itself():
    assert injected("Cannot use “[Session expired - click here](https://evil.example/login)”")
    assert injected("x^2 # ![](http://127.0.0.1:9/pixel.png)")
    assert not injected("Cannot use `[Session expired - click here](https://evil.example/login)`")
    assert not injected("see `x^2 # ![](http://127.0.0.1:9/pixel.png)` here")


def test_no_markdown_injection(server):
    """A typed function's text never reaches a Markdown body where it would draw a link or image:
    it may appear in code or text elements (verbatim) or inside a code span."""
    found: list[str] = []
    runs: list[str] = []

    async def main():
        # Every page's first view, and the tabs that name the function in words.
        views = [(page, {}) for page in PAGES] + [
            ("symbolic", {"sym_tab": t}) for t in ("Steps", "Check my answer", "|x| and assumptions")] + [
            ("autodiff", {"ad_tab": t}) for t in ("grad and its pitfalls", "Higher order")]
        for text in INJECTIONS:
            for page, extra in views:
                async with Session("injection") as s:
                    await s.connect(server.url)
                    r = await s.run(page=page, query={**typed(text), **extra}, timeout=60)
                    runs.append(r.summary())
                    if not r.finished:
                        found.append(f"{page or '/'}: did not finish: {r.summary()}")
                    for kind, body in _markdown_sources(r):
                        if injected(body):
                            found.append(f"{page or '/'} {kind}: {body[:160]!r}")

    stclient.run_sync(main())
    print("\n".join(runs))
    assert not found, "typed text rendered as Markdown:\n" + "\n".join(found)


# --- e. the client itself ------------------------------------------------------------------

def test_every_page_runs_with_its_charts(server):
    results = {}

    async def main():
        async with Session("pages") as s:
            await s.connect(server.url)
            for page in PAGES:
                results[page] = await s.run(page=page, query="", timeout=120)
            # and a widget change: the x-range slider reruns Home
            await s.run(page="", query="")
            results["home rerun"] = await s.set_widget("home_range", [-2.0, 2.0], timeout=60)

    stclient.run_sync(main())
    for name, r in results.items():
        print(name or "/", r.summary())
        assert r.finished, r.summary()
        assert r.n_exceptions == 0, [e.body[:300] for e in r.exceptions]
        assert not r.page_not_found, name
    for page in ("", "symbolic", "numerical", "autodiff", "home rerun"):
        assert results[page].charts, f"{page or '/'} drew no chart"
        for spec in results[page].charts:
            assert "$schema" in spec or "mark" in spec or "layer" in spec, spec
    assert "f_home" in results[""].keyed() and "home_range" in results[""].keyed()
    assert results["home rerun"].keyed()["home_range"].value == [-2.0, 2.0]
    # the server used the new range: the page's notebook code says so
    assert any("linspace(-2, 2," in b for t, b in results["home rerun"].texts if t == "code"), \
        [b[:80] for t, b in results["home rerun"].texts if t == "code"]
