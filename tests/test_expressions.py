"""The entry point (core/expressions.py): parse_expression's last checks, and the names it keeps."""

import re

import pytest
import sympy as sp

import core.expressions
from core import ExpressionError, Function, parse_expression, parse_function
from core.function import X


@pytest.mark.parametrize("text, words", [
    ("asin(2 + x - x)", "asin is only defined on [-1, 1]"),
    ("(x-x)^(x+1)", "0 to a power that depends on x"),
    ("tan(pi/2)", "undefined or infinite constant"),
    ("sqrt(x - x - 1)", "sqrt of a negative number is complex"),
])
def test_constants_found_only_after_sympy_simplified_are_refused(text, words):
    with pytest.raises(ExpressionError, match=re.escape(words)):
        parse_function(text)


def test_parse_function_normalises_the_text():
    fn = parse_function("  sin( x )\t+  1 ")
    assert isinstance(fn, Function) and fn.text == "sin( x ) + 1" and fn.expr == sp.sin(X) + 1


def test_parse_expression_in_the_callers_variables():
    y = sp.Symbol("y", real=True)
    assert parse_expression("x y + 1", ("x", "y")) == X * y + 1


@pytest.mark.parametrize("name", ["ExpressionError", "Function", "parse_function", "parse_expression",
                                  "function_from_expr", "numeric_form", "format_error", "FUNCTIONS",
                                  "ALIASES", "MAX_LENGTH", "MAX_EXACT_BITS", "X"])
def test_names_callers_import_from_core_expressions_still_resolve(name):
    assert hasattr(core.expressions, name), f"core.expressions.{name} no longer resolves"

