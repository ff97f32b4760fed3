"""core.timing.estimates: a race's duration guessed from operation counts, before it runs."""

from __future__ import annotations

from core import presets, timing


def test_estimates_grow_with_work():
    fn2, fn6 = presets.resolve("composed:2"), presets.resolve("composed:6")
    assert timing.estimate_seconds(fn6, 10**6, ["symbolic_nocse"], 3) > 10 * timing.estimate_seconds(
        fn2, 10**6, ["symbolic_nocse"], 3)
    assert timing.estimate_method_seconds(fn2, 10**6, "symbolic", 5) > timing.estimate_method_seconds(
        fn2, 10**4, "symbolic", 5)


def test_the_labs_one_shot_adds_to_the_estimate():
    fn = presets.resolve("x^2")
    alone = timing.estimate_seconds(fn, 10**5, timing.LAB_METHODS, 3, lab=False)
    assert alone == sum(timing.estimate_method_seconds(fn, 10**5, m, 3) for m in timing.LAB_METHODS)
    assert timing.estimate_seconds(fn, 10**5, timing.LAB_METHODS, 3, lab=True) > alone


def test_op_counts_see_the_tree_grow_faster_than_the_graph():
    tree2, graph2, _ = timing.op_counts(presets.resolve("composed:2"))
    tree4, graph4, _ = timing.op_counts(presets.resolve("composed:4"))
    assert tree4 / tree2 > graph4 / graph2 > 1
