"""The limits every formula meets (core/cursor.py): length, nesting depth, open brackets,
each refused quickly with a message (and a column where there is one), never a RecursionError."""

from __future__ import annotations

import time

import pytest

from core import ExpressionError, parse_function
from core.cursor import EMPTY, Cursor, check_text
from core.grammar import MAX_LENGTH, MAX_PARENS

LIMITS = [
    ("x" + "^x" * 60, "nested too deeply"), ("sqrt(" * 25 + "x" + ")" * 25, "nested too deeply"),
    ("(" * 21 + "x" + ")" * 21, "parentheses nested too deeply"), ("|" * 30 + "x" + "|" * 30, "nested too deeply"),
    ("x" * 301, "too long"), ("-" * 100 + "x", "nested too deeply"),
]


@pytest.mark.parametrize("text, words", LIMITS, ids=[ascii(t[:30]) for t, _ in LIMITS])
def test_limits_refuse_quickly(text, words):
    t0 = time.process_time()
    with pytest.raises(ExpressionError) as err:
        parse_function(text)
    assert words in str(err.value)
    assert time.process_time() - t0 < 1.0


def test_brackets_up_to_the_limit_are_read():
    n = MAX_PARENS
    assert parse_function("(" * n + "x" + ")" * n).text


@pytest.mark.parametrize("text, words", [
    (None, "must be text"), ("   ", "empty"), ("x" * (MAX_LENGTH + 1), "too long"),
    ("x" + " " * (4 * MAX_LENGTH), "with spaces"), ("x\u202e+1", "column 2"),
])
def test_text_is_checked_before_any_token(text, words):
    with pytest.raises(ExpressionError) as err:
        check_text(text)
    assert words in str(err.value)


def test_the_cursor_walks_tokens_and_reports_where_a_bracket_stays_open():
    c = Cursor("(x", ("x",))
    assert c.next().value == "(" and c.is_op() is False and c.peek().value == "x"
    c.open_bracket(1)
    c.next()
    with pytest.raises(ExpressionError) as err:
        c.close_bracket(")", "'(' at column 1 is never closed: add a ')'", 1)
    assert err.value.column == 1 and "never closed" in str(err.value)
    assert "empty" in EMPTY
