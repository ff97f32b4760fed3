"""core.trace_tables: the forward and reverse tables and the graph the Automatic page shows."""

import math

import pytest

from core import presets, trace_tables, traces


def test_reverse_table_has_forward_values_then_adjoints_backwards():
    prog = traces.trace_program(presets.resolve("abs(x) + sin(x)*cos(x)"), 0.5)
    table = trace_tables.reverse_table(prog)
    n = len(prog.steps)
    assert list(table["pass"]) == ["forward"] * n + ["backward"] * n
    assert list(table["variable"].iloc[n:]) == [s.out for s in reversed(prog.steps)]
    assert table["adjoint"].iloc[n] == 1.0  # the seed
    assert table["adjoint rule"].iloc[-1].endswith("= f′(x₀)")
    exact = 1 + math.cos(1.0)  # d/dx (|x| + sin x cos x) = sign x + cos 2x
    assert table["adjoint"].iloc[-1] == pytest.approx(exact, rel=1e-14)
    # adjoint of a = b̄·cos(a) + c̄·(−sin(a)) + ē·(+1): two paths through the product
    assert "b̄·cos(a)" in table["adjoint rule"].iloc[-1]


def test_graph_places_every_edge_from_shallower_to_deeper():
    prog = traces.trace_program(presets.resolve("composed:2"), 0.7)
    nodes, edges = trace_tables.graph(prog)
    assert len(nodes) == len(prog.steps)
    assert len(edges) == sum(a is not None for s in prog.steps for a in s.arg_vars)
    assert (edges["x2"] > edges["x"]).all()
    assert nodes.loc[nodes["op"] == "input", "depth"].item() == 0


def test_forward_table_writes_each_tangent_rule():
    prog = traces.trace_program(presets.resolve("sin(x)*x"), 0.5)
    table = trace_tables.forward_table(prog)
    assert list(table["equation"]) == ["a = x₀", "b = sin a", "c = mul a b"]
    dot = "\u0307"  # a combining dot above: ȧ is "a" + dot
    assert list(table["tangent rule"]) == [f"a{dot} = 1  (seed: dx/dx)", f"b{dot} = cos(a)·a{dot}",
                                           f"c{dot} = b·a{dot} + a·b{dot}"]
    assert table["tangent"].iloc[-1] == pytest.approx(math.sin(0.5) + 0.5 * math.cos(0.5), rel=1e-15)
