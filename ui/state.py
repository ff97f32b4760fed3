"""The chosen function, shared by every page and carried in the URL.

Every page starts with :func:`choose_function`, which draws the picker in the
sidebar and returns the chosen :class:`~core.Function`. The choice itself is
remembered in session state (not in a widget), so it survives a page switch;
each page's picker widget starts from it. It is also written to the URL
(``?f=`` for a preset, ``?f=typed&expr=...`` for typed text) and read back from
it when a session starts, so a teacher can hand out a link that opens on the
same function.

(The picker is drawn by each page rather than once in ``dashboard.py``:
Streamlit's AppTest reruns a page's script without the entry script, and widget
identity is per page, so one call per page keeps every rerun testable and
behaves the same in the browser.)
"""

from __future__ import annotations

import streamlit as st
import sympy as sp

from core import ExpressionError, Function, presets
from core.expressions import format_error

TYPED = "typed"
DEFAULT_SPEC = "x^2"
DEFAULT_TEXT = "exp(-2*x) + 3*sin(3*x)"

_OPTIONS = list(presets.PRESETS) + [TYPED]


def _label(option: str) -> str:
    if option == TYPED:
        return "✏️ type your own…"
    return presets.PRESETS[option].label


@st.cache_resource(max_entries=256, ttl=1800, show_spinner=False)
def resolve(spec: str) -> Function:
    """One Function per spec for the whole server: its compiled callables are shared."""
    return presets.resolve(spec)


def _remembered() -> tuple[str, str]:
    """The session's choice and typed text; on a session's first run, from the URL."""
    if "_fn_choice" not in st.session_state:
        choice = st.query_params.get("f", DEFAULT_SPEC)
        st.session_state["_fn_choice"] = choice if choice in _OPTIONS else DEFAULT_SPEC
        st.session_state["_fn_text"] = st.query_params.get("expr", DEFAULT_TEXT)[:300]
    return st.session_state["_fn_choice"], st.session_state["_fn_text"]


def _to_url(choice: str, text: str) -> None:
    if st.query_params.get("f") != choice:
        st.query_params["f"] = choice
    if choice == TYPED and st.query_params.get("expr") != text:
        st.query_params["expr"] = text
    elif choice != TYPED and "expr" in st.query_params:
        del st.query_params["expr"]


#: The typed-function box's help: what the grammar (core/grammar.py) accepts.
_TYPED_HELP = (
    "Write maths as on paper: 2x, 3x^2, x sin x, sin 2x, sin^2 x, sin^-1 x, e^x, |x|, √x, x², "
    "ln x, log(x, 2), 2(x+1), (x+1)(x-1), y = x^3 - 2x. Functions: sin cos tan sec csc cot, "
    "asin/arcsin ..., sinh cosh tanh sech csch coth and their inverses, exp ln log log10 log2 "
    "sqrt cbrt abs sign. 1/2x is (1/2)·x; write 1/(2x) for the other one. "
    "The line below shows how it was read."
)

#: Shown instead of the text when it cannot be used (never the text itself: it is not Markdown).
_CANNOT_USE = "This function cannot be used; see where below."


def _show_refusal(text: str, err: ExpressionError) -> None:
    """A fixed message, then the text, a caret and the reason as plain text in a code block."""
    st.error(_CANNOT_USE, icon="✏️")
    st.code(format_error(text, err), language=None)


def _live_option() -> dict:
    """``live=`` for the typed-function box where this Streamlit has it (1.67 does)."""
    import inspect

    try:
        return {"live": "400ms"} if "live" in inspect.signature(st.text_input).parameters else {}
    except (TypeError, ValueError):
        return {}


_LIVE = _live_option()


def choose_function(page: str) -> Function:
    """Draw the picker in the sidebar of ``page`` and return the chosen function.

    A typed function gets a live "Read as:" line (LaTeX of the parsed expression,
    never of the text). When typed text does not parse, a fixed message and the
    text with a caret under the mistake (plain text) are shown in the sidebar and
    on the page, and the page stops there: no traceback.
    """
    choice0, text0 = _remembered()
    with st.sidebar:
        choice = st.selectbox(
            "Function f(x)", _OPTIONS, format_func=_label, key=f"f_{page}",
            index=_OPTIONS.index(choice0), help="The lab's functions, or type any function of x.",
        )
        text = text0
        if choice == TYPED:
            text = st.text_input(
                "f(x) =", value=text0, key=f"expr_{page}", max_chars=300,
                help=_TYPED_HELP, **_LIVE,
            )
        st.session_state["_fn_choice"], st.session_state["_fn_text"] = choice, text
        _to_url(choice, text)
        spec = text if choice == TYPED else choice
        failure = None
        try:
            fn = resolve(spec)
        except ExpressionError as err:
            failure = err
            _show_refusal(spec, err)
            fn = None
        else:
            if choice == TYPED:
                st.caption("Read as:")
            st.latex(r"f(x) = " + _latex_of(fn.text))
            if choice in presets.PRESETS:
                st.caption(f"From the lab: {presets.PRESETS[choice].lab}.")
        share_control()
        _close_on_a_phone(page, changed=choice != choice0 and choice != TYPED)
    if fn is None:
        _show_refusal(spec, failure)
        st.caption("Fix the function in the sidebar.")
        st.stop()
    st.session_state["_fn_spec"] = spec
    return fn


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _latex_of(spec: str) -> str:
    """LaTeX of the parsed expression (sympy.latex), never of the typed text."""
    fn = resolve(spec)
    d = presets.composed_depth(fn)
    if d:
        p_of_t = sp.latex(presets.lab_polynomial(sp.Symbol("t")))
        return r"\underbrace{p(p(\cdots p(x)))}_{%d\ \text{times}},\quad p(t) = %s" % (d, p_of_t)
    return fn.latex


