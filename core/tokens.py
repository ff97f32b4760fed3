"""The tokenizer: typed text -> tokens, each with the column it was typed at.

A token is a number, a name (a variable, ``pi``/``e`` or a function), an
operator, a superscript exponent (``²``, ``⁻¹``), a root sign (``√``, ``∛``), the
end, or an error. Letters run together are split into known words where they
can be (``xsinx`` is ``x sin x``, ``sin2x`` is ``sin 2 x``); ``**`` is ``^``.
The tokenizer stops at the first character outside the grammar with an ``err``
token, which the parser reports when it reaches it, so the first mistake is the
one reported. :func:`check_controls` refuses invisible characters before any of this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .grammar import ALIASES, CONSTANTS, FUNCTIONS, PYTHON_WORDS, SPELLINGS, SUPERSCRIPTS, UNICODE, UNSUPPORTED
from .messages import ExpressionError, refused_character

__all__ = ["Tok", "tokenize", "check_controls"]


@dataclass
class Tok:
    """One token: ``kind`` is num, name, op, sup, root, end or err (``value`` then holds the message)."""

    kind: str        # num name op sup root end err
    value: object
    col: int         # 1-based column in the text as typed
    end: int         # column just after the token
    space: bool = False  # whitespace right before it


_DIGITS = frozenset("0123456789")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _segment(letters: str, known) -> list[str] | None:
    """Split a run of letters into known words, fewest pieces first (e.g. 'xsinx')."""
    n = len(letters)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        for j in range(n, i, -1):  # longest piece first
            w = letters[i:j]
            if w in known and best[j] is not None:
                cand = [w] + best[j]
                if best[i] is None or len(cand) < len(best[i]):
                    best[i] = cand
    return best[0]


def tokenize(text: str, variables: tuple[str, ...]) -> list[Tok]:
    """Tokens with their columns. Stops at the first character outside the grammar
    (an ``err`` token: the parser reports it when it gets there, so the first mistake wins)."""
    fnames = set(FUNCTIONS) | set(ALIASES)
    known = set(variables) | set(CONSTANTS) | fnames
    toks: list[Tok] = []
    i, n, space = 0, len(text), False

    def add(kind, value, start, end):
        nonlocal space
        toks.append(Tok(kind, value, start + 1, end + 1, space))
        space = False

    while i < n:
        ch = text[i]
        if ch in " \t\n\r":
            space = True
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            add("num", m.group(0), i, m.end())
            i = m.end()
            if i < n and text[i] == ".":
                add("err", f"a second '.' in the number at column {i + 1}", i, i + 1)
                return toks
            continue
        if ch.isascii() and ch.isalpha():
            m = _WORD.match(text, i)
            word = m.group(0)
            err = _word_tokens(word, i, known, fnames, add)
            i = m.end()
            if err:
                return toks
            continue
        if ch == "*" and text.startswith("**", i):
            add("op", "^", i, i + 2)
            i += 2
            continue
        if ch in "+-*/^(),|=":
            add("op", ch, i, i + 1)
            i += 1
            continue
        if ch in SUPERSCRIPTS:
            j = i
            while j < n and text[j] in SUPERSCRIPTS:
                j += 1
            raw = "".join(SUPERSCRIPTS[c] for c in text[i:j])
            if not re.fullmatch(r"[+-]?\d{1,6}", raw):
                add("err", f"cannot read the superscript at column {i + 1}: write a whole "
                           f"number such as x² or x⁻¹", i, j)
                return toks
            add("sup", int(raw), i, j)
            i = j
            continue
        if ch in UNICODE:
            code = UNICODE[ch]
            if code == "pi":
                add("name", "pi", i, i + 1)
            elif code in ("sqrt", "cbrt"):
                add("root", code, i, i + 1)
            else:
                add("op", code, i, i + 1)
            i += 1
            continue
        add("err", refused_character(ch, i + 1), i, i + 1)
        return toks
    add("end", None, n, n)
    return toks


def _word_tokens(word, i, known, fnames, add) -> bool:
    """Tokens of one identifier-like word; True when it ended in an error token."""
    special = word in UNSUPPORTED or word in PYTHON_WORDS or word in SPELLINGS
    if word in known or special or word in ("log10", "log2"):
        add("name", word, i, i + len(word))
        return False
    parts = re.findall(r"[A-Za-z]+|\d+", word)
    pos, pieces, prev = i, [], None
    for part in parts:
        if part.isdigit():
            if prev == "log" and part in ("10", "2"):
                pieces[-1] = ("name", "log" + part, pieces[-1][2], pos + len(part))
                prev = "log" + part
                pos += len(part)
                continue
            if prev not in fnames:
                for kind, value, s, e in pieces:
                    add(kind, value, s, e)
                add("err", f"a number right after '{prev}' at column {pos + 1}: write {prev}^{part} "
                           f"for a power or {part}*{prev} for a product", pos, pos + len(part))
                return True
            pieces.append(("num", part, pos, pos + len(part)))
            prev = part
        else:
            split = _segment(part, known)
            if split is None:  # not made of known words: report the whole word
                add("name", word, i, i + len(word))
                return False
            for w in split:
                pieces.append(("name", w, pos, pos + len(w)))
                pos += len(w)
                prev = w
            continue
        pos += len(part)
    for kind, value, s, e in pieces:
        add(kind, value, s, e)
    return False



def check_controls(text: str) -> None:
    """Invisible and bidirectional characters are refused first, wherever they are:
    they make the formula on screen differ from the one read."""
    for i, ch in enumerate(text):
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ExpressionError(
                f"invisible control character U+{ord(ch):04X} at column {i + 1}; delete it and "
                f"retype the formula", i + 1)

