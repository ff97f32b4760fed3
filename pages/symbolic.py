"""Symbolic differentiation with SymPy: exact numbers, the lab's manipulations, diff,
lambdify, the |x| case, and expression swell measured. Sections live in ui.symbolic_sections."""

import streamlit as st

from ui import derivation_sections, entry, state
from ui import symbolic_sections as sections
from ui.safe import guarded

entry.require()  # the entry's work, even for a first deep link after a restart (ui/entry.py)

st.title("🔣 Symbolic differentiation (SymPy)")
st.markdown("SymPy computes with **exact** objects: numbers that are not rounded and formulas that stay "
            "formulas. `diff` applies the differentiation rules to the formula itself; `lambdify` turns "
            "the result into a NumPy function you can call on an array. This page does every SymPy step "
            "of the lab live, then looks hard at what the lab calls its limitations.")

fn = state.choose_function("symbolic")
with st.sidebar:
    limit = st.slider("Time limit for expand, factor, N … (s)", 1, 8, 3,
                      key="sym_limit", bind="query-params",
                      help="These run in a separate worker process that is stopped when it takes longer.")

# The chosen function's derivative comes first; then how to get it by hand, and a check of one's own.
# Only the open tab is computed (the Steps tab asks a worker to prove its result, for one);
# the open tab travels in the link (?sym_tab=…).
views = {
    "Derivatives": lambda: st.fragment(guarded(sections.derivatives, "Derivatives"))(fn),
    "Steps": lambda: st.fragment(guarded(derivation_sections.steps, "Steps"))(fn, state.spec()),
    "Check my answer": lambda: st.fragment(guarded(derivation_sections.check_answer, "Check my answer"))(
        fn, state.spec()),
    "Exact numbers": lambda: st.fragment(guarded(sections.exact_numbers, "Exact numbers"))(limit),
    "x and y": lambda: st.fragment(guarded(sections.playground, "The x–y playground"))(limit),
    "Arrays & lambdify": lambda: guarded(sections.arrays, "Arrays and lambdify")(fn),
    "|x| and assumptions": lambda: st.fragment(guarded(sections.abs_and_assumptions, "|x| and assumptions"))(fn),
    "Expression swell": lambda: st.fragment(guarded(sections.swell, "Expression swell"))(),
}
for tab, draw in zip(st.tabs(list(views), key="sym_tab", bind="query-params"), views.values()):
    if tab.open:
        with tab:
            draw()

entry.finish()  # the real navigation, after a run without dashboard.py (ui/entry.py)
