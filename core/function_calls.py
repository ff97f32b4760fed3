"""The rules that read a function applied to its argument: sin(x), sin x, sin 2x, sin^2 x,
sin⁻¹ x, log(x, 2).

``FUNC [('^' INT | SUPERSCRIPT)] ( '(' sum [',' sum] ')' | fn_arg )`` in the grammar of
:mod:`core.parser`, with ``fn_arg := ['-' | '+'] power (implicit power)*``: a bare
argument is a product of powers that stops before the next function name, so
``sin x cos x`` is sin(x)·cos(x). A power on the name is the power of the value
(``sin^2 x`` is (sin x)²) except ^-1, which is the inverse (``sin^-1 x`` is asin x).

:class:`FunctionCalls` holds these rules for :class:`core.parser.Parser`, which
inherits them; the rules they come back to (``sum``, ``power``, ``starts_implicit``)
are the parser's.
"""

from __future__ import annotations

from . import exact
from .cursor import Cursor
from .exact import V
from .grammar import ALIASES, FUNCTIONS, MAX_EXPONENT, Fn
from .tokens import Tok

__all__ = ["FunctionCalls"]


class FunctionCalls(Cursor):
    """How a function name takes its power and its argument (a mixin of :class:`core.parser.Parser`)."""

    def application(self, t: Tok, fn: Fn) -> V:
        """sin(x), sin x, sin 2x, sin^2 x, sin⁻¹ x, log(x, 2)."""
        self.next()
        self.enter(t.col)
        k = None
        if self.is_op("^"):
            self.next()
            k = self.function_power(t)
        elif self.peek().kind == "sup":
            k = self.next().value
        if k is not None and k < 0:
            if k != -1 or fn.inverse is None:
                self.fail(f"'{t.value}' with the power {k} at column {t.col} is not supported: "
                          f"only trigonometric and hyperbolic functions have ^-1 (their inverse); "
                          f"write 1/{t.value}(x) for the reciprocal", t.col)
            fn, k = FUNCTIONS[fn.inverse], None
        if k is not None and not 1 <= k <= MAX_EXPONENT:
            self.fail(f"the power of '{t.value}' at column {t.col} must be a whole number from 1 "
                      f"to {MAX_EXPONENT}, or -1 for the inverse", t.col)
        if self.is_op("("):
            args = self.arguments(t, fn)
        else:
            args = [self.bare_argument(t)]
        v = exact.call(fn, args, t.col)
        if k is not None:
            v = exact.pow(v, exact.integer(k), t.col, t.col)
        self.leave()
        return v

    def function_power(self, t: Tok) -> int:
        paren = self.is_op("(")
        if paren:
            self.next()
        sign = 1
        if self.is_op("-", "+"):
            sign = -1 if self.next().value == "-" else 1
        n = self.peek()
        if n.kind != "num" or not n.value.isdigit() or len(n.value) > 4:
            self.fail(f"after '{t.value}^' at column {t.col} write a whole number: "
                      f"{t.value}^2 x is ({t.value} x)^2, {t.value}^-1 x is the inverse", t.col)
        self.next()
        if paren:
            if not self.is_op(")"):
                self.unexpected(self.peek())
            self.next()
        return sign * int(n.value)

    def arguments(self, t: Tok, fn: Fn) -> list[V]:
        open_ = self.next()
        self.open_bracket(open_.col)
        self.bars.append(0)
        args = [self.sum()]
        while self.is_op(","):
            comma = self.next()
            if len(args) >= max(fn.nargs):
                self.fail(f"{t.value}() takes exactly one argument; the comma at column {comma.col} "
                          f"starts a second one", comma.col)
            args.append(self.sum())
        self.bars.pop()
        self.close_bracket(")", f"'(' at column {open_.col} is never closed: add a ')'", open_.col)
        return args

    def bare_argument(self, t: Tok) -> V:
        """The argument of sin x: a product of powers, up to the next function name."""
        nxt = self.peek()
        if nxt.kind == "end" or (nxt.kind == "op" and nxt.value not in ("-", "+", "|")):
            self.fail(f"'{t.value}' at column {t.col} needs an argument: write {t.value}(x) or "
                      f"{t.value} x", t.col)
        if self.is_op("-", "+"):
            op = self.next()
            self.enter(op.col)
            v = self.bare_argument(t)
            self.leave()
            return exact.neg(v) if op.value == "-" else v
        v = self.power()
        while True:
            n = self.peek()
            if n.kind == "name" and ALIASES.get(n.value, n.value) in FUNCTIONS:
                return v  # sin x cos x is sin(x)·cos(x)
            if not self.starts_implicit():
                return v
            v = exact.mul(v, self.power(), n.col)
