"""core.timing.scaling: time against n and against the composed polynomial's depth, inside a budget."""

from __future__ import annotations

import numpy as np

from core import presets, timing


def test_scaling_in_n_and_its_budget():
    fn = presets.resolve("x^2")
    df = timing.scaling_n(fn, ns=(1000, 4000), methods=["symbolic", "autodiff"], repeats=1)
    assert len(df) == 4 and (df.status == "ok").all() and (df.median_ms > 0).all()
    assert sorted(df.n.unique()) == [1000, 4000]
    tight = timing.scaling_n(fn, ns=(1000, 4000), methods=["symbolic"], repeats=1, budget_s=0.0)
    assert tight.status.iloc[0] == "ok" and tight.status.iloc[1].startswith("skipped: about")
    assert np.isnan(tight.median_ms.iloc[1]) and tight.runs.iloc[1] == 0


def test_scaling_in_depth_counts_the_tree_and_skips_over_budget():
    df = timing.scaling_depth(n=1000, depths=(1, 2), repeats=1)
    assert set(df.method) == set(timing.DEPTH_METHODS)
    assert (df.status == "ok").all()
    assert df.groupby("depth").tree_ops.first().to_dict() == {1: 4, 2: 26}
    tight = timing.scaling_depth(n=1000, depths=(1, 2), methods=["symbolic_nocse"], repeats=1, budget_s=0.0)
    assert list(tight.status.str[:7]) == ["ok", "skipped"]
    assert "budget" in tight.status.iloc[1]
