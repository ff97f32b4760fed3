"""Losses of n parameters as machine learning has them, on synthetic data made here.

Least squares and logistic regression on :data:`SAMPLES` samples, and the n-dimensional
Rosenbrock, each with a fixed seed (:func:`problem`): f in NumPy and JAX, its exact gradient
in closed form, and the loss as a SymPy expression in w0 … w(n−1). The cost of their
gradients is measured in :mod:`core.gradient_cost`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = ["LOSSES", "SAMPLES", "SEED", "Problem", "problem"]

#: Samples of the synthetic data sets, and the seed they are drawn with.
SAMPLES, SEED = 32, 0
LOSSES = {
    "rosenbrock": "n-dimensional Rosenbrock Σ 100(wᵢ₊₁ − wᵢ²)² + (1 − wᵢ)²",
    "least_squares": f"least squares ‖Aw − b‖² / 2m, A: {SAMPLES}×n",
    "logistic": f"logistic regression mean log(1 + e^(−yᵢ aᵢ·w)), {SAMPLES} samples",
}


@dataclass(frozen=True, eq=False)
class Problem:
    """One loss at one n: its data, the point w, and f / exact gradient in NumPy and JAX."""

    kind: str
    n: int
    w: np.ndarray
    A: np.ndarray | None = None
    b: np.ndarray | None = None

    def f_jax(self, w):
        from .jax64 import jnp

        if self.kind == "rosenbrock":
            return jnp.sum(100.0 * (w[1:] - w[:-1] ** 2) ** 2) + jnp.sum((1.0 - w) ** 2)
        z = jnp.asarray(self.A) @ w
        if self.kind == "least_squares":
            return 0.5 * jnp.mean((z - jnp.asarray(self.b)) ** 2)
        return jnp.mean(jnp.logaddexp(0.0, -jnp.asarray(self.b) * z))

    def f_numpy(self, w) -> float:
        w = np.asarray(w, dtype=float)
        if self.kind == "rosenbrock":
            return float(np.sum(100.0 * (w[1:] - w[:-1] ** 2) ** 2) + np.sum((1.0 - w) ** 2))
        z = self.A @ w
        if self.kind == "least_squares":
            return float(0.5 * np.mean((z - self.b) ** 2))
        return float(np.mean(np.logaddexp(0.0, -self.b * z)))

    def exact_gradient(self, w=None) -> np.ndarray:
        """∇f by hand (closed form), float64."""
        w = self.w if w is None else np.asarray(w, dtype=float)
        if self.kind == "rosenbrock":
            g = -2.0 * (1.0 - w)
            r = w[1:] - w[:-1] ** 2
            g[1:] += 200.0 * r
            g[:-1] += -400.0 * w[:-1] * r
            return g
        z = self.A @ w
        m = len(self.b)
        if self.kind == "least_squares":
            return self.A.T @ (z - self.b) / m
        return -self.A.T @ (self.b / (1.0 + np.exp(self.b * z))) / m

    def sympy(self) -> tuple[list[sp.Symbol], sp.Expr]:
        """The loss as a SymPy expression in symbols w0 … w(n−1)."""
        ws = list(sp.symbols(f"w0:{self.n}", real=True))
        if self.kind == "rosenbrock":
            expr = sp.Add(*[100 * (ws[i + 1] - ws[i] ** 2) ** 2 for i in range(self.n - 1)],
                          *[(1 - v) ** 2 for v in ws])
            return ws, expr
        m = len(self.b)
        terms = []
        for j in range(m):
            z = sp.Add(*[sp.Float(a) * v for a, v in zip(self.A[j], ws)])
            if self.kind == "least_squares":
                terms.append((z - sp.Float(self.b[j])) ** 2 / (2 * m))
            else:
                terms.append(sp.log(1 + sp.exp(-sp.Float(self.b[j]) * z)) / m)
        return ws, sp.Add(*terms)


def problem(kind: str, n: int, seed: int = SEED, samples: int = SAMPLES) -> Problem:
    """The ``kind`` loss with n parameters, its data and point drawn with ``seed``."""
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}; one of {', '.join(LOSSES)}")
    n = int(n)
    rng = np.random.default_rng(seed)
    if kind == "rosenbrock":
        return Problem(kind, n, w=1.0 + 0.5 * rng.standard_normal(n))
    A = rng.standard_normal((samples, n)) / math.sqrt(n)
    w_true = rng.standard_normal(n)
    if kind == "least_squares":
        b = A @ w_true + 0.1 * rng.standard_normal(samples)
    else:
        b = np.where(A @ w_true + 0.3 * rng.standard_normal(samples) > 0, 1.0, -1.0)
    return Problem(kind, n, w=0.1 * rng.standard_normal(n), A=A, b=b)
