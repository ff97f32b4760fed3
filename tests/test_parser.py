"""The parser (core/parser.py): what students type, what it must mean.

Readings are checked by VALUE at sample points against an explicit SymPy formula
(not by the shape of the tree); Hypothesis checks that any text at all parses or
is refused with a message, quickly, and that generated school notation reads as
the formula it was printed from.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import ExpressionError, parse_expression, parse_function
from core.cbrt import cbrt
from core.function import X, numeric_form
from core.grammar import ALIASES, FUNCTIONS, UNICODE

x = X
y = sp.Symbol("y", real=True)
XS = np.array([0.37, 0.81, 1.3, 2.2, 3.7])


def _values(expr, xs=XS, sym=x):
    expr = numeric_form(sp.sympify(expr))
    f = sp.lambdify(sym, expr, modules="numpy")
    with np.errstate(all="ignore"):
        out = np.asarray(f(xs.astype(complex)), dtype=complex)
    return np.broadcast_to(out, xs.shape)


def _same(a, b):
    ok = np.isfinite(a) & np.isfinite(b)
    assert ok.any(), "no sample point where both are defined"
    assert np.allclose(a[ok], b[ok], rtol=1e-9, atol=1e-12), (a, b)
    assert (np.isfinite(a) == np.isfinite(b)).all()


READINGS = [
    ("2x", 2 * x), ("3x^2", 3 * x**2), ("sin(2x)", sp.sin(2 * x)), ("x sin x", x * sp.sin(x)),
    ("2(x+1)", 2 * (x + 1)), ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("|x|", sp.Abs(x)), ("|x - 2|", sp.Abs(x - 2)), ("|x - |x - 3||", sp.Abs(x - sp.Abs(x - 3))),
    ("|x| |x - 2|", sp.Abs(x) * sp.Abs(x - 2)), ("x²", x**2), ("x³ - x", x**3 - x), ("x⁻¹", 1 / x),
    ("x¹⁰", x**10), ("√x", sp.sqrt(x)), ("√(x+1)", sp.sqrt(x + 1)), ("√2x", sp.sqrt(2) * x),
    ("√x^2", sp.sqrt(x**2)), ("∛x", cbrt(x)), ("∛(x - 8)", cbrt(x - 8)),
    ("f(x) = x^2 + 1", x**2 + 1), ("y = 3x", 3 * x), ("g(x) = sin x", sp.sin(x)),
    ("2πx", 2 * sp.pi * x), ("2 pi x", 2 * sp.pi * x), ("x e^x", x * sp.exp(x)),
    ("−x", -x), ("3·x", 3 * x), ("3×x", 3 * x), ("x÷2", x / 2), ("x**2", x**2),
    ("1/2x", x / 2), ("1/(2x)", 1 / (2 * x)), ("-x^2", -(x**2)),
    ("2^3^2 x", 512 * x), ("e^x", sp.exp(x)), ("e^-x", sp.exp(-x)), ("e^(2x)", sp.exp(2 * x)),
    ("2x sin x", 2 * x * sp.sin(x)), ("xsinx", x * sp.sin(x)),
    ("x^2 (x+1)", x**2 * (x + 1)), ("3 sin x + 2 cos 3x", 3 * sp.sin(x) + 2 * sp.cos(3 * x)),
    ("exp(-2*x) + 3*sin(3*x)", sp.exp(-2 * x) + 3 * sp.sin(3 * x)),
    ("abs(x)", sp.Abs(x)), ("log(x)", sp.log(x)), ("2*x^3 - 3*x^2 + 5", 2 * x**3 - 3 * x**2 + 5),
    ("x^x^x", x ** (x**x)), ("x^-1", 1 / x), ("2^-x", 2 ** (-x)), ("1e-3 x", sp.Rational(1, 1000) * x),
    ("2.5x", 2.5 * x), (".5x", x / 2), ("2e x", 2 * sp.E * x), ("2 x", 2 * x),
    ("pi*x", sp.pi * x), ("1/x", 1 / x), ("sqrt(x)", sp.sqrt(x)), ("  sin( x )\t", sp.sin(x)), ("-x", -x),
    ("atan(x) + tanh(x)", sp.atan(x) + sp.tanh(x)), ("5", sp.Integer(5)), ("f(x) = x^2", x**2), ("x − 1", x - 1),
    ("2*x", 2 * x), ("x^2+1", x**2 + 1),
    ("x/2/2", x / 4), ("sin(x)/2x", sp.sin(x) * x / 2), ("x - 2 - 3", x - 5), ("x+1\n", x + 1), ("(x)(x)(x)", x**3),
]


def test_the_table_is_big():
    assert len(READINGS) >= 60
    assert len({t for t, _ in READINGS}) == len(READINGS)


@pytest.mark.parametrize("text, meaning", READINGS, ids=[ascii(t) for t, _ in READINGS])
def test_reads_as_students_mean(text, meaning):
    _same(_values(parse_function(text).expr), _values(meaning))


def test_the_power_rule_is_right_associative_and_tighter_than_a_sign():
    assert parse_function("2^3^2").expr == 512
    assert parse_function("x^x^x").expr == x ** (x**x)
    assert parse_function("-x^2").expr == -(x**2)
    assert parse_function("x²^3").expr == x**6  # a superscript binds first: (x²)^3
    assert parse_function("e^-x").expr == sp.exp(-x)


def test_symbol_is_real_so_abs_differentiates_to_sign():
    assert sp.diff(parse_function("abs(x)").expr, x) == sp.sign(x)


def test_caller_variables():
    assert parse_expression("2x^2 - xy", ("x", "y")) == 2 * x**2 - x * y
    assert parse_expression("2*x^2 - x*y", ("x", "y")) == 2 * x**2 - x * y
    assert parse_expression("x y", ("x", "y")) == x * y
    with pytest.raises(ExpressionError, match="unknown name 'y'"):
        parse_expression("2x - y")


@pytest.mark.parametrize("text, col", [
    ("sinn(x) + #", 1), ("x + # + sinn(x)", 5), ("2 + foo + 1/0", 5), ("x + ｘ + 1/0", 5),
])
def test_two_mistakes_report_the_first(text, col):
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert err.value.column == col, str(err.value)


def test_presets_keep_their_expressions():
    assert parse_function("exp(-2*x) + 3*sin(3*x)").expr == sp.exp(-2 * x) + 3 * sp.sin(3 * x)
    assert parse_function("2*x^3 - 3*x^2 + 5").expr == 2 * x**3 - 3 * x**2 + 5


# --- any text parses or is refused, quickly (Hypothesis) -------------------------------

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHARS = "0123456789.xyepisncotalgqrbhdf+-*/^()|,= \t" + "".join(UNICODE) + "#_[]'!%;"
PIECES = (list(CHARS) + sorted(FUNCTIONS) + sorted(ALIASES)[:10] + ["pi", "**", "1e", "^-1", "^1000", "(1/3)",
          "999999999999999", "10^300", "f(x) =", "y ="])

# Tokens a student types, and the Python punctuation an attacker adds to them.
TOKENS = (
    list("x0123456789.+-*/^() e") + ["pi", "**", "1e", "x^", ",", "[", "]", "{", "}", "'", '"', ";",
                                     ":", "=", "<", ">", "!", "%", "&", "|", "~", "@", "_", "__",
                                     "lambda", "import", "for", "in", "if", "not", "j", "\\", "#",
                                     "\n", "\t", "\u202e", "\u0445", "ｘ", "−", "²"]
    + [f"{name}(" for name in FUNCTIONS] + ["os", "sys", "eval(", "__class__", "."]
)


def _bounded(text, cpu_s=0.5):
    """Parsed, or refused with a message and a column inside the text; in CPU time (not wall
    time, so a busy machine cannot make it flaky)."""
    t0 = time.process_time()
    try:
        parse_function(text)
    except ExpressionError as err:
        assert str(err), "a refusal must say why"
        assert err.column is None or 1 <= err.column <= len(text) + 1
    assert time.process_time() - t0 < cpu_s, f"parsing {text!r} took too long"


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_parses_or_is_refused(text):
    _bounded(text, 1.0)


@SETTINGS
@given(st.text(alphabet=CHARS, max_size=300))
def test_grammar_characters_parse_or_are_refused_in_bounded_time(text):
    _bounded(text)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join).map(lambda s: s[:300]))
def test_grammar_pieces_parse_or_are_refused_in_bounded_time(text):
    _bounded(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_formula_alphabet_with_python_punctuation_parses_or_is_refused(text):
    _bounded(text, 1.0)


@SETTINGS
@given(st.lists(st.sampled_from(["x", "(", ")", "^", "9", "*", "sin(", "exp(", "-", "e"]), max_size=150)
       .map("".join))
def test_towers_and_nesting_parse_or_are_refused(text):
    _bounded(text, 1.0)


# School notation printed from random trees: (text, the SymPy formula it means, kind).
# kind: "atom" (safe anywhere), "prod" (an implicit product or power), "tail" (ends in
# a function applied without parentheses: only followed by + -, or by another function).
NAMES = sorted(FUNCTIONS)


def _atom(c):
    return c if c[2] == "atom" else (f"({c[0]})", c[1], "atom")


def _factor(c):
    return c if c[2] in ("atom", "prod") else _atom(c)


def _next(c):
    """A factor written right after another: a bar there would close an open |...|
    (the documented rule), so |a| as a second factor gets parentheses."""
    c = _factor(c)
    return (f"({c[0]})", c[1], "atom") if c[0].startswith("|") else c


LEAF = st.sampled_from([("x", x, "atom"), ("x", x, "atom"), ("2", sp.Integer(2), "atom"),
                        ("3", sp.Integer(3), "atom"), ("π", sp.pi, "atom"), ("pi", sp.pi, "atom"),
                        ("e", sp.E, "atom"), ("0.5", sp.Float(0.5), "atom")])
BARE_ARG = st.sampled_from([("x", x), ("2x", 2 * x), ("3x^2", 3 * x**2), ("πx", sp.pi * x), ("x²", x**2),
                            ("x^-1", 1 / x)])


def _fn_expr(name, arg):
    return FUNCTIONS[name].build(arg)


def _extend(children):
    call = st.tuples(st.sampled_from(NAMES), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", _fn_expr(t[0], t[1][1]), "atom"))
    bare = st.tuples(st.sampled_from(NAMES), BARE_ARG).map(
        lambda t: (f"{t[0]} {t[1][0]}", _fn_expr(t[0], t[1][1]), "tail"))
    squared = st.tuples(st.sampled_from(NAMES), BARE_ARG).map(
        lambda t: (f"{t[0]}^2 {t[1][0]}", _fn_expr(t[0], t[1][1]) ** 2, "tail"))
    inverse = st.tuples(st.sampled_from([n for n in NAMES if FUNCTIONS[n].inverse]), BARE_ARG).map(
        lambda t: (f"{t[0]}^-1 {t[1][0]}", _fn_expr(FUNCTIONS[t[0]].inverse, t[1][1]), "tail"))
    coef = st.tuples(st.sampled_from(["2", "3", "0.5"]), children).filter(
        lambda t: _factor(t[1])[0][0] not in "0123456789.-+").map(
        lambda t: (f"{t[0]}{_next(t[1])[0]}", sp.sympify(t[0]) * t[1][1], "prod"))
    implicit = st.tuples(children, children).filter(lambda t: t[1][0][0] not in "0123456789.").map(
        lambda t: (f"{_factor(t[0])[0]} {_next(t[1])[0] if t[1][2] != 'tail' else t[1][0]}",
                   t[0][1] * t[1][1], "tail" if t[1][2] == "tail" else "prod"))
    power = st.tuples(children, st.sampled_from([("^2", 2), ("^3", 3), ("²", 2), ("⁻¹", -1), ("^(1/3)", sp.Rational(1, 3))])).map(
        lambda t: (f"{_atom(t[0])[0]}{t[1][0]}", _atom(t[0])[1] ** t[1][1], "prod"))
    total = st.tuples(children, st.sampled_from(["+", "-"]), children).map(
        lambda t: (f"{t[0][0]} {t[1]} {_factor(t[2])[0] if t[2][2] != 'tail' else t[2][0]}",
                   t[0][1] + t[2][1] if t[1] == "+" else t[0][1] - t[2][1], "sum"))
    bars = children.map(lambda c: (f"|{c[0]}|" if c[2] != "tail" else f"|({c[0]})|", sp.Abs(c[1]), "atom"))
    # √ takes the next power (√x^2 is √(x²), the documented rule), so a root is no atom: raised
    # to a power it is written (√a)^2.
    root = children.map(lambda c: (f"√{_atom(c)[0]}", sp.sqrt(c[1]), "prod"))
    return st.one_of(call, bare, squared, inverse, coef, implicit, power, total, bars, root)


SCHOOL = st.recursive(LEAF, _extend, max_leaves=6)
READING_ERRORS = ("cannot read", "ambiguous", "expected", "unknown", "number right after", "needs an argument",
                  "never closed", "unmatched", "closes no")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHOOL)
def test_school_notation_reads_as_the_formula_it_was_printed_from(case):
    text, meaning, _ = case
    assume(len(text) <= 300)
    try:
        fn = parse_function(text)
    except ExpressionError as err:
        # Only a constant out of a function's domain, or a bound, may refuse it; never the reading.
        assert not any(w in str(err) for w in READING_ERRORS), (text, str(err))
        assume(False)
    try:
        want = _values(meaning)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    got = _values(fn.expr)
    ok = np.isfinite(want) & np.isfinite(got)
    # Real functions: compare where both are real (a^(3/2) and sqrt(a^3) differ only off the real
    # line, in which branch of the complex root they take).
    ok &= (np.abs(np.imag(want)) <= 1e-12 * (1 + np.abs(want))) & (np.abs(np.imag(got)) <= 1e-12 * (1 + np.abs(got)))
    assume(ok.any())
    scale = 1 + np.abs(want[ok])
    assert np.all(np.abs(got[ok] - want[ok]) <= 1e-8 * scale), (text, meaning, fn.expr)
