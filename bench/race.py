"""The race at 10⁶ points, and a check that the harness measures what a careful stand-alone timing does.

For x² and the composed polynomial p∘…∘p at depth 1 to 6 it prints the harness's
table (``core.timing.race``: setup and evaluate medians, min, max, runs, errors).
Then, for symbolic, numerical and autodiff, the same call is timed stand-alone
in the same run, timeit-style (``timeit.Timer.repeat`` with number=1, garbage
collection off, after a warm-up call), built the way a student would write it:
``lambdify(..., cse=True)``, ``np.gradient(f(xs), xs)``, ``jax.jit(jax.vmap(jax.grad(f)))``
with ``block_until_ready()``. The harness's evaluate median over the stand-alone
median must lie within 1.5× either way; the script exits 1 if any does not.

To keep a noisy machine from deciding the ratio, each method's harness and
stand-alone timings are taken side by side in short rounds, in alternating order
(a load spike hits both). Each round gives a median per side; the check is on
the median over the rounds. The fastest round of each side is printed too, for
reference.
``symbolic_nocse`` is skipped where its estimated time exceeds a budget (it
evaluates the derivative as a tree: about 8.6 s per call at depth 6), and the
script says so.

    .venv/bin/python bench/race.py              # n = 10⁶, a few minutes on 2 busy cores
    .venv/bin/python bench/race.py -n 100000 --repeats 3

Machines are noisy (this one is shared): read times as ratios to their neighbours.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import sys
import time
import timeit

import numpy as np
import pandas as pd

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from core import presets, timing  # noqa: E402
from core.jax64 import backend, device_name, jax  # noqa: E402

CHECKED = ("symbolic", "numerical", "autodiff")
TOLERANCE = 1.5


def standalone(fn, method: str, xs: np.ndarray):
    """The call a student would time, built the ordinary way: returns (statement, namespace)."""
    import sympy as sp

    if method == "symbolic":
        df = sp.lambdify(fn.symbol, sp.diff(fn.expr, fn.symbol), "numpy", cse=True)
        return "df(xs)", {"df": df, "xs": xs}
    if method == "numerical":
        f = sp.lambdify(fn.symbol, fn.expr, "numpy", cse=True)
        return "np.gradient(f(xs), xs)", {"np": np, "f": f, "xs": xs}
    f = sp.lambdify(fn.symbol, fn.expr, "jax", cse=True)
    df = jax.jit(jax.vmap(jax.grad(f)))
    return "df(xs).block_until_ready()", {"df": df, "xs": jax.device_put(xs)}


def timeit_ms(stmt: str, namespace: dict, repeat: int) -> list[float]:
    timer = timeit.Timer(stmt, globals=namespace)
    timer.timeit(number=1)  # warm-up (compiles the jitted one)
    return [1e3 * t for t in timer.repeat(repeat=repeat, number=1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3, help="timed calls per method and round (capped at 9)")
    ap.add_argument("--rounds", type=int, default=7, help="alternating harness/stand-alone rounds")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--budget", type=float, default=12.0,
                    help="seconds symbolic_nocse may take per case before it is skipped")
    ap.add_argument("--only", nargs="*", metavar="SPEC",
                    help="race only these functions (x^2, composed:1 ... composed:6)")
    args = ap.parse_args()
    np.seterr(all="ignore")  # overflow at depth >= 4 is expected (the tables count it)
    n, repeats, dtype = args.n, min(max(args.repeats, 1), 9), args.dtype
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    load = os.getloadavg()
    print(f"# bench/race.py: n = {n:,}, {dtype}, repeats {repeats} x {args.rounds} rounds, "
          f"JAX on {backend()} ({device_name()}), {os.cpu_count()} CPUs, load average {load[0]:.2f}, "
          f"Python {platform.python_version()}")
    print("# shared, noisy machine: read times as ratios to their neighbours\n")
    cases = [("x^2", presets.resolve("x^2"))] + [
        (f"composed:{d}", presets.composed_polynomial(d)) for d in range(1, presets.MAX_DEPTH + 1)]
    if args.only:
        cases = [(spec, fn) for spec, fn in cases if spec in args.only]
    checks, skipped, start = [], [], time.perf_counter()
    for spec, fn in cases:
        methods = list(timing.METHODS)
        est = timing.estimate_method_seconds(fn, n, "symbolic_nocse", repeats)
        if est > args.budget:
            methods.remove("symbolic_nocse")
            skipped.append(f"{spec}: symbolic_nocse skipped (estimated {est:.0f} s > budget {args.budget:g} s)")
        xs = timing.grid(n, dtype)
        harness: dict[str, list[float]] = {m: [] for m in CHECKED}
        alone: dict[str, list[float]] = {m: [] for m in CHECKED}
        table = timing.race(fn, n, methods, repeats, dtype)  # the printed table
        for rnd in range(args.rounds):
            for k, m in enumerate(CHECKED):
                def by_harness(fn=fn, m=m, harness=harness):
                    # The harness keeps only statistics; each round's median stands for its calls.
                    df = timing.race(fn, n, [m], repeats, dtype, setup_runs=1)
                    harness[m].append(float(df[df.phase == "evaluate"].median_ms.iloc[0]))

                def by_timeit(fn=fn, m=m, xs=xs, alone=alone):
                    stmt, ns = standalone(fn, m, xs)
                    alone[m].append(float(np.median(timeit_ms(stmt, ns, repeats))))

                # Side by side, in alternating order: a swing in the machine's load favours neither.
                first, second = (by_harness, by_timeit) if (rnd + k) % 2 == 0 else (by_timeit, by_harness)
                first()
                second()
        print(f"## {spec}  ({fn.name})")
        cols = ["method", "phase", "median_ms", "min_ms", "max_ms", "runs", "max_scaled_error", "nonfinite"]
        print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print()
        for m in CHECKED:
            h, a = float(np.median(harness[m])), float(np.median(alone[m]))
            hq, aq = min(harness[m]), min(alone[m])
            checks.append(dict(function=spec, method=m, harness_ms=h, standalone_ms=a, ratio=h / a,
                               quiet_harness_ms=hq, quiet_standalone_ms=aq, quiet_ratio=hq / aq,
                               ok=1 / TOLERANCE <= h / a <= TOLERANCE))
    print("## harness evaluate median against a stand-alone timeit of the same call (same run)")
    print("# harness_ms, standalone_ms: median over the rounds of each round's median (the check: their ratio")
    print(f"# within {TOLERANCE}x); quiet_*: the fastest round of each, for reference (on 2 shared cores JAX's")
    print("# threads run twice as fast when the other core happens to be free, so minima are noisy too)")
    out = pd.DataFrame(checks)
    print(out.to_string(index=False, float_format=lambda v: f"{v:.4g}",
                        formatters={"ok": lambda v: "ok" if v else f"OUTSIDE {TOLERANCE}x"}))
    for line in skipped:
        print("# " + line)
    bad = out[~out.ok]
    print(f"\n# {len(out) - len(bad)} of {len(out)} ratios within {TOLERANCE}x; "
          f"total {time.perf_counter() - start:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    return 1 if len(bad) else 0


if __name__ == "__main__":
    sys.exit(main())
