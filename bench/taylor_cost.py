"""Seconds to get Taylor coefficients up to order n: jet (Taylor mode), nested jvp (eager), SymPy series.

    .venv/bin/python bench/taylor_cost.py [spec ...]

Nested jvp re-differentiates the program of the order below, so its cost multiplies
with each order; jet's grows slowly. Nested jvp is given a 20 s budget here.
"""

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from core import presets, taylor  # noqa: E402

ORDERS = (1, 2, 4, 6, 8, 10)


def main(specs):
    for spec in specs:
        fn = presets.resolve(spec)
        x0 = 0.5
        nested = taylor.jvp_coefficients(fn, x0, max(ORDERS), budget_s=20.0)
        print(f"{spec}  (x0 = {x0})\n  order   jet_s     jvp_s     sympy_s")
        for n in ORDERS:
            try:
                taylor.jet_coefficients(fn, x0, n)
                t0 = time.perf_counter()
                taylor.jet_coefficients(fn, x0, n)
                jet = f"{time.perf_counter() - t0:8.4f}"
            except Exception:  # noqa: BLE001
                jet = "  no rule"
            jvp = f"{nested['seconds'][n]:8.4f}" if n < len(nested["seconds"]) else "  skipped"
            t0 = time.perf_counter()
            taylor.sympy_coefficients(fn.expr, x0, n)
            print(f"  {n:5d} {jet}  {jvp}  {time.perf_counter() - t0:8.4f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["sin(x)", "composed:3", "x^x", "tan(x)*exp(sin(x))"])
