"""Fixtures for the browser tests: one real ``streamlit run`` server, one headless Chromium.

The server is started once per test session on a free port of 127.0.0.1 and
stopped (with any worker processes it started) at the end. The browser is
Debian's ``chromium`` driven by Playwright (``playwright install`` cannot
download a browser here). When Chromium or Playwright is missing these tests
skip with the reason, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .e2e import ROOT, watch_runs

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str):
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so the browser tests fail rather than skip", pytrace=False)
    pytest.skip(reason)


@dataclasses.dataclass
class Server:
    url: str
    pid: int
    log: pathlib.Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (it leads its own process group)."""
    from deploy.run_replicas import stop_group

    stop_group(proc)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        unavailable("Debian's chromium is not installed (sudo apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    srv = Server(url=f"http://127.0.0.1:{port}", pid=proc.pid, log=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{srv.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{srv.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer on {srv.url} in 90 s:\n{srv.log_tail()}", pytrace=False)
            time.sleep(0.3)
        yield srv
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -r requirements-test.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def baseline() -> dict[str, list[str]]:
    """Chart fingerprints of each page (by path) for the default function, light theme, desktop."""
    return {}


@pytest.fixture
def new_page(browser, server):
    """Factory: a page in a fresh browser context (a new session: no cookies, no state).

    ``theme`` is the system colour scheme the browser reports ("light" or "dark");
    Streamlit follows it. ``phone=True`` gives a 390×844 touch screen. JavaScript
    errors on the page are collected in ``page.errors``. ``clipboard=True`` lets the page
    read and write the clipboard.
    """
    contexts = []

    def make(*, theme: str = "light", phone: bool = False, clipboard: bool = False):
        opts = {"color_scheme": theme, "viewport": PHONE if phone else DESKTOP}
        if phone:
            opts.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        ctx = browser.new_context(**opts)
        ctx.set_default_timeout(30_000)
        if clipboard:
            ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        contexts.append(ctx)
        page = ctx.new_page()
        watch_runs(page)
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
