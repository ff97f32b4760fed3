
"""Fairness on the pages' side: the race queue, and who is asking the sandbox.

The race queue takes an ``owner`` (the session's id) like the sandbox pool (whose
own fairness tests are in tests/test_sandbox_pool.py): one ticket each, no other
owner's labels; a waiter that goes away leaves at once. The pages' helpers name
the owner, follow the script run's stop and rerun requests, and show a waiting
note that survives the cache.
"""

from __future__ import annotations

import threading
import time

import pytest

from core import timing

from conftest import Background, wait_until

# --- the race queue ---------------------------------------------------------------------------

def test_race_queue_one_ticket_per_owner_and_no_labels_for_others():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("race of my_secret_function(x)", 4.0, owner="A"):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    try:
        with pytest.raises(timing.QueueSessionLimit, match="already have a race running or waiting"):
            with q.slot("again", 1.0, owner="A"):
                pass
        other = q.status(owner="B")
        assert other["running"] == "a race (≈4 s)" and "secret" not in repr(other) and other["mine"] is None
        assert q.status(owner="A")["running"] == "race of my_secret_function(x)"
        assert q.status(owner="A")["mine"] == 0
    finally:
        release.set()
        t.join(5)


def test_race_queue_drops_a_cancelled_waiter():
    q = timing.RaceQueue()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with q.slot("holder", 2.0, owner="A"):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    gone, seen = threading.Event(), []
    t0 = time.monotonic()

    def on_wait(pos, wait_s):
        seen.append(pos)
        gone.set()  # the tab closes after its first report

    with pytest.raises(timing.QueueCancelled):
        with q.slot("waiter", 1.0, on_wait, owner="B", cancelled=gone.is_set):
            pass
    assert time.monotonic() - t0 < 0.6 and seen[0] == 1
    assert q.status(owner="B")["waiting"] == 0 and q.status(owner="B")["mine"] is None
    release.set()
    t.join(5)
    with q.slot("B again", 1.0, owner="B") as waited:  # not stuck at its cap
        assert waited < 0.5


# --- the pages' side: who is asking, and a waiting note that survives the cache -----------------

_SCRIPT = '''
import streamlit as st
from ui import session
from ui.symbolic_sections import sandboxed

st.text(session.session_id())
st.text(f"cancelled={session.cancelled()}")
res = sandboxed("sleep", 0.01, limit=2)
st.text(f"ok={res['ok']}")
'''


def test_session_helpers_and_waiting_note_in_a_script_run():
    from streamlit.testing.v1 import AppTest

    import ui.symbolic_sections  # noqa: F401  (imported before the clock matters)
    from core.sandbox import get_sandbox
    from ui import session

    notes = []
    real = session.waiting_note

    def spy(*args):
        on_wait, clear = real(*args)
        return (lambda pos, s: (notes.append(pos), on_wait(pos, s))), clear

    session.waiting_note = spy
    sb = get_sandbox()
    for _ in range(sb.size):
        sb.run("ping", timeout=10)
    holders = [Background(sb, "sleep", 1.0) for _ in range(sb.size)]  # every worker busy for a second
    assert wait_until(lambda: sb.busy() == sb.size)
    a, b = AppTest.from_string(_SCRIPT, default_timeout=30), AppTest.from_string(_SCRIPT, default_timeout=30)
    a.run()
    assert not a.exception, [e.value for e in a.exception]
    texts = [t.value for t in a.text]
    assert texts[1] == "cancelled=False" and texts[2] == "ok=True"
    session.waiting_note = real
    assert notes and notes[0] == 1  # it waited, and heard its place in line
    for h in holders:
        h.join()
    a.run()  # a cache hit: the waiting note is not replayed with the result
    assert not a.exception, [e.value for e in a.exception]
    assert not [c.value for c in a.caption if "Waiting" in c.value]
    b.run()
    assert not b.exception, [e.value for e in b.exception]
    assert [t.value for t in b.text][2] == "ok=True"
    assert a.text[0].value != b.text[0].value  # two apps, two owners (AppTest shares one session id)
    assert a.text[0].value == texts[0]  # the same app keeps its owner across reruns


def test_cancelled_follows_the_script_runs_stop_and_rerun_requests():
    from types import SimpleNamespace

    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

    from ui import session

    def ctx_with(requests):
        return SimpleNamespace(session_id="s1", script_requests=requests)

    req = ScriptRequests()
    check = session.cancel_check(ctx_with(req))
    assert check() is False  # running, nothing asked
    fragment = ScriptRequests()
    fragment.request_rerun(RerunData(fragment_id_queue=["f1"]))
    assert session.cancel_check(ctx_with(fragment))() is False  # a fragment's rerun does not end the run
    req.request_rerun(RerunData())
    assert check() is True  # the student moved a widget: this run's result is not wanted
    stopped = ScriptRequests()
    stopped.request_stop()  # the tab closed (Streamlit asks the run to stop on disconnect)
    assert session.cancel_check(ctx_with(stopped))() is True
    assert session.cancel_check(SimpleNamespace(session_id="s2", script_requests=None))() is False


def test_every_tab_of_a_browser_is_one_owner():
    from ui import session

    token = bytes(range(16))

    def cookie(mask: bytes) -> str:  # Streamlit's "2|mask|masked token|time", a new mask each response
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(token))
        return f"2|{mask.hex()}|{masked.hex()}|1700000000"

    assert session._xsrf_token(cookie(b"\x01\x02\x03\x04")) == token
    assert session._xsrf_token(cookie(b"\xaa\xbb\xcc\xdd")) == token  # another tab, the same browser
    assert session._xsrf_token("2|zz|bad|1") is None
    assert session.owner_id().startswith("thread-")  # outside a script run: no cookie, no session
