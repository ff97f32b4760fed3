"""What a typed formula may contain: the grammar's table (the README's "Typing a function" mirrors it).

Everything a student may write is listed here, and only here: the supported
functions (:data:`FUNCTIONS`, each with how it is built, its value on a constant,
its real domain and its inverse), other names for them (:data:`ALIASES`), names
that are refused with a rewrite (:data:`UNSUPPORTED`) or a suggestion
(:data:`SPELLINGS`), the constants ``pi`` and ``e``, the characters beyond ASCII
(:data:`UNICODE`) and the limits that keep SymPy from hanging (``MAX_*``).

Who reads the table: :mod:`core.tokens` (text -> tokens), :mod:`core.parser`
(tokens -> SymPy, the grammar's rules), :mod:`core.exact` (exact numbers and
their size bounds) and :mod:`core.messages` (what a refusal says). The entry
point is :func:`core.expressions.parse_expression`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .cbrt import cbrt

__all__ = [
    "FUNCTIONS", "ALIASES", "UNSUPPORTED", "SPELLINGS", "CONSTANTS", "UNICODE", "SUPERSCRIPTS",
    "LOOKALIKES", "ASCII_REFUSED", "PYTHON_WORDS", "IMAGINARY", "Fn", "DomainError", "need", "function_names",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_PARENS", "MAX_LITERAL", "MAX_EXPONENT", "MAX_CONSTANT_LOG10",
    "MIN_CONSTANT_LOG10", "MAX_COMBINED_EXPONENT", "MAX_EXACT_BITS", "X", "cbrt",
]


# --- bounds -----------------------------------------------------------------------

#: Longest text accepted, in characters.
MAX_LENGTH = 300
#: Deepest nesting of operations (signs, powers, calls, brackets) accepted. It is
#: also the tallest tower x^x^...^x (40 storeys).
MAX_DEPTH = 40
#: Deepest nesting of brackets ( ) and | | accepted.
MAX_PARENS = 20
#: Largest magnitude of a number literal (and at most 15 digits in its integer part).
MAX_LITERAL = 1e15
#: Largest magnitude of an exponent that is a constant.
MAX_EXPONENT = 1000
#: Constants must stay inside float64's normal range: 1e-307 <= |c| <= 1e300 (or c = 0).
MAX_CONSTANT_LOG10 = 300
MIN_CONSTANT_LOG10 = -307
#: Largest exponent once powers combine: (x^1000)^1000 is x^1000000 although each step is allowed.
MAX_COMBINED_EXPONENT = 10_000
#: Largest exact integer or fraction built, in bits of its numerator and of its denominator
#: (2048 bits is about 617 decimal digits). Bounds are computed before SymPy builds the number.
MAX_EXACT_BITS = 2048

#: The one real symbol every single-variable function is written in.
X = sp.Symbol("x", real=True)


# --- the function table -------------------------------------------------------------

class DomainError(Exception):
    """A constant outside a function's real domain; the message says which (the parser adds the column)."""


def need(ok: bool, message: str) -> None:
    """Raise :class:`DomainError` with ``message`` unless ``ok``."""
    if not ok:
        raise DomainError(message)


def _log_check(name: str) -> Callable[[float], None]:
    def check(v: float) -> None:
        need(v != 0, f"{name}(0) is undefined (minus infinity)")
        need(v > 0, f"{name} of a negative number is complex, not real")
    return check


@dataclass(frozen=True)
class Fn:
    """One supported function: how to build it, evaluate a constant, and its inverse."""

    name: str
    build: Callable[..., sp.Expr]
    value: Callable[..., float]
    check: Callable[[float], None] | None = None
    inverse: str | None = None   # what f^-1 means (sin^-1 x = asin x)
    meaning: str = ""            # for the README table
    nargs: tuple[int, ...] = (1,)


def _unit(name):
    return lambda v: need(abs(v) <= 1, f"{name} is only defined on [-1, 1]")


def _outside_unit(name):
    return lambda v: need(abs(v) >= 1, f"{name} is only defined for |x| >= 1")


def _log_value(v, b=None):
    return math.log(v) if b is None else math.log(v) / math.log(b)


