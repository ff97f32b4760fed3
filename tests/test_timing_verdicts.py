"""core.timing.verdicts: the lab's three conclusions, each a claim with the ratio it rests on."""

from __future__ import annotations

import numpy as np
import pytest

from core import timing


def test_verdicts_report_ratios_consistent_with_their_measurements():
    claims, meas = timing.lab_claims(n=2000, repeats=1)
    assert set(claims.claim) == {"numerical is slowest", "symbolic and autodiff are similar for x²",
                                 "autodiff wins as the graph grows"}
    assert set(claims["mode"]) == {"lab", "honest", "honest (CSE)", "honest without CSE"}
    assert (claims.ratio > 0).all() and np.isfinite(claims.ratio).all()
    assert (claims.n == 2000).all()

    def t(spec, mode, method):
        return meas[(meas.function == spec) & (meas["mode"] == mode) & (meas.method == method)].ms.iloc[0]

    for mode in ("lab", "honest"):
        row = claims[(claims.claim == "numerical is slowest") & (claims["mode"] == mode)].iloc[0]
        expect = t("x^2", mode, "numerical") / max(t("x^2", mode, "symbolic"), t("x^2", mode, "autodiff"))
        assert row.ratio == pytest.approx(expect)
        assert row.holds == (expect > 1)
        row = claims[(claims.claim.str.startswith("symbolic and")) & (claims["mode"] == mode)].iloc[0]
        assert row.ratio >= 1 and row.holds == (row.ratio <= timing.SIMILAR)
    row = claims[claims["mode"] == "honest without CSE"].iloc[0]
    expect = t("composed:3", "honest", "symbolic_nocse") / t("composed:3", "honest", "autodiff")
    assert row.ratio == pytest.approx(expect)


def test_the_name_is_the_module_and_the_function_says_what_it_returns():
    import types

    import core.timing.verdicts as module

    assert isinstance(timing.verdicts, types.ModuleType) and timing.verdicts is module
    assert timing.lab_claims is module.lab_claims
