"""A browserless classroom: N sessions arriving at once, each visiting every page in turn.

Issue 17. Unlike ``bench/load.py`` (real Chromium tabs), this drives the server with
``tests/stclient.py``, which speaks Streamlit's websocket protocol as the frontend
does, so the figures are the server's alone (no browser shares the CPU) and a small
machine can simulate a whole class.

It starts two servers on free ports of 127.0.0.1: the dashboard
(``streamlit run dashboard.py``) and a bare one-chart app (``bench/bare_app.py``: one
slider, one 100-point Altair chart), then, one server at a time:

* the dashboard: N sessions connect at the same moment; each opens every page in turn
  (Home, Symbolic, Numerical, Automatic, Speed race), then moves Home's x-range slider;
* the bare app: N sessions connect at once; each opens the page, then moves its slider.

For every step it prints the median and 95th percentile of the time to the first
delta and to the run's end (script_finished), the median bytes received, errors
(exception elements, timeouts, failed connections), then each server tree's CPU
seconds and peak resident memory (server + its children, via psutil), and the ratio
of each dashboard step to the bare app's page load.

Then, with every cache warm, it measures what one warm visit of each page costs the
server: ``--warm`` fresh sessions in a row (nobody else on the server) each open the page
straight from its address, and the server tree's CPU seconds over them, divided by
their number, is set against the same figure for the bare app's page (the goal of
issue 17 is at most 1.5×). Sessions one after another, not at once: the figure is the
page's own cost, not the queue's.

    .venv/bin/python bench/classroom.py          # N = 30
    .venv/bin/python bench/classroom.py -n 5

With ``--proxy`` the dashboard runs as K replicas behind nginx (``deploy/run_replicas.py``,
K = cores unless ``--replicas`` says otherwise) and the class goes through the proxy as
browsers do: each student loads the address first (nginx hands out the affinity cookie),
opens the websocket with that cookie, and loads each page's address over HTTP before
running it. Besides the table it prints how many sessions each replica served (nginx's
``X-Upstream`` header on every response, the websocket's handshake included) and whether
every session stayed on its replica; a student that moved counts as an error.
``--replicas 1,2`` measures each K in turn (the bare app stays one direct server):

    .venv/bin/python bench/classroom.py --proxy -n 5 --replicas 2
    .venv/bin/python bench/classroom.py -n 30 --replicas 1,2
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from deploy.run_replicas import Replicas, cores, visit  # noqa: E402
from tests import stclient  # noqa: E402
from tests.stclient import Session  # noqa: E402

PAGES = [("home", ""), ("symbolic", "symbolic"), ("numerical", "numerical"),
         ("autodiff", "autodiff"), ("speed_race", "speed_race")]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


class Watch:
    """Peak RSS of server trees (one, or every replica and nginx), polled every 0.2 s in a
    thread, and their CPU seconds."""

    def __init__(self, *pids: int):
        self.pids = pids
        self.peak = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def rss(self) -> float:
        return sum(stclient.server_tree_rss_mb(p) for p in self.pids)

    def cpu_s(self) -> float:
        return sum(stclient.server_tree_cpu_s(p) for p in self.pids)

    def _loop(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(0.2)

    def __enter__(self):
        self.cpu0 = self.cpu_s()
        self.rss0 = self.rss()
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(5)
        self.cpu = self.cpu_s() - self.cpu0


async def student(url: str, steps: list[tuple[str, str, object]], timeout: float, out: dict,
                  start: asyncio.Event, proxy: bool = False) -> None:
    """One student. Through the proxy (``proxy``) it is a browser: it loads the address
    first, keeps nginx's cookies, and loads each page's address before running it; where
    it was served (every X-Upstream seen) goes to ``out["_where"]``."""
    s = Session("student")
    where: list[str] = []
    try:
        await start.wait()
        try:
            if proxy:
                upstream, s.cookie, _ = await asyncio.to_thread(visit, url, "", "", timeout)
                where.append(upstream)
            await s.connect(url, timeout=timeout)
            if proxy:
                where.append(s.ws.response.headers.get("X-Upstream", ""))
        except Exception as err:
            for name, _, _ in steps:
                out.setdefault(name, []).append(("failed", repr(err)))
            return
        for name, page, action in steps:
            try:
                if action is None:
                    if proxy:
                        upstream, s.cookie, _ = await asyncio.to_thread(visit, url, page, s.cookie, timeout)
                        where.append(upstream)
                    r = await s.run(page=page, query="" if name == steps[0][0] else None, timeout=timeout)
                else:
                    key, value = action
                    r = await s.set_widget(key, value, timeout=timeout)
            except Exception as err:
                out.setdefault(name, []).append(("failed", repr(err)))
                continue
            out.setdefault(name, []).append(("ok", r))
    finally:
        if proxy:
            out.setdefault("_where", []).append(where)
        await s.close()


async def classroom(url: str, n: int, steps, timeout: float, proxy: bool = False) -> tuple[dict, float]:
    out: dict = {}
    start = asyncio.Event()
    tasks = [asyncio.create_task(student(url, steps, timeout, out, start, proxy)) for _ in range(n)]
    t0 = time.monotonic()
    start.set()  # everyone at once
    await asyncio.gather(*tasks)
    return out, time.monotonic() - t0


def summarise(name: str, rows: list) -> dict:
    ok = [r for kind, r in rows if kind == "ok"]
    done = [r for r in ok if r.finished]
    first = [r.t_first_delta for r in done if r.t_first_delta is not None]
    end = [r.t_end for r in done]
    return {
        "step": name, "n": len(rows),
        "first_med": statistics.median(first) if first else float("nan"), "first_p95": pct(first, 0.95),
        "end_med": statistics.median(end) if end else float("nan"), "end_p95": pct(end, 0.95),
        "kb": statistics.median([r.bytes for r in ok]) / 1024 if ok else float("nan"),
        "exceptions": sum(r.n_exceptions for r in ok),
        "timeouts": sum(1 for r in ok if not r.finished),
        "failed": sum(1 for kind, _ in rows if kind != "ok"),
        "charts": statistics.median([len(r.charts) for r in done]) if done else 0,
    }


def dashboard_steps() -> list:
    steps = [(name, page, None) for name, page in PAGES]
    # Home's slider must be known to the session: the student visits Home again before moving it.
    return steps + [("home again", "", None), ("home: slider", "", ("home_range", (-4.0, 4.0)))]


BARE_STEPS = [("bare app", "", None), ("bare: slider", "", ("bare_k", 3.0))]


async def warm_visits(url: str, page: str, visits: int, pid: int, timeout: float) -> tuple[float, float]:
    """CPU seconds of the server tree per visit of ``page`` by ``visits`` fresh sessions in a row,
    and the median bytes one visit received."""
    sizes = []
    cpu0 = stclient.server_tree_cpu_s(pid)
    for _ in range(visits):
        async with Session("warm") as s:
            await s.connect(url, timeout=timeout)
            r = await s.run(page=page, query="", timeout=timeout)
            sizes.append(r.bytes)
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # the closed sessions' clean-up is part of their cost
    return (stclient.server_tree_cpu_s(pid) - cpu0) / visits, statistics.median(sizes)


def print_warm(rows: list[tuple[str, float, float]], bare: tuple[float, float], visits: int) -> None:
    print(f"\nWarm visits, one session at a time ({visits} fresh sessions per page, every cache warm)\n")
    hdr = f"{'page':<14}{'CPU ms / visit':>16}{'KB':>8}{'× bare CPU':>12}"
    print(hdr)
    print("-" * len(hdr))
    for name, cpu, size in rows:
        print(f"{name:<14}{cpu * 1000:>16.0f}{size / 1024:>8.0f}{cpu / max(bare[0], 1e-9):>11.1f}×")
    print(f"{'bare app':<14}{bare[0] * 1000:>16.0f}{bare[1] / 1024:>8.0f}{1.0:>11.1f}×")
    total = sum(size for _, _, size in rows)
    print(f"{'every page':<14}{sum(c for _, c, _ in rows) * 1000:>16.0f}{total / 1024:>8.0f}"
          "   (KB: each page opened by a fresh session, nothing cached in the browser)")


def print_table(title: str, results: list[dict], bare: dict | None) -> None:
    hdr = (f"{'step':<14}{'n':>4}{'first med':>11}{'first p95':>11}{'end med':>9}{'end p95':>9}"
           f"{'KB':>8}{'charts':>7}{'exc':>5}{'t/o':>5}{'fail':>5}{'× bare (end p95)':>18}")
    print(f"\n{title}\n")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        ok = bare is not None and bare["end_p95"] and bare["end_p95"] == bare["end_p95"]
        ratio = r["end_p95"] / bare["end_p95"] if ok else float("nan")
        print(f"{r['step']:<14}{r['n']:>4}{r['first_med']:>10.2f}s{r['first_p95']:>10.2f}s{r['end_med']:>8.2f}s"
              f"{r['end_p95']:>8.2f}s{r['kb']:>8.0f}{r['charts']:>7.0f}{r['exceptions']:>5}{r['timeouts']:>5}"
              f"{r['failed']:>5}{ratio:>17.1f}×")
    print()


def errors_of(results: list[dict]) -> int:
    return sum(r["exceptions"] + r["timeouts"] + r["failed"] for r in results)


def replica_spread(reps: Replicas, where: list[list[str]]) -> tuple[dict, int]:
    """Sessions per replica (by the websocket's replica) and how many sessions moved."""
    per: dict = {}
    moved = 0
    for seen in where:
        idx = {reps.replica_of(u) for u in seen}
        if len(idx) != 1 or None in idx:
            moved += 1
        ws = reps.replica_of(seen[1]) if len(seen) > 1 else None
        per[ws] = per.get(ws, 0) + 1
    return per, moved


def run_direct(args) -> int:
    logs = Path(tempfile.mkdtemp(prefix="classroom-"))
    servers = {}
    try:
        for name, script in (("dashboard", "dashboard.py"), ("bare", "bench/bare_app.py")):
            port = stclient.free_port()
            log = open(logs / f"{name}.log", "wb")
            servers[name] = (port, stclient.start_server(port, script=script, log=log))
        for port, proc in servers.values():
            stclient.wait_healthy(port, proc, timeout=120)

        results, meta = [], {}
        for name, steps in (("dashboard", dashboard_steps()), ("bare", BARE_STEPS)):
            port, proc = servers[name]
            with Watch(proc.pid) as w:
                out, took = asyncio.run(classroom(f"http://127.0.0.1:{port}", args.n, steps, args.timeout))
            meta[name] = {"cpu": w.cpu, "peak": w.peak, "rss0": w.rss0, "wall": took}
            results += [summarise(step, out.get(step, [])) for step, _, _ in steps]
        warm = []
        if args.warm:
            url = f"http://127.0.0.1:{servers['dashboard'][0]}"
            for name, page in PAGES:
                cpu, size = asyncio.run(warm_visits(url, page, args.warm, servers["dashboard"][1].pid, args.timeout))
                warm.append((name, cpu, size))
            bare_warm = asyncio.run(warm_visits(f"http://127.0.0.1:{servers['bare'][0]}", "", args.warm,
                                                servers["bare"][1].pid, args.timeout))
    finally:
        for _port, proc in servers.values():
            stclient.stop_server(proc)

    bare = next(r for r in results if r["step"] == "bare app")
    print_table(f"Classroom: {args.n} sessions at once, each visiting every page in turn "
                f"(browserless, tests/stclient.py)", results, bare)
    d, b = meta["dashboard"], meta["bare"]
    for name, m in meta.items():
        print(f"{name:<10} server tree: {m['cpu']:7.1f} CPU s, peak {m['peak']:6.0f} MB "
              f"(idle before: {m['rss0']:.0f} MB), whole class {m['wall']:.1f} s")
    print(f"ratio      dashboard / bare: {d['cpu'] / max(b['cpu'], 1e-9):.1f}× CPU, "
          f"{d['peak'] / max(b['peak'], 1e-9):.1f}× peak memory")
    if warm:
        print_warm(warm, bare_warm, args.warm)
    errors = errors_of(results)
    print(f"\nerrors: {errors}; server logs in {logs}")
    return 1 if errors else 0


def run_proxy(args) -> int:
    ks = [int(k) for k in str(args.replicas).split(",")] if args.replicas else [cores()]
    logs = Path(tempfile.mkdtemp(prefix="classroom-"))
    bare = None
    if not args.no_bare:
        port = stclient.free_port()
        log = open(logs / "bare.log", "wb")
        proc = stclient.start_server(port, script="bench/bare_app.py", log=log)
        try:
            stclient.wait_healthy(port, proc, timeout=120)
            with Watch(proc.pid) as w:
                out, took = asyncio.run(classroom(f"http://127.0.0.1:{port}", args.n, BARE_STEPS, args.timeout))
        finally:
            stclient.stop_server(proc)
            log.close()
        bare_rows = [summarise(step, out.get(step, [])) for step, _, _ in BARE_STEPS]
        bare = bare_rows[0]
        print_table(f"Bare one-chart app, one server, direct: {args.n} sessions at once", bare_rows, None)
        print(f"bare       server tree: {w.cpu:7.1f} CPU s, peak {w.peak:6.0f} MB, whole class {took:.1f} s")

    total_errors, summary = 0, []
    for k in ks:
        steps = dashboard_steps()
        with Replicas(k, workdir=logs / f"k{k}") as reps:
            with Watch(*reps.pids) as w:
                out, took = asyncio.run(classroom(reps.url, args.n, steps, args.timeout, proxy=True))
            per, moved = replica_spread(reps, out.get("_where", []))
            upstream_errors = reps.upstream_errors()
        results = [summarise(step, out.get(step, [])) for step, _, _ in steps]
        errors = errors_of(results) + moved
        total_errors += errors
        print_table(f"Classroom through nginx, K = {k} replicas: {args.n} sessions at once, each visiting every "
                    f"page in turn (browserless, tests/stclient.py)", results, bare)
        spread = ", ".join(f"replica {r} (port {reps.ports[r]}): {n}" if r is not None else f"unknown: {n}"
                           for r, n in sorted(per.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
        print(f"sessions per replica: {spread}")
        print(f"sessions that stayed on their replica for every request: {len(out.get('_where', [])) - moved}"
              f" of {len(out.get('_where', []))}; nginx upstream errors: {len(upstream_errors)}")
        for line in upstream_errors[:3]:
            print(f"  {line[:200]}")
        print(f"replicas + nginx: {w.cpu:7.1f} CPU s, peak {w.peak:6.0f} MB (idle before: {w.rss0:.0f} MB), "
              f"whole class {took:.1f} s; errors {errors}")
        summary.append((k, took, w.cpu, w.peak, max(r["end_p95"] for r in results), errors))

    if len(summary) > 1:
        print(f"\n{'K':>3}{'whole class':>13}{'slowest step end p95':>22}{'CPU s':>8}{'peak MB':>9}"
              f"{'errors':>8}{'class speed-up':>16}")
        base = summary[0][1]
        for k, took, cpu, peak, p95, errors in summary:
            print(f"{k:>3}{took:>12.1f}s{p95:>21.2f}s{cpu:>8.1f}{peak:>9.0f}{errors:>8}{base / took:>15.2f}×")
        print(f"(this machine: {cores()} cores; K replicas can use at most min(K, cores) of them)")
    print(f"\nerrors: {total_errors}; logs in {logs}")
    return 1 if total_errors else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=30, help="sessions arriving at once (default 30)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds one run may take")
    ap.add_argument("--proxy", action="store_true",
                    help="the dashboard as K replicas behind nginx (deploy/run_replicas.py)")
    ap.add_argument("--replicas", default=None,
                    help=f"K, or several to compare (e.g. 1,2); implies --proxy (default: cores = {cores()})")
    ap.add_argument("--warm", type=int, default=5,
                    help="fresh sessions per page for the warm-visit CPU table (0: skip; direct mode only)")
    ap.add_argument("--no-bare", action="store_true", help="with --proxy: skip the bare app's baseline")
    args = ap.parse_args()
    if args.proxy or args.replicas:
        return run_proxy(args)
    return run_direct(args)


if __name__ == "__main__":
    sys.exit(main())
