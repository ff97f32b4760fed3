"""A browserless Streamlit client: speaks the websocket protocol as the frontend does.

Written against Streamlit 1.67 (Starlette/uvicorn server). One :class:`Session` is
one browser tab:

* it opens ``/_stcore/stream`` with the subprotocols ``["streamlit",
  "PLACEHOLDER_AUTH_TOKEN"]`` (no Origin header: the server allows that; no XSRF
  cookie is needed to run scripts);
* it asks for a script run with ``BackMsg.rerun_script`` (a ``ClientState``:
  query string, page name on the first visit and the page's script hash once the
  ``navigation`` message has told it, the widget states it has set, the hashes of
  the messages it has cached, a ``ContextInfo``), then reads ForwardMsgs until
  that run's ``script_finished``;
* like the frontend, it caches every message the server marks ``cacheable`` by its
  hash and lists those hashes in later reruns, so the server may send a
  ``ref_hash`` instead: that is resolved from the client's own cache (the
  reference's metadata, i.e. the delta path, is kept);
* like the frontend's WidgetStateManager, the widget values it has set are sent
  again on every later rerun (trigger values, i.e. button clicks, once only);
  widgets it never touched are not sent, and the server uses their defaults or
  their query-parameter binding;
* it keeps the query string the server last sent (``page_info_changed``), as the
  browser's address bar does.

Nothing here sends traffic anywhere but the server it is given (tests use
127.0.0.1 only), and every wait is bounded in time.

Also: :func:`start_server` / :func:`wait_healthy` / :func:`stop_server` for a
``streamlit run`` process on localhost, :func:`server_tree_rss_mb` and
:func:`server_tree_cpu_s` (psutil) for the cost of its process tree, and
:func:`health_ms` for one timed ``/_stcore/health`` request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = pathlib.Path(__file__).resolve().parents[1]

_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
_STATUS_NAMES = {v: k for k, v in ForwardMsg.ScriptFinishedStatus.items()}

#: Element types whose text is rendered as Markdown by the frontend.
MARKDOWN_TYPES = ("markdown", "alert", "heading")
#: Element types whose text the frontend shows verbatim (no Markdown).
VERBATIM_TYPES = ("code", "text")
#: Widget element types (they carry an ``id``).
WIDGET_TYPES = ("slider", "selectbox", "text_input", "text_area", "checkbox", "radio", "button",
                "number_input", "multiselect", "button_group", "download_button", "color_picker",
                "date_input", "time_input", "chat_input", "file_uploader", "menu_button", "pagination")


class ProtocolError(RuntimeError):
    pass


# --- results ----------------------------------------------------------------------------

@dataclasses.dataclass
class Widget:
    id: str
    key: str | None         # the user key (the id's suffix), or None for an unkeyed widget
    type: str               # element type: "slider", "selectbox", ...
    label: str
    value: Any              # the value the client set, else what the element says (value, else default)
    fragment_id: str = ""   # the fragment the widget was drawn in ("" for the main script)
    proto: Any = None       # the widget's element proto (e.g. Slider)


@dataclasses.dataclass
class Seen:
    """One element delta as it arrived."""
    type: str
    path: tuple[int, ...]
    element: Any            # the Element proto
    fragment_id: str = ""

    @property
    def body(self) -> str:
        """The text the element shows (Markdown source for markdown/alert/heading)."""
        el = self.element
        if self.type == "markdown":
            return el.markdown.body
        if self.type == "alert":
            return el.alert.body
        if self.type == "heading":
            return el.heading.body
        if self.type == "code":
            return el.code.code_text
        if self.type == "text":
            return el.text.body
        if self.type == "exception":
            return f"{el.exception.type}: {el.exception.message}"
        return ""


@dataclasses.dataclass
class RunResult:
    page: str                       # url path of the page that ran ("" = the default page)
    query: str
    sent_at: float                  # time.monotonic() when the rerun was sent
    t_first_delta: float | None     # seconds from sending to the first delta of the run
    t_end: float | None             # seconds from sending to the run's script_finished
    finished: bool                  # script_finished arrived (else: timed out)
    status: str | None              # script_finished status name
    bytes: int                      # bytes of every frame received during the run
    messages: int
    seen: list[Seen]                # every element delta, in arrival order
    final: dict[tuple[int, ...], Seen]  # the element at each delta path at the end
    widgets: dict[str, Widget]      # by widget id
    page_not_found: bool = False
    error: str | None = None        # the connection failed

    @property
    def exceptions(self) -> list[Seen]:
        return [s for s in self.seen if s.type == "exception"]

    @property
    def n_exceptions(self) -> int:
        return len(self.exceptions)

    @property
    def charts(self) -> list[dict]:
        """Specs (parsed JSON) of every Vega-Lite chart in the run's final tree."""
        out = []
        for s in self._final_sorted():
            if s.type == "vega_lite_chart":
                try:
                    out.append(json.loads(s.element.vega_lite_chart.spec))
                except ValueError:
                    out.append({"_unparsed": s.element.vega_lite_chart.spec[:200]})
        return out

    @property
    def texts(self) -> list[tuple[str, str]]:
        """(type, body) of every markdown, alert, heading, code and text element in the final tree."""
        return [(s.type, s.body) for s in self._final_sorted() if s.type in MARKDOWN_TYPES + VERBATIM_TYPES]

    @property
    def markdown(self) -> list[str]:
        return [b for t, b in self.texts if t in ("markdown", "heading")]

    @property
    def alerts(self) -> list[str]:
        return [b for t, b in self.texts if t == "alert"]

    def keyed(self) -> dict[str, Widget]:
        return {w.key: w for w in self.widgets.values() if w.key}

    def _final_sorted(self) -> list[Seen]:
        return [self.final[p] for p in sorted(self.final)]

    def summary(self) -> str:
        return (f"page={self.page or '/'} finished={self.finished} status={self.status} "
                f"first={_fmt(self.t_first_delta)} end={_fmt(self.t_end)} bytes={self.bytes} "
                f"exceptions={self.n_exceptions} charts={len(self.charts)} error={self.error}")


