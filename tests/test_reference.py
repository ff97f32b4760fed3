"""core.reference: the exact derivative every method meets, and the one scaled error it is measured by."""

import numpy as np
import pytest

from core import parse_function, reference


def test_errors_count_nonfinite_values_and_scale_by_the_larger_of_f_prime_and_one():
    c = reference.errors([1.0, 2.2, np.inf, 5.0, 0.1], [1.0, 2.0, 3.0, np.nan, 0.0])
    assert c["max_scaled"] == pytest.approx(0.1)  # 0.2/2, and |0.1 − 0|/1 where f′ = 0
    assert c["max_abs"] == pytest.approx(0.2)
    assert c["nonfinite"] == 1 and c["points"] == 4  # inf where f′ is finite; nan f′ is not a point
    assert np.isnan(reference.errors([np.nan], [1.0])["max_scaled"])
    np.testing.assert_allclose(reference.scaled_error([3.0, 0.5], [2.0, 0.0]), [0.5, 0.5])


def test_exact_is_sympys_derivative_in_float64():
    fn = parse_function("x^3")
    np.testing.assert_array_equal(reference.exact(fn, [1.0, 2.0]), [3.0, 12.0])
    np.testing.assert_array_equal(reference.exact(fn, [1.0, 2.0], order=2), [6.0, 12.0])
    assert reference.exact(fn, np.array([1], dtype=np.float32)).dtype == np.float64