_FN_LIST = [
    Fn("sin", sp.sin, math.sin, inverse="asin", meaning="sine"),
    Fn("cos", sp.cos, math.cos, inverse="acos", meaning="cosine"),
    Fn("tan", sp.tan, math.tan, inverse="atan", meaning="tangent"),
    Fn("sec", sp.sec, lambda v: 1 / math.cos(v), inverse="asec", meaning="1/cos x"),
    Fn("csc", sp.csc, lambda v: 1 / math.sin(v), inverse="acsc", meaning="1/sin x"),
    Fn("cot", sp.cot, lambda v: 1 / math.tan(v), inverse="acot", meaning="1/tan x"),
    Fn("asin", sp.asin, math.asin, _unit("asin"), "sin", "inverse sine"),
    Fn("acos", sp.acos, math.acos, _unit("acos"), "cos", "inverse cosine"),
    Fn("atan", sp.atan, math.atan, None, "tan", "inverse tangent"),
    Fn("asec", sp.asec, lambda v: math.acos(1 / v), _outside_unit("asec"), "sec", "inverse secant"),
    Fn("acsc", sp.acsc, lambda v: math.asin(1 / v), _outside_unit("acsc"), "csc", "inverse cosecant"),
    Fn("acot", sp.acot, lambda v: math.atan(1 / v) if v else math.pi / 2, None, "cot",
       "inverse cotangent, atan(1/x)"),
    Fn("sinh", sp.sinh, math.sinh, inverse="asinh", meaning="hyperbolic sine"),
    Fn("cosh", sp.cosh, math.cosh, inverse="acosh", meaning="hyperbolic cosine"),
    Fn("tanh", sp.tanh, math.tanh, inverse="atanh", meaning="hyperbolic tangent"),
    Fn("sech", sp.sech, lambda v: 1 / math.cosh(v), inverse="asech", meaning="1/cosh x"),
    Fn("csch", sp.csch, lambda v: 1 / math.sinh(v), inverse="acsch", meaning="1/sinh x"),
    Fn("coth", sp.coth, lambda v: 1 / math.tanh(v), inverse="acoth", meaning="1/tanh x"),
    Fn("asinh", sp.asinh, math.asinh, None, "sinh", "inverse hyperbolic sine"),
    Fn("acosh", sp.acosh, math.acosh, lambda v: need(v >= 1, "acosh is only defined for x >= 1"),
       "cosh", "inverse hyperbolic cosine"),
    Fn("atanh", sp.atanh, math.atanh, lambda v: need(abs(v) < 1, "atanh is only defined on (-1, 1)"),
       "tanh", "inverse hyperbolic tangent"),
    Fn("asech", sp.asech, lambda v: math.acosh(1 / v), lambda v: need(0 < v <= 1, "asech is only defined on (0, 1]"),
       "sech", "inverse hyperbolic secant"),
    Fn("acsch", sp.acsch, lambda v: math.asinh(1 / v), lambda v: need(v != 0, "acsch(0) is undefined"),
       "csch", "inverse hyperbolic cosecant"),
    Fn("acoth", sp.acoth, lambda v: math.atanh(1 / v), lambda v: need(abs(v) > 1, "acoth is only defined for |x| > 1"),
       "coth", "inverse hyperbolic cotangent"),
    Fn("exp", sp.exp, math.exp, meaning="e^x"),
    Fn("log", lambda a, b=None: sp.log(a) if b is None else sp.log(a, b), _log_value, _log_check("log"),
       meaning="natural logarithm; log(x, b) is the logarithm to base b", nargs=(1, 2)),
    Fn("log10", lambda a: sp.log(a, 10), math.log10, _log_check("log10"), meaning="logarithm to base 10"),
    Fn("log2", lambda a: sp.log(a, 2), math.log2, _log_check("log2"), meaning="logarithm to base 2"),
    Fn("sqrt", sp.sqrt, math.sqrt, lambda v: need(v >= 0, "sqrt of a negative number is complex, not real"),
       meaning="square root"),
    Fn("cbrt", cbrt, lambda v: math.copysign(abs(v) ** (1 / 3), v), meaning="real cube root: cbrt(-8) = -2"),
    Fn("abs", sp.Abs, abs, meaning="absolute value |x|"),
    Fn("sign", sp.sign, lambda v: float((v > 0) - (v < 0)), meaning="sign: -1, 0 or 1"),
]

#: Every supported function, by its canonical name.
FUNCTIONS: dict[str, Fn] = {f.name: f for f in _FN_LIST}

#: Other names people write for the same functions.
ALIASES: dict[str, str] = {
    "ln": "log", "sgn": "sign",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsec": "asec", "arccsc": "acsc",
    "arccot": "acot",
    "arsinh": "asinh", "arcsinh": "asinh", "arcosh": "acosh", "arccosh": "acosh",
    "artanh": "atanh", "arctanh": "atanh", "arsech": "asech", "arcsech": "asech",
    "arcsch": "acsch", "arccsch": "acsch", "arcoth": "acoth", "arccoth": "acoth",
    "cosec": "csc", "cotan": "cot", "tg": "tan", "ctg": "cot", "arctg": "atan",
}

