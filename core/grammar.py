"""School maths as people type it -> a SymPy expression, by a grammar of our own.

This module is the ONE place that says what a typed formula may contain (the
README's "Typing a function" table mirrors the tables below). The text is read
by a tokenizer that knows the column of every token and a small recursive
precedence-climbing parser, which builds the SymPy objects itself. The text is
never handed to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or Python's
``ast``/``compile``.

Grammar (loosest first)::

    formula  := [ 'y' '=' | NAME '(' VAR ')' '=' ] sum
    sum      := term (('+' | '-') term)*
    term     := signed (('*' | '/') signed | implicit)*      # 2x, x sin x, (x+1)(x-1)
    signed   := ('-' | '+') signed | power                    # -x^2 is -(x^2)
    power    := postfix ['^' exponent]                        # right-assoc: 2^3^2 = 2^9
    exponent := ('-' | '+') exponent | power
    postfix  := atom SUPERSCRIPT*                             # x², x⁻¹
    atom     := NUMBER | VAR | 'pi' | 'e' | '(' sum ')' | '|' sum '|'
              | ('√' | '∛') signed                            # √x^2 = √(x^2), √2x = √2·x
              | FUNC [('^' INT | SUPERSCRIPT)] ( '(' sum [',' sum] ')' | fn_arg )
    fn_arg   := ['-' | '+'] power (implicit power)*           # stops before a function name

An implicit product has the same precedence as '*' (so ``1/2x`` is ``(1/2)·x``).

Every exact number the parser builds carries an upper bound of its size in
bits (numerator and denominator), worked out from the operands' bounds BEFORE
SymPy is asked to build it; too big is refused (see :data:`MAX_EXACT_BITS`).
Constants also carry a float value, so a constant outside float64's range is
refused before it exists, too.
"""

from __future__ import annotations

import cmath
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

import sympy as sp

