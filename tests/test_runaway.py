"""Runaway symbolic work is stopped at its limits, and other sessions keep working meanwhile.

Two sessions share one process, as students share one Streamlit server: session A
types an expression whose ``expand`` would run for many seconds into the Symbolic
page's playground; while its sandbox worker grinds, session B moves a slider on the
Home page. B's rerun must finish while A's operation is still running, before A's
time limit (big-integer work holds the GIL, so this only holds because the work is
in another process). Then A's page reports the stop in words and the pool has
replaced the killed worker. A separate check drives a worker past its memory limit.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.sandbox import DEFAULT_MEMORY_MB, Sandbox, SandboxMemoryError, get_sandbox

from conftest import chart_series, charts, messages, new_app, no_exception, open_tab

#: expand((x+y+1)^400) runs for about 40 s on the development machine.
RUNAWAY = "(x+y+1)^400"
#: The Symbolic page's time limit for A, in seconds (its slider's largest value).
LIMIT = 8
#: A multinomial expansion with billions of terms: memory grows by about 100 MB/s.
MEMORY_BOMB = "(x+sin(x)+cos(x)+tan(x)+exp(x)+log(x)+sqrt(x)+atan(x)+1)^60"


def _wait_until(cond, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_runaway_is_stopped_and_another_session_stays_responsive():
    sb = get_sandbox()  # the process-wide pool the pages use
    a = new_app()
    a.run()
    a.switch_page("pages/symbolic.py").run()
    open_tab(a, "x and y", "pages/symbolic.py")
    no_exception(a)
    a.slider(key="sym_limit").set_value(LIMIT)
    b = new_app()
    b.run()
    no_exception(b)
    killed0 = sb.killed
    sb.run("ping", timeout=60)  # both workers warm before the clock matters

    a.text_input(key="sym_xy").set_value(RUNAWAY)
    a_done = threading.Event()
    a_errors: list[BaseException] = []

    def grind():
        try:
            a.run(timeout=180)
        except BaseException as err:  # noqa: BLE001  (reported by the main thread)
            a_errors.append(err)
        finally:
            a_done.set()

    thread = threading.Thread(target=grind, daemon=True)
    thread.start()
    assert _wait_until(lambda: sb.busy() >= 1, 60), "session A never reached the sandbox"
    started = time.monotonic()

    # Session B: a new number of points on Home (a fresh computation, not a cache hit).
    b.slider(key="home_n").set_value(60).run()
    b_seconds = time.monotonic() - started
    b_finished_while_a_ground = not a_done.is_set()
    no_exception(b)
    assert len(chart_series(charts(b)[0])["f(x)"]) == 60

    thread.join(180)
    assert not a_errors, a_errors
    no_exception(a)
    errors = messages(a)
    assert any(f"took longer than {LIMIT} s and was stopped" in e for e in errors), errors
    assert sb.killed > killed0
    assert b_finished_while_a_ground and b_seconds < LIMIT, (
        f"session B's rerun finished {b_seconds:.1f} s after A's runaway op started "
        f"(A's limit: {LIMIT} s); it should not wait for A"
    )
    # The page carried on past the failed operation, and the pool serves again.
    assert a.get("metric"), "the substitution below the failed expand was not shown"
    assert sb.run("expand", "(x+1)^2")["text"] == "x**2 + 2*x + 1"


def test_memory_limit_stops_the_worker_and_replaces_it():
    sb = Sandbox(workers=1, timeout=60)
    try:
        first = sb.run("ping", timeout=60)["pid"]
        with pytest.raises(SandboxMemoryError, match=f"more than the {DEFAULT_MEMORY_MB} MB"):
            sb.run("expand", MEMORY_BOMB)
        assert sb.killed == 1
        assert sb.run("ping", timeout=60)["pid"] != first
        assert sb.run("factor", "x^2 - 1")["text"] == "(x - 1)*(x + 1)"
    finally:
        sb.close()
