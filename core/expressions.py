"""Safe parser: text a user typed -> :class:`Function`.

The text is never handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``
(all of which end in ``eval``). Instead it is read by Python's ``ast`` module,
which only *parses*, and every node of the tree is checked against a short
whitelist before this module builds the SymPy expression itself:

* numbers (integers and decimals, bounded in size), the variable(s) the caller
  allows (``x`` by default), the constants ``pi`` and ``e``;
* ``+ - * / **`` and ``^`` (read as a power, as on a calculator), parentheses;
* calls of the functions in :data:`FUNCTIONS`, one argument each.

Anything else -- attributes, subscripts, strings, lambdas, comparisons, other
names -- raises :class:`ExpressionError` with a message that says what is
wrong and at which column. Maths that would hang SymPy (huge literals, power
towers, enormous exponents) or that is undefined as a constant (``1/0``,
``log(0)``, ``sqrt(-1)``) is refused here too, before SymPy sees it.

The symbol is *real*, so ``d|x|/dx`` is ``sign(x)`` rather than the
unevaluable complex expression the lab shows.
"""

from __future__ import annotations

import ast
import difflib
import math
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import sympy as sp

__all__ = [
    "ExpressionError",
    "Function",
    "parse_function",
    "parse_expression",
    "function_from_expr",
    "FUNCTIONS",
    "MAX_LENGTH",
    "X",
]

#: Longest text accepted, in characters.
MAX_LENGTH = 300
#: Deepest nesting of operations accepted (parentheses count half of it).
MAX_DEPTH = 40
#: Largest magnitude of a literal number.
MAX_LITERAL = 1e15
#: Largest magnitude of an exponent that is a constant.
MAX_EXPONENT = 1000
#: Largest base-10 exponent of a constant power (keeps results inside float64).
MAX_CONSTANT_LOG10 = 300
#: Largest magnitude of an exponent once SymPy has combined powers: (x^1000)^1000
#: is x^1000000 although each step is allowed.
MAX_COMBINED_EXPONENT = 10_000

#: The one real symbol every single-variable function is written in.
X = sp.Symbol("x", real=True)


class ExpressionError(ValueError):
    """The text is not a formula this lab accepts; the message says why and where."""

    def __init__(self, message: str, column: int | None = None):
        self.column = column
        super().__init__(message)


# --- whitelisted functions: name -> (SymPy builder, float check for constants) ---

def _check_log(v: float) -> str | None:
    if v == 0:
        return "log(0) is undefined (minus infinity)"
    if v < 0:
        return "log of a negative number is complex, not real"
    return None


def _check_sqrt(v: float) -> str | None:
    return "sqrt of a negative number is complex, not real" if v < 0 else None


def _check_unit(name: str) -> Callable[[float], str | None]:
    def check(v: float) -> str | None:
        return f"{name} is only defined on [-1, 1]" if abs(v) > 1 else None
    return check


FUNCTIONS: dict[str, tuple[Callable, Callable[[float], str | None] | None]] = {
    "sin": (sp.sin, None),
    "cos": (sp.cos, None),
    "tan": (sp.tan, None),
    "asin": (sp.asin, _check_unit("asin")),
    "acos": (sp.acos, _check_unit("acos")),
    "atan": (sp.atan, None),
    "sinh": (sp.sinh, None),
    "cosh": (sp.cosh, None),
    "tanh": (sp.tanh, None),
    "exp": (sp.exp, None),
    "log": (sp.log, _check_log),
    "sqrt": (sp.sqrt, _check_sqrt),
    "abs": (sp.Abs, None),
}

_CONSTANTS = {"pi": sp.pi, "e": sp.E}

_FLOAT_FUNCS = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh,
    "tanh": math.tanh, "exp": math.exp, "log": math.log, "sqrt": math.sqrt,
    "abs": abs,
}

#: Letters from other scripts that look like the ASCII ones a formula uses
#: (NFKC does not map them, so they need their own table).
_LOOKALIKES = {
    "а": "a", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s",
    "т": "t", "х": "x", "у": "y", "ԁ": "d", "ɡ": "g", "ո": "n", "ѵ": "v",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y", "ϲ": "c", "ѡ": "w", "ⅰ": "i", "ℯ": "e", "ⅹ": "x",
    "ı": "i", "ǀ": "l", "ɑ": "a", "ⲭ": "x", "ⲣ": "p",
}

