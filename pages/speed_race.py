"""The speed race: setup and evaluation timed apart, the lab's one-shot way beside it, the lab's
verdicts tested, and scaling in n and in depth. Sections live in ui.race_sections."""

import streamlit as st

from ui import race_sections as sections
from ui import state
from ui.safe import section

st.title("⏱️ Speed race")
st.page_link("pages/many_variables.py", label="Many variables: the cost of a gradient of n parameters", icon="🧮")
st.markdown("How long does each method take to give f′ on many points? The lab (section 5) timed each "
            "method once. Here each has two phases, timed apart: **setup** (SymPy `diff` + `lambdify`; JAX "
            "tracing + compiling), done once, and **evaluate**, one steady-state call after a warm-up, which "
            "is what every further derivative costs. The lab's own one-shot timing runs beside it.")

fn = state.choose_function("race")
spec, fn = sections.pick_function(fn)
settings = sections.controls()
sections.device_note()

# Only the open tab is drawn; it travels in the link (?race_tab=…).
race_tab, verdicts_tab, scaling_tab = st.tabs(["The race", "The lab's verdicts", "Scaling"], key="race_tab",
                                              bind="query-params")
if race_tab.open:
    with race_tab, section("The race"):
        sections.race_section(spec, fn, settings)
if verdicts_tab.open:
    with verdicts_tab, section("The lab's verdicts"):
        sections.verdicts_section(settings)
if scaling_tab.open:
    with scaling_tab, section("Scaling"):
        sections.scaling_section(spec, fn, settings)
