"""Server time of one page render: what each student's visit costs the shared process.

Every session's script run holds the server's Python (one process, one GIL
for thirty students), so this is the cost that adds up in a classroom. For
each page, opens S fresh sessions in a row (Streamlit's AppTest, no browser)
with the default function, and times the page script's own run: from the
first line of the page to its last element, not AppTest's polling around it.
The first session pays the cold caches (imports, JAX compilation, SymPy); the
others show the steady cost of a new student arriving on a warm server.

Prints one row per page: cold run, warm median and maximum, the number of
charts drawn, and the warm time per chart. The race page draws no chart until
its button is pressed, so its row is the page without a race.

    .venv/bin/python bench/render.py            # 8 sessions per page
    .venv/bin/python bench/render.py -s 20
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PAGES = ["pages/home.py", "pages/symbolic.py", "pages/numerical.py", "pages/autodiff.py",
         "pages/speed_race.py"]


def _timed_runner():
    """Wrap the function Streamlit runs each script with, and return the list it fills."""
    import streamlit.runtime.scriptrunner.script_runner as runner

    times: list[float] = []
    original = runner.exec_func_with_error_handling

    def timed(func, ctx):
        t0 = time.perf_counter()
        try:
            return original(func, ctx)
        finally:
            times.append(time.perf_counter() - t0)

    runner.exec_func_with_error_handling = timed
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-s", "--sessions", type=int, default=8, help="fresh sessions per page (default 8)")
    args = ap.parse_args()

    os.chdir(ROOT)
    import logging

    from streamlit.testing.v1 import AppTest

    # AppTest's main thread reads results outside a script run; Streamlit warns each time.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())

    times = _timed_runner()
    print(f"# page render cost on the server: {args.sessions} fresh sessions per page, default function")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{platform.machine()}")
    print(f"{'page':<22}{'cold ms':>10}{'warm median ms':>16}{'warm max ms':>13}{'charts':>8}{'ms/chart':>10}")
    for page in PAGES:
        runs, charts = [], 0
        for _ in range(args.sessions):
            at = AppTest.from_file(os.path.join(ROOT, "dashboard.py"), default_timeout=300)
            if page != "pages/home.py":
                at.run()                  # the entry page (home) opens first, as in a browser
                at.switch_page(page)
            del times[:]
            at.run()
            if at.exception:
                print(f"{page}: exception: {at.exception[0].value}")
                return 1
            runs.append(sum(times))
            charts = len(at.get("vega_lite_chart"))
        warm = runs[1:] or runs
        median = statistics.median(warm)
        per_chart = f"{median / charts * 1000:,.0f}" if charts else "-"
        print(f"{page.removeprefix('pages/'):<22}{runs[0] * 1000:>10,.0f}{median * 1000:>16,.0f}"
              f"{max(warm) * 1000:>13,.0f}{charts:>8}{per_chart:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
