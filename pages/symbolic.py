"""Symbolic differentiation with SymPy: exact numbers, the lab's manipulations, diff,
lambdify, the |x| case, and expression swell measured. Sections live in ui.symbolic_sections."""

import streamlit as st

from ui import derivation_sections, state
from ui import symbolic_sections as sections
from ui.safe import guarded, section

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
tabs = list(st.tabs(["Derivatives", "Steps", "Check my answer", "Exact numbers", "x and y", "Arrays & lambdify",
                     "|x| and assumptions", "Expression swell"]))
with tabs.pop(0):
    st.fragment(guarded(sections.derivatives, "Derivatives"))(fn)
with tabs.pop(0):
    st.fragment(guarded(derivation_sections.steps, "Steps"))(fn, state.spec())
with tabs.pop(0):
    st.fragment(guarded(derivation_sections.check_answer, "Check my answer"))(fn, state.spec())
with tabs[0]:
    st.fragment(guarded(sections.exact_numbers, "Exact numbers"))(limit)
with tabs[1]:
    st.fragment(guarded(sections.playground, "The x–y playground"))(limit)
with tabs[2], section("Arrays and lambdify"):
    sections.arrays(fn)
with tabs[3]:
    st.fragment(guarded(sections.abs_and_assumptions, "|x| and assumptions"))(fn)
with tabs[4]:
    st.fragment(guarded(sections.swell, "Expression swell"))()
