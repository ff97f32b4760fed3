"""The tokenizer (core/tokens.py): tokens carry the columns a student typed them at."""

import pytest

from core import ExpressionError
from core.tokens import check_controls, tokenize


def _toks(text, variables=("x",)):
    return [(t.kind, t.value, t.col) for t in tokenize(text, variables)]


@pytest.mark.parametrize("text, tokens", [
    ("xsinx", [("name", "x", 1), ("name", "sin", 2), ("name", "x", 5), ("end", None, 6)]),
    ("sin2x", [("name", "sin", 1), ("num", "2", 4), ("name", "x", 5), ("end", None, 6)]),
    ("x**2", [("name", "x", 1), ("op", "^", 2), ("num", "2", 4), ("end", None, 5)]),
    ("x²+√x", [("name", "x", 1), ("sup", 2, 2), ("op", "+", 3), ("root", "sqrt", 4), ("name", "x", 5),
               ("end", None, 6)]),
    ("x⁻¹", [("name", "x", 1), ("sup", -1, 2), ("end", None, 4)]),
    ("log10 x", [("name", "log10", 1), ("name", "x", 7), ("end", None, 8)]),
    ("π·x", [("name", "pi", 1), ("op", "*", 2), ("name", "x", 3), ("end", None, 4)]),
    ("2.5e-3x", [("num", "2.5e-3", 1), ("name", "x", 7), ("end", None, 8)]),
])
def test_tokens_and_their_columns(text, tokens):
    assert _toks(text) == tokens


def test_letters_split_into_the_callers_variables():
    assert _toks("xy", ("x", "y"))[:2] == [("name", "x", 1), ("name", "y", 2)]
    assert _toks("xy")[:1] == [("name", "xy", 1)]  # no y here: one unknown word, reported whole


@pytest.mark.parametrize("text, col, words", [
    ("x # c", 3, "comments"), ("x2", 2, "number right after 'x'"), ("1.2.3", 4, "a second '.'"),
    ("x⁻⁻¹", 2, "cannot read the superscript"), ("ｘ", 1, "U+FF58"),
])
def test_the_first_character_outside_the_grammar_ends_the_tokens(text, col, words):
    last = tokenize(text, ("x",))[-1]
    assert last.kind == "err" and last.col == col and words in last.value


@pytest.mark.parametrize("text, col", [("x\u202e+1", 2), ("\ufeffx", 1), ("x+1\x00", 4), ("x\u200b", 2)])
def test_invisible_characters_are_refused_with_their_column(text, col):
    with pytest.raises(ExpressionError, match="invisible control character") as err:
        check_controls(text)
    assert err.value.column == col


def test_tabs_and_newlines_are_whitespace():
    check_controls("x +\t1\n")
    assert [k for k, _, _ in _toks("x +\t1\n")] == ["name", "op", "num", "end"]
