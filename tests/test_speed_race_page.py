"""AppTests of the speed-race page: nothing runs until pressed, then charts, tables and claims
carry the measured values. Small n throughout; no wall-clock assertions."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from core import timing

from conftest import chart_frames, charts, choose, new_app, no_exception, open_tab

PAGE = "pages/speed_race.py"
ALL = list(timing.METHODS)


def _page(n: int = 1000, repeats: int = 1, methods=None, spec: str | None = None):
    at = new_app()
    at.run()
    if spec:
        choose(at, spec)
    at.switch_page(PAGE).run()
    at.select_slider(key="race_n").set_value(n).run()
    at.slider(key="race_repeats").set_value(repeats).run()
    if methods is not None:
        at.multiselect(key="race_methods").set_value(methods).run()
    no_exception(at)
    return at


def _frame_with(chart, *cols) -> pd.DataFrame:
    return next(f for f in chart_frames(chart) if set(cols) <= set(f.columns))


def _chart_titled(at, words: str):
    import json

    for c in charts(at):
        title = json.loads(c.proto.spec).get("title", "")
        if words in str(title):
            return c
    raise AssertionError(f"no chart titled with {words!r}")


@pytest.fixture(scope="module")
def raced():
    at = _page(n=2000, repeats=2, methods=ALL)
    at.button(key="race_run").click().run()
    no_exception(at)
    return at


def test_first_render_races_only_a_small_bounded_first_look():
    """The page opens on a chart (a phone's first screen): a first look at n ≤ FIRST_N, in the queue,
    without the lab's way; the full race (n = 10⁶ by default) waits for the button."""
    from ui.race_sections import FIRST_N

    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    no_exception(at)
    assert at.select_slider(key="race_n").value == min(10**6, timing.max_points())
    bars = _frame_with(_chart_titled(at, "median time per phase"), "method", "phase", "median_ms")
    assert (bars.n == min(FIRST_N, timing.max_points())).all() and (bars.median_ms > 0).all()
    assert set(bars.method) == set(timing.LAB_METHODS)
    assert not any("one shot" in str(c.proto.spec) for c in charts(at))  # no lab mode in a first look
    assert at.status[0].label.startswith("A first look: ")
    assert any(c.value.startswith("A first look, raced when the page opened: n = 100,000")
               and "Run the race" in c.value for c in at.caption)
    assert "race_last_race" not in at.session_state  # nothing pressed, no race of the settings


def test_first_look_keeps_to_its_budget():
    from core import presets
    from ui.race_sections import FIRST_BUDGET_S, FIRST_METHOD_S, first_plan

    fn = presets.composed_polynomial(6)
    n, methods = first_plan(fn, dict(n=10**6, dtype="float64", repeats=15, methods=tuple(timing.METHODS)))
    assert n <= 100_000 and "symbolic_nocse" not in methods and methods
    est = [timing.estimate_method_seconds(fn, n, m, 15) for m in methods]
    assert max(est) <= FIRST_METHOD_S and sum(est) <= FIRST_BUDGET_S


def test_n_slider_is_logarithmic_and_bounded_by_the_host():
    from ui.race_sections import n_options, short_n

    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    values = n_options()
    assert list(at.select_slider(key="race_n").options) == [short_n(v) for v in values]
    assert values[0] == 1000 and values[-1] == timing.max_points()
    assert values[-1] * timing.BYTES_PER_POINT <= timing.CLOUD_MEMORY
    assert all(b / a <= 2.5 for a, b in zip(values, values[1:]))  # 1-2-5 steps
    assert [short_n(v) for v in (1000, 20_000, 500_000, 10**6)] == ["1k", "20k", "500k", "1M"]


def test_race_charts_both_phases_for_every_method(raced):
    bars = _frame_with(_chart_titled(raced, "median time per phase"), "method", "phase", "median_ms")
    assert sorted(zip(bars.method, bars.phase)) == sorted((m, p) for m in ALL for p in ("setup", "evaluate"))
    assert (bars.median_ms > 0).all() and (bars.n == 2000).all() and (bars.dtype == "float64").all()
    assert (bars[bars.phase == "evaluate"].runs == 2).all()
    status = raced.status[0]
    assert status.label.startswith("The race: done in") and status.state == "complete"


def test_accuracy_table_next_to_the_bars(raced):
    acc = next(d.value for d in raced.dataframe if "max_scaled_error" in d.value.columns and "ms" not in d.value)
    acc = acc.set_index("method")
    assert set(acc.index) == set(ALL)
    # errors as people read them: three significant digits, text
    assert acc.loc["symbolic", "max_abs_error"] == "0"  # x²: 2x exactly
    assert acc.loc["autodiff", "max_abs_error"] == "0"
    assert 0 < float(acc.loc["numerical", "max_abs_error"]) < 0.01  # first-order ends, h = 5e-3
    assert float(acc.loc["central", "max_scaled_error"]) < 1e-8
    assert set(acc["dtype"]) == {"float64"}


def test_lab_mode_is_shown_beside_the_honest_race(raced):
    lab = _frame_with(_chart_titled(raced, "one shot"), "method", "phase", "median_ms")
    assert set(lab.phase) >= {"lab (one shot)", "setup + evaluate", "evaluate"}
    assert set(lab.method) == set(timing.LAB_METHODS)
    honest = _frame_with(_chart_titled(raced, "median time per phase"), "method", "phase", "median_ms")
    ev = honest[honest.phase == "evaluate"].set_index("method").median_ms
    got = lab[lab.phase == "evaluate"].set_index("method").median_ms
    for m in timing.LAB_METHODS:
        assert got[m] == pytest.approx(ev[m])  # the same race, not a second one
    table = next(d.value for d in raced.dataframe if "lab's way (ms)" in d.value.columns).set_index("method")
    assert table.loc["autodiff", "dtype"] == "float32"
    assert table.loc["symbolic", "the lab printed (ms)"] == pytest.approx(4.97)
    notes = [m.value for m in raced.markdown if m.value.startswith("- **")]
    assert len(notes) == 3 and any("block_until_ready" in n or "jit" in n for n in notes)


def test_code_for_each_number_is_shown(raced):
    codes = [c.value for c in raced.code]
    assert any("timing.race(fn, n=2000" in c for c in codes)
    for m in ALL:
        assert any(timing.METHODS[m].setup_code.splitlines()[-1] in c for c in codes), m
    assert any("vmap(grad(f))(jnp.array(x_array_large.astype('float32')))" in c for c in codes)


def test_same_settings_reuse_the_finished_race_unless_fresh(raced):
    raced.button(key="race_run").click().run()
    no_exception(raced)
    assert "reused the same race" in raced.status[0].label
    raced.checkbox(key="race_fresh").check().run()
    raced.button(key="race_run").click().run()
    no_exception(raced)
    assert raced.status[0].label.startswith("The race: done in")
    raced.checkbox(key="race_fresh").uncheck().run()


def test_a_waiting_race_says_so_and_then_runs():
    at = _page(n=1000, repeats=1, methods=["symbolic"])
    at.checkbox(key="race_fresh").check().run()
    holding = threading.Event()

    def hold():
        with timing.QUEUE.slot("someone else's race", estimate_s=3.0):
            holding.set()
            threading.Event().wait(1.5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(5)
    at.button(key="race_run").click().run()
    t.join(5)
    no_exception(at)
    label = at.status[0].label
    assert "after waiting" in label and "for your turn" in label
    log = [m.value for m in at.status[0].markdown]
    assert any("symbolic: setup" in line for line in log)


def test_race_on_the_composed_polynomial_from_the_page_picker():
    at = _page(n=1000, repeats=1, methods=["symbolic", "symbolic_nocse", "autodiff"])
    at.radio(key="race_fn").set_value("composed").run()
    at.slider(key="race_depth").set_value(4).run()
    at.button(key="race_run").click().run()
    no_exception(at)
    chart = _chart_titled(at, "p composed 4×")
    bars = _frame_with(chart, "method", "phase", "median_ms")
    assert set(bars.method) == {"symbolic", "symbolic_nocse", "autodiff"}
    assert at.session_state["race_last_race"]["settings"]["spec"] == "composed:4"
    assert not any("These results are for" in c.value for c in at.caption)
    at.slider(key="race_depth").set_value(5).run()  # the shown race is now for other settings
    no_exception(at)
    assert any("These results are for spec = composed:4" in c.value for c in at.caption)


def test_verdicts_table_and_chart():
    at = open_tab(_page(n=1000, repeats=1), "The lab's verdicts", PAGE)
    at.button(key="race_verdicts_run").click().run()
    no_exception(at)
    table = next(d.value for d in at.dataframe if "verdict" in d.value.columns)
    assert set(table.claim) == {"numerical is slowest", "symbolic and autodiff are similar for x²",
                                "autodiff wins as the graph grows"}
    assert {"lab", "honest"} <= set(table["mode"])
    assert (table.ratio > 0).all()
    claims = _frame_with(_chart_titled(at, "verdict"), "claim", "ratio", "holds")
    for r in claims.itertuples():
        if r.claim == "numerical is slowest":
            assert r.holds == (r.ratio > 1)
        elif r.claim.startswith("symbolic and"):
            assert r.holds == (r.ratio <= timing.SIMILAR)
    verdicts = dict(zip(zip(table.claim, table["mode"]), table.verdict))
    holds = dict(zip(zip(claims.claim, claims["mode"]), claims.holds))
    assert all((verdicts[k] == "✅ holds") == bool(holds[k]) for k in holds)


def test_scaling_in_n_and_depth():
    at = open_tab(_page(n=2000, repeats=1, methods=["symbolic", "autodiff"]), "Scaling", PAGE)
    at.button(key="race_scan_n_run").click().run()
    no_exception(at)
    scan = _frame_with(_chart_titled(at, "against n"), "method", "n", "median_ms")
    assert sorted(set(scan.n)) == [1000, 2000] and set(scan.method) == {"symbolic", "autodiff"}
    assert (scan.median_ms > 0).all()
    at.select_slider(key="race_n").set_value(1000).run()
    at.button(key="race_scan_depth_run").click().run()
    no_exception(at)
    depth = _frame_with(_chart_titled(at, "against depth"), "method", "depth", "median_ms")
    assert set(depth.method) == set(timing.DEPTH_METHODS)
    assert depth.groupby("depth").tree_ops.first().tolist() == [4, 26, 94, 278, 742, 1862]
    ran = depth[depth.status == "ok"]
    assert (ran.median_ms > 0).all() and set(ran.depth) >= {1, 2, 3}


def test_methods_predicted_to_overrun_are_left_out_and_named():
    at = _page(n=10**6, repeats=5, methods=["symbolic", "symbolic_nocse"])
    at.radio(key="race_fn").set_value("composed").run()
    at.slider(key="race_depth").set_value(6).run()
    no_exception(at)
    assert any("symbolic_nocse" in w.value and "left out" in w.value for w in at.warning)
    # Nothing raced at n = 10⁶: the only chart is the first look's, at most FIRST_N points.
    assert "race_last_race" not in at.session_state
    bars = _frame_with(_chart_titled(at, "median time per phase"), "method", "phase", "median_ms")
    assert (bars.n <= 100_000).all() and "symbolic_nocse" not in set(bars.method)


def test_log_bars_start_below_the_smallest_time():
    """A log axis has no zero: bars drawn from 0 vanish, so they start one step below the smallest."""
    import json

    from ui import charts as ui_charts

    df = pd.DataFrame(dict(method=["a", "a"], phase=["setup", "evaluate"], median_ms=[30.0, 0.1]))
    spec = ui_charts.race_bars(df, log=True).to_dict()
    assert spec["encoding"]["x"]["scale"]["type"] == "log" and spec["encoding"]["x2"]["field"] == "base_ms"
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert (data.base_ms < data.ms).all() and (data.base_ms > 0).all()
    assert json.dumps(spec)  # serialisable as Vega-Lite


def test_race_errors_read_as_words_where_f_overflows():
    from ui import race_sections

    assert race_sections._error_text(1.5e295, True) == "— f overflows float64 here"
    assert race_sections._error_text(float("nan"), False) == "— no finite value to compare"
    assert race_sections._error_text(1.23456e-9, False) == "1.23e-09"


def test_scaling_legends_show_labels_not_internal_names():
    import pandas as pd

    from ui import charts

    df = pd.DataFrame({"method": ["symbolic_nocse", "autodiff_nojit"], "n": [10, 10], "median_ms": [1.0, 2.0],
                       "min_ms": [1.0, 2.0], "max_ms": [1.0, 2.0], "runs": [1, 1]})
    spec = charts.to_vega_lite(charts.race_scaling(df))
    text = str(spec)
    assert "symbolic, no CSE" in text and "autodiff, no jit" in text
