"""What the lab says when it refuses a formula: the error, the suggestions, the caret.

:class:`ExpressionError` carries the message and the 1-based column of the
mistake; :func:`format_error` shows the text with a caret under that column.
The words for the common mistakes are written here, so they can be read (and
changed) in one place: a refused character (:func:`refused_character`), an
unknown name with a "did you mean" (:func:`unknown_name`, :func:`suggestion`),
a token the grammar did not expect (:func:`unexpected`) or a formula that stops
too early (:func:`missing`); these return the :class:`ExpressionError` to raise.
Tokens are read by their ``kind``, ``value``, ``col`` and ``end`` only (see
:class:`core.tokens.Tok`).
"""

from __future__ import annotations

import unicodedata

from .grammar import (
    ALIASES,
    ASCII_REFUSED,
    CONSTANTS,
    FUNCTIONS,
    IMAGINARY,
    LOOKALIKES,
    MAX_LENGTH,
    PYTHON_WORDS,
    SPELLINGS,
    UNSUPPORTED,
    function_names,
)

__all__ = ["ExpressionError", "format_error", "suggestion", "edit_kind", "refused_character", "unknown_name",
           "unexpected", "missing", "describe"]


class ExpressionError(ValueError):
    """The text is not a formula this lab accepts; the message says why and where.

    ``column`` is 1-based, counted in the text as typed (None: the whole text).
    """

    def __init__(self, message: str, column: int | None = None):
        self.column = column
        super().__init__(message)



# --- suggestions --------------------------------------------------------------------

def edit_kind(a: str, b: str) -> str | None:
    """The kind of single edit that turns ``a`` into ``b`` (Damerau), or None."""
    if len(a) == len(b) + 1 and any(a[:i] + a[i + 1:] == b for i in range(len(a))):
        return "delete"
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "swap"
        if len(diff) == 1:
            return "replace"
    if len(a) + 1 == len(b) and any(b[:i] + b[i + 1:] == a for i in range(len(b))):
        return "insert"
    return None


def suggestion(word: str) -> str:
    """'; did you mean ...?' (or '') only for spellings of a SUPPORTED function.

    A word one typing slip away from a supported name (an extra, missing, swapped or
    wrong letter; the first letter kept) counts as a misspelling; the closest kind of
    slip wins (an extra letter first), so 'sinn' suggests 'sin' and not 'sinh'.
    """
    w = word.lower()
    if w in SPELLINGS:
        return f"; did you mean '{SPELLINGS[w]}'?"
    canonical = ALIASES.get(w, w)
    if canonical in FUNCTIONS and w != word:
        return f"; did you mean '{w}'? (names are lower case)"
    if len(w) < 3:
        return ""
    found: dict[str, list[str]] = {}
    for name in function_names():
        kind = edit_kind(w, name)
        if kind and name[0] == w[0]:
            found.setdefault(kind, []).append(name)
    for kind in ("delete", "swap", "insert", "replace"):
        if kind in found:
            names = found[kind][:3]
            return "; did you mean " + " or ".join(f"'{n}'" for n in names) + "?"
    return ""


def refused_character(ch: str, col: int) -> str:
    """Why the character ``ch`` at column ``col`` is not part of a formula, with the one to type instead."""
    if ch in ASCII_REFUSED:
        return f"{ASCII_REFUSED[ch]} (column {col})"
    if ch == ".":
        return f"'.' at column {col} is not part of a number (attribute access ('.') is not allowed)"
    code = f"U+{ord(ch):04X}"
    if ord(ch) < 128:
        return f"character '{ch}' ({code}) at column {col} is not part of a formula"
    name = unicodedata.name(ch, "unknown character")
    hint = ""
    twin = unicodedata.normalize("NFKC", ch)
    if ch in "–—‐‑‒":
        hint = "; type the ASCII minus '-' (or the minus sign '−')"
    elif ch in "⁄∕":
        hint = "; type '/' for division"
    elif ch in "∗⋅•∙":
        hint = "; type '*' (or '·') for multiplication"
    elif ch in "∜":
        hint = "; write x^(1/4)"
    elif ch in LOOKALIKES:
        hint = f"; it looks like '{LOOKALIKES[ch]}' but is not: type the plain ASCII one"
    elif twin != ch and twin.isascii():
        hint = f"; it looks like '{twin}' but is not: type the plain ASCII one"
    elif unicodedata.category(ch).startswith("Z"):
        hint = "; type an ordinary space"
    return f"character '{ch}' ({name}, {code}) at column {col} is not allowed{hint}"

