"""The cost of a full gradient against the number of parameters n (issue 15), one run.

    .venv/bin/python bench/gradient_scan.py [--loss rosenbrock] [--repeats 5] [--budget 150]

Prints, for n = 1 … 10⁴ (10⁵ for reverse mode), each method's median gradient time, its ratio
to one jitted evaluation of f measured in the same run, the fitted slope of log t against
log n over n = 10 … 10⁴, and whether the issue's goals hold on this machine:
reverse mode's slope < 0.3, grad ≤ 5× f at n = 10⁴, central differences' slope in [0.8, 1.2].
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from core import gradient_cost as gc  # noqa: E402

NS = (1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loss", default="rosenbrock", choices=list(gc.LOSSES))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--budget", type=float, default=150.0, help="seconds for the whole scan")
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = gc.scan(a.loss, NS, repeats=a.repeats, budget_s=a.budget,
                 progress=lambda msg, frac: print(f"  … {msg}", file=sys.stderr, flush=True))
    ok = df[df.status == "ok"]
    print(f"\n{gc.LOSSES[a.loss]}; median of {a.repeats} gradients after a warm-up; times in ms\n")
    methods = list(gc.METHODS)
    print(f"{'n':>8} {'f (jit)':>9} " + " ".join(f"{m:>18}" for m in methods))
    for n, g in df.groupby("n"):
        cells = []
        for m in methods:
            r = g[g.method == m]
            if r.empty or r.status.iloc[0] != "ok":
                cells.append(f"{'—':>18}")
            else:
                cells.append(f"{r.eval_s.iloc[0] * 1e3:9.4g} ({r.ratio.iloc[0]:6.3g}×)")
        print(f"{n:>8,} {g.f_s.iloc[0] * 1e3:9.4g} " + " ".join(cells))
    sl = gc.slopes(df, lo=10, hi=10_000)
    print("\nslope of log t against log n, n = 10 … 10⁴: "
          + ", ".join(f"{m} {v:.2f}" for m, v in sl.items()))
    print("(in brackets: gradient time / one jitted evaluation of f at that n)")
    for r in df[df.status != "ok"].itertuples():
        if not r.status.startswith("skipped: above"):
            print(f"  {r.method} at n = {r.n:,}: {r.status}")
    rev = ok[(ok.method == "reverse") & (ok.n == 10_000)]
    ratio = float(rev.ratio.iloc[0]) if not rev.empty else float("nan")
    goals = [("reverse mode's slope < 0.3 (n = 10 … 10⁴)", sl.get("reverse", float("nan")) < 0.3),
             (f"grad ≤ 5× one jitted f at n = 10⁴ (measured {ratio:.3g}×)", ratio <= 5),
             ("central differences' slope in [0.8, 1.2]", 0.8 <= sl.get("central", float("nan")) <= 1.2)]
    for what, met in goals:
        print(f"  {'met    ' if met else 'NOT met'}  {what}")
    v = gc.verdict(df)
    if v:
        print("\nverdict: " + v["text"])
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
