"""The parser: tokens -> a SymPy expression, by the rules of the school-maths grammar.

What may appear in a formula (functions, aliases, constants, limits) is the
table in :mod:`core.grammar`; :mod:`core.tokens` cuts the text into tokens with
their columns; :mod:`core.cursor` walks them and keeps the limits (length,
nesting); this module holds the rules below, one method each, in a small
recursive precedence-climbing parser that builds the SymPy objects itself (through
:mod:`core.exact`, which bounds every exact number's size first). The text is
never handed to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or Python's
``ast``/``compile``.

Grammar (loosest first)::

    formula  := [ 'y' '=' | NAME '(' VAR ')' '=' ] sum
    sum      := term (('+' | '-') term)*
    term     := signed (('*' | '/') signed | implicit)*      # 2x, x sin x, (x+1)(x-1)
    signed   := ('-' | '+') signed | power                    # -x^2 is -(x^2)
    power    := postfix ['^' signed]                          # right-assoc: 2^3^2 = 2^9, e^-x
    postfix  := atom SUPERSCRIPT*                             # x², x⁻¹
    atom     := NUMBER | VAR | 'pi' | 'e' | '(' sum ')' | '|' sum '|'
              | ('√' | '∛') signed                            # √x^2 = √(x^2), √2x = √2·x
              | FUNC [('^' INT | SUPERSCRIPT)] ( '(' sum [',' sum] ')' | fn_arg )
    fn_arg   := ['-' | '+'] power (implicit power)*           # stops before a function name

An implicit product has the same precedence as '*' (so ``1/2x`` is ``(1/2)·x``).

The rule that reads ``^`` is :meth:`Parser.power` (right-associative;
superscripts such as ``x²`` are :meth:`Parser.postfix`). Every exact number is
built by :mod:`core.exact`, which refuses one too big before SymPy builds it.
"""

from __future__ import annotations

import sympy as sp

from . import exact
from .cursor import EMPTY, check_text
from .exact import V
from .function_calls import FunctionCalls
from .grammar import ALIASES, CONSTANTS, FUNCTIONS, MAX_DEPTH, X
from .messages import ExpressionError, unknown_name
from .tokens import Tok

__all__ = ["parse", "Parser"]

_STARTS_FACTOR = ("name", "root")