_NODE_WORDS = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.List: "a list",
    ast.Tuple: "a tuple (a comma)",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':='",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
    ast.Slice: "a slice",
}

_OP_WORDS = {
    ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'", ast.LShift: "'<<'",
    ast.RShift: "'>>'", ast.BitOr: "'|' (write abs(...) for an absolute value)",
    ast.BitAnd: "'&'", ast.BitXor: "'^'", ast.Invert: "'~'", ast.Not: "'not'",
}


# --- the Function ---------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Function:
    """A real function of one variable, known three ways.

    ``text`` is the normalised text (its identity: equality and hashing use it),
    ``expr`` the SymPy expression in the real symbol :data:`X`, ``label`` a
    short human name. :meth:`numpy` and :meth:`jax` evaluate callables generated
    from ``expr`` with common subexpressions shared (``lambdify(cse=True)``),
    so a composed function is evaluated as a graph, not as an exponential tree.
    """

    text: str
    expr: sp.Expr
    label: str = ""
    symbol: sp.Symbol = field(default=X)

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function) and other.text == self.text

    def __repr__(self) -> str:
        return f"Function({self.text!r})"

    @property
    def name(self) -> str:
        """What to call the function on screen."""
        return self.label or self.text

    @cached_property
    def _numpy_raw(self) -> Callable:
        return sp.lambdify(self.symbol, self.expr, modules="numpy", cse=True)

    @cached_property
    def _jax_raw(self) -> Callable:
        from . import _jax  # noqa: F401  (64-bit on before any jax array exists)

        return sp.lambdify(self.symbol, self.expr, modules="jax", cse=True)

    def numpy(self, xs):
        """Evaluate with NumPy, elementwise, in the float dtype of ``xs``.

        Points where f is undefined come back as ``nan`` (or ``inf`` where it
        overflows); no warning is raised for them. Integer input is promoted to
        float64, complex input stays complex (the complex-step method needs it).
        """
        arr = np.asarray(xs)
        if not np.issubdtype(arr.dtype, np.inexact):
            arr = arr.astype(np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(self._numpy_raw(arr))
        if out.shape != arr.shape:  # a constant function returns a scalar
            out = np.broadcast_to(out, arr.shape).copy()
        if out.dtype != arr.dtype:
            if np.iscomplexobj(out) and not np.iscomplexobj(arr):
                out = out.real
            out = out.astype(arr.dtype)
        return out

    def jax(self, xs):
        """Evaluate with ``jax.numpy``; traceable by ``grad``, ``vmap`` and ``jit``."""
        from ._jax import jnp

        out = self._jax_raw(xs)
        shape = jnp.shape(xs)
        # A constant function returns a Python number (an int for "5" or "x - x"):
        # give it the input's shape and float dtype, or grad refuses it.
        if jnp.shape(out) != shape or not jnp.issubdtype(jnp.result_type(out), jnp.inexact):
            out = jnp.broadcast_to(jnp.asarray(out, dtype=jnp.result_type(xs)), shape)
        return out

    @property
    def depends_on_x(self) -> bool:
        """False for a constant function."""
        return self.symbol in self.expr.free_symbols


# --- parsing ------------------------------------------------------------------

@dataclass
class _Value:
    """A SymPy expression, and its float value when it is a constant."""

    expr: sp.Expr
    const: float | None  # None when the subtree depends on a variable


def _column_map(text: str) -> tuple[str, list[int]]:
    """Replace '^' by '**' and remember, for each new index, the original column."""
    out, cols = [], []
    for i, ch in enumerate(text):
        if ch == "^":
            out.append("**")
            cols.extend([i, i])
        else:
            out.append(ch)
            cols.append(i)
    cols.append(len(text))
    return "".join(out), cols


def _check_characters(text: str) -> None:
    for i, ch in enumerate(text):
        col = i + 1
        code = f"U+{ord(ch):04X}"
        if ch in "\t\n\r":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ExpressionError(
                f"invisible control character {code} at column {col}; delete it and retype the formula",
                col,
            )
        if ord(ch) > 127:
            name = unicodedata.name(ch, "unknown character")
            hint = ""
            ascii_twin = unicodedata.normalize("NFKC", ch)
            if ch in "−–—":
                hint = "; type the ASCII minus '-'"
            elif ch in "×·":
                hint = "; type '*' for multiplication"
            elif ch in "²³":
                hint = "; write powers as x^2 or x**2"
            elif ch in _LOOKALIKES:
                hint = f"; it looks like '{_LOOKALIKES[ch]}' but is not: type the plain ASCII one"
            elif ascii_twin.isascii() and ascii_twin != ch:
                hint = f"; it looks like '{ascii_twin}' but is not: type the plain ASCII one"
            raise ExpressionError(
                f"character '{ch}' ({name}, {code}) at column {col} is not allowed{hint}", col
            )


def _check_parens(text: str) -> None:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH // 2:
                raise ExpressionError(
                    f"parentheses nested too deeply at column {i + 1} (at most {MAX_DEPTH // 2} levels)",
                    i + 1,
                )
        elif ch in ")]}":
            depth -= 1


def _suggest(name: str, choices) -> str:
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _combine(a: float | None, b: float | None, op) -> float | None:
    """Float value of a constant operation, or None when either side varies."""
    if a is None or b is None:
        return None
    try:
        return op(a, b)
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _largest_exponent(expr: sp.Expr) -> sp.Number | None:
    """The numeric exponent of largest size in ``expr`` (x^e and exp(k*x) alike), or None."""
    worst = None
    for p in expr.atoms(sp.Pow):
        e = p.exp
        if e.is_Number and (worst is None or abs(e) > abs(worst)):
            worst = e
    return worst


class _Builder:
    """Walks the checked ``ast`` tree and builds the SymPy expression."""

    def __init__(self, cols: list[int], symbols: dict[str, sp.Symbol]):
        self.cols = cols
        self.symbols = symbols

    def fail(self, message: str, node: ast.AST, hint: str = ""):
        off = getattr(node, "col_offset", 0) or 0
        col = self.cols[min(off, len(self.cols) - 1)] + 1
        raise ExpressionError(f"{message} at column {col}{hint}", col)

    def build(self, node: ast.AST, depth: int = 0) -> _Value:
        if depth > MAX_DEPTH:
            self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)", node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return v
            return _Value(-v.expr, None if v.const is None else -v.const)
        if isinstance(node, ast.UnaryOp):
            self.fail(f"{_OP_WORDS.get(type(node.op), 'this operator')} is not allowed", node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = _NODE_WORDS.get(type(node), f"'{type(node).__name__}'")
        self.fail(f"{what} is not allowed in a formula", node)

    def constant(self, node: ast.Constant) -> _Value:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            kinds = {str: "text in quotes", bytes: "bytes", complex: "an imaginary number ('j')"}
            self.fail(f"{kinds.get(type(v), repr(v))} is not allowed in a formula", node)
        if isinstance(v, int):
            if abs(v) > MAX_LITERAL:
                self.fail(f"the number is too large (at most {MAX_LITERAL:.0e})", node)
            return _Value(sp.Integer(v), float(v))
        if not math.isfinite(v) or abs(v) > MAX_LITERAL:
            self.fail(f"the number is too large (at most {MAX_LITERAL:.0e})", node)
        # Built from the checked float, never from the text (Float('1e-999999') is slow).
        return _Value(sp.Float(v), v)

    def name(self, node: ast.Name) -> _Value:
        ident = node.id
        if ident.startswith("_"):
            self.fail(f"the name '{ident}' is not allowed (no Python internals)", node)
        if ident in self.symbols:
            return _Value(self.symbols[ident], None)
        if ident in _CONSTANTS:
            c = _CONSTANTS[ident]
            return _Value(c, float(c))
        if ident in FUNCTIONS:
            self.fail(f"'{ident}' is a function: write {ident}(...) with an argument", node)
        allowed = list(self.symbols) + list(_CONSTANTS)
        hint = _suggest(ident, allowed + list(FUNCTIONS))
        if len(ident) > 1 and all(c in self.symbols or c in _CONSTANTS or c.isdigit() for c in ident):
            hint = f"; write products with '*', e.g. {'*'.join(ident)}"
        names = ", ".join(f"'{n}'" for n in allowed)
        self.fail(f"unknown name '{ident}'", node, f"{hint} (allowed names: {names})")

    def binop(self, node: ast.BinOp, depth: int) -> _Value:
        op = type(node.op)
        if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            self.fail(f"{_OP_WORDS.get(op, 'this operator')} is not allowed", node)
        a = self.build(node.left, depth + 1)
        b = self.build(node.right, depth + 1)
        ca, cb = a.const, b.const
        if op is ast.Add:
            return self.checked(node, _Value(a.expr + b.expr, _combine(ca, cb, lambda p, q: p + q)))
        if op is ast.Sub:
            return self.checked(node, _Value(a.expr - b.expr, _combine(ca, cb, lambda p, q: p - q)))
        if op is ast.Mult:
            return self.checked(node, _Value(a.expr * b.expr, _combine(ca, cb, lambda p, q: p * q)))
        if op is ast.Div:
            if cb is not None and cb == 0:
                self.fail("division by zero", node.right)
            return self.checked(node, _Value(a.expr / b.expr, _combine(ca, cb, lambda p, q: p / q)))
        return self.checked(node, self.power(node, a, b))

    def checked(self, node: ast.AST, v: _Value) -> _Value:
        """Refuse what SymPy made of allowed steps when it is too big to work with.

        A constant beyond 1e300 (``10^299*10^299``) is no float64 number; powers that
        SymPy combined, ``(x^1000)^1000`` -> ``x^1000000`` or ``x^1000*x^1000*...``,
        make expand/factor and big-integer arithmetic run away.
        """
        if v.const is not None and not abs(v.const) <= 10.0 ** MAX_CONSTANT_LOG10:
            self.fail("this constant is too large to compute (more than 1e300)", node,
                      "; use smaller numbers")
        if v.const is None and isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.Pow)):
            e = _largest_exponent(v.expr)
            if e is not None and abs(e) > MAX_COMBINED_EXPONENT:
                self.fail(
                    f"the powers combine to an exponent of {sp.sstr(e)[:20]}, too large "
                    f"(at most {MAX_COMBINED_EXPONENT:,} in size)", node,
                    "; (x^a)^b is x^(a*b) and x^a*x^b is x^(a+b)",
                )
        return v

    def power(self, node: ast.BinOp, a: _Value, b: _Value) -> _Value:
        ca, cb = a.const, b.const
        if cb is not None and not abs(cb) <= MAX_EXPONENT:
            self.fail(f"the exponent is too large (at most {MAX_EXPONENT} in size)", node.right)
        value = None
        if ca is not None and cb is not None:
            if not math.isfinite(ca):
                self.fail("this power is too large to compute", node)
            if ca == 0 and cb < 0:
                self.fail("zero to a negative power is undefined (division by zero)", node)
            if ca < 0 and not float(cb).is_integer():
                self.fail("a negative number to a fractional power is complex, not real", node)
            if ca != 0 and cb * math.log10(abs(ca)) > MAX_CONSTANT_LOG10:  # 0.1^-1000 too
                self.fail("this power is too large to compute (more than 1e300)", node)
            value = float(ca) ** float(cb)
        return _Value(a.expr ** b.expr, value)

    def call(self, node: ast.Call, depth: int) -> _Value:
        func = node.func
        if not isinstance(func, ast.Name):
            what = _NODE_WORDS.get(type(func), "this")
            self.fail(f"only named functions can be called; {what} is not allowed", func)
        name = func.id
        if name not in FUNCTIONS:
            if name.startswith("_"):
                self.fail(f"the name '{name}' is not allowed (no Python internals)", func)
            self.fail(f"unknown function '{name}'", func, _suggest(name, FUNCTIONS))
        if node.keywords:
            self.fail(f"{name}() takes no named arguments", node)
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(f"{name}() takes exactly one argument, got {len(node.args)}", node)
        arg = self.build(node.args[0], depth + 1)
        builder, check = FUNCTIONS[name]
        value = None
        if arg.const is not None:
            problem = check(arg.const) if check else None
            if problem:
                self.fail(problem, node)
            try:
                value = float(_FLOAT_FUNCS[name](arg.const))
            except (OverflowError, ValueError):
                self.fail(f"{name}() of this constant is too large to compute", node)
        return _Value(builder(arg.expr), value)


