"""The derivative lab: one function, differentiated three ways, side by side.

Run with ``streamlit run dashboard.py``. This file is a thin router: the entry's work
(page config, the phone style, the memory guard: ``ui.entry.setup``) and ``st.navigation``
over the files in ``pages/``. Each page draws the shared sidebar (the function picker) with
``ui.state.choose_function()``.
"""

import streamlit as st

from ui import entry

entry.setup()
st.navigation(entry.pages()).run()
