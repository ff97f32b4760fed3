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

    .venv/bin/python bench/classroom.py          # N = 30
    .venv/bin/python bench/classroom.py -n 5
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
    """Peak RSS of a server tree, polled every 0.2 s in a thread, and its CPU seconds."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, stclient.server_tree_rss_mb(self.pid))
            self._stop.wait(0.2)

    def __enter__(self):
        self.cpu0 = stclient.server_tree_cpu_s(self.pid)
        self.rss0 = stclient.server_tree_rss_mb(self.pid)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(5)
        self.cpu = stclient.server_tree_cpu_s(self.pid) - self.cpu0


async def student(url: str, steps: list[tuple[str, str, object]], timeout: float, out: dict,
                  start: asyncio.Event) -> None:
    s = Session("student")
    try:
        await start.wait()
        try:
            await s.connect(url, timeout=timeout)
        except Exception as err:
            for name, _, _ in steps:
                out.setdefault(name, []).append(("failed", repr(err)))
            return
        for name, page, action in steps:
            try:
                if action is None:
                    r = await s.run(page=page, query="" if name == steps[0][0] else None, timeout=timeout)
                else:
                    key, value = action
                    r = await s.set_widget(key, value, timeout=timeout)
            except Exception as err:
                out.setdefault(name, []).append(("failed", repr(err)))
                continue
            out.setdefault(name, []).append(("ok", r))
    finally:
        await s.close()


async def classroom(url: str, n: int, steps, timeout: float) -> tuple[dict, float]:
    out: dict = {}
    start = asyncio.Event()
    tasks = [asyncio.create_task(student(url, steps, timeout, out, start)) for _ in range(n)]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=30, help="sessions arriving at once (default 30)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds one run may take")
    args = ap.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="classroom-"))
    servers = {}
    try:
        for name, script in (("dashboard", "dashboard.py"), ("bare", "bench/bare_app.py")):
            port = stclient.free_port()
            log = open(logs / f"{name}.log", "wb")
            servers[name] = (port, stclient.start_server(port, script=script, log=log))
        for name, (port, proc) in servers.items():
            stclient.wait_healthy(port, proc, timeout=120)

        dash_steps = [(name, page, None) for name, page in PAGES]
        dash_steps.append(("home: slider", "", ("home_range", (-4.0, 4.0))))
        bare_steps = [("bare app", "", None), ("bare: slider", "", ("bare_k", 3.0))]

        results, meta = [], {}
        for name, steps in (("dashboard", dash_steps), ("bare", bare_steps)):
            port, proc = servers[name]
            url = f"http://127.0.0.1:{port}"
            if name == "dashboard":
                # Home's first steps use the slider, which must be known to the session: the
                # student visits Home again before moving it.
                steps = steps[:-1] + [("home again", "", None), steps[-1]]
            with Watch(proc.pid) as w:
                out, took = asyncio.run(classroom(url, args.n, steps, args.timeout))
            meta[name] = {"cpu": w.cpu, "peak": w.peak, "rss0": w.rss0, "wall": took}
            results += [summarise(step, out.get(step, [])) for step, _, _ in steps]
    finally:
        for port, proc in servers.values():
            stclient.stop_server(proc)

    bare = next(r for r in results if r["step"] == "bare app")
    hdr = (f"{'step':<14}{'n':>4}{'first med':>11}{'first p95':>11}{'end med':>9}{'end p95':>9}"
           f"{'KB':>8}{'charts':>7}{'exc':>5}{'t/o':>5}{'fail':>5}{'× bare (end p95)':>18}")
    print(f"\nClassroom: {args.n} sessions at once, each visiting every page in turn "
          f"(browserless, tests/stclient.py)\n")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        ratio = r["end_p95"] / bare["end_p95"] if bare["end_p95"] and bare["end_p95"] == bare["end_p95"] else float("nan")
        print(f"{r['step']:<14}{r['n']:>4}{r['first_med']:>10.2f}s{r['first_p95']:>10.2f}s{r['end_med']:>8.2f}s"
              f"{r['end_p95']:>8.2f}s{r['kb']:>8.0f}{r['charts']:>7.0f}{r['exceptions']:>5}{r['timeouts']:>5}"
              f"{r['failed']:>5}{ratio:>17.1f}×")
    print()
    d, b = meta["dashboard"], meta["bare"]
    for name, m in meta.items():
        print(f"{name:<10} server tree: {m['cpu']:7.1f} CPU s, peak {m['peak']:6.0f} MB "
              f"(idle before: {m['rss0']:.0f} MB), whole class {m['wall']:.1f} s")
    print(f"ratio      dashboard / bare: {d['cpu'] / max(b['cpu'], 1e-9):.1f}× CPU, "
          f"{d['peak'] / max(b['peak'], 1e-9):.1f}× peak memory")
    errors = sum(r["exceptions"] + r["timeouts"] + r["failed"] for r in results)
    print(f"\nerrors: {errors}; server logs in {logs}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
