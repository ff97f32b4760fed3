"""The speed race: setup and evaluation timed apart, the lab's one-shot way beside it, the lab's
verdicts tested, and scaling in n and in depth. Sections live in ui.race_sections.

The open tab's chart comes first and the settings under it, so a phone shows the chart on its
first screen: the race tab opens on a small first race (see ``race_sections.first_look``)."""

import streamlit as st

from ui import entry, state
from ui import race_sections as sections
from ui.safe import section

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("⏱️ Speed race")
st.markdown("How long does each method take to give f′ on many points? Each has two phases, timed apart: "
            "**setup**, once, and **evaluate**, what every further call costs. The lab's one-shot timing "
            "runs beside it.")

fn = state.choose_function("race")

# Only the open tab is drawn; it travels in the link (?race_tab=…).
tabs = st.tabs(["The race", "The lab's verdicts", "Scaling"], key="race_tab", bind="query-params")
race_tab, verdicts_tab, scaling_tab = tabs
open_tab = next((t for t in tabs if t.open), race_tab)
with open_tab:
    # The race's chart above the settings (drawn into `head` once they are read), the rest below.
    head = st.container() if open_tab is race_tab else None
    settings_box, tail = st.container(), st.container()
with settings_box:
    spec, fn = sections.pick_function(fn)
    settings = sections.controls()
    sections.device_note()
if open_tab is race_tab:
    with head, section("The race"):
        sections.race_section(spec, fn, settings, tail)
elif open_tab is verdicts_tab:
    with tail, section("The lab's verdicts"):
        sections.verdicts_section(settings)
else:
    with tail, section("Scaling"):
        sections.scaling_section(spec, fn, settings)

st.page_link("pages/many_variables.py", label="Many variables: the cost of a gradient of n parameters", icon="🧮")

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
