"""The lab's three verdicts, tested as claims with a measured ratio, in lab mode and in honest mode.

1. numerical is slowest (x²); 2. symbolic and autodiff are similar for x² (within
:data:`SIMILAR`×); 3. autodiff wins as the graph grows (the composed polynomial,
deeper against shallower). Lab mode is :func:`core.timing.lab.lab_race`, honest
mode the harness's steady-state medians (:func:`core.timing.harness.race`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..presets import composed_polynomial, resolve
from .harness import Progress, race, sub_progress
from .lab import lab_race
from .methods import LAB_METHODS
from .queue import one_at_a_time

__all__ = ["lab_claims", "SIMILAR"]

#: "Similar" in the lab's second verdict: within this factor of each other.
SIMILAR = 2.0


@one_at_a_time
def lab_claims(
    n: int = 1_000_000,
    repeats: int = 5,
    dtype: str = "float64",
    *,
    depths: tuple[int, int] = (1, 3),
    progress: Progress | None = None,
    cold: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lab's three claims, each tested in lab mode and in honest mode: (claims, measurements).

    Races x² (symbolic, numerical, autodiff) and the composed polynomial at the
    two ``depths`` (symbolic, autodiff), both ways: the lab's one-shot timing and
    the harness's steady-state evaluate medians (symbolic with CSE, autodiff
    jitted, all in ``dtype``; symbolic without CSE is shown too for the last claim).
    Takes its turn in the queue. Returns (claims, measurements): claims has one
    row per (claim, mode) with the ratio, the test and whether it holds;
    measurements has every time used.
    """
    square = resolve("x^2")
    shallow, deep = (composed_polynomial(d) for d in depths)
    plan = [("x^2", square, LAB_METHODS), (shallow.text, shallow, ("symbolic", "autodiff")),
            (deep.text, deep, ("symbolic", "autodiff"))]
    meas = []
    steps = 2 * len(plan)
    for k, (spec, fn, methods) in enumerate(plan):
        sub = sub_progress(progress, 2 * k, steps, f"{spec}: ")
        lab = lab_race(fn, n, methods, cold=cold, progress=sub)
        meas += [dict(function=spec, mode="lab", method=r.method, ms=r.ms) for r in lab.itertuples()]
        honest_methods = list(methods) + (["symbolic_nocse"] if spec != "x^2" else [])
        sub = sub_progress(progress, 2 * k + 1, steps, f"{spec}: ")
        hon = race(fn, n, honest_methods, repeats, dtype, sub)
        ev = hon[hon.phase == "evaluate"]
        meas += [dict(function=spec, mode="honest", method=r.method, ms=r.median_ms) for r in ev.itertuples()]
    m = pd.DataFrame(meas)

    def t(spec, mode, method):
        return float(m[(m.function == spec) & (m["mode"] == mode) & (m.method == method)].ms.iloc[0])

    rows = []
    for mode in ("lab", "honest"):
        sym, num, ad = (t("x^2", mode, k) for k in LAB_METHODS)
        ratio = num / max(sym, ad)
        rows.append(dict(claim="numerical is slowest", mode=mode, function="x²",
                         comparison="numerical ÷ slower of symbolic, autodiff", ratio=ratio,
                         test="ratio > 1", holds=bool(ratio > 1)))
        ratio = max(sym, ad) / min(sym, ad)
        rows.append(dict(claim="symbolic and autodiff are similar for x²", mode=mode, function="x²",
                         comparison=("symbolic ÷ autodiff" if sym >= ad else "autodiff ÷ symbolic")
                         + " (slower ÷ faster)", ratio=ratio,
                         test=f"ratio ≤ {SIMILAR:g}", holds=bool(ratio <= SIMILAR)))
        variants = [("symbolic", "")] if mode == "lab" else [("symbolic", " (CSE)"),
                                                             ("symbolic_nocse", " without CSE")]
        for sym_name, note in variants:
            r1 = t(shallow.text, mode, sym_name) / t(shallow.text, mode, "autodiff")
            r2 = t(deep.text, mode, sym_name) / t(deep.text, mode, "autodiff")
            rows.append(dict(claim="autodiff wins as the graph grows", mode=mode + note,
                             function=f"p composed {depths[0]}× and {depths[1]}×",
                             comparison=f"symbolic ÷ autodiff at depth {depths[1]} (at depth {depths[0]}: {r1:.3g})",
                             ratio=r2, test=f"ratio > 1 and above depth {depths[0]}'s",
                             holds=bool(r2 > 1 and r2 > r1)))
    claims = pd.DataFrame(rows)
    claims["n"] = int(n)
    claims["dtype"] = np.where(claims["mode"] == "lab", "float64 (autodiff float32)", np.dtype(dtype).name)
    return claims, m