def _fmt(t: float | None) -> str:
    return "-" if t is None else f"{t:.2f}s"


# --- the session ------------------------------------------------------------------------

def _widget_key(element_id: str) -> str | None:
    # Streamlit's ids: "$$ID-<hash>-<user key>" ("None" when unkeyed).
    parts = element_id.split("-", 2)
    if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None":
        return parts[2]
    return None


def _widget_value(kind: str, w) -> Any:
    """The value an element says its widget has: the value the server set, else its default.

    (A widget whose value lives in session state is drawn without a default, so
    the default then says little: :meth:`Session.widget` prefers what the client set.)
    """
    if kind == "slider":
        vals = list(w.value) if w.set_value and len(w.value) else list(w.default)
        if len(w.options):
            return [w.options[int(i)] for i in vals if 0 <= int(i) < len(w.options)]
        return vals
    for field in ("value", "raw_value", "default"):
        try:
            if w.HasField(field):
                return getattr(w, field)
        except ValueError:  # not an optional field
            v = getattr(w, field, None)
            if v not in (None, ""):
                return list(v) if hasattr(v, "__len__") and not isinstance(v, str) else v
    return None


def _state_value(ws) -> Any:
    kind = ws.WhichOneof("value")
    if kind is None:
        return None
    v = getattr(ws, kind)
    return list(v.data) if hasattr(v, "data") else v


