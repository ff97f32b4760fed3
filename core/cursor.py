"""The parser's cursor over the tokens, and the limits every formula meets.

:class:`Cursor` walks the tokens of :mod:`core.tokens` for :class:`core.parser.Parser`
(``peek``, ``next``, ``is_op``) and keeps the counts that bound the work: how deeply
the rules are nested (:data:`~core.grammar.MAX_DEPTH`) and how many brackets or bars
are open (:data:`~core.grammar.MAX_PARENS`). :func:`check_text` refuses a text that is
not a string, empty, too long (:data:`~core.grammar.MAX_LENGTH`) or holds invisible
control characters before any token is read. A limit reached is an
:class:`~core.messages.ExpressionError` with its column, never a RecursionError.
"""

from __future__ import annotations

from .grammar import MAX_DEPTH, MAX_LENGTH, MAX_PARENS
from .messages import ExpressionError, missing, unexpected
from .tokens import Tok, check_controls, tokenize

__all__ = ["Cursor", "check_text", "EMPTY"]

#: What an empty formula is told.
EMPTY = "the formula is empty: type a function of x, e.g. sin(x) + x^2"


def check_text(text) -> None:
    """Refuse, before tokenizing, a formula that is not text, is empty or too long, or
    holds an invisible control character (reported with its column)."""
    if not isinstance(text, str):
        raise ExpressionError("the formula must be text")
    if not text.strip():
        raise ExpressionError(EMPTY)
    if len(text.strip()) > MAX_LENGTH:
        raise ExpressionError(f"the formula is too long ({len(text.strip())} characters; at most {MAX_LENGTH})")
    if len(text) > 4 * MAX_LENGTH:
        raise ExpressionError(f"the formula is too long ({len(text)} characters with spaces)")
    check_controls(text)


class Cursor:
    """The position in one formula's tokens, with the nesting it has reached."""

    def __init__(self, text: str, variables: tuple[str, ...]):
        self.text = text
        self.variables = variables
        self.toks = tokenize(text, variables)
        self.pos = 0
        self.depth = 0
        self.brackets = 0
        self.bars = [0]  # open |...| in the current bracket level

    def peek(self, k: int = 0) -> Tok:
        tok = self.toks[min(self.pos + k, len(self.toks) - 1)]
        if tok.kind == "err" and k == 0:
            raise ExpressionError(tok.value, tok.col)
        return tok

    def next(self) -> Tok:
        tok = self.peek()
        self.pos += 1
        return tok

    def is_op(self, *ops) -> bool:
        t = self.peek()
        return t.kind == "op" and t.value in ops

    def fail(self, message: str, col: int | None):
        raise ExpressionError(message, col)

    def unexpected(self, t: Tok):
        raise unexpected(t, self.text)

    def missing(self, t: Tok):
        raise missing(t, self.toks[self.pos - 1] if self.pos else None, self.text)

    # --- the limits ---

    def enter(self, col: int):
        """One rule deeper (a sign, a power, a root, a bracket): at most MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the formula is nested too deeply at column {col} (more than {MAX_DEPTH} levels)", col)

    def leave(self):
        self.depth -= 1

    def open_bracket(self, col: int, what: str = "parentheses"):
        """A '(' or '|' opened at ``col``: at most MAX_PARENS open at once."""
        self.brackets += 1
        if self.brackets > MAX_PARENS:
            self.fail(f"{what} nested too deeply at column {col} (at most {MAX_PARENS} levels)", col)

    def close_bracket(self, closer: str, never_closed: str, col: int):
        """Read the ``closer`` of the bracket opened at ``col``, or say what is wrong there."""
        close = self.peek()
        if not (close.kind == "op" and close.value == closer):
            if close.kind == "end":
                self.fail(never_closed, col)
            self.unexpected(close)
        self.next()
        self.brackets -= 1
