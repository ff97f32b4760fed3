"""Sandbox operations on a whole formula (core/sandbox/algebra_ops.py), in-process."""

import pytest

from core.sandbox import MAX_DIFF_ORDER, OPS


def test_limits_on_the_arguments():
    with pytest.raises(ValueError, match=f"order must be between 0 and {MAX_DIFF_ORDER}"):
        OPS["diff"]("x^2", order=MAX_DIFF_ORDER + 1)
    with pytest.raises(ValueError, match="digits must be between"):
        OPS["evalf"]("pi", digits=10**7)
    assert OPS["evalf"]("pi", digits=20)["text"] == "3.1415926535897932385"
