"""The sandbox: symbolic work in killable worker processes."""

import time

import pytest

from core import ExpressionError
from core.sandbox import Sandbox, SandboxTimeout


@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox(workers=1, timeout=10)
    yield sb
    sb.close()


def test_expand_factor_and_substitute(sandbox):
    assert sandbox.run("expand", "x*(x^3 + 2*x^2)")["text"] == "x**4 + 2*x**3"
    assert sandbox.run("factor", "x^4 + 2*x^3")["text"] == "x**3*(x + 2)"
    assert sandbox.run("subs", "2*x^2 - x*y", ("x", "y"), {"x": -1, "y": 2})["value"] == 4.0


def test_bad_text_comes_back_as_expression_error(sandbox):
    with pytest.raises(ExpressionError, match="did you mean 'sin'"):
        sandbox.run("expand", "sinn(x)")


def test_runaway_work_is_stopped_and_the_worker_replaced(sandbox):
    first = sandbox.run("ping")["pid"]
    t0 = time.monotonic()
    with pytest.raises(SandboxTimeout, match="took longer than 1 s"):
        sandbox.run("expand", "(x+1)^1000*(x-1)^1000*(x+2)^1000", timeout=1)
    assert time.monotonic() - t0 < 8
    assert sandbox.killed >= 1
    assert sandbox.run("ping")["pid"] != first  # a fresh worker answers


def test_a_fresh_workers_start_up_does_not_count_against_the_limit():
    sb = Sandbox(workers=1, timeout=10)
    try:
        # The worker is still importing SymPy (about a second); a tight limit must
        # still be met, because the clock starts only when the worker is ready.
        assert sb.run("expand", "(x+1)^2", timeout=0.5)["text"] == "x**2 + 2*x + 1"
    finally:
        sb.close()


def test_pool_size_follows_free_memory(monkeypatch):
    from core import host, sandbox

    monkeypatch.delenv("DERIVLAB_WORKERS", raising=False)
    monkeypatch.setattr(host, "memory_available", lambda: 600 * 2**20)  # a small Cloud instance
    assert sandbox.default_workers() == 1
    monkeypatch.setattr(host, "memory_available", lambda: 8 * 2**30)
    assert sandbox.default_workers() == 2
    monkeypatch.setenv("DERIVLAB_WORKERS", "3")
    assert sandbox.default_workers() == 3


def test_new_operations_on_the_derivative(sandbox):
    assert sandbox.run("count_ops", "sin(x)^2")["ops"] == 4
    tex = sandbox.run("latex", "sin(x)^2", order=2)["latex"]
    assert r"\cos" in tex
    big = sandbox.run("latex", "(x+1)^3*sin(x)^4*exp(x)^2", max_ops=5)
    assert "too big to print" in big["latex"] and big["ops"] > 5
    v = sandbox.run("evalf_point", "x^3", 2.0)
    assert v["value"] == 12.0 and v["text"] == "12.0000000000000"
    huge = sandbox.run("evalf_point", "exp(x)^1000", 1.0)
    assert huge["value"] is None and "e+437" in huge["text"]
    assert sandbox.run("evalf_point", "sqrt(x - 5)", 1.0, order=0)["value"] is None  # complex
    src = sandbox.run("derivative_source", "sin(x)^2")["text"]
    assert src.startswith("def _lambdifygenerated(x):") and "cos(x)" in src
    assert sandbox.run("check_compile", "abs(x)", order=2)["ok"] is True