class Session:
    """One browser tab on a Streamlit server (asyncio)."""

    def __init__(self, name: str = "session", cookie: str | None = None):
        self.name = name
        self.cookie = cookie  # a Cookie header (e.g. from browser_cookie(): tabs of one browser)
        self.base_url = ""
        self.ws = None
        self._reader: asyncio.Task | None = None
        self._queue: asyncio.Queue = asyncio.Queue()
        self.cache: dict[str, ForwardMsg] = {}       # cacheable messages by hash
        self.pages: dict[str, str] = {}              # url path -> page_script_hash
        self.page_hash = ""                          # the page the session is on
        self.page = ""
        self.query = ""                              # the address bar's query string
        self.widget_states: dict[str, Any] = {}      # id -> WidgetState proto (persistent)
        self.widgets: dict[str, Widget] = {}         # every widget seen so far, by id
        self.bytes_total = 0
        self.closed = False

    # - connection -
    async def connect(self, base_url: str, timeout: float = 30.0) -> Session:
        from websockets.asyncio.client import connect

        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        ws_url = f"ws://{parts.netloc}{parts.path}/_stcore/stream"
        self.ws = await asyncio.wait_for(
            connect(ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], max_size=None,
                    additional_headers={"Cookie": self.cookie} if self.cookie else None,
                    open_timeout=timeout, ping_interval=None, close_timeout=2),
            timeout)
        self._reader = asyncio.create_task(self._read_loop(), name=f"{self.name}-reader")
        return self

    async def _read_loop(self) -> None:
        try:
            async for frame in self.ws:
                if isinstance(frame, str):
                    continue
                self.bytes_total += len(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                await self._queue.put((time.monotonic(), len(frame), msg))
        except Exception as err:  # connection lost
            await self._queue.put((time.monotonic(), 0, err))
        else:
            await self._queue.put((time.monotonic(), 0, ConnectionError("websocket closed")))

    async def close(self) -> None:
        self.closed = True
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 3)
            except Exception:
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # - requests -
    def _client_state(self, fragment_id: str = "", page_name: str | None = None):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if page_name is not None:
            cs.page_name = page_name
        else:
            cs.page_script_hash = self.page_hash
        if fragment_id:
            cs.fragment_id = fragment_id
        for ws in self.widget_states.values():
            cs.widget_states.widgets.add().CopyFrom(ws)
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url = f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")
        ci.is_embedded, ci.color_scheme = False, "light"
        return msg

    async def _send(self, msg: BackMsg) -> float:
        t = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        return t

    async def run(self, page: str | None = None, query: str | dict | None = None,
                  timeout: float = 60.0) -> RunResult:
        """Open ``page`` (url path: "", "symbolic", ...) with ``query`` and wait for the run to end.

        As a page load in the browser: ``query`` replaces the query string (None keeps it);
        widget states set on another page are dropped when the page changes.
        """
        if isinstance(query, dict):
            query = urlencode(query)
        page = (page or "").strip("/") if page is not None else self.page
        if query is not None:
            self.query = query.lstrip("?")
        if page != self.page or query is not None:
            # A new page load: the frontend starts with no widget state.
            self.widget_states = {}
        self.page = page
        page_hash = self.pages.get(page)
        if page_hash:
            self.page_hash = page_hash
            msg = self._client_state()
        else:
            msg = self._client_state(page_name=page)
        return await self._run(msg, fragment=False, timeout=timeout)

    async def rerun(self, timeout: float = 60.0) -> RunResult:
        return await self._run(self._client_state(), fragment=False, timeout=timeout)

    def widget(self, key_or_id: str) -> Widget:
        if key_or_id in self.widgets:
            return self.widgets[key_or_id]
        found = [w for w in self.widgets.values() if w.key == key_or_id]
        if not found:
            raise KeyError(f"{self.name}: no widget with key or id {key_or_id!r}; "
                           f"keys seen: {sorted(w.key for w in self.widgets.values() if w.key)}")
        return found[-1]

    def set_state(self, key_or_id: str, value: Any) -> Widget:
        """Set a widget's state for the next rerun (as a user's change would), without sending."""
        w = self.widget(key_or_id)
        ws = BackMsg().rerun_script.widget_states.widgets.add()
        ws.id = w.id
        if w.type == "slider":
            if w.proto is not None and len(w.proto.options):
                vals = value if isinstance(value, (list, tuple)) else [value]
                ws.string_array_value.data.extend(str(v) for v in vals)
            else:
                vals = value if isinstance(value, (list, tuple)) else [value]
                ws.double_array_value.data.extend(float(v) for v in vals)
        elif w.type in ("text_input", "text_area", "selectbox", "radio", "color_picker"):
            ws.string_value = str(value)
        elif w.type == "checkbox":
            ws.bool_value = bool(value)
        elif w.type == "number_input":
            ws.double_value = float(value)
        elif w.type in ("multiselect", "button_group"):
            ws.string_array_value.data.extend(str(v) for v in value)
        elif w.type in ("button", "download_button"):
            ws.trigger_value = True
        else:
            raise NotImplementedError(f"set_widget for {w.type}")
        self.widget_states[w.id] = ws
        return w

    async def set_widget(self, key_or_id: str, value: Any, timeout: float = 60.0) -> RunResult:
        """Change one widget (slider, text box, ...) and wait for the rerun it causes."""
        w = self.set_state(key_or_id, value)
        return await self._run(self._client_state(fragment_id=w.fragment_id), fragment=bool(w.fragment_id),
                               timeout=timeout)

    async def click(self, key_or_id: str, timeout: float = 60.0) -> RunResult:
        w = self.set_state(key_or_id, True)
        try:
            return await self._run(self._client_state(fragment_id=w.fragment_id),
                                   fragment=bool(w.fragment_id), timeout=timeout)
        finally:
            self.widget_states.pop(w.id, None)  # a trigger fires once

    async def send_rerun(self, fragment_id: str = "") -> float:
        """Send a rerun without waiting (e.g. to start a second request): returns when it was sent."""
        return await self._send(self._client_state(fragment_id=fragment_id))

    async def collect(self, sent_at: float, fragment: bool = False, timeout: float = 60.0) -> RunResult:
        """Read messages until the run begun by a rerun sent at ``sent_at`` finishes."""
        return await self._collect(sent_at, fragment, timeout)

    async def _run(self, msg: BackMsg, fragment: bool, timeout: float) -> RunResult:
        if self.ws is None:
            raise ProtocolError("connect() first")
        # Drop what is left of earlier runs (the reader keeps caching as it goes).
        while not self._queue.empty():
            _, _, m = self._queue.get_nowait()
            if isinstance(m, ForwardMsg):
                self._absorb(m)
        sent = await self._send(msg)
        return await self._collect(sent, fragment, timeout)

    def _absorb(self, msg: ForwardMsg) -> ForwardMsg:
        """Cache, resolve references and track session-level state, as the frontend does."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"{self.name}: ref_hash {msg.ref_hash} for a message never cached")
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if kind == "navigation":
            for p in msg.navigation.app_pages:
                self.pages[p.url_pathname.strip("/")] = p.page_script_hash
                if p.is_default:
                    self.pages.setdefault("", p.page_script_hash)
            if msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "new_session":
            if msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
        return msg

    async def _collect(self, sent: float, fragment: bool, timeout: float) -> RunResult:
        res = RunResult(page=self.page, query=self.query, sent_at=sent, t_first_delta=None, t_end=None,
                        finished=False, status=None, bytes=0, messages=0, seen=[], final={}, widgets={})
        started = fragment  # a full run starts with new_session; a fragment run does not
        deadline = sent + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                res.error = res.error or f"timed out after {timeout:g} s"
                break
            try:
                t, size, msg = await asyncio.wait_for(self._queue.get(), left)
            except asyncio.TimeoutError:
                res.error = f"timed out after {timeout:g} s"
                break
            if isinstance(msg, Exception):
                res.error = f"connection: {msg!r}"
                await self._queue.put((t, 0, msg))  # stays closed for later calls
                break
            msg = self._absorb(msg)
            if t < sent:
                continue  # left over from an earlier run (it arrived before this rerun was sent)
            res.bytes += size
            res.messages += 1
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                # (A run replaced for a newer rerun starts again: keep only the latest run.)
                started = True
                res.seen, res.final = [], {}
                continue
            if not started:
                continue
            if kind == "page_not_found":
                res.page_not_found = True
            elif kind == "delta":
                if res.t_first_delta is None:
                    res.t_first_delta = t - sent
                d = msg.delta
                if d.WhichOneof("type") == "new_element":
                    el = d.new_element
                    etype = el.WhichOneof("type") or ""
                    path = tuple(msg.metadata.delta_path)
                    s = Seen(etype, path, el, d.fragment_id)
                    res.seen.append(s)
                    res.final[path] = s
                    if etype in WIDGET_TYPES:
                        w = getattr(el, etype)
                        wid = getattr(w, "id", "")
                        if wid:
                            value = (_state_value(self.widget_states[wid]) if wid in self.widget_states
                                     else _widget_value(etype, w))
                            widget = Widget(wid, _widget_key(wid), etype, getattr(w, "label", ""),
                                            value, d.fragment_id, w)
                            res.widgets[wid] = widget
                            self.widgets[wid] = widget
            elif kind == "script_finished":
                if msg.script_finished == _EARLY:
                    started = fragment
                    continue
                res.finished = True
                res.status = _STATUS_NAMES.get(msg.script_finished, str(msg.script_finished))
                res.t_end = t - sent
                break
        res.query = self.query
        return res


# --- the server -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict | None = None, script: str = "dashboard.py",
                 log=subprocess.DEVNULL, cwd: pathlib.Path = ROOT) -> subprocess.Popen:
    """``streamlit run <script>`` on 127.0.0.1:port, in its own process group (not waited for)."""
    cmd = [sys.executable, "-m", "streamlit", "run", script,
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=full_env,
                            start_new_session=True)


def wait_healthy(port: int, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> float:
    """Wait until /_stcore/health says ok; returns the seconds it took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer its health check within {timeout:g} s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (its process group)."""
    from deploy.run_replicas import stop_group

    stop_group(proc)


def health_ms(port: int, timeout: float = 10.0) -> float | None:
    """Milliseconds one GET /_stcore/health took, or None when it failed or took > timeout."""
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as r:
            r.read()
    except OSError:
        return None
    return (time.monotonic() - t0) * 1000


def browser_cookie(base_url: str) -> str:
    """The Cookie header a browser would send after loading the app's page (the XSRF cookie
    Streamlit sets with ``/_stcore/health``, which the frontend polls): Sessions given the same
    one are tabs of one browser."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/_stcore/health", timeout=10) as r:
        cookies = [h.split(";", 1)[0] for h in r.headers.get_all("Set-Cookie") or []]
    return "; ".join(cookies)


def host_config(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/host-config", timeout=10) as r:
        return json.loads(r.read())


def _tree(pid: int):
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def server_tree_rss_mb(pid: int) -> float:
    """Resident memory of the process and all its descendants, in MB."""
    import psutil

    total = 0
    for p in _tree(pid):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def server_tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process, its live descendants and its reaped children."""
    import psutil

    total = 0.0
    for i, p in enumerate(_tree(pid)):
        try:
            c = p.cpu_times()
            total += c.user + c.system
            if i == 0:
                total += c.children_user + c.children_system
        except psutil.Error:
            pass
    return total


def run_sync(coro):
    """``asyncio.run(coro)`` in a thread of its own: the tests call it from a process where
    Playwright's sync API (the browser tests) may already hold a running event loop, and
    asyncio.run refuses to start inside one."""
    import threading

    box: dict = {}

    def go():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as err:  # noqa: BLE001  (re-raised in the caller's thread)
            box["error"] = err

    t = threading.Thread(target=go, name="stclient-run", daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