def spec() -> str:
    """The current function's spec (preset id or typed text); call after choose_function."""
    return st.session_state.get("_fn_spec", DEFAULT_SPEC)


def default_range() -> tuple[float, float]:
    """The x-range the current function reads best on."""
    return presets.default_range(spec())


# The live link: a page's fragments rerun without redrawing the sidebar, so a link
# computed in Python could lag behind the URL. The browser's own address (which every
# bound widget keeps up to date) is read instead. Static script: no user text in it.
_SHARE_HTML = """
<div class="dl-share" style="display:flex;gap:.4rem;align-items:center;font-size:.85rem">
  <input class="dl-share-url" readonly aria-label="Link to this view"
         style="flex:1;min-width:0;font:inherit;color:inherit;background:transparent;padding:.3rem .45rem;
                border:1px solid rgba(128,128,128,.55);border-radius:.4rem">
  <button class="dl-share-copy" type="button"
          style="font:inherit;color:inherit;background:transparent;padding:.3rem .6rem;cursor:pointer;
                 border:1px solid rgba(128,128,128,.55);border-radius:.4rem;white-space:nowrap">📋 Copy</button>
</div>
<script>
(() => {
  const boxes = document.querySelectorAll(".dl-share");
  const box = boxes[boxes.length - 1];
  if (!box || box.dataset.ready) return;
  box.dataset.ready = "1";
  const input = box.querySelector(".dl-share-url"), button = box.querySelector(".dl-share-copy");
  const link = () => window.location.href;
  const refresh = () => { if (input.value !== link()) input.value = link(); };
  refresh();
  const timer = setInterval(() => box.isConnected ? refresh() : clearInterval(timer), 500);
  input.addEventListener("focus", () => { refresh(); input.select(); });
  button.addEventListener("click", async () => {
    refresh();
    try { await navigator.clipboard.writeText(input.value); }
    catch (err) { input.select(); document.execCommand("copy"); }
    button.textContent = "✓ Copied";
    setTimeout(() => { button.textContent = "📋 Copy"; }, 1500);
  });
})();
</script>
"""


# On a narrow screen the open sidebar covers three quarters of the page. Streamlit closes it
# after a page change on a phone (by user agent); this closes it after a choice of function
# (a preset picked, or typed text sent with Enter) and after a page change on any screen
# narrower than Streamlit's own "auto" breakpoint (768 px). Static script: no user text in it;
# it runs again only when its text changes, that is when the run number below changes.
_CLOSE_HTML = """
<div class="dl-sidebar-closer" data-run="{run}"></div>
<style>[data-testid="stElementContainer"]:has(.dl-sidebar-closer) {{ display: none; }}</style>
<script>
(() => {{
  const narrow = () => window.innerWidth < 768;
  const close = () => {{
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (narrow() && button) button.click();
  }};
  if (!window.__dlTypedEnter) {{
    window.__dlTypedEnter = true;
    document.addEventListener("keydown", (e) => {{
      const box = e.target && e.target.closest && e.target.closest('[data-testid="stSidebar"] [data-testid="stTextInput"]');
      if (e.key === "Enter" && box) setTimeout(close, 300);
    }}, true);
  }}
  if ({close}) close();
}})();
</script>
"""


def _close_on_a_phone(page: str, changed: bool) -> None:
    """Close the sidebar on a narrow screen after a choice of preset or a page change."""
    moved = st.session_state.get("_sidebar_page", page) != page
    st.session_state["_sidebar_page"] = page
    if changed or moved:
        st.session_state["_sidebar_closes"] = st.session_state.get("_sidebar_closes", 0) + 1
    run = int(st.session_state.get("_sidebar_closes", 0))
    st.html(_CLOSE_HTML.format(run=run, close="true" if run else "false"), unsafe_allow_javascript=True)


def share_control() -> None:
    """A "copy link" popover in the sidebar: the page's live URL and a copy button."""
    with st.popover("🔗 Copy a link to this view", width="stretch",
                    help="A link that opens this page with the same function and settings."):
        st.caption("Send this link to students or paste it in your notes: it opens this page with "
                   "the same function and the same settings (the address bar holds them too).")
        st.html(_SHARE_HTML, unsafe_allow_javascript=True)


def x_range(key: str, label: str = "x-range", where=None, default=None) -> tuple[float, float]:
    """An x-range slider (bound to the URL as ``key``) that starts on the chosen
    function's own range and moves there again whenever the function changes.

    Call after :func:`choose_function`; ``where`` is a container (a column), or the page;
    ``default`` is the range to start on (the preset's range when None).
    """
    lo0, hi0 = default if default is not None else default_range()
    marker = f"_{key}_for"
    if st.session_state.get(marker, spec()) != spec():
        st.session_state[key] = (lo0, hi0)  # a new function: start on its range
    st.session_state[marker] = spec()
    kwargs = {} if key in st.session_state else {"value": (lo0, hi0)}
    return (where or st).slider(label, -10.0, 10.0, step=0.25, key=key, bind="query-params", **kwargs)