#: Words for functions people mean but spell differently: suggested, not accepted.
SPELLINGS = {
    "sine": "sin", "sinus": "sin", "sen": "sin", "cosine": "cos", "cosinus": "cos",
    "tangent": "tan", "tangens": "tan", "secant": "sec", "cosecant": "csc", "cotangent": "cot",
    "squareroot": "sqrt", "sqroot": "sqrt", "absolute": "abs", "signum": "sign",
    "exponential": "exp", "logarithm": "log", "cuberoot": "cbrt", "arcsen": "asin",
}

#: Known functions this lab does not support, with what to write instead where a rewrite exists.
UNSUPPORTED: dict[str, str] = {
    "floor": "", "ceil": "", "ceiling": "", "round": "", "frac": "", "mod": "",
    "max": "; for max(a, b) write (a + b + |a - b|)/2",
    "min": "; for min(a, b) write (a + b - |a - b|)/2",
    "gamma": "", "erf": "", "erfc": "", "factorial": "", "beta": "", "zeta": "", "lambertw": "",
    "re": "; this lab works with real functions, so re(x) is just x",
    "im": "; this lab works with real functions", "arg": "; this lab works with real functions",
    "conj": "; this lab works with real functions, so conj(x) is just x",
    "conjugate": "; this lab works with real functions, so conjugate(x) is just x",
    "cis": "; this lab works with real functions",
    "exp2": "; write 2^x", "expm1": "; write exp(x) - 1", "log1p": "; write log(1 + x)",
    "hypot": "; write sqrt(x^2 + y^2)", "pow": "; write x^y", "root": "; write x^(1/n)",
    "nthroot": "; write x^(1/n)", "atan2": "", "sinc": "; write sin(x)/x",
    "sqr": "; write x^2 for the square (sqrt(x) is the square root)",
    "lg": "; lg is ambiguous: write log10(x) or log2(x)",
    "heaviside": "; write (1 + sign(x))/2", "step": "; write (1 + sign(x))/2",
    "diff": "; type only f: the lab differentiates it for you",
    "derivative": "; type only f: the lab differentiates it for you",
    "integrate": "", "sum": "", "limit": "", "lim": "",
}

#: Python keywords: refused with "Python, not maths".
PYTHON_WORDS = frozenset(
    "import from def class lambda for while del return with global nonlocal if else elif and or "
    "not in is True False None async await yield try except finally raise assert pass break "
    "continue".split()
)
#: Names of the imaginary unit: refused (real functions only).
IMAGINARY = frozenset("i j I J".split())
#: The named constants (π reads as pi, see UNICODE).
CONSTANTS = {"pi": sp.pi, "e": sp.E}

#: Characters of the grammar beyond ASCII, and what each one reads as.
UNICODE = {
    "π": "pi", "·": "*", "×": "*", "÷": "/", "−": "-", "√": "sqrt", "∛": "cbrt",
    "⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7",
    "⁸": "^8", "⁹": "^9", "⁻": "^-", "⁺": "^+",
}
#: Superscript characters and the exponent text each stands for (x² is x^2).
SUPERSCRIPTS = {ch: code[1:] for ch, code in UNICODE.items() if code.startswith("^")}

#: Letters from other scripts that look like the ASCII ones a formula uses
#: (NFKC does not map them, so they need their own table).
LOOKALIKES = {
    "а": "a", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s",
    "т": "t", "х": "x", "у": "y", "ԁ": "d", "ɡ": "g", "ո": "n", "ѵ": "v",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y", "ϲ": "c", "ѡ": "w", "ⅰ": "i", "ℯ": "e", "ⅹ": "x",
    "ı": "i", "ǀ": "l", "ɑ": "a", "ⲭ": "x", "ⲣ": "p",
}

#: ASCII characters outside the grammar, and why each is refused.
ASCII_REFUSED = {
    "#": "comments ('#') are not allowed",
    "_": "'_' is not allowed (no Python internals)",
    "[": "indexing with [ ] is not allowed; use ( ) for grouping",
    "]": "indexing with [ ] is not allowed; use ( ) for grouping",
    "{": "braces { } are not allowed; use ( ) for grouping",
    "}": "braces { } are not allowed; use ( ) for grouping",
    "'": "text in quotes is not a formula", '"': "text in quotes is not a formula",
    "%": "'%' (remainder) is not supported",
    "!": "'!' (factorial) is not supported",
    "<": "comparisons ('<') are not allowed", ">": "comparisons ('>') are not allowed",
    ";": "';' is not allowed: type one formula only",
    ":": "':' is not allowed", "&": "'&' is not allowed", "~": "'~' is not allowed",
    "@": "'@' is not allowed", "\\": "'\\' is not allowed: type plain text, not LaTeX",
    "$": "'$' is not allowed: type plain text, not LaTeX", "?": "'?' is not allowed",
    "`": "'`' is not allowed",
}


def function_names() -> list[str]:
    """Every name a function may be typed as (canonical names and aliases), sorted."""
    return sorted(set(FUNCTIONS) | set(ALIASES))
