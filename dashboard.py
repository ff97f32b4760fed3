"""The derivative lab: one function, differentiated three ways, side by side.

Run with ``streamlit run dashboard.py``. This file is a thin router: page
config and ``st.navigation`` over the files in ``pages/``. Each page draws the
shared sidebar (the function picker) with ``ui.state.choose_function()``.
"""

import streamlit as st

from ui import memory

st.set_page_config(
    page_title="Derivative lab", page_icon="∂", layout="wide",
    # collapsed on a phone (it covered the whole screen after every choice), open on a wide screen
    initial_sidebar_state="auto",
    menu_items={"About": "**∂ The derivative lab**: one function differentiated symbolically (SymPy), "
                         "numerically (NumPy) and automatically (JAX), side by side, with what each costs."},
)

PAGES = [
    st.Page("pages/home.py", title="Home: three ways at once", icon="🏠", default=True),
    st.Page("pages/symbolic.py", title="Symbolic (SymPy)", icon="🔣"),
    st.Page("pages/numerical.py", title="Numerical (NumPy)", icon="📏"),
    st.Page("pages/autodiff.py", title="Automatic (JAX)", icon="🤖"),
    st.Page("pages/speed_race.py", title="Speed race", icon="⏱️"),
    st.Page("pages/many_variables.py", title="Many variables", icon="🧮"),
]

# A phone shows each page's chart on its first screen: less room above the title, smaller titles,
# and tables that keep inside the window (st.dataframe scrolls sideways in its own frame).
# !important: Streamlit's own styles are injected after this sheet, with the same specificity.
# A style-only st.html goes to Streamlit's event container and never reached the page (seen in
# 1.67): the marker div makes it an element of the page, hidden by its own rule.
st.html("""<div class="dl-phone-style"></div><style>
[data-testid="stElementContainer"]:has(.dl-phone-style) { display: none; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
  [data-testid="stMain"] h1 { font-size: 2rem !important; padding-top: 0.5rem !important; }
  [data-testid="stMain"] :is([data-testid="stDataFrame"], [data-testid="stTable"]) { max-width: 100%; overflow-x: auto !important; }
}
</style>""")

# The server's memory ceiling: caches are shed (never sessions) when it nears its budget.
memory.start_watch()
memory.guard()

st.navigation(PAGES).run()
