"""Numerical differentiation with NumPy: differences of function values, one import for a notebook.

Every formula here uses only values of f, never its expression, so it works for
any function you can evaluate, and it is never exact. The ideas live in their
own modules; this one gathers them under the names a notebook uses:

* :mod:`core.grid`: ``np.gradient`` on a grid (:func:`gradient`), its error point by
  point (:func:`gradient_errors`) and at a kink (:func:`kink_stencil`);
* :mod:`core.schemes`: the difference schemes (forward, backward, central,
  fourth-order central, complex step), each with its formula, best step and code
  (:data:`SCHEMES`, :func:`difference`, :func:`optimal_step`, :func:`secants`);
* :mod:`core.stepsize`: error against the step h and against the grid size n
  (:func:`step_sweep`, :func:`theory_lines`, :func:`best_steps`,
  :func:`convergence`, :func:`fit_order`, :data:`ZERO_FLOOR`);
* :mod:`core.cost`: evaluations of f each method needs (:func:`cost_table`).

>>> from core import numerical, parse_function
>>> fn = parse_function("x^2")
>>> float(numerical.difference(fn, [3.0], 1e-6, "central")[0])  # doctest: +ELLIPSIS
6.0000000000...
"""

from __future__ import annotations

from .cost import cost_table, count_evaluations, evaluations
from .grid import gradient, gradient_errors, kink_stencil
from .schemes import SCHEMES, Scheme, difference, optimal_step, secants
from .stepsize import ZERO_FLOOR, best_steps, convergence, fit_order, step_sweep, taylor_derivatives, theory_lines

__all__ = [
    "gradient", "difference", "SCHEMES", "Scheme", "optimal_step",
    "gradient_errors", "kink_stencil", "secants", "step_sweep", "best_steps", "theory_lines",
    "taylor_derivatives", "convergence", "fit_order", "evaluations", "count_evaluations", "cost_table",
    "ZERO_FLOOR",
]
