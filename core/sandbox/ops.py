"""The operations a sandbox worker performs (:data:`OPS`), run inside the worker process only.

Each takes plain arguments (a formula's text or a preset id, numbers) and returns
plain data: a dict with at least ``text``, ``latex`` and ``ops`` (strings and
numbers that pickle small). The text is parsed with the lab's own parser inside
the worker, never in the server (:mod:`core.sandbox.formula`), so work that runs
away (``expand((x+1)^1000)``, ``simplify`` of a deep composition, ``N(pi, 10**6)``)
only ever costs a killable process. The operations, by what they work on:

* :mod:`core.sandbox.algebra_ops` -- a whole formula: expand, factor, simplify, diff,
  evalf, subs, lambdify_source;
* :mod:`core.sandbox.derivative_ops` -- the order-th derivative: its size, LaTeX, value
  at a point, generated code, compile check and curve;
* :mod:`core.sandbox.analysis_ops` -- the pages' unbounded analyses: domain, answer
  check, step-by-step derivation, Taylor series;
* here, ``ping`` and ``sleep`` (for tests of waiting, limits and cancellation).

SymPy is imported inside each operation: the server imports this module too (for the
names in :data:`OPS`) and must stay light there.
"""

from __future__ import annotations

import os
import time

from . import algebra_ops, analysis_ops, derivative_ops
from .derivative_ops import MAX_CURVE_POINTS
from .formula import MAX_DIFF_ORDER, MAX_LATEX_OPS, MAX_RESULT_CHARS

__all__ = ["OPS", "MAX_DIFF_ORDER", "MAX_RESULT_CHARS", "MAX_LATEX_OPS", "MAX_CURVE_POINTS"]


def sleep(seconds=1.0):
    """Sleep (for tests of waiting, limits and cancellation)."""
    time.sleep(float(seconds))
    return {"text": "slept", "latex": "", "ops": 0, "pid": os.getpid()}


def ping():
    return {"text": "pong", "latex": "", "ops": 0, "pid": os.getpid()}


#: The operations a worker performs, by name. Arguments are plain text and numbers.
OPS = {
    "expand": algebra_ops.expand,
    "factor": algebra_ops.factor,
    "simplify": algebra_ops.simplify,
    "diff": algebra_ops.diff,
    "evalf": algebra_ops.evalf,
    "subs": algebra_ops.subs,
    "lambdify_source": algebra_ops.lambdify_source,
    "count_ops": derivative_ops.count_ops,
    "latex": derivative_ops.latex,
    "evalf_point": derivative_ops.evalf_point,
    "derivative_source": derivative_ops.derivative_source,
    "check_compile": derivative_ops.check_compile,
    "curve": derivative_ops.curve,
    "domain": analysis_ops.domain,
    "equivalent": analysis_ops.equivalent,
    "steps_simplify": analysis_ops.steps_simplify,
    "steps_proof": analysis_ops.steps_proof,
    "series": analysis_ops.series,
    "series_timing": analysis_ops.series_timing,
    "ping": ping,
    "sleep": sleep,
}
