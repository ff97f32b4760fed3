"""core.swell: the composed polynomial's derivative grows as a tree, stays small as a graph and a jaxpr."""

import numpy as np

from core import presets, swell


def test_swell_metrics_tree_grows_fast_cse_and_jaxpr_linearly():
    rows = [swell.swell_metrics(d) for d in range(1, 7)]
    tree = [r["tree_ops"] for r in rows]
    assert tree == [4, 26, 94, 278, 742, 1862]
    cse = [r["cse_ops"] for r in rows]
    assert cse[-1] < tree[-1] / 10  # depth 6: sharing makes it over ten times smaller
    jx = [r["jaxpr_eqns"] for r in rows]
    steps = np.diff(jx)
    assert (steps > 0).all() and steps.max() == steps.min()  # the same equations added per level


def test_time_evaluation_skips_over_budget_and_measures_under_it():
    fn = presets.composed_polynomial(4)
    skipped = swell.time_evaluation(fn, 1_000_000, cse=False, budget_s=1e-6)
    assert skipped["seconds"] is None and skipped["estimate"] > 0 and "budget" in skipped["skipped"]
    done = swell.time_evaluation(fn, 2_000, cse=True, budget_s=60, repeats=2)
    assert done["seconds"] > 0 and done["skipped"] is None


def test_swell_table_has_a_row_per_depth_and_reports_progress():
    seen = []
    table = swell.swell_table(3, n=2_000, budget_s=60, repeats=1, progress=lambda d, what: seen.append(d))
    assert list(table["depth"]) == [1, 2, 3]
    assert {"tree_ops", "cse_ops", "jaxpr_eqns", "cse_s", "no_cse_s", "note"} <= set(table.columns)
    assert table[["cse_s", "no_cse_s"]].notna().all().all()
    assert sorted(set(seen)) == [1, 2, 3]

