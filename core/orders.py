"""Which derivative orders the lab offers: one limit for every method.

SymPy's ``diff``, JAX's nested ``grad`` and every table that puts them side by side
stop at the same order, so a student never meets an f‴ on one page that another
page refuses.
"""

from __future__ import annotations

__all__ = ["MAX_ORDER", "check_order"]

#: Highest derivative order offered (f‴).
MAX_ORDER = 3


def check_order(order: int, lowest: int = 0) -> int:
    """``order`` as an int, or ValueError when it is not between ``lowest`` and :data:`MAX_ORDER`."""
    order = int(order)
    if not lowest <= order <= MAX_ORDER:
        raise ValueError(f"order must be between {lowest} and {MAX_ORDER}, got {order}")
    return order
