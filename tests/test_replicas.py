"""Issue 17: a class too big for one server, as K replicas behind nginx.

Starts ``deploy/run_replicas.py``'s layout with K = 2 (two ``streamlit run dashboard.py``
on free ports of 127.0.0.1, one nginx in front, everything stopped at the end) and drives
it through the proxy with the browserless client of ``tests/stclient.py``:

* browsers spread over both replicas (64 fresh browsers, one page load each);
* a handful of students, each a browser: load the address, open the websocket with the
  browser's cookies, then visit every page (the page's address loaded over HTTP, then
  the page run over the websocket); no exception element anywhere, and every request
  of a student reaches the replica its websocket is on; a reload (a new websocket with
  the same cookies) lands there again;
* every replica has the same cookie secret.

Skipped when nginx is missing, except under ``CI``: there a missing nginx fails.

    .venv/bin/python -m pytest -m server tests/test_replicas.py
"""

from __future__ import annotations

import asyncio
import os

import pytest

from deploy.run_replicas import AFFINITY_COOKIE, Replicas, find_nginx, visit
from tests import stclient
from tests.stclient import Session

pytestmark = [pytest.mark.server, pytest.mark.slow]

K = 2
STUDENTS_PER_REPLICA = 3
PAGES = ["", "symbolic", "numerical", "autodiff", "speed_race"]
RUN_TIMEOUT = 150.0


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    if find_nginx() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (CI installs it in .ci/run: apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    with Replicas(K, workdir=tmp_path_factory.mktemp("replicas")) as reps:
        yield reps


def new_browser(reps: Replicas) -> tuple[int, str]:
    """A fresh browser loads the address: (its replica, its cookies)."""
    upstream, cookie, status = visit(reps.url)
    assert status == 200, status
    assert AFFINITY_COOKIE + "=" in cookie, cookie
    r = reps.replica_of(upstream)
    assert r is not None, f"X-Upstream {upstream!r} is none of the replicas {reps.ports}"
    return r, cookie


def test_browsers_spread_over_the_replicas(replicas):
    spread = [0] * K
    for _ in range(64):
        r, cookie = new_browser(replicas)
        spread[r] += 1
        # The same browser, loading again, stays where it is.
        upstream, again, _ = visit(replicas.url, "", cookie)
        assert replicas.replica_of(upstream) == r
        assert again == cookie  # no new affinity cookie once it has one
    # A fair coin gives each replica 32 ± 4; fewer than 16 would be a broken hash (p < 1e-4).
    assert min(spread) >= 16, spread


def test_replicas_share_one_cookie_secret(replicas):
    psutil = pytest.importorskip("psutil")
    secrets = {psutil.Process(p.pid).environ().get("STREAMLIT_SERVER_COOKIE_SECRET") for p in replicas.procs}
    assert len(secrets) == 1 and None not in secrets and "" not in secrets


async def student(reps: Replicas, name: str, cookie: str) -> dict:
    """One browser through the proxy: every page, then a reload. Returns what it saw."""
    seen = {"http": [], "ws": [], "runs": []}
    s = Session(name, cookie=cookie)
    try:
        await s.connect(reps.url, timeout=60)
        seen["ws"].append(reps.replica_of(s.ws.response.headers.get("X-Upstream", "")))
        for page in PAGES:
            upstream, cookie, status = await asyncio.to_thread(visit, reps.url, page, cookie)
            assert status == 200, (name, page, status)
            seen["http"].append(reps.replica_of(upstream))
            r = await s.run(page=page, query="" if page == "" else None, timeout=RUN_TIMEOUT)
            seen["runs"].append((page, r))
    finally:
        await s.close()
    # A reload: a new websocket from the same browser.
    async with Session(name + "-reload", cookie=cookie) as again:
        await again.connect(reps.url, timeout=60)
        seen["ws"].append(reps.replica_of(again.ws.response.headers.get("X-Upstream", "")))
        seen["runs"].append(("reload", await again.run(page="", query="", timeout=RUN_TIMEOUT)))
    return seen


def test_a_class_through_the_proxy(replicas):
    # The class: fresh browsers, the first STUDENTS_PER_REPLICA the hash puts on each
    # replica (so both replicas serve whole visits; the spread itself is the test above).
    # Bounded: 200 page loads at most.
    chosen: dict[int, list[str]] = {r: [] for r in range(K)}
    for _ in range(200):
        if all(len(c) >= STUDENTS_PER_REPLICA for c in chosen.values()):
            break
        r, cookie = new_browser(replicas)
        if len(chosen[r]) < STUDENTS_PER_REPLICA:
            chosen[r].append(cookie)
    assert all(len(c) == STUDENTS_PER_REPLICA for c in chosen.values()), chosen

    async def the_class():
        return await asyncio.gather(*(student(replicas, f"s{r}.{i}", cookie)
                                      for r, cookies in chosen.items() for i, cookie in enumerate(cookies)))

    results = stclient.run_sync(the_class())
    on = {r: 0 for r in range(K)}
    for (expected, _), seen in zip([(r, c) for r, cs in chosen.items() for c in cs], results):
        where = set(seen["http"]) | set(seen["ws"])
        assert where == {expected}, f"a student moved between replicas: {seen['http']} {seen['ws']}"
        on[expected] += 1
        for page, r in seen["runs"]:
            assert r.finished, (page, r.error)
            assert not r.page_not_found, page
            assert r.n_exceptions == 0, (page, [e.body for e in r.exceptions])
            assert r.final, f"{page}: nothing drawn"
    assert all(n == STUDENTS_PER_REPLICA for n in on.values()), on
    # Nothing went wrong between nginx and a replica (an upstream error may move a student).
    assert not replicas.upstream_errors(), replicas.upstream_errors()[:5]
