"""Where a warm page visit's server CPU goes, part by part, against the bare one-chart app.

Issue 17 asks that a warm visit cost the server at most 1.5x the CPU of a bare Streamlit
app (``bench/bare_app.py``); ``bench/classroom.py --warm`` gives the totals, this script
the parts. It starts the dashboard and the bare app, each as ``streamlit run`` inside this
file's ``--serve`` mode, which wraps a few Streamlit functions in thread-CPU timers
(exclusive time: a part's figure leaves out the parts it calls). Every page is visited
once to warm the caches (Home first), then, after the memory watch has frozen the heap
(``ui.memory.FREEZE_EVERY_S``), ``--visits`` fresh sessions open each page one after the
other, as in ``bench/classroom.py``. CPU ms per visit:

* ``gc``: Streamlit's collection after every run (``runner.postScriptGC``);
* ``freeze``: ``ui.memory.freeze_heap`` in the watch thread (every 5 s while pages run, so
  it lands in whichever page was being measured);
* ``compile``: reading and compiling scripts (Streamlit empties its script cache whenever
  the last session leaves, so a visitor alone on the server pays it every visit);
* ``entry``: ``dashboard.py``'s own statements (page config, the phone style, the memory
  guard, ``st.navigation``); for the bare app, its whole script;
* ``picker``: the shared sidebar (``ui.state.choose_function``: picker, URL, share
  control, the sidebar closer), called by every page;
* ``page``: the rest of the page's script and everything it calls;
* ``runner``: the rest of the script thread (session state, widget registry, messages);
* ``server``: every other thread (event loop, websocket, session set-up) and the workers;
* ``total``: the server tree's CPU (psutil), and its ratio to the bare app's.

    .venv/bin/python bench/overhead.py              # 10 visits per page
    .venv/bin/python bench/overhead.py --visits 5
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ["gc", "freeze", "compile", "entry", "picker", "page", "runner"]


# --- the server side (--serve) -------------------------------------------------------------

_acc: dict[str, float] = defaultdict(float)
_acc_lock = threading.Lock()
_tls = threading.local()


def _timed(key: str, func):
    """``func`` with its exclusive thread-CPU time added to ``_acc[key]``."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        stack = _tls.__dict__.setdefault("stack", [])
        stack.append(0.0)
        t0 = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent = time.thread_time() - t0
            inner = stack.pop()
            if stack:
                stack[-1] += spent
            with _acc_lock:
                _acc[key] += spent - inner

    return wrapper


def serve(argv: list[str]) -> None:
    """``streamlit run`` in this process with the parts timed; SIGUSR1 resets, SIGUSR2 writes
    the parts (seconds) as JSON to ``$OVERHEAD_OUT``."""
    import gc

    from streamlit.navigation.page import StreamlitPage
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.web import cli

    sys.path.insert(0, str(ROOT))
    from ui import memory, state

    class _GC:  # the module script_runner calls gc.collect(2) on, with collect timed
        collect = staticmethod(_timed("gc", gc.collect))

        def __getattr__(self, name):
            return getattr(gc, name)

    script_runner.gc = _GC()
    script_runner.exec_func_with_error_handling = _timed("entry", script_runner.exec_func_with_error_handling)
    script_runner.ScriptRunner._run_script = _timed("runner", script_runner.ScriptRunner._run_script)
    StreamlitPage.run = _timed("page", StreamlitPage.run)
    ScriptCache.get_bytecode = _timed("compile", ScriptCache.get_bytecode)
    state.choose_function = _timed("picker", state.choose_function)
    if hasattr(memory, "freeze_heap"):  # absent before the heap was frozen (an older commit)
        memory.freeze_heap = _timed("freeze", memory.freeze_heap)

    def reset(*_):
        with _acc_lock:
            _acc.clear()

    def dump(*_):
        with _acc_lock:
            data = dict(_acc)
        Path(os.environ["OVERHEAD_OUT"]).write_text(json.dumps(data))

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, dump)
    sys.argv = ["streamlit", "run", *argv]
    cli.main()


# --- the measuring side --------------------------------------------------------------------

def _start(script: str, out: Path, log) -> tuple[int, subprocess.Popen]:
    from tests import stclient

    port = stclient.free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", script,
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OVERHEAD_OUT": str(out)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stclient.wait_healthy(port, proc, timeout=120)
    return port, proc


async def _visits(url: str, page: str, n: int, timeout: float) -> int:
    from tests.stclient import Session

    errors = 0
    for _ in range(n):
        async with Session("overhead") as s:
            await s.connect(url, timeout=timeout)
            r = await s.run(page=page, query="", timeout=timeout)
            errors += r.n_exceptions
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # the closed sessions' clean-up is part of their cost
    return errors


def _measure(proc: subprocess.Popen, out: Path, url: str, page: str, n: int, timeout: float) -> dict:
    from tests import stclient

    out.unlink(missing_ok=True)
    proc.send_signal(signal.SIGUSR1)
    time.sleep(0.2)
    cpu0 = stclient.server_tree_cpu_s(proc.pid)
    errors = asyncio.run(_visits(url, page, n, timeout))
    total = stclient.server_tree_cpu_s(proc.pid) - cpu0
    proc.send_signal(signal.SIGUSR2)
    for _ in range(100):
        if out.exists() and out.stat().st_size:
            break
        time.sleep(0.05)
    parts = json.loads(out.read_text())
    row = {k: parts.get(k, 0.0) / n for k in PARTS}
    row["total"] = total / n
    row["server"] = max(0.0, row["total"] - sum(row[k] for k in PARTS))
    row["errors"] = errors
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visits", type=int, default=10, help="fresh sessions per page (default 10)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds one run may take")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.classroom import PAGES
    from tests import stclient
    from ui import memory

    tmp = Path(tempfile.mkdtemp(prefix="overhead-"))
    rows, bare = [], None
    for name, script, pages in (("dashboard", "dashboard.py", PAGES), ("bare", "bench/bare_app.py", [("bare app", "")])):
        out = tmp / f"{name}.json"
        port, proc = _start(script, out, open(tmp / f"{name}.log", "wb"))
        url = f"http://127.0.0.1:{port}"
        try:
            for _, page in pages:  # warm every cache; Home first, as a class arrives
                asyncio.run(_visits(url, page, 2, args.timeout))
            time.sleep(getattr(memory, "FREEZE_EVERY_S", 0.0) + 1.0)  # the watch freezes what the warm-up left
            for label, page in pages:
                row = _measure(proc, out, url, page, args.visits, args.timeout)
                row["name"] = label
                if name == "bare":
                    bare = row
                else:
                    rows.append(row)
        finally:
            stclient.stop_server(proc)

    print(f"\nWarm visit, CPU ms per visit by part ({args.visits} fresh sessions per page, one at a time)\n")
    cols = PARTS + ["server", "total"]
    hdr = f"{'page':<12}" + "".join(f"{c:>9}" for c in cols) + f"{'× bare':>8}{'exc':>5}"
    print(hdr)
    print("-" * len(hdr))
    for row in rows + [bare]:
        ratio = row["total"] / max(bare["total"], 1e-9)
        print(f"{row['name']:<12}" + "".join(f"{row[c] * 1000:>9.1f}" for c in cols)
              + f"{ratio:>7.2f}×{row['errors']:>5}")
    print(f"\nserver logs in {tmp}")
    return 1 if any(r["errors"] for r in rows + [bare]) else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2:])
    else:
        sys.exit(main())
