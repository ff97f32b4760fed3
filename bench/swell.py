"""Expression swell, measured: the lab's composed polynomial, depth by depth.

For p(t) = 2t³ − 3t² + 5 composed with itself d times, prints one row per depth:
the size of SymPy's derivative as a tree (``count_ops``), its size once common
subexpressions are shared (``cse``), the number of equations in the jaxpr of
``jax.grad`` of f, and the time of one call of ``lambdify(diff(f))`` on N float64
points, with and without CSE (median of R calls after a warm-up).

Every measurement is bounded: the code is first run on 10,000 points and the
full run estimated from that; a version whose warm-up and repeats would exceed
the budget is skipped and only its estimate is printed (marked ``~``).

    .venv/bin/python bench/swell.py                 # depths 1-6 on 10^6 points
    .venv/bin/python bench/swell.py --points 100000 --budget 5
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from core import presets, swell  # noqa: E402


def _ms(seconds: float, estimate: float) -> str:
    if np.isfinite(seconds):
        return f"{seconds * 1000:,.1f}"
    return f"~{estimate * 1000:,.0f} (skipped)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--depth", type=int, default=presets.MAX_DEPTH, help="deepest composition (1-6)")
    ap.add_argument("--points", type=int, default=1_000_000, help="points per evaluation")
    ap.add_argument("--repeats", type=int, default=3, help="timed calls per measurement (median)")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="seconds one measurement (warm-up + repeats) may take before it is skipped")
    args = ap.parse_args()

    import jax  # the jaxpr column; imported here so the header can say which version

    print("# Expression swell: p(t) = 2t^3 - 3t^2 + 5 composed d times, derivative d/dx")
    print(f"# Python {platform.python_version()}, SymPy {sp.__version__}, NumPy {np.__version__}, "
          f"JAX {jax.__version__} ({jax.default_backend()}), {os.cpu_count()} CPU(s)")
    print(f"# evaluation: float64 on linspace(-1, 1.5, {args.points:,}), median of {args.repeats} calls "
          f"after a warm-up; budget {args.budget:g} s per measurement\n", flush=True)

    t0 = time.perf_counter()

    def progress(depth: int, what: str) -> None:
        print(f"  … depth {depth}: {what} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)

    table = swell.swell_table(args.depth, n=args.points, budget_s=args.budget, repeats=args.repeats,
                              progress=progress)

    head = ["depth", "tree ops (count_ops)", "ops after CSE", "jaxpr eqns of grad",
            "lambdify cse=True, ms", "lambdify no CSE, ms", "no CSE / CSE"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in table.itertuples():
        ratio = r.no_cse_s / r.cse_s if np.isfinite(r.no_cse_s) and np.isfinite(r.cse_s) else float("nan")
        cells = [r.depth, f"{r.tree_ops:,}", f"{r.cse_ops:,}", f"{r.jaxpr_eqns:,}",
                 _ms(r.cse_s, r.cse_estimate_s), _ms(r.no_cse_s, r.no_cse_estimate_s),
                 f"{ratio:.1f}×" if np.isfinite(ratio) else "—"]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    notes = [f"depth {r.depth}: {r.note}" for r in table.itertuples() if r.note]
    if notes:
        print("\nSkipped (estimated from a 10,000-point trial run):")
        for n in notes:
            print(f"- {n}")
    print(f"\nTotal {time.perf_counter() - t0:.0f} s. Times are from a shared machine: read them as ratios.")


if __name__ == "__main__":
    main()
