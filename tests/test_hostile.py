"""Hostile and edge-case input: a corpus, each entry with the outcome it must have.

Every entry goes through the parser (``core.parse_function``); a representative
subset, one or two per category (the sweep is slow: keep it small), is also typed into the sidebar picker of a
real AppTest session and carried through every page of the dashboard: a refused
formula shows a fixed ``st.error`` (never the text, which would be Markdown there) and
the text, a caret and the reason in a plain code block, and no traceback, an accepted one
renders its charts and counts its undefined points.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from core import ExpressionError, parse_function
from core.messages import format_error
from ui.state import _CANNOT_USE

from conftest import PAGES, charts, choose, new_app, no_exception

ACCEPT = None  # expected outcome: parsed, and the pages render it


def R(*words):
    """Expected outcome: refused, the message containing every one of ``words``."""
    return tuple(words)


# (category, text, expected outcome, also swept through every page?)
CORPUS = [
    # --- reaching Python: attributes, subscripts, calls, lambdas, comprehensions, strings
    ("python", "x.__class__", R("attribute access", "column 2"), True),
    ("python", "sin.__globals__", R("attribute access", "column 4"), False),
    ("python", "().__class__.__bases__[0].__subclasses__()", R("expected a number", "column 2"), False),
    ("python", "x[0]", R("indexing", "column 2"), False),
    ("python", "__import__('os').system('ls')", R("'_'", "no Python internals", "column 1"), False),
    ("python", "__import__('os')", R("'_'", "no Python internals"), False),
    ("python", "eval('1+1')", R("unknown function 'eval'", "column 1"), False),
    ("python", "exec('import os')", R("unknown function 'exec'"), False),
    ("python", "getattr(x, 'real')", R("unknown function 'getattr'"), False),
    ("python", "open('/etc/passwd')", R("unknown function 'open'"), False),
    ("python", "globals()", R("unknown function 'globals'"), False),
    ("python", "sin(x)(2)", ACCEPT, False),  # an implicit product: sin(x)·2
    ("python", "sin(x=1)", R("'=' at column 6", "right-hand side"), False),
    ("python", "sin(*x)", R("expected a number", "column 5"), False),
    ("python", "lambda: 0", R("'lambda' at column 1", "Python"), False),
    ("python", "(lambda x: x)(1)", R("'lambda' at column 2", "Python"), False),
    ("python", "[x for x in (1, 2)]", R("indexing with [ ]", "column 1"), False),
    ("python", "sin(i for i in x)", R("imaginary numbers are not supported", "column 5"), False),
    ("python", "f'{x}'", R("unknown name 'f'", "column 1"), False),
    ("python", "f'{__import__(\"os\")}'", R("unknown name 'f'"), False),
    ("python", "'{0.__class__}'.format(x)", R("text in quotes", "column 1"), False),
    ("python", "'%s' % x", R("text in quotes"), False),
    ("python", "b'x'", R("unknown name 'b'"), False),
    ("python", "1j*x", R("imaginary numbers are not supported", "column 2"), False),
    ("python", "(y := x)", R("unknown name 'y'", "column 2"), False),
    ("python", "x if x else 1", R("'if' at column 3", "Python"), False),
    ("python", "x and 1", R("'and' at column 3", "Python"), False),
    ("python", "x == 1", R("'=' at column 3"), False),
    ("python", "...", R("'.' at column 1", "not part of a number"), False),
    ("python", "True", R("'True'", "Python"), False),
    ("python", "__builtins__", R("'_'", "no Python internals"), False),
    ("python", "_", R("'_'", "no Python internals"), False),
    ("python", "x # comment", R("comments", "column 3"), False),
    ("python", "sin(x).real", R("attribute access", "column 7"), False),
    # --- statements
    ("statement", "import os", R("'import'", "statements are not allowed"), True),
    ("statement", "from os import system", R("'from'", "statements are not allowed"), False),
    ("statement", "x = 1", R("'='", "right-hand side"), False),
    ("statement", "x; import os", R("';' is not allowed", "column 2"), False),
    ("statement", "del x", R("'del'", "statements are not allowed"), False),
    ("statement", "x\nimport os", R("'import' at column 3", "statements are not allowed"), False),
    # --- unicode look-alikes, control and bidirectional characters
    ("unicode", "ｘ^2", R("U+FF58", "looks like 'x'"), False),
    ("unicode", "\u0445^2", R("CYRILLIC SMALL LETTER HA", "U+0445", "looks like 'x'", "column 1"), False),
    ("unicode", "sin(\u03bf)", R("GREEK SMALL LETTER OMICRON", "looks like 'o'", "column 5"), False),
    ("unicode", "\U0001d431 + 1", R("MATHEMATICAL BOLD SMALL X", "looks like 'x'"), False),
    ("unicode", "\u2179^2", R("U+2179", "looks like 'x'"), False),
    ("unicode", "\u212f^x", R("U+212F", "looks like 'e'"), False),
    ("unicode", "x\u202e+1", R("control character", "U+202E", "column 2"), True),
    ("unicode", "x\u2066+1\u2069", R("control character", "U+2066"), False),
    ("unicode", "x\u200b+1", R("control character", "U+200B"), False),
    ("unicode", "\ufeffx", R("control character", "U+FEFF", "column 1"), False),
    ("unicode", "x\x00", R("control character", "U+0000"), False),
    ("unicode", "x\x1b[31m", R("control character", "U+001B"), False),
    ("unicode", "x\u00a0+ 1", R("NO-BREAK SPACE", "column 2"), False),
    ("unicode", "x − 1", ACCEPT, False),  # the minus sign is maths
    ("unicode", "x – 1", R("EN DASH", "minus", "column 3"), False),
    ("unicode", "x²", ACCEPT, False),
    ("unicode", "x²¹¹¹", R("exponent is too large"), False),
    ("unicode", "2×x", ACCEPT, False),
    ("unicode", "2∗x", R("ASTERISK OPERATOR", "'*'"), False),
    # --- maths that would hang or exhaust memory before SymPy sees it
    ("huge", "1e999999", R("too large", "column 1"), False),
    ("huge", "9" * 200, R("the number at column 1 is too large"), False),
    ("huge", "1" * 40, R("too large"), False),
    ("huge", "9**9**9**9", R("exponent is too large"), False),
    ("huge", "2^1000", R("too large to compute", "1e300"), False),
    ("huge", "10^299*10^299", R("constant is too large", "1e300"), False),
    ("huge", "0.1^-1000", R("too large to compute"), False),
    ("huge", "e^e^e^e", R("exponent is too large"), False),
    ("huge", "exp(1000)", R("exp() of this constant is too large"), False),
    ("huge", "x^100000", R("exponent is too large", "column 3"), False),
    ("huge", "x^(1/0.000001)", R("exponent is too large"), False),
    ("huge", "(((1/3)^1000)^1000)^1000", R("too small to compute", "column 8"), True),
    ("huge", "((1/999999999999999)^1000)^1000", R("too small to compute"), False),
    ("huge", "(1+1/999999999999999)^1000", R("exact number would need about", "bits", "decimal"), False),
    ("huge", "((1/3)^1000)^10", R("too small to compute"), False),
    ("valid", "(3/2)^1000*(2/3)^1000*x", ACCEPT, False),
    ("huge", "sqrt(2)^999*sqrt(3)^999*sqrt(5)^999", R("too large to compute", "1e300"), False),
    ("huge", "x*(1/3)^600*(1/7)^600", R("too small to compute"), False),
    ("huge", "(1/3)^600*x*(1/3)^600*x*(1/3)^600", R("exact number would need about", "column 24"), False),
    ("huge", "(x/3)^1000*(x/7)^1000", R("exact number would need about"), False),
    ("huge", "2^-1000*2^-75", R("too small to compute", "column 8"), False),
    ("huge", "(x^1000)^1000", R("powers combine to an exponent of 1000000", "(x^a)^b"), False),
    ("huge", "(x^100)^100*x", R("powers combine", "10,000"), False),
    ("huge", "x" * 400, R("too long", "400 characters"), False),
    ("huge", "x+" * 150 + "x", R("too long"), False),
    ("huge", "(" * 30 + "x" + ")" * 30, R("nested too deeply"), False),
    ("huge", "sin(" * 25 + "x" + ")" * 25, R("nested too deeply"), True),
    ("huge", "-" * 100 + "x", R("nested too deeply"), False),
    ("huge", "x" + "^x" * 60, R("nested too deeply"), False),
    # --- constants that are undefined or complex
    ("undefined", "1/0", R("division by zero", "column 3"), True),
    ("undefined", "x/(1-1)", R("division by zero"), False),
    ("undefined", "0^-1", R("zero to a negative power"), False),
    ("undefined", "log(0)", R("log(0) is undefined"), False),
    ("undefined", "log(-1)", R("log of a negative number is complex"), False),
    ("undefined", "sqrt(-1)", R("sqrt of a negative number is complex"), False),
    ("undefined", "asin(2)", R("asin is only defined on [-1, 1]"), False),
    ("undefined", "(-8)^(1/3)", R("negative number to a fractional power"), False),
    ("undefined", "1/(x-x)", R("division by zero", "column 3"), False),
    ("undefined", "tan(pi/2)", R("undefined or infinite constant"), False),
    ("undefined", "asin(2 + x - x)", R("asin is only defined on [-1, 1]"), False),
    ("undefined", "acos(x - x + 3)", R("acos is only defined on [-1, 1]"), False),
    ("undefined", "sin(x)^2 + cos(x)^2 - 1 + asin(2)", R("asin is only defined"), False),
    ("undefined", "0^x", R("0 to a power that depends on x"), False),
    ("undefined", "(x-x)^(x+1)", R("0 to a power that depends on x"), False),
    # --- ordinary mistakes still get a pointed message
    ("mistake", "", R("empty"), False),
    ("mistake", "sinn(x)", R("unknown function 'sinn'", "did you mean 'sin'"), False),
    ("mistake", "x2", R("number right after 'x'", "2*x"), False),
    ("mistake", "e^2x", R("ambiguous", "e^(2x)"), False),
    ("mistake", "cot", R("'cot' at column 1 needs an argument"), False),
    ("mistake", "x|1", R("never closed", "column 2"), False),
    # --- Markdown / HTML / LaTeX in the text: refused, and never rendered as markup
    ("markup", "[click](http://evil.example)", R("indexing with [ ]", "column 1"), True),
    ("markup", "x ![img](http://evil.example/a.png)", R("factorial", "column 3"), False),
    ("markup", "<script>alert(1)</script>", R("comparisons", "column 1"), False),
    ("markup", "\\frac{1}{x}", R("not LaTeX", "column 1"), False),
    ("markup", "$x$", R("not LaTeX"), False),
    ("markup", "**x**", R("expected a number", "column 1"), False),
    # --- valid functions, undefined at some points: accepted, drawn with gaps
    ("valid", "1/x", ACCEPT, False),
    ("valid", "log(x)", ACCEPT, False),
    ("valid", "sqrt(x)", ACCEPT, True),
    ("valid", "sin(x)/x", ACCEPT, False),
    ("valid", "exp(1000*x)", ACCEPT, False),
    ("valid", "x^(1/3)", ACCEPT, False),
    ("valid", "x^-1000", ACCEPT, False),
    ("valid", "exp(x)^1000", ACCEPT, False),
    ("valid", "x^1000*x^1000*x^1000", ACCEPT, False),
    ("valid", "(x+1)^1000", ACCEPT, False),
    ("valid", "x^x^x^x^x", ACCEPT, False),
    ("valid", "sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(x))))))))", ACCEPT, False),
    ("valid", "exp(exp(exp(exp(exp(x)))))", ACCEPT, False),
    ("valid", "sqrt(-x^2 - 1)", ACCEPT, False),
    ("valid", "5", ACCEPT, False),
    ("valid", "x - x", ACCEPT, False),
    ("valid", "0^0", ACCEPT, False),
    ("valid", "0.5^1000*x", ACCEPT, False),
    ("valid", "1e15*x", ACCEPT, False),
    ("valid", "  sin( x )\t", ACCEPT, False),
    ("valid", "sin(10^300)*x", ACCEPT, False),  # not swept: core/symbolic.py lambdifies f′ with the big int
    ("valid", "sqrt(999999999999989*999999999999997)*x", ACCEPT, False),
    ("valid", "atan(10^300)*x", ACCEPT, False),
    ("valid", "(1/3)^600*x", ACCEPT, False),
    ("valid", "(1.0+1/999999999999999)^1000*x", ACCEPT, False),
    ("valid", "x^x^x^x^x^x", ACCEPT, False),
    ("valid", "(10x+1)^1000", ACCEPT, False),
    ("valid", "exp(x/999999)^1000", ACCEPT, False),
]

SWEEP = [c for c in CORPUS if c[3]]
_ID = lambda c: f"{c[0]}:{c[1][:30]!a}"  # noqa: E731


def test_corpus_is_big_and_the_sweep_covers_every_category():
    assert len(CORPUS) >= 40
    assert len({c[1] for c in CORPUS}) == len(CORPUS), "duplicate corpus entries"
    assert {c[0] for c in SWEEP} >= {c[0] for c in CORPUS} - {"mistake"}
    assert any(c[2] is ACCEPT for c in SWEEP) and any(c[2] is not ACCEPT for c in SWEEP)


@pytest.mark.parametrize("case", CORPUS, ids=_ID)
def test_parser_outcome(case):
    _, text, expected, _ = case
    t0 = time.process_time()
    if expected is ACCEPT:
        fn = parse_function(text)
        # The callables work on the lab's grid, undefined points as nan/inf, no exception.
        ys = fn.numpy(np.linspace(-5, 5, 101))
        assert ys.shape == (101,) and ys.dtype == np.float64
    else:
        with pytest.raises(ExpressionError) as err:
            parse_function(text)
        message = str(err.value)
        for w in expected:
            assert w in message, f"{w!r} not in {message!r}"
    # "Quickly": CPU time, not wall time, so a busy machine does not make this flaky.
    assert time.process_time() - t0 < 2.0


def _page_gaps_ok(at, text):
    """The home page counts f's undefined or overflowing points on its own grid (its x-range and n)."""
    from core import domain

    lo, hi = at.slider(key="home_range").value
    n = int(at.slider(key="home_n").value)
    fn = parse_function(text)
    bad = int((~domain.mask(fn, np.linspace(lo, hi, n))).sum())
    captions = " ".join(c.value for c in at.caption)
    if bad:
        assert f"f(x): {bad} of {n}" in captions, captions
    else:
        assert not re.search(r"f\(x\): \d+ of \d+", captions), captions  # no gap count for f


@pytest.mark.parametrize("case", SWEEP, ids=_ID)
def test_every_page_survives(case):
    _, text, expected, _ = case
    at = new_app()
    at.run()
    choose(at, text)
    for i, page in enumerate(PAGES):
        if i:
            at.switch_page(page).run()
        no_exception(at)
        errors = [e.value for e in at.error]
        if expected is ACCEPT:
            assert not errors, (page, errors)
            if page.endswith("home.py"):
                _page_gaps_ok(at, text)
            if not page.endswith("speed_race.py"):  # the race draws only after its button
                assert charts(at), f"{page} drew no chart for {text!r}"
        else:
            with pytest.raises(ExpressionError) as err:
                parse_function(text)
            # A fixed message (no user text: it would be Markdown there), then the text,
            # a caret and the reason as plain text in a code block.
            assert errors and all(e == _CANNOT_USE for e in errors), (page, errors)
            assert any(c.value == format_error(text, err.value) for c in at.code), page
            assert not charts(at), f"{page} went on past a refused formula"
