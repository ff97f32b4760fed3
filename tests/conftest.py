"""Shared test helpers: AppTest factory and reading the data behind a chart."""

from __future__ import annotations

import json
import os
import pathlib
import threading
import time

import pandas as pd
import pytest
from hypothesis import settings
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
PAGES = ["pages/home.py", "pages/symbolic.py", "pages/numerical.py", "pages/autodiff.py", "pages/speed_race.py"]

# JAX compiles on first use; SymPy work can take a second. AppTest's 3 s default is too tight.
TIMEOUT = 180


# The property tests draw new examples on every run on a developer's machine (they found
# acot(acos(x)) that way); in CI they draw the same ones every time, so a red CI means a change.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def new_app() -> AppTest:
    return AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)


@pytest.fixture
def app() -> AppTest:
    at = new_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at: AppTest, spec: str) -> AppTest:
    """Pick a function the way a student does: the sidebar picker, or typed text.

    Works on whichever page ``at`` shows; the choice then follows to every
    page visited afterwards.
    """
    from core import presets

    if spec in presets.PRESETS:
        at.sidebar.selectbox[0].set_value(spec).run()
    else:
        at.sidebar.selectbox[0].set_value("typed").run()
        at.sidebar.text_input[0].set_value(spec).run()
    return at


def charts(at: AppTest) -> list:
    """The page's charts, each checked against the Vega-Lite schema.

    The pages skip Altair's schema check for speed (``ui.charts.to_vega_lite``),
    so every chart a test looks at is checked here instead.
    """
    found = list(at.get("vega_lite_chart"))
    for chart in found:
        assert_valid_vega_lite(chart.proto.spec)
    return found


_VALID_SPECS: set[str] = set()


def assert_valid_vega_lite(spec_json: str) -> None:
    """Fail with Altair's own message when the spec is not valid Vega-Lite (v6)."""
    if spec_json in _VALID_SPECS:
        return
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    error = validate_jsonschema(json.loads(spec_json), schema, rootschema=schema, raise_error=False)
    assert error is None, f"not valid Vega-Lite at {error.json_path}: {error.message[:300]}"
    _VALID_SPECS.add(spec_json)


def chart_frames(chart) -> list[pd.DataFrame]:
    """Every dataset the chart carries, as DataFrames (inline spec data included)."""
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    spec = json.loads(chart.proto.spec)
    for values in (spec.get("datasets") or {}).values():
        frames.append(pd.DataFrame(values))
    if chart.proto.data.data:
        frames.append(convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
    return frames


def chart_series(chart, series_col: str = "series") -> dict[str, pd.DataFrame]:
    """The chart's long-form data split by series name."""
    out = {}
    for df in chart_frames(chart):
        if series_col in df.columns:
            for name, g in df.groupby(series_col, sort=False):
                out[str(name)] = g.reset_index(drop=True)
    return out


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)


def messages(at: AppTest) -> list[str]:
    """What the page says went wrong: its error boxes' headlines and the plain-text detail
    under them (user text and parser messages are shown as code, never as Markdown)."""
    return [e.value for e in at.error] + [e.value for e in at.warning] + [c.value for c in at.code]


#: The key each page binds its tabs to (only the open tab is computed).
TAB_KEYS = {"pages/symbolic.py": "sym_tab", "pages/autodiff.py": "ad_tab", "pages/speed_race.py": "race_tab",
            "pages/many_variables.py": "mv_tab"}


def open_tab(at: AppTest, label: str, page: str | None = None) -> AppTest:
    """Open the tab called ``label`` on the current page (as a click on it does) and rerun."""
    key = TAB_KEYS[page] if page else next(k for k in TAB_KEYS.values() if k in at.session_state)
    at.session_state[key] = label
    return at.run()


def tab_labels(page: str) -> list[str]:
    """The tab labels of ``page``, read from its source (the list given to st.tabs)."""
    import ast

    tree = ast.parse((ROOT / page).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "tabs":
            arg = node.args[0]
            if isinstance(arg, ast.List):
                return [e.value for e in arg.elts]
    # pages/symbolic.py builds its tabs from the keys of a dict named ``views``
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "views":
            return [k.value for k in node.value.keys]
    raise AssertionError(f"no st.tabs in {page}")


# --- waiting on a request that runs in a thread (sandbox and queue tests) ---

def wait_until(cond, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


class Background:
    """sb.run(...) in a thread; ``result`` or ``error`` when done, ``finished`` its time."""

    def __init__(self, sb, *args, log: list | None = None, name: str = "", **kwargs):
        self.result = self.error = self.finished = None
        self.done = threading.Event()

        def go():
            try:
                self.result = sb.run(*args, **kwargs)
            except BaseException as err:  # noqa: BLE001  (checked by the test)
                self.error = err
            finally:
                self.finished = time.monotonic()
                if log is not None:
                    log.append(name)
                self.done.set()

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()

    def join(self, seconds: float = 15.0):
        assert self.done.wait(seconds), "the request never finished"
        return self
