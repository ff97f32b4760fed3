"""core.grid: np.gradient on a grid against the exact f′: the ends stand out, and the kink of |x|."""

import numpy as np
import pytest

from core import grid, presets, reference

LAB = "exp(-2*x) + 3*sin(3*x)"


def test_gradient_is_np_gradient_of_the_values():
    fn = presets.resolve(LAB)
    xs = np.linspace(-5, 5, 100)
    np.testing.assert_allclose(grid.gradient(fn, xs), np.gradient(fn.numpy(xs), xs))
    np.testing.assert_allclose(grid.gradient(fn, xs, edge_order=2), np.gradient(fn.numpy(xs), xs, edge_order=2))
    assert grid.gradient(fn, np.arange(5)).dtype == np.float64
    with pytest.raises(ValueError):
        grid.gradient(fn, xs, edge_order=3)
    with pytest.raises(ValueError):
        grid.gradient(fn, [1.0, 2.0], edge_order=2)


def test_gradient_errors_edges_stand_out():
    fn = presets.resolve(LAB)
    xs = np.linspace(-5, 5, 100)
    df = grid.gradient_errors(fn, xs, edge_order=1)
    assert list(df["part"].iloc[[0, -1]]) == ["edge", "edge"] and (df["part"].iloc[1:-1] == "interior").all()
    np.testing.assert_allclose(df["approx"], np.gradient(fn.numpy(xs), xs))
    # FACTS: at x = -5 exact -44060, np.gradient -39894 (edge_order 1), -43544 (edge_order 2)
    assert df["exact"].iloc[0] == pytest.approx(-44060, rel=1e-4)
    assert df["approx"].iloc[0] == pytest.approx(-39894, rel=1e-4)
    df2 = grid.gradient_errors(fn, xs, edge_order=2)
    assert df2["approx"].iloc[0] == pytest.approx(-43544, rel=1e-4)
    assert df["error"].iloc[0] > 10 * df["error"].iloc[1:-1].max() / 2


@pytest.mark.parametrize("spec", list(presets.PRESETS))
def test_gradient_close_inside_smooth_regions(spec):
    fn = presets.resolve(spec)
    xs = np.linspace(*presets.default_range(spec), 2001)
    want = reference.exact(fn, xs)
    got = grid.gradient(fn, xs, edge_order=2)
    inner = slice(5, -5)
    ok = np.isfinite(want[inner]) & (np.abs(xs[inner]) > 0.05) & np.isfinite(got[inner])
    err = reference.scaled_error(got[inner][ok], want[inner][ok])
    assert np.median(err) < 1e-2  # second order: h² · f‴ / 6, largest for the steep depth-6 polynomial


def test_kink_on_the_labs_grid_gives_half():
    st = grid.kink_stencil(presets.resolve("abs(x)"), np.linspace(-5, 5, 100), count=2)
    h = 10 / 99
    np.testing.assert_allclose(st["x"], [-h / 2, h / 2])
    np.testing.assert_allclose(st["gradient"], [-0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(st["exact"], [-1, 1])
    # the stencil: chord over the two neighbours
    np.testing.assert_allclose(st["f_left"], [3 * h / 2, h / 2])
    np.testing.assert_allclose(st["f_right"], [h / 2, 3 * h / 2])
    np.testing.assert_allclose((st.f_right - st.f_left) / (st.x_right - st.x_left), st["gradient"])


def test_kink_with_zero_on_the_grid():
    st = grid.kink_stencil(presets.resolve("abs(x)"), np.linspace(-5, 5, 101), count=3)
    np.testing.assert_allclose(st["x"], [-0.1, 0, 0.1], atol=1e-12)
    np.testing.assert_allclose(st["gradient"], [-1, 0, 1], atol=1e-12)