# --- the parser's words -------------------------------------------------------------

def describe(t, text: str) -> str:
    """A token as the student typed it: 'sin', 'end of the formula', 'superscript'."""
    if t.kind == "end":
        return "end of the formula"
    if t.kind == "sup":
        return "superscript"
    return f"'{text[t.col - 1:t.end - 1]}'"


def unexpected(t, text: str) -> ExpressionError:
    """The error for a token the grammar cannot continue with (a stray ')', '=', ',', '|' ...)."""
    if t.kind == "op" and t.value == ")":
        message = f"unmatched ')' at column {t.col}"
    elif t.kind == "op" and t.value == "=":
        message = (f"'=' at column {t.col}: type only the right-hand side, e.g. x^2 for "
                   f"f(x) = x^2 (a leading 'y =' or 'f(x) =' is fine)")
    elif t.kind == "op" and t.value == ",":
        message = f"a comma at column {t.col}: only log(x, b) takes two arguments"
    elif t.kind == "op" and t.value == "|":
        message = f"'|' at column {t.col} closes no absolute value: write |x| with one bar on each side"
    elif t.kind == "num":
        message = (f"a number right after a factor at column {t.col}: write '*' between them, "
                   f"e.g. x*{t.value}, or '^' for a power")
    else:
        message = f"cannot read the formula at column {t.col}: unexpected {describe(t, text)}"
    return ExpressionError(message, t.col)


def missing(t, prev, text: str) -> ExpressionError:
    """The error where a number, x, a function or '(' was expected but ``t`` came (``prev``: the token before)."""
    if t.kind == "end":
        if prev is not None and prev.kind == "op":
            return ExpressionError(f"the formula ends with '{prev.value}' at column {prev.col}: something is "
                                   f"missing after it", prev.col)
        return ExpressionError(f"the formula ends too early at column {t.col}: is a ')' or a number missing?",
                               t.col)
    return ExpressionError(f"expected a number, x, a function or '(' at column {t.col} but found "
                           f"{describe(t, text)}", t.col)


def unknown_name(word: str, col: int, is_call: bool, variables: tuple[str, ...]) -> ExpressionError:
    """The error for a ``word`` that is no name of the grammar: Python, unsupported (with a
    rewrite), imaginary, a misspelt function (with a suggestion), or simply unknown."""
    if word in PYTHON_WORDS:
        message = f"'{word}' at column {col} is Python, not maths: statements are not allowed, only a formula in x"
    elif word in UNSUPPORTED:
        message = f"'{word}' at column {col} is not supported{UNSUPPORTED[word]}"
    elif word in IMAGINARY:
        message = (f"'{word}' at column {col}: imaginary numbers are not supported; this lab works "
                   f"with real functions")
    elif is_call or suggestion(word):
        message = f"unknown function '{word}' at column {col}{suggestion(word)}"
    else:
        allowed = ", ".join(f"'{n}'" for n in list(variables) + list(CONSTANTS))
        message = (f"unknown name '{word}' at column {col} (allowed names: {allowed}, and functions "
                   f"such as sin, ln, sqrt)")
    return ExpressionError(message, col)


# --- the caret ----------------------------------------------------------------------

def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _visible(ch: str) -> str:
    if ch in "\t\n\r":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "\N{REPLACEMENT CHARACTER}"
    return ch


def format_error(text: str, err: ExpressionError) -> str:
    """The text, a caret under the column of the mistake, and the message: plain text
    for a code block (invisible characters shown as U+FFFD, so the line reads as typed)."""
    text = str(text)
    limit = MAX_LENGTH + 20
    shown = "".join(_visible(c) for c in text[:limit]) + ("…" if len(text) > limit else "")
    lines = [shown]
    col = getattr(err, "column", None)
    if col is not None and 1 <= col <= min(len(text), limit) + 1:
        pad = sum(_width(c) for c in shown[: col - 1])
        lines.append(" " * pad + "^")
    lines.append(str(err))
    return "\n".join(lines)

