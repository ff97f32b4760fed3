"""What a refusal says (core/messages.py): word for word, with the column and a caret.

(Python, markup, unicode and huge-number refusals are checked against the hostile
corpus in tests/test_hostile.py; each entry here is a message not checked there.)
"""

from __future__ import annotations

import pytest

from core import ExpressionError, parse_function
from core.messages import format_error, suggestion

MESSAGES = [
    ("sinn(x)", "unknown function 'sinn' at column 1; did you mean 'sin'?"),
    ("x + foo", "unknown name 'foo' at column 5 (allowed names: 'x', 'pi', 'e', and functions such as sin, ln, sqrt)"),
    ("x + foo(x)", "unknown function 'foo' at column 5"),
    ("#", "comments ('#') are not allowed (column 1)"),
    ("x # slope", "comments ('#') are not allowed (column 3)"),
    ("x2", "a number right after 'x' at column 2: write x^2 for a power or 2*x for a product"),
    ("e^2x", "'^2x' at column 2 is ambiguous: write e^(2x) or put a space or '*' after the exponent"),
    ("1/0", "division by zero at column 3"),
    ("cot", "'cot' at column 1 needs an argument: write cot(x) or cot x"),
    ("floor(x)", "'floor' at column 1 is not supported"),
    ("sinc(x)", "'sinc' at column 1 is not supported; write sin(x)/x"),
    ("max(x, 1)", "'max' at column 1 is not supported; for max(a, b) write (a + b + |a - b|)/2"),
    ("x = 1", "'=' at column 3: type only the right-hand side, e.g. x^2 for f(x) = x^2 (a leading 'y =' or 'f(x) =' is fine)"),
    ("(x", "'(' at column 1 is never closed: add a ')'"),
    ("x)", "unmatched ')' at column 2"),
    ("x+", "the formula ends with '+' at column 2: something is missing after it"),
    ("import os", "'import' at column 1 is Python, not maths: statements are not allowed, only a formula in x"),
    ("ln^-1 x", "'ln' with the power -1 at column 1 is not supported: only trigonometric and hyperbolic functions have ^-1 (their inverse); write 1/ln(x) for the reciprocal"),
    ("sine(x)", "unknown function 'sine' at column 1; did you mean 'sin'?"),
    ("Sin(x)", "unknown function 'Sin' at column 1; did you mean 'sin'? (names are lower case)"),
]


@pytest.mark.parametrize("text, message", MESSAGES)
def test_messages_word_for_word(text, message):
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert str(err.value) == message



@pytest.mark.parametrize("text, words", [
    ("'x'", ["text in quotes"]),
    ("y + 1", ["unknown name 'y'", "allowed names"]),
    ("x = x^2", ["'='", "right-hand side"]),
    ("ｘ+1", ["U+FF58", "looks like 'x'"]),
    ("sin(x, 2)", ["exactly one argument"]),
    ("x % 2", ["'%'"]),
    ("x,", ["a comma at column 2", "only log(x, b)"]),
    ("|x| |", ["ends with '|' at column 5", "missing after it"]),
    ("|x", ["absolute value opened by '|' at column 1 is never closed"]),
    ("√", ["needs something to take the root of"]),
    ("sin^x x", ["after 'sin^' at column 1 write a whole number"]),
])
def test_rejects_with_clear_message(text, words):
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    message = str(err.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    assert isinstance(err.value, ValueError)


def test_error_carries_column():
    with pytest.raises(ExpressionError) as err:
        parse_function("x + sinn(x)")
    assert err.value.column == 5


@pytest.mark.parametrize("typo, supported", [
    ("cott", "cot"), ("acott", "acot"), ("asinhh", "asinh"), ("sinhh", "sinh"), ("coss", "cos"),
    ("tna", "tan"), ("sqtr", "sqrt"), ("lgo", "log"), ("arcsinn", "arcsin"),
])
def test_suggestions_keep_the_function(typo, supported):
    with pytest.raises(ExpressionError) as err:
        parse_function(f"{typo}(x)")
    assert f"did you mean '{supported}'" in str(err.value)


@pytest.mark.parametrize("name", ["cot", "acot", "asinh", "sgn", "log10", "sec", "acoth", "csch"])
def test_supported_names_never_get_a_different_suggestion(name):
    parse_function(f"{name}(x + 3)")  # accepted as is
    with pytest.raises(ExpressionError) as err:
        parse_function(name)
    assert "did you mean" not in str(err.value)
    assert f"'{name}' at column 1 needs an argument" in str(err.value)



@pytest.mark.parametrize("word, hint", [
    ("sinn", "; did you mean 'sin'?"), ("Sin", "; did you mean 'sin'? (names are lower case)"),
    ("cosine", "; did you mean 'cos'?"), ("foo", ""), ("xy", ""), ("floor", ""),
])
def test_suggestion_is_only_for_supported_functions(word, hint):
    assert suggestion(word) == hint


def test_refused_characters_name_themselves():
    with pytest.raises(ExpressionError) as err:
        parse_function("x + \u0445")
    assert str(err.value) == ("character '\u0445' (CYRILLIC SMALL LETTER HA, U+0445) at column 5 is not "
                              "allowed; it looks like 'x' but is not: type the plain ASCII one")


def test_format_error():
    text = "  x + sinn(x)"
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert format_error(text, err.value) == (
        "  x + sinn(x)\n      ^\nunknown function 'sinn' at column 7; did you mean 'sin'?")
    with pytest.raises(ExpressionError) as err:
        parse_function("x\u202e+1")
    shown = format_error("x\u202e+1", err.value)
    assert "\u202e" not in shown and shown.splitlines()[1] == " ^"
    assert format_error("", ExpressionError("the formula is empty")) == "\nthe formula is empty"



def test_format_error_puts_a_caret_under_the_column():
    text = "  x + sinn(x)"
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert format_error(text, err.value) == (
        "  x + sinn(x)\n      ^\nunknown function 'sinn' at column 7; did you mean 'sin'?")
    assert format_error("", ExpressionError("the formula is empty")) == "\nthe formula is empty"


def test_format_error_shows_invisible_characters_and_wide_ones_in_place():
    with pytest.raises(ExpressionError) as err:
        parse_function("x\u202e+1")
    shown = format_error("x\u202e+1", err.value)
    assert "\u202e" not in shown and shown.splitlines()[1] == " ^"
    with pytest.raises(ExpressionError) as err:
        parse_function("ｘ + sinn(x)")
    assert format_error("ｘ + sinn(x)", err.value).splitlines()[1] == "^"
    with pytest.raises(ExpressionError) as err:
        parse_function("2 + ｘ")
    assert format_error("2 + ｘ", err.value).splitlines()[1] == "    ^"