def _syntax_message(src: str, col: int, err: SyntaxError) -> str:
    word = src[col - 1:].split(" ")[0][:20] if 0 < col <= len(src) else ""
    msg = (err.msg or "invalid syntax").lower()
    head = word.split("(")[0]
    if "invalid decimal literal" in msg or "invalid imaginary literal" in msg:
        return f"cannot read '{word}' at column {col}: write multiplication with '*', e.g. 2*x"
    if head in ("import", "from", "def", "class", "lambda", "for", "while", "del", "return", "with", "global"):
        return f"'{head}' at column {col}: statements are not allowed, only a formula in x"
    if "=" in src and "==" not in src:
        at = src.index("=") + 1
        return f"'=' at column {at}: type only the right-hand side, e.g. x^2 for f(x) = x^2"
    if src[-1] in "+-*/^(.,":
        return f"the formula ends with '{src[-1]}' at column {len(src)}: something is missing after it"
    if "was never closed" in msg:
        return f"'(' at column {col} is never closed: add a ')'"
    if "unexpected eof" in msg or col > len(src):
        return f"the formula ends too early at column {col}: is a ')' or a number missing?"
    if "unmatched" in msg:
        return f"unmatched ')' at column {col}"
    near = f" near '{word}'" if word else ""
    return f"cannot read the formula at column {col}{near}: {err.msg}"


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the given real variables.

    Raises :class:`ExpressionError` (a ``ValueError``) with a message that says
    what is wrong and where. Never evaluates the text as Python.
    """
    if not isinstance(text, str):
        raise ExpressionError("the formula must be text")
    src = text.strip()
    if not src:
        raise ExpressionError("the formula is empty: type a function of x, e.g. sin(x) + x^2")
    if len(src) > MAX_LENGTH:
        raise ExpressionError(f"the formula is too long ({len(src)} characters; at most {MAX_LENGTH})")
    _check_characters(src)
    src = " ".join(src.split())  # tabs and newlines become single spaces
    _check_parens(src)
    pysrc, cols = _column_map(src)
    try:
        with warnings.catch_warnings():  # e.g. "1if": Python warns before it fails; we explain instead
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(pysrc, mode="eval")
    except SyntaxError as err:
        off = (err.offset or 1) - 1
        col = cols[min(max(off, 0), len(cols) - 1)] + 1
        raise ExpressionError(_syntax_message(src, col, err), col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the formula is too complicated to read") from None
    symbols = {v: X if v == "x" else sp.Symbol(v, real=True) for v in variables}
    try:
        value = _Builder(cols, symbols).build(tree.body)
    except RecursionError:
        raise ExpressionError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)") from None
    expr = value.expr
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError("the formula contains an undefined or infinite constant (like 1/0)")
    if expr.has(sp.I):
        raise ExpressionError("the formula contains a complex constant; this lab works with real functions")
    if not expr.free_symbols:
        _check_constant(expr)
    return expr


def _check_constant(expr: sp.Expr) -> None:
    """A formula that SymPy reduced to a constant (``asin(2 + x - x)``) must be a real number.

    Constants the parser sees directly are checked step by step with floats; this
    catches the ones that only became constant when SymPy cancelled ``x``.
    """
    try:
        value = complex(sp.N(expr, 15))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        raise ExpressionError("the formula reduces to a constant that is not a real number") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ExpressionError("the formula reduces to an undefined or infinite constant (like 1/0)")
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise ExpressionError(
            "the formula reduces to a complex constant; this lab works with real functions"
        )


def parse_function(text: str) -> Function:
    """Parse ``text`` into a :class:`Function` of the real variable x."""
    expr = parse_expression(text, ("x",))
    return Function(text=" ".join(text.split()), expr=expr)


def function_from_expr(expr: sp.Expr, text: str, label: str = "") -> Function:
    """Wrap a SymPy expression built by our own code (presets), never user text."""
    return Function(text=text, expr=expr, label=label)
