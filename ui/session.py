"""Who is asking, and are they still there: the browser session behind this script run.

:func:`owner_id` names whom the sandbox and the race queue count requests against:
the browser (all its tabs together) when its XSRF cookie tells it, else the session
(:func:`session_id`); :func:`cancelled` says when waiting or computing for it is no
longer wanted: its script run was asked to stop (the tab closed or disconnected:
Streamlit then requests a stop) or to rerun (the student moved a widget; the old
run's result would be thrown away). :func:`waiting_note` shows "waiting: you are
number N" in a placeholder from inside a cached function without the message being
recorded for replay.

These read a few Streamlit internals (``ScriptRunContext.script_requests``); each read
is guarded, so a Streamlit that changes them only loses early cancellation.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator

import streamlit as st

#: AppTest gives every test app the same session id; each app gets its own owner.
_APPTEST_SESSION_ID = "test session id"
#: The cookie in which Streamlit's server keeps a browser's XSRF token (one per browser).
_XSRF_COOKIE = "_streamlit_xsrf"


def _ctx():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True)


def session_id() -> str:
    """This script run's browser session id (the thread's id outside a script run)."""
    ctx = _ctx()
    if ctx is None:
        return f"thread-{threading.get_ident()}"
    sid = str(ctx.session_id)
    if sid == _APPTEST_SESSION_ID:  # streamlit.testing: tell apps apart by their session state
        state = getattr(ctx.session_state, "_state", ctx.session_state)
        sid = f"{sid}-{id(state)}"
    return sid


def _xsrf_token(raw: str) -> bytes | None:
    """The token inside Streamlit's XSRF cookie ("2|mask|masked token|time": the mask changes
    from response to response, the token stays), or the whole value in another format."""
    value = raw.strip("\"'")
    if value.startswith("2|"):
        try:
            _, mask_hex, masked_hex, _ = value.split("|")
            mask, masked = bytes.fromhex(mask_hex), bytes.fromhex(masked_hex)
        except ValueError:
            return None
        if not mask:
            return None
        return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked))
    return value.encode() or None


def browser_id() -> str | None:
    """An id of the browser, the same in all its tabs (a hash of the XSRF token Streamlit keeps
    in a cookie), or None when there is no such cookie (XSRF protection off, streamlit.testing)."""
    try:
        raw = st.context.cookies.get(_XSRF_COOKIE)
    except Exception:  # noqa: BLE001  (no script run, or a Streamlit without st.context.cookies)
        return None
    token = _xsrf_token(raw) if isinstance(raw, str) and raw else None
    return f"browser-{hashlib.sha256(token).hexdigest()[:16]}" if token else None


def owner_id() -> str:
    """Whom the sandbox and the race queue count a request against: the browser when it is
    known (so eight tabs hold one place, not eight), else this session."""
    return browser_id() or session_id()


def _stop_requested(ctx) -> bool:
    """Has this run been asked to stop, or to rerun in a way that ends it?"""
    requests = getattr(ctx, "script_requests", None)
    if requests is None:
        return False
    from streamlit.runtime.scriptrunner_utils import script_requests as sr

    state = getattr(requests, "_state", None)
    if state == sr.ScriptRequestType.STOP:
        return True
    if state == sr.ScriptRequestType.RERUN:
        data = getattr(requests, "_rerun_data", None)
        check = getattr(sr, "_fragment_run_should_not_preempt_script", None)
        if data is not None and check is not None:
            # A fragment's own rerun does not end the full run; everything else does.
            return not check(data.fragment_id_queue, data.is_fragment_scoped_rerun)
        return True
    return False


def _disconnected(sid: str) -> bool:
    """Has the server forgotten this session (closed, not merely reconnecting)?"""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    mgr = getattr(Runtime.instance(), "_session_mgr", None)
    get = getattr(mgr, "get_session_info", None)
    if not callable(get):
        return False
    return get(sid) is None


def cancel_check(ctx=None) -> Callable[[], bool]:
    """A ``cancelled()`` bound to this script run (safe to call from any thread)."""
    ctx = ctx if ctx is not None else _ctx()
    if ctx is None:
        return lambda: False
    sid = str(ctx.session_id)

    def check() -> bool:
        try:
            return _stop_requested(ctx) or _disconnected(sid)
        except Exception:  # noqa: BLE001  (an internal changed: never cancel by mistake)
            return False

    return check


def cancelled() -> bool:
    """True when this script run has been asked to stop or rerun, or its session is gone."""
    return cancel_check()()


@contextlib.contextmanager
def _not_recorded() -> Iterator[None]:
    """Inside a ``st.cache_data`` function, write elements without recording them for replay
    (a replayed waiting note would point at a placeholder of an earlier run)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:
        yield
        return
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)


def waiting_note(what: str = "symbolic computation") -> tuple[Callable[[int, float], None], Callable[[], None]]:
    """``(on_wait, clear)``: on_wait shows "⏳ waiting: you are number N, about S s" in a
    placeholder made at the first report (none when nothing waits); clear removes it."""
    box: list = []

    def on_wait(position: int, wait_s: float) -> None:
        with _not_recorded():
            if not box:
                box.append(st.empty())
            box[0].caption(f"⏳ Waiting for a free worker for your {what}: you are number {int(position)} "
                           f"in line, about {max(float(wait_s), 1):.0f} s.")

    def clear() -> None:
        if box:
            with _not_recorded():
                box[0].empty()

    return on_wait, clear
