"""What every page run needs before the page: page config, the phone style, the memory guard,
and the navigation over the pages. ``dashboard.py`` calls it; so does each page, for one case.

Streamlit keeps its old multipage mode (every script in ``pages/`` run on its own) for a
folder called ``pages/`` beside the entry script, until some run calls ``st.navigation``.
After a deploy or a Cloud wake-up, a first visitor who opened ``/speed_race`` from a shared
link got the page without the entry script: no page config, no phone style, no memory
guard, and a sidebar of file names. Each page calls :func:`require` first and
:func:`finish` last; when ``dashboard.py`` did not run in this script run, they do the
entry's work there, and ``st.navigation`` ends the old mode for the whole server. (Streamlit's AppTest starts every
run in the old mode, so there it runs on every page change.)
"""

from __future__ import annotations

import threading

import streamlit as st

from . import memory

_this_run = threading.local()

# A phone shows each page's chart on its first screen: less room above the title, smaller titles,
# and tables that keep inside the window (st.dataframe scrolls sideways in its own frame).
# !important: Streamlit's own styles are injected after this sheet, with the same specificity.
# A style-only st.html goes to Streamlit's event container and never reached the page (seen in
# 1.67): the marker div makes it an element of the page, hidden by its own rule.
PHONE_STYLE = """<div class="dl-phone-style"></div><style>
[data-testid="stElementContainer"]:has(.dl-phone-style) { display: none; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
  [data-testid="stMain"] h1 { font-size: 2rem !important; padding-top: 0.5rem !important; }
  [data-testid="stMain"] :is([data-testid="stDataFrame"], [data-testid="stTable"]) { max-width: 100%; overflow-x: auto !important; }
}
</style>"""


def pages() -> list[st.Page]:
    """The dashboard's pages, in the sidebar's order."""
    return [
        st.Page("pages/home.py", title="Home: three ways at once", icon="🏠", default=True),
        st.Page("pages/symbolic.py", title="Symbolic (SymPy)", icon="🔣"),
        st.Page("pages/numerical.py", title="Numerical (NumPy)", icon="📏"),
        st.Page("pages/autodiff.py", title="Automatic (JAX)", icon="🤖"),
        st.Page("pages/speed_race.py", title="Speed race", icon="⏱️"),
        st.Page("pages/many_variables.py", title="Many variables", icon="🧮"),
    ]


def setup() -> None:
    """Page config, the phone style and the server's memory ceiling: before any page."""
    st.set_page_config(
        page_title="Derivative lab", page_icon="∂", layout="wide",
        # collapsed on a phone (it covered the whole screen after every choice), open on a wide screen
        initial_sidebar_state="auto",
        menu_items={"About": "**∂ The derivative lab**: one function differentiated symbolically (SymPy), "
                             "numerically (NumPy) and automatically (JAX), side by side, with what each costs."},
    )
    st.html(PHONE_STYLE)
    # The server's memory ceiling: caches are shed (never sessions) when it nears its budget.
    memory.start_watch()
    memory.guard()
    _this_run.entered = True


def require() -> None:
    """At the top of every page: the entry's work ran in this script run, or it runs now."""
    if getattr(_this_run, "entered", False):
        _this_run.entered = _this_run.navigate = False  # the next run in this thread must do it again
        return
    setup()
    _this_run.entered = False
    _this_run.navigate = True


def finish() -> None:
    """At the end of every page: after a run without the entry script, the real navigation.

    ``st.navigation`` gives the sidebar its pages and ends the old multipage mode. It is
    called last because it sets the page being drawn to the entry script's, and widgets made
    after it would get other ids than on the next run, which goes through ``dashboard.py``.
    """
    if getattr(_this_run, "navigate", False):
        _this_run.navigate = False
        st.navigation(pages())
