"""Failures as messages, and user text as plain text.

Two rules of the house live here:

* **No traceback on any page.** Each section of a page runs inside
  :func:`section` (or is wrapped by :func:`guarded` when it is a fragment): a
  failure there becomes a message in words inside that section, and the rest of
  the page carries on. Streamlit's own control flow (``st.stop``, reruns) passes
  through untouched.
* **User text is never Markdown.** Headlines are our own fixed words; anything
  that may carry what a student typed (a parser message, a worker's error) is
  shown with ``st.code`` (plain, monospaced). A typed function is named in
  Markdown only as SymPy's printing of the parsed expression, inside backticks
  (:func:`md_name`): that printing holds only the grammar's own characters.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager

import streamlit as st
import sympy as sp
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from core import ExpressionError, Function, presets
from core.bounds import TooLarge

__all__ = ["section", "guarded", "show_error", "format_error", "md_name", "plain_name"]

_log = logging.getLogger("derivlab")

#: Longest SymPy printing of a typed function used in a sentence.
NAME_CHARS = 60


def show_error(headline: str, detail: str | None = None, *, icon: str = "⚠️", warning: bool = False) -> None:
    """``headline`` (our own words, may use Markdown) and ``detail`` (anything, shown as plain text)."""
    (st.warning if warning else st.error)(headline, icon=icon)
    if detail:
        st.code(detail, language=None, wrap_lines=True)


def format_error(text: str, err: Exception) -> str:
    """The typed text, a caret under the column the message names, and the message: plain text."""
    column = getattr(err, "column", None)
    lines = [" ".join(str(text).split())[:300]]
    if column and 0 < column <= len(lines[0]) + 1:
        lines.append(" " * (column - 1) + "^")
    lines.append(str(err))
    return "\n".join(lines)


@contextmanager
def section(what: str):
    """Run a page section; turn any failure in it into a message that names ``what``."""
    try:
        yield
    except ScriptControlException:
        raise  # st.stop(), reruns: Streamlit's own control flow
    except TooLarge as err:
        show_error(f"{what}: this is too large to compute for one student on the shared server.",
                   str(err), icon="🧱", warning=True)
    except ExpressionError as err:
        show_error(f"{what}: this formula cannot be used here.", str(err), icon="✏️")
    except Exception as err:  # noqa: BLE001  (every failure becomes words, none a traceback)
        _log.exception("section %r failed", what)
        show_error(f"{what} could not be computed for this function. The rest of the page still works.",
                   f"{type(err).__name__}: {str(err)[:300]}")


def guarded(func, what: str):
    """``func`` wrapped in :func:`section` (for sections that run as fragments)."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        with section(what):
            return func(*args, **kwargs)

    return run


def plain_name(fn: Function) -> str:
    """A short name for ``fn`` built from the parsed expression (or the preset's own label)."""
    preset = presets.PRESETS.get(fn.text)
    if preset is not None:
        return preset.label
    text = sp.sstr(fn.expr)
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "…"


def md_name(fn: Function) -> str:
    """:func:`plain_name` safe inside Markdown: a preset's label, or code in backticks."""
    if fn.text in presets.PRESETS:
        return presets.PRESETS[fn.text].label
    return f"`{plain_name(fn)}`"
