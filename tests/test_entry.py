"""A first visitor's deep link on a freshly started server goes through dashboard.py.

Streamlit runs a ``pages/`` folder beside the entry script in its old multipage mode until
some run calls ``st.navigation``: a shared link opened first after a restart ran the page
alone (no page config, no phone style, no memory guard, file names in the sidebar).
``ui.entry.require`` at the top of each page sends that run through ``dashboard.py``.
"""

from __future__ import annotations

import pytest

from tests import stclient
from tests.stclient import Session

pytestmark = [pytest.mark.server]

#: The element only dashboard.py writes (its phone style).
ENTRY_MARK = "dl-phone-style"


def _entry_ran(r: stclient.RunResult) -> bool:
    return any(s.type == "html" and ENTRY_MARK in s.element.html.body for s in r._final_sorted())


@pytest.mark.parametrize("page, heading", [("numerical", "Numerical differentiation"),
                                           ("speed_race", "Speed race")])
def test_a_first_deep_link_after_a_restart_runs_the_entry_script(page, heading):
    port = stclient.free_port()
    proc = stclient.start_server(port)
    try:
        stclient.wait_healthy(port, proc, timeout=120)

        async def main():
            async with Session("first visitor") as s:
                await s.connect(f"http://127.0.0.1:{port}")
                return await s.run(page=page, query="f=sin(x)")

        r = stclient.run_sync(main())
    finally:
        stclient.stop_server(proc)
    assert r.finished and not r.n_exceptions, r.summary()
    assert _entry_ran(r), "the page ran without dashboard.py"
    headings = [b for t, b in r.texts if t == "heading"]
    assert any(heading in h for h in headings), headings  # the linked page, not Home
    assert any("sin" in b for t, b in r.texts if t in ("markdown", "heading", "code")), "the link's function was lost"
