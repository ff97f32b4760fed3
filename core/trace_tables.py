"""Tables and a graph of an evaluation trace: what the Automatic page shows, row by row.

The trace itself (a :class:`core.traces.Program` of :class:`core.traces.Step` rows,
each with its value, local partials, tangent and adjoint) is made by
:func:`core.traces.trace_program`; here it is laid out as a student reads it:
the forward sweep with each tangent's rule written out, the reverse sweep with
each adjoint's sum over the uses of a variable, and the program as a graph.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["forward_table", "reverse_table", "graph"]


def _dot(name: str) -> str:
    return f"{name}\u0307"  # combining dot above: ȧ


def _bar(name: str) -> str:
    return f"{name}\u0304"  # combining macron: ā


def _paren(text: str) -> str:
    """Bracket a local derivative only when it is more than one name or call: cos(a), (1 − b²)."""
    depth, bare = 0, True
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in " +−-·/^²":
            bare = False
    return text if bare else f"({text})"


def _tangent_rule(s) -> str:
    if s.op == "input":
        return f"{_dot(s.out)} = 1  (seed: dx/dx)"
    if not s.active:
        return f"{_dot(s.out)} = 0  (does not depend on x)"
    terms = []
    for k, a in enumerate(s.arg_vars):
        if a is None:
            continue
        local = s.partial_text[k] if s.partial_text else f"∂{s.out}/∂{a}"
        terms.append(_dot(a) if local == "1" else f"{_paren(local)}·{_dot(a)}")
    source = "  [rule from jax.jvp]" if s.by_jax else ""
    return f"{_dot(s.out)} = " + " + ".join(terms) + source


def _as_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def forward_table(prog) -> pd.DataFrame:
    """One row per primitive: its equation, value, tangent rule and tangent at x₀."""
    rows = []
    for s in prog.steps:
        rows.append({
            "step": s.index,
            "variable": s.out,
            "equation": s.equation,
            "value": _as_float(s.value),
            "tangent": _as_float(s.tangent),
            "tangent rule": _tangent_rule(s),
            "local derivatives": ", ".join(
                f"∂{s.out}/∂{a} = {_as_float(d):.6g}"
                for a, d in zip(s.arg_vars, s.partials) if a is not None) or "—",
        })
    return pd.DataFrame(rows)


def reverse_table(prog) -> pd.DataFrame:
    """The forward pass (values), then the backward pass (adjoints), last variable first."""
    uses: dict[str, list] = {s.out: [] for s in prog.steps}  # (step, argument index) per use
    for s in prog.steps:
        for k, a in enumerate(s.arg_vars):
            if a is not None:
                uses[a].append((s, k))
    rows = []
    for s in prog.steps:
        rows.append({
            "step": len(rows), "pass": "forward", "variable": s.out, "equation": s.equation,
            "value": _as_float(s.value), "adjoint": math.nan, "adjoint rule": "",
        })
    for s in reversed(prog.steps):
        if s.out == prog.output:
            rule = f"{_bar(s.out)} = 1  (seed: ∂f/∂f)"
        elif not s.active and s.op != "input":
            rule = f"{_bar(s.out)} = 0  (does not depend on x)"
        elif not uses[s.out]:
            rule = f"{_bar(s.out)} = 0  (not used)"
        else:
            terms = []
            for c, k in uses[s.out]:
                local = c.partial_text[k] if c.partial_text else f"∂{c.out}/∂{s.out}"
                terms.append(_bar(c.out) if local == "1" else f"{_bar(c.out)}·{_paren(local)}")
            rule = f"{_bar(s.out)} = " + " + ".join(terms)
        if s.op == "input":
            rule += "   = f′(x₀)"
        rows.append({
            "step": len(rows), "pass": "backward", "variable": s.out, "equation": s.equation,
            "value": _as_float(s.value), "adjoint": _as_float(s.adjoint), "adjoint rule": rule,
        })
    return pd.DataFrame(rows)


def graph(prog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (one per variable, placed by depth) and edges (argument -> result) of the program.

    Node columns: name, label, op, depth, row, value, tangent, adjoint, step.
    Edge columns: source, target, x, y, x2, y2, partial.
    """
    by_depth: dict[int, int] = {}
    nodes = []
    for s in prog.steps:
        row = by_depth.get(s.depth, 0)
        by_depth[s.depth] = row + 1
        label = "x" if s.op == "input" else (s.op if s.op != "output" else "f")
        nodes.append({
            "name": s.out, "label": f"{s.out}: {label}", "op": s.op, "depth": s.depth, "row": row,
            "value": _as_float(s.value), "tangent": _as_float(s.tangent),
            "adjoint": _as_float(s.adjoint), "step": s.index,
        })
    ndf = pd.DataFrame(nodes)
    # centre each column of nodes vertically
    counts = ndf.groupby("depth")["row"].transform("max")
    ndf["row"] = ndf["row"] - counts / 2.0
    pos = {r.name: (r.depth, r.row) for r in ndf.itertuples()}
    edges = []
    for s in prog.steps:
        for a, d in zip(s.arg_vars, s.partials):
            if a is None or a not in pos:
                continue
            (x, y), (x2, y2) = pos[a], pos[s.out]
            edges.append({"source": a, "target": s.out, "x": x, "y": y, "x2": x2, "y2": y2,
                          "partial": _as_float(d), "step": s.index})
    edf = pd.DataFrame(edges, columns=["source", "target", "x", "y", "x2", "y2", "partial", "step"])
    return ndf, edf
