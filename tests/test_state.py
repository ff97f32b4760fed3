"""The shared function picker and the x-range that follows the function."""

import re

from conftest import chart_series, charts, choose, new_app, no_exception


def _range_on(at, key):
    return tuple(at.slider(key=key).value)


def test_x_range_moves_to_the_new_functions_range():
    at = new_app()
    at.run()
    at.switch_page("pages/numerical.py").run()
    assert _range_on(at, "num_range") == (-5.0, 5.0)
    choose(at, "composed:3")  # its own range is [-1, 1.5]
    no_exception(at)
    assert not at.warning or all("Session State" not in w.value for w in at.warning)
    assert _range_on(at, "num_range") == (-1.0, 1.5)
    exact = chart_series(charts(at)[0])["exact f′"]
    assert exact.x.min() == -1.0 and exact.x.max() == 1.5


def test_x_range_keeps_the_users_choice_while_the_function_stays():
    at = new_app()
    at.run()
    at.switch_page("pages/autodiff.py").run()
    at.slider(key="ad_range").set_value((0.0, 2.0)).run()
    at.slider(key="ad_x0").set_value(1.0).run()
    no_exception(at)
    assert _range_on(at, "ad_range") == (0.0, 2.0)


def test_home_range_follows_the_function_too():
    at = new_app()
    at.run()
    choose(at, "composed:2")
    no_exception(at)
    assert _range_on(at, "home_range") == (-1.0, 1.5)


def _closer(at) -> tuple[int, bool]:
    """The sidebar's phone closer: its run number and whether it closes when it runs."""
    body = next(h.proto.body for h in at.sidebar.get("html") if "dl-sidebar-closer" in h.proto.body)
    run = int(re.search(r'data-run="(\d+)"', body).group(1))
    return run, "if (true) close();" in body


def test_sidebar_closes_on_a_phone_after_a_choice_not_after_other_reruns():
    at = new_app()
    at.run()
    assert _closer(at) == (0, False)  # a first visit closes nothing (Streamlit starts it closed on a phone)
    choose(at, "sin(x)")
    assert _closer(at) == (1, True)  # a preset picked: the script's text changes, so it runs
    at.slider(key="home_n").set_value(50).run()
    assert _closer(at)[0] == 1  # a slider moved: same text, the script does not run again
    at.sidebar.selectbox[0].set_value("typed").run()
    assert _closer(at)[0] == 1  # "type your own": the sidebar stays open for typing (Enter closes it)
    at.switch_page("pages/autodiff.py").run()
    assert _closer(at)[0] == 2  # a page change closes it on any narrow screen