class Parser(FunctionCalls):
    """One formula's tokens, read rule by rule (``sum`` is the loosest, ``atom`` the tightest).

    Walking the tokens and the limits of nesting are :class:`core.cursor.Cursor`'s; the
    rules of a function applied to its argument are :class:`core.function_calls.FunctionCalls`'.
    """

    def __init__(self, text: str, variables: tuple[str, ...]):
        super().__init__(text, variables)
        self.symbols = {v: X if v == "x" else sp.Symbol(v, real=True) for v in variables}

    def parse(self) -> sp.Expr:
        self.strip_lhs()
        if self.peek().kind == "end":
            self.fail(EMPTY, None)
        v = self.sum()
        t = self.peek()
        if t.kind != "end":
            self.unexpected(t)
        return v.expr

    def strip_lhs(self):
        """A leading 'y =' or 'f(x) =' is dropped; any other '=' is refused later."""
        t = self.toks
        def kv(k):
            return (t[k].kind, t[k].value) if k < len(t) else (None, None)
        if kv(0)[0] == "name" and kv(1) == ("op", "=") and kv(0)[1] == "y" and "y" not in self.variables:
            self.pos = 2
        elif (kv(0)[0] == "name" and len(str(kv(0)[1])) == 1 and kv(1) == ("op", "(")
              and kv(2)[0] == "name" and kv(2)[1] in self.variables and kv(3) == ("op", ")")
              and kv(4) == ("op", "=")):
            self.pos = 5

    def sum(self) -> V:
        """``sum := term (('+' | '-') term)*``, the loosest rule."""
        left = self.term()
        while self.is_op("+", "-"):
            op = self.next()
            right = self.term()
            left = exact.add(left, right, op.value == "-", op.col)
        return left

    def starts_implicit(self) -> bool:
        t = self.peek()
        if t.kind in _STARTS_FACTOR:
            return True
        if t.kind == "op" and t.value == "(":
            return True
        if t.kind == "op" and t.value == "|":
            return self.bars[-1] == 0  # inside |...| a bar here closes it
        return False

    def term(self) -> V:
        """``term := signed (('*' | '/') signed | implicit)*``: 2x, x sin x, (x+1)(x-1); an implicit
        product has the precedence of '*', so ``1/2x`` is ``(1/2)·x``."""
        left = self.signed()
        while True:
            if self.is_op("*", "/"):
                op = self.next()
                right = self.signed()
                left = exact.mul(left, right, op.col) if op.value == "*" else exact.div(left, right, op.col, op.end)
            elif self.starts_implicit():
                col = self.peek().col
                left = exact.mul(left, self.power(), col)
            else:
                return left

    def signed(self) -> V:
        """``signed := ('-' | '+') signed | power``: -x^2 is -(x^2); also the exponent of '^' (e^-x)."""
        if self.is_op("-", "+"):
            op = self.next()
            self.enter(op.col)
            v = self.signed()
            self.leave()
            return exact.neg(v) if op.value == "-" else v
        return self.power()

    def power(self) -> V:
        """The rule that reads '^' (and '**', which the tokenizer turns into '^').

        ``power := postfix ['^' signed]``. It is right-associative: the exponent is
        read by :meth:`signed`, which comes back here, so ``2^3^2`` is ``2^(3^2) = 2^9``
        and ``x^x^x`` is ``x^(x^x)``. It binds tighter than a sign on its left
        (``-x^2`` is ``-(x^2)``, see :meth:`signed`) but takes a sign on its right
        (``e^-x``). Superscripts (``x²``, ``x⁻¹``) bind tighter still: they are read by
        :meth:`postfix` on the base, so ``x²^3`` is ``(x^2)^3``. ``e^2x`` is refused as
        ambiguous (``e^(2x)`` or ``e^2·x``).
        """
        base = self.postfix()
        if self.is_op("^"):
            op = self.next()
            self.enter(op.col)
            start = self.peek().col
            exp = self.signed()  # signs, then another power: a tower nests rightwards
            self.leave()
            after = self.peek()
            # e^2x: is it e^(2x) or e^2·x? Refused rather than guessed.
            if after.kind == "name" and not after.space and self.toks[self.pos - 1].kind == "num":
                self.fail(f"'{self.text[op.col - 1:after.end - 1]}' at column {op.col} is ambiguous: "
                          f"write {self.text[base_col(self, op)]}^({self.text[start - 1:after.end - 1]}) "
                          f"or put a space or '*' after the exponent", op.col)
            return exact.pow(base, exp, op.col, start)
        return base

    def postfix(self) -> V:
        """``postfix := atom SUPERSCRIPT*``: x², x⁻¹, (x+1)³ -- a power by superscript digits."""
        v = self.atom()
        while self.peek().kind == "sup":
            t = self.next()
            v = exact.pow(v, exact.integer(t.value), t.col, t.col)
        return v

    def atom(self) -> V:
        """A number, a name (variable, constant, function), √/∛, ( ... ) or | ... |."""
        t = self.peek()
        if t.kind == "num":
            self.next()
            return exact.literal(t)
        if t.kind == "name":
            return self.name(t)
        if t.kind == "root":
            self.next()
            self.enter(t.col)
            if self.peek().kind == "end":
                self.fail(f"'{self.text[t.col - 1]}' at column {t.col} needs something to take the root of", t.col)
            v = self.signed()
            self.leave()
            return exact.call(FUNCTIONS[t.value], [v], t.col)
        if t.kind == "op" and t.value == "(":
            return self.group(t)
        if t.kind == "op" and t.value == "|":
            return self.bar(t)
        self.missing(t)

    def group(self, t: Tok) -> V:
        """``'(' sum ')'``."""
        self.next()
        self.open_bracket(t.col)
        self.enter(t.col)
        self.bars.append(0)
        v = self.sum()
        self.bars.pop()
        self.close_bracket(")", f"'(' at column {t.col} is never closed: add a ')'", t.col)
        self.leave()
        return v

    def bar(self, t: Tok) -> V:
        """``'|' sum '|'``, the absolute value."""
        self.next()
        self.open_bracket(t.col, "absolute values")
        self.enter(t.col)
        self.bars[-1] += 1
        v = self.sum()
        self.close_bracket("|", f"the absolute value opened by '|' at column {t.col} is never closed: "
                                f"add a '|'", t.col)
        self.bars[-1] -= 1
        self.leave()
        return exact.call(FUNCTIONS["abs"], [v], t.col)

    def name(self, t: Tok) -> V:
        w = t.value
        if w in self.symbols:
            self.next()
            return V(self.symbols[w], None, 0.0, 0.0, 1)
        if w in CONSTANTS:
            self.next()
            c = CONSTANTS[w]
            return V(c, float(c), 0.0, 0.0, 0)
        canonical = ALIASES.get(w, w)
        if canonical in FUNCTIONS:
            return self.application(t, FUNCTIONS[canonical])
        self.unknown(t)

    def unknown(self, t: Tok):
        is_call = self.peek(1).kind == "op" and self.peek(1).value == "("
        raise unknown_name(t.value, t.col, is_call, self.variables)


def base_col(parser: Parser, op: Tok) -> slice:
    """The text of the base just before a '^' (for the e^2x message)."""
    i = parser.toks.index(op)
    start = parser.toks[i - 1]
    return slice(start.col - 1, start.end - 1)


def parse(text: str, variables: tuple[str, ...] = ("x",)) -> sp.Expr:
    """Read ``text`` by the grammar above into a SymPy expression in the real ``variables``.

    Raises :class:`ExpressionError` with what is wrong and at which column; for
    two mistakes, the first one (invisible control characters are reported first).
    """
    check_text(text)
    try:
        return Parser(text, tuple(variables)).parse()
    except RecursionError:  # not expected (depth is bounded), but never a traceback
        raise ExpressionError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)") from None
