"""How a chart reaches the page: ui.charts.to_vega_lite, the panel's conversion."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ui import charts

from conftest import assert_valid_vega_lite


def _curves(y) -> dict:
    x = np.linspace(-1.0, 1.0, len(y))
    df = pd.DataFrame(dict(x=np.r_[x, x], y=np.r_[y, 2 * np.asarray(y)],
                           series=["f(x)"] * len(y) + ["symbolic"] * len(y)))
    return charts.to_vega_lite(charts.curves(df, title="t"))


def _names(spec: dict) -> set[str]:
    return set(spec["datasets"])


def test_the_data_travel_as_named_frames_with_every_value():
    y = [0.0, np.nan, 1.0, 4.0]
    spec = _curves(y)
    frames = list(spec["datasets"].values())
    assert frames and all(isinstance(f, pd.DataFrame) for f in frames)
    drawn = pd.concat(frames)
    assert set(drawn.loc[drawn.series == "f(x)", "y"].dropna()) == {0.0, 1.0, 4.0}
    assert set(drawn.loc[drawn.series == "symbolic", "y"].dropna()) == {0.0, 2.0, 8.0}


def test_dataset_names_follow_the_data():
    """The browser keeps datasets by name across reruns: same data, same name; new data, new name."""
    a, again, other = _curves([0.0, 1.0, 4.0]), _curves([0.0, 1.0, 4.0]), _curves([0.0, 1.0, 5.0])
    assert _names(a) == _names(again)
    assert _names(a).isdisjoint(_names(other))


def test_skipping_the_check_still_gives_valid_vega_lite():
    """The pages skip Altair's schema check; what they send must pass it all the same."""
    spec = _curves([0.0, 1.0, 4.0])
    unchecked = dict(spec, datasets={k: v.to_dict("records") for k, v in spec["datasets"].items()})
    assert_valid_vega_lite(json.dumps(unchecked))
    checked = charts.to_vega_lite(charts.curves(pd.DataFrame(dict(x=[0.0, 1.0], y=[1.0, 2.0], series="f(x)"))),
                                  validate=True)
    assert "datasets" in checked
