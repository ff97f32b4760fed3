"""core.orders: the same highest order for every method."""

import pytest

from core import autodiff, orders, parse_function, symbolic


def test_every_method_stops_at_the_same_order():
    fn = parse_function("x^5")
    assert orders.MAX_ORDER == 3
    assert symbolic.derivative(fn, orders.MAX_ORDER) == 60 * fn.symbol**2
    assert autodiff.grad_at(fn, 1.0, orders.MAX_ORDER) == 60.0
    for refuse in (lambda: symbolic.derivative(fn, 4), lambda: autodiff.grad_at(fn, 1.0, 4),
                   lambda: autodiff.derivative(fn, [1.0], 4)):
        with pytest.raises(ValueError, match="order must be between"):
            refuse()


def test_check_order():
    assert orders.check_order("2") == 2
    with pytest.raises(ValueError, match="between 1 and 3"):
        orders.check_order(0, lowest=1)
    with pytest.raises(ValueError):
        orders.check_order(-1)