__all__ = [
    "ExpressionError", "parse", "format_error", "FUNCTIONS", "ALIASES", "UNSUPPORTED",
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


class ExpressionError(ValueError):
    """The text is not a formula this lab accepts; the message says why and where.

    ``column`` is 1-based, counted in the text as typed (None: the whole text).
    """

    def __init__(self, message: str, column: int | None = None):
        self.column = column
        super().__init__(message)


# --- the real cube root ------------------------------------------------------------

class cbrt(sp.Function):  # noqa: N801  (prints as cbrt, like numpy.cbrt / jax.numpy.cbrt)
    """The REAL cube root: cbrt(-8) = -2, d/dx cbrt(x) = 1/(3 cbrt(x)^2).

    NumPy gets ``sign(re z)*(z*sign(re z))**(1/3)``, which is the real cube root on
    real input and complex-analytic off the imaginary axis (so the complex step
    works); JAX gets ``jax.numpy.cbrt``; mpmath ``sign(x)*cbrt(|x|)``.
    """

    is_real = True

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            if arg.is_Rational:
                return sp.real_root(arg, 3)
            return sp.Float(math.copysign(abs(float(arg)) ** (1 / 3), float(arg)))
        if arg.could_extract_minus_sign():
            return -cls(-arg)
        return None

    def fdiff(self, argindex=1):
        return 1 / (3 * cbrt(self.args[0]) ** 2)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _numpycode(self, printer):
        a = printer._print(self.args[0])
        sign, real = (printer._module_format(f"{printer._module}.{n}") for n in ("sign", "real"))
        return f"({sign}({real}({a}))*(({a})*{sign}({real}({a})))**(1/3))"

    def _jaxcode(self, printer):
        return f"{printer._module_format(printer._module + '.cbrt')}({printer._print(self.args[0])})"

    def _mpmathcode(self, printer):
        a = printer._print(self.args[0])
        sign, root = (printer._module_format(f"mpmath.{n}") for n in ("sign", "cbrt"))
        return f"({sign}({a})*{root}(abs({a})))"

    def _latex(self, printer):
        return r"\sqrt[3]{%s}" % printer._print(self.args[0])


# --- the function table -------------------------------------------------------------

class _Domain(Exception):
    """A constant outside a function's real domain; the message says which."""


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise _Domain(message)


def _log_check(name: str) -> Callable[[float], None]:
    def check(v: float) -> None:
        _need(v != 0, f"{name}(0) is undefined (minus infinity)")
        _need(v > 0, f"{name} of a negative number is complex, not real")
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
    return lambda v: _need(abs(v) <= 1, f"{name} is only defined on [-1, 1]")


def _outside_unit(name):
    return lambda v: _need(abs(v) >= 1, f"{name} is only defined for |x| >= 1")


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
    Fn("acosh", sp.acosh, math.acosh, lambda v: _need(v >= 1, "acosh is only defined for x >= 1"),
       "cosh", "inverse hyperbolic cosine"),
    Fn("atanh", sp.atanh, math.atanh, lambda v: _need(abs(v) < 1, "atanh is only defined on (-1, 1)"),
       "tanh", "inverse hyperbolic tangent"),
    Fn("asech", sp.asech, lambda v: math.acosh(1 / v), lambda v: _need(0 < v <= 1, "asech is only defined on (0, 1]"),
       "sech", "inverse hyperbolic secant"),
    Fn("acsch", sp.acsch, lambda v: math.asinh(1 / v), lambda v: _need(v != 0, "acsch(0) is undefined"),
       "csch", "inverse hyperbolic cosecant"),
    Fn("acoth", sp.acoth, lambda v: math.atanh(1 / v), lambda v: _need(abs(v) > 1, "acoth is only defined for |x| > 1"),
       "coth", "inverse hyperbolic cotangent"),
    Fn("exp", sp.exp, math.exp, meaning="e^x"),
    Fn("log", lambda a, b=None: sp.log(a) if b is None else sp.log(a, b), _log_value, _log_check("log"),
       meaning="natural logarithm; log(x, b) is the logarithm to base b", nargs=(1, 2)),
    Fn("log10", lambda a: sp.log(a, 10), math.log10, _log_check("log10"), meaning="logarithm to base 10"),
    Fn("log2", lambda a: sp.log(a, 2), math.log2, _log_check("log2"), meaning="logarithm to base 2"),
    Fn("sqrt", sp.sqrt, math.sqrt, lambda v: _need(v >= 0, "sqrt of a negative number is complex, not real"),
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
_SPELLINGS = {
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

_PYTHON_WORDS = frozenset(
    "import from def class lambda for while del return with global nonlocal if else elif and or "
    "not in is True False None async await yield try except finally raise assert pass break "
    "continue".split()
)
_IMAGINARY = frozenset("i j I J".split())
_CONSTANTS = {"pi": sp.pi, "e": sp.E}

#: Characters of the grammar beyond ASCII, and what each one reads as.
UNICODE = {
    "π": "pi", "·": "*", "×": "*", "÷": "/", "−": "-", "√": "sqrt", "∛": "cbrt",
    "⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7",
    "⁸": "^8", "⁹": "^9", "⁻": "^-", "⁺": "^+",
}
_SUPERSCRIPTS = {ch: code[1:] for ch, code in UNICODE.items() if code.startswith("^")}

#: Letters from other scripts that look like the ASCII ones a formula uses
#: (NFKC does not map them, so they need their own table).
_LOOKALIKES = {
    "а": "a", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s",
    "т": "t", "х": "x", "у": "y", "ԁ": "d", "ɡ": "g", "ո": "n", "ѵ": "v",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y", "ϲ": "c", "ѡ": "w", "ⅰ": "i", "ℯ": "e", "ⅹ": "x",
    "ı": "i", "ǀ": "l", "ɑ": "a", "ⲭ": "x", "ⲣ": "p",
}

_ASCII_REFUSED = {
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


def _all_function_names() -> list[str]:
    return sorted(set(FUNCTIONS) | set(ALIASES))


# --- tokens -------------------------------------------------------------------------

@dataclass
class Tok:
    kind: str        # num name op sup root end err
    value: object
    col: int         # 1-based column in the text as typed
    end: int         # column just after the token
    space: bool = False  # whitespace right before it


_DIGITS = frozenset("0123456789")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _char_message(ch: str, col: int) -> str:
    if ch in _ASCII_REFUSED:
        return f"{_ASCII_REFUSED[ch]} (column {col})"
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
    elif ch in _LOOKALIKES:
        hint = f"; it looks like '{_LOOKALIKES[ch]}' but is not: type the plain ASCII one"
    elif twin != ch and twin.isascii():
        hint = f"; it looks like '{twin}' but is not: type the plain ASCII one"
    elif unicodedata.category(ch).startswith("Z"):
        hint = "; type an ordinary space"
    return f"character '{ch}' ({name}, {code}) at column {col} is not allowed{hint}"


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
    known = set(variables) | set(_CONSTANTS) | fnames
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
        if ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            raw = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
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
        add("err", _char_message(ch, i + 1), i, i + 1)
        return toks
    add("end", None, n, n)
    return toks


def _word_tokens(word, i, known, fnames, add) -> bool:
    """Tokens of one identifier-like word; True when it ended in an error token."""
    special = word in UNSUPPORTED or word in _PYTHON_WORDS or word in _SPELLINGS
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


# --- values with size bounds --------------------------------------------------------

@dataclass
class V:
    """A built SymPy expression with what the bounds need to know about it.

    ``f``: its float value when it is a constant, else None. ``nb``/``db``: upper
    bounds of log2 of the numerators and denominators of the exact numbers in it
    (their size in bits, less one: 1 costs nothing, so 1^k and x^1000*x^1000 are free).
    ``ex``: upper bound of the exponent its powers of x can combine to.
    """

    expr: sp.Expr
    f: float | None
    nb: float
    db: float
    ex: float

    @property
    def const(self) -> bool:
        return self.f is not None


def _lg(v: float) -> float:
    return math.log10(abs(v)) if v else -math.inf


def _log2(k: int) -> float:
    return math.log2(abs(k)) if k else 0.0


def _log2_sum(a: float, b: float) -> float:
    """log2(2^a + 2^b), without overflow: the size of a sum of two sizes."""
    hi, lo = max(a, b), min(a, b)
    return hi + math.log2(1.0 + 2.0 ** (lo - hi))


def _bits_message(bits: float) -> str:
    bits = math.ceil(bits) + 1
    return (f"this exact number would need about {bits:,} bits (at most {MAX_EXACT_BITS:,}, "
            f"about {int(MAX_EXACT_BITS * math.log10(2)):,} digits)")


# --- the parser ---------------------------------------------------------------------

_STARTS_FACTOR = ("name", "root")


class Parser:
    def __init__(self, text: str, variables: tuple[str, ...]):
        self.text = text
        self.variables = variables
        self.symbols = {v: X if v == "x" else sp.Symbol(v, real=True) for v in variables}
        self.toks = tokenize(text, variables)
        self.pos = 0
        self.depth = 0
        self.brackets = 0
        self.bars = [0]  # open |...| in the current bracket level

    # token helpers
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

    def enter(self, col: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the formula is nested too deeply at column {col} (more than {MAX_DEPTH} levels)", col)

    def leave(self):
        self.depth -= 1

    # grammar
    def parse(self) -> sp.Expr:
        self.strip_lhs()
        if self.peek().kind == "end":
            self.fail("the formula is empty: type a function of x, e.g. sin(x) + x^2", None)
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

    def unexpected(self, t: Tok):
        if t.kind == "op" and t.value == ")":
            self.fail(f"unmatched ')' at column {t.col}", t.col)
        if t.kind == "op" and t.value == "=":
            self.fail(f"'=' at column {t.col}: type only the right-hand side, e.g. x^2 for "
                      f"f(x) = x^2 (a leading 'y =' or 'f(x) =' is fine)", t.col)
        if t.kind == "op" and t.value == ",":
            self.fail(f"a comma at column {t.col}: only log(x, b) takes two arguments", t.col)
        if t.kind == "op" and t.value == "|":
            self.fail(f"'|' at column {t.col} closes no absolute value: write |x| with one bar "
                      f"on each side", t.col)
        if t.kind == "num":
            self.fail(f"a number right after a factor at column {t.col}: write '*' between them, "
                      f"e.g. x*{t.value}, or '^' for a power", t.col)
        self.fail(f"cannot read the formula at column {t.col}: unexpected {self.describe(t)}", t.col)

    def describe(self, t: Tok) -> str:
        if t.kind == "end":
            return "end of the formula"
        if t.kind == "sup":
            return "superscript"
        return f"'{self.text[t.col - 1:t.end - 1]}'"

    def sum(self) -> V:
        left = self.term()
        while self.is_op("+", "-"):
            op = self.next()
            right = self.term()
            left = self.add(left, right, op.value == "-", op.col)
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
        left = self.signed()
        while True:
            if self.is_op("*", "/"):
                op = self.next()
                right = self.signed()
                left = self.mul(left, right, op.col) if op.value == "*" else self.div(left, right, op.col, op.end)
            elif self.starts_implicit():
                col = self.peek().col
                left = self.mul(left, self.power(), col)
            else:
                return left

    def signed(self) -> V:
        if self.is_op("-", "+"):
            op = self.next()
            self.enter(op.col)
            v = self.signed()
            self.leave()
            return self.neg(v) if op.value == "-" else v
        return self.power()

    def power(self) -> V:
        base = self.postfix()
        if self.is_op("^"):
            op = self.next()
            self.enter(op.col)
            start = self.peek().col
            exp = self.exponent()
            self.leave()
            after = self.peek()
            # e^2x: is it e^(2x) or e^2·x? Refused rather than guessed.
            if after.kind == "name" and not after.space and self.toks[self.pos - 1].kind == "num":
                self.fail(f"'{self.text[op.col - 1:after.end - 1]}' at column {op.col} is ambiguous: "
                          f"write {self.text[base_col(self, op)]}^({self.text[start - 1:after.end - 1]}) "
                          f"or put a space or '*' after the exponent", op.col)
            return self.pow(base, exp, op.col, start)
        return base

    def exponent(self) -> V:
        if self.is_op("-", "+"):
            op = self.next()
            self.enter(op.col)
            v = self.exponent()
            self.leave()
            return self.neg(v) if op.value == "-" else v
        return self.power()

    def postfix(self) -> V:
        v = self.atom()
        while self.peek().kind == "sup":
            t = self.next()
            v = self.pow(v, self.integer(t.value), t.col, t.col)
        return v

    def integer(self, k: int) -> V:
        return V(sp.Integer(k), float(k), _log2(k), 0.0, 0)

    def atom(self) -> V:
        t = self.peek()
        if t.kind == "num":
            self.next()
            return self.number(t)
        if t.kind == "name":
            return self.name(t)
        if t.kind == "root":
            self.next()
            self.enter(t.col)
            if self.peek().kind == "end":
                self.fail(f"'{self.text[t.col - 1]}' at column {t.col} needs something to take the root of", t.col)
            v = self.signed()
            self.leave()
            return self.call(FUNCTIONS[t.value], [v], t.col)
        if t.kind == "op" and t.value == "(":
            return self.group(t)
        if t.kind == "op" and t.value == "|":
            return self.bar(t)
        self.missing(t)

    def missing(self, t: Tok):
        prev = self.toks[self.pos - 1] if self.pos else None
        if t.kind == "end":
            if prev is not None and prev.kind == "op":
                self.fail(f"the formula ends with '{prev.value}' at column {prev.col}: something is "
                          f"missing after it", prev.col)
            self.fail(f"the formula ends too early at column {t.col}: is a ')' or a number missing?", t.col)
        self.fail(f"expected a number, x, a function or '(' at column {t.col} but found "
                  f"{self.describe(t)}", t.col)

    def group(self, t: Tok) -> V:
        self.next()
        self.brackets += 1
        if self.brackets > MAX_PARENS:
            self.fail(f"parentheses nested too deeply at column {t.col} (at most {MAX_PARENS} levels)", t.col)
        self.enter(t.col)
        self.bars.append(0)
        v = self.sum()
        self.bars.pop()
        close = self.peek()
        if not (close.kind == "op" and close.value == ")"):
            if close.kind == "end":
                self.fail(f"'(' at column {t.col} is never closed: add a ')'", t.col)
            self.unexpected(close)
        self.next()
        self.leave()
        self.brackets -= 1
        return v

    def bar(self, t: Tok) -> V:
        self.next()
        self.brackets += 1
        if self.brackets > MAX_PARENS:
            self.fail(f"absolute values nested too deeply at column {t.col} (at most {MAX_PARENS} levels)", t.col)
        self.enter(t.col)
        self.bars[-1] += 1
        v = self.sum()
        close = self.peek()
        if not (close.kind == "op" and close.value == "|"):
            if close.kind == "end":
                self.fail(f"the absolute value opened by '|' at column {t.col} is never closed: "
                          f"add a '|'", t.col)
            self.unexpected(close)
        self.next()
        self.bars[-1] -= 1
        self.leave()
        self.brackets -= 1
        return self.call(FUNCTIONS["abs"], [v], t.col)

    def number(self, t: Tok) -> V:
        s = t.value
        mant, _, expo = s.lower().partition("e")
        digits = mant.split(".")[0].lstrip("0")
        if len(digits) > 15 or (expo and int(expo) > 15) or (expo and int(expo) + len(digits) > 16):
            self.fail(f"the number at column {t.col} is too large (at most {MAX_LITERAL:.0e})", t.col)
        if expo and int(expo) < -300:
            self.fail(f"the number at column {t.col} is too small (at least 1e-300 unless it is 0)", t.col)
        if "." not in s and not expo:
            k = int(s)
            return V(sp.Integer(k), float(k), _log2(k), 0.0, 0)
        v = float(s)
        if not math.isfinite(v) or abs(v) > MAX_LITERAL:
            self.fail(f"the number at column {t.col} is too large (at most {MAX_LITERAL:.0e})", t.col)
        if v and abs(v) < 1e-300:
            self.fail(f"the number at column {t.col} is too small (at least 1e-300 unless it is 0)", t.col)
        # Built from the checked float, never from the text (Float('1e-999999') is slow).
        return V(sp.Float(v), v, 0.0, 0.0, 0)

    def name(self, t: Tok) -> V:
        w = t.value
        if w in self.symbols:
            self.next()
            return V(self.symbols[w], None, 0.0, 0.0, 1)
        if w in _CONSTANTS:
            self.next()
            c = _CONSTANTS[w]
            return V(c, float(c), 0.0, 0.0, 0)
        canonical = ALIASES.get(w, w)
        if canonical in FUNCTIONS:
            return self.application(t, FUNCTIONS[canonical])
        self.unknown(t)

    def unknown(self, t: Tok):
        w, col = t.value, t.col
        is_call = self.peek(1).kind == "op" and self.peek(1).value == "("
        if w in _PYTHON_WORDS:
            self.fail(f"'{w}' at column {col} is Python, not maths: statements are not allowed, "
                      f"only a formula in x", col)
        if w in UNSUPPORTED:
            self.fail(f"'{w}' at column {col} is not supported{UNSUPPORTED[w]}", col)
        if w in _IMAGINARY:
            self.fail(f"'{w}' at column {col}: imaginary numbers are not supported; this lab works "
                      f"with real functions", col)
        hint = _suggest(w)
        if is_call or hint:
            self.fail(f"unknown function '{w}' at column {col}{hint}", col)
        allowed = ", ".join(f"'{n}'" for n in list(self.variables) + list(_CONSTANTS))
        self.fail(f"unknown name '{w}' at column {col} (allowed names: {allowed}, and functions "
                  f"such as sin, ln, sqrt)", col)

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
        v = self.call(fn, args, t.col)
        if k is not None:
            v = self.pow(v, self.integer(k), t.col, t.col)
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
        self.brackets += 1
        if self.brackets > MAX_PARENS:
            self.fail(f"parentheses nested too deeply at column {open_.col} (at most {MAX_PARENS} levels)",
                      open_.col)
        self.bars.append(0)
        args = [self.sum()]
        while self.is_op(","):
            comma = self.next()
            if len(args) >= max(fn.nargs):
                self.fail(f"{t.value}() takes exactly one argument; the comma at column {comma.col} "
                          f"starts a second one", comma.col)
            args.append(self.sum())
        self.bars.pop()
        close = self.peek()
        if not (close.kind == "op" and close.value == ")"):
            if close.kind == "end":
                self.fail(f"'(' at column {open_.col} is never closed: add a ')'", open_.col)
            self.unexpected(close)
        self.next()
        self.brackets -= 1
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
            return self.neg(v) if op.value == "-" else v
        v = self.power()
        while True:
            n = self.peek()
            if n.kind == "name" and ALIASES.get(n.value, n.value) in FUNCTIONS:
                return v  # sin x cos x is sin(x)·cos(x)
            if not self.starts_implicit():
                return v
            v = self.mul(v, self.power(), n.col)

    # --- building, with the bounds -------------------------------------------------

    def check_bits(self, nb: float, db: float, col: int):
        if max(nb, db) > MAX_EXACT_BITS:
            self.fail(f"{_bits_message(max(nb, db))} at column {col}; write a decimal (e.g. 0.5 "
                      f"for 1/2) to compute it in floating point", col)

    def check_size(self, lg: float, col: int, what: str = "this constant"):
        if lg > MAX_CONSTANT_LOG10:
            self.fail(f"{what} is too large to compute (more than 1e{MAX_CONSTANT_LOG10}) at column {col}; "
                      f"use smaller numbers", col)
        if lg < MIN_CONSTANT_LOG10:
            self.fail(f"{what} is too small to compute (less than 1e{MIN_CONSTANT_LOG10}, it would "
                      f"be 0 in floating point) at column {col}", col)

    def check_ex(self, ex: float, col: int):
        if ex > MAX_COMBINED_EXPONENT:
            self.fail(f"the powers combine to an exponent of {ex:.0f}, too large (at most "
                      f"{MAX_COMBINED_EXPONENT:,} in size) at column {col}; (x^a)^b is x^(a*b) "
                      f"and x^a*x^b is x^(a+b)", col)

    def settle(self, expr: sp.Expr, f: float | None, nb: float, db: float, ex: float, col: int) -> V:
        """A built value, with its bounds made exact where it is a number (1.0 + 1/3 is a
        Float: nothing exact left), and checked. A constant that only appeared by
        cancellation (x - x) gets its float."""
        if expr.is_Rational:
            nb, db = _log2(expr.p), _log2(expr.q)
        elif expr.is_Float:
            nb = db = 0.0
        self.check_bits(nb, db, col)
        if f is None and not expr.free_symbols:
            try:
                c = complex(sp.N(expr, 15))
            except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                self.fail(f"the formula reduces to a constant that is not a real number at column {col}", col)
            if not (cmath.isfinite(c)):
                self.fail(f"the formula reduces to an undefined or infinite constant (like 1/0) at "
                          f"column {col}", col)
            if abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
                self.fail(f"the formula reduces to a complex constant at column {col}; this lab "
                          f"works with real functions", col)
            f = c.real
            if f:
                self.check_size(_lg(f), col)
        return V(expr, f, nb, db, ex)

    def neg(self, a: V) -> V:
        return V(-a.expr, None if a.f is None else -a.f, a.nb, a.db, a.ex)

    def add(self, a: V, b: V, minus: bool, col: int) -> V:
        nb = _log2_sum(a.nb + b.db, b.nb + a.db)
        db = a.db + b.db
        f = None
        if a.const and b.const:
            f = a.f - b.f if minus else a.f + b.f
            if f:
                self.check_size(_lg(f), col)
        expr = a.expr - b.expr if minus else a.expr + b.expr
        return self.settle(expr, f, nb, db, max(a.ex, b.ex), col)

    def mul(self, a: V, b: V, col: int) -> V:
        nb, db = a.nb + b.nb, a.db + b.db
        f = None
        if a.const and b.const:
            if a.f and b.f:
                self.check_size(_lg(a.f) + _lg(b.f), col)
            f = a.f * b.f
        if not (a.const and b.const):
            self.check_bits(nb, db, col)
        ex = a.ex + b.ex
        self.check_ex(ex, col)
        return self.settle(a.expr * b.expr, f, nb, db, ex, col)

    def div(self, a: V, b: V, col: int, bcol: int) -> V:
        if b.f == 0 or (b.f is None and b.expr.is_zero):
            self.fail(f"division by zero at column {bcol}", bcol)
        nb, db = a.nb + b.db, a.db + b.nb
        f = None
        if a.const and b.const:
            if a.f:
                self.check_size(_lg(a.f) - _lg(b.f), col)
            f = a.f / b.f
        if not (a.const and b.const):
            self.check_bits(nb, db, col)
        ex = a.ex + b.ex
        self.check_ex(ex, col)
        return self.settle(a.expr / b.expr, f, nb, db, ex, col)

    def pow(self, a: V, b: V, col: int, bcol: int) -> V:
        f = None
        if b.const:
            if not abs(b.f) <= MAX_EXPONENT:
                self.fail(f"the exponent is too large (at most {MAX_EXPONENT} in size) at column {bcol}", bcol)
            integral = b.expr.is_Integer
            k = abs(b.f)
            if a.const:
                if a.f == 0 and b.f < 0:
                    self.fail(f"zero to a negative power is undefined (division by zero) at column {col}", col)
                if a.f < 0 and not float(b.f).is_integer():
                    self.fail(f"a negative number to a fractional power is complex, not real "
                              f"(column {col})", col)
                if a.f:
                    self.check_size(b.f * _lg(a.f), col, "this power")
                    f = math.copysign(abs(a.f) ** b.f, a.f if float(b.f).is_integer() and b.f % 2 else 1.0)
                else:
                    f = 1.0 if b.f == 0 else 0.0
            if a.expr.is_Float or (a.expr.is_Add and not a.const):
                nb, db = a.nb, a.db  # (x/3 + 1)^k stays unexpanded; a Float stays a Float
            elif isinstance(a.expr, sp.exp):
                nb, db = a.nb + _log2(int(k) + 1), a.db + _log2(int(k) + 1)  # exp(a)^k = exp(k*a)
            elif integral:
                nb, db = k * a.nb, k * a.db
                if b.f < 0:
                    nb, db = db, nb
            else:
                m = max(a.nb, a.db)
                nb = db = k * m + m
            ex = 0 if a.const else max(a.ex, 1) * k
        else:
            if a.f == 0 or (a.f is None and a.expr.is_zero):
                self.fail(f"0 to a power that depends on x at column {col} is 0 for a positive "
                          f"power and undefined otherwise; it has no derivative to show (write 0 "
                          f"instead)", col)
            nb = db = max(a.nb, a.db, b.nb, b.db)
            ex = max(a.ex, b.ex)
        self.check_bits(nb, db, col)
        self.check_ex(ex, col)
        return self.settle(a.expr ** b.expr, f, nb, db, ex, col)

    def call(self, fn: Fn, args: list[V], col: int) -> V:
        if len(args) not in fn.nargs:
            self.fail(f"{fn.name}() takes exactly one argument, got {len(args)} (column {col})", col)
        f = None
        if all(a.const for a in args):
            vals = [a.f for a in args]
            try:
                if fn.check:
                    fn.check(vals[0])
                if len(vals) == 2:
                    _need(vals[1] > 0 and vals[1] != 1, "the base of log(x, b) must be positive and not 1")
                f = float(fn.value(*vals))
            except _Domain as err:
                self.fail(f"{err} (column {col})", col)
            except ZeroDivisionError:
                self.fail(f"{fn.name}() is undefined (infinite) at this constant (column {col})", col)
            except (OverflowError, ValueError):
                self.fail(f"{fn.name}() of this constant is too large to compute (column {col})", col)
            if not math.isfinite(f):
                self.fail(f"{fn.name}() of this constant is too large to compute (column {col})", col)
            if f:
                self.check_size(_lg(f), col)
        a = args[0]
        nb, db = a.nb + a.db, a.db  # sqrt(p/q) = sqrt(p*q)/q at worst
        for other in args[1:]:
            nb, db = max(nb, other.nb + other.db), max(db, other.db)
        self.check_bits(nb, db, col)
        ex = a.ex if fn.name in ("abs", "sign", "sqrt", "cbrt") else (0 if a.const else 1)
        return self.settle(fn.build(*[x.expr for x in args]), f, nb, db, ex, col)


def base_col(parser: Parser, op: Tok) -> slice:
    """The text of the base just before a '^' (for the e^2x message)."""
    i = parser.toks.index(op)
    start = parser.toks[i - 1]
    return slice(start.col - 1, start.end - 1)


def _edits1(a: str, b: str) -> str | None:
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


def _suggest(word: str) -> str:
    """'; did you mean ...?' only for spellings of a SUPPORTED function.

    A word one typing slip away from a supported name (an extra, missing, swapped or
    wrong letter; the first letter kept) counts as a misspelling; the closest kind of
    slip wins (an extra letter first), so 'sinn' suggests 'sin' and not 'sinh'.
    """
    w = word.lower()
    if w in _SPELLINGS:
        return f"; did you mean '{_SPELLINGS[w]}'?"
    canonical = ALIASES.get(w, w)
    if canonical in FUNCTIONS and w != word:
        return f"; did you mean '{w}'? (names are lower case)"
    if len(w) < 3:
        return ""
    found: dict[str, list[str]] = {}
    for name in _all_function_names():
        kind = _edits1(w, name)
        if kind and name[0] == w[0]:
            found.setdefault(kind, []).append(name)
    for kind in ("delete", "swap", "insert", "replace"):
        if kind in found:
            names = found[kind][:3]
            return "; did you mean " + " or ".join(f"'{n}'" for n in names) + "?"
    return ""


# --- entry points --------------------------------------------------------------------

def _check_controls(text: str) -> None:
    """Invisible and bidirectional characters are refused first, wherever they are:
    they make the formula on screen differ from the one read."""
    for i, ch in enumerate(text):
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ExpressionError(
                f"invisible control character U+{ord(ch):04X} at column {i + 1}; delete it and "
                f"retype the formula", i + 1)


def parse(text: str, variables: tuple[str, ...] = ("x",)) -> sp.Expr:
    """Read ``text`` by the grammar above into a SymPy expression in the real ``variables``.

    Raises :class:`ExpressionError` with what is wrong and at which column; for
    two mistakes, the first one (invisible control characters are reported first).
    """
    if not isinstance(text, str):
        raise ExpressionError("the formula must be text")
    if not text.strip():
        raise ExpressionError("the formula is empty: type a function of x, e.g. sin(x) + x^2")
    if len(text.strip()) > MAX_LENGTH:
        raise ExpressionError(f"the formula is too long ({len(text.strip())} characters; at most {MAX_LENGTH})")
    if len(text) > 4 * MAX_LENGTH:
        raise ExpressionError(f"the formula is too long ({len(text)} characters with spaces)")
    _check_controls(text)
    try:
        return Parser(text, tuple(variables)).parse()
    except RecursionError:  # not expected (depth is bounded), but never a traceback
        raise ExpressionError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)") from None


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
