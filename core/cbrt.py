"""The real cube root as a SymPy function: ``cbrt(-8) = -2`` (SymPy's ``x**(1/3)`` is complex there).

The grammar's ``cbrt`` and ``∛`` build it (see :mod:`core.grammar`); it carries its
own derivative and prints itself for NumPy, JAX, mpmath and LaTeX.
"""

from __future__ import annotations

import math

import sympy as sp

__all__ = ["cbrt"]


class cbrt(sp.Function):  # noqa: N801  (prints as cbrt, like numpy.cbrt / jax.numpy.cbrt)
    """The REAL cube root: cbrt(-8) = -2, d/dx cbrt(x) = 1/(3 cbrt(x)^2).

    NumPy gets ``sign(re z)*(z*sign(re z))**(1/3)``, which is the real cube root on
    real input and complex-analytic off the imaginary axis (so the complex step
    works); JAX gets ``jax.numpy.cbrt``; mpmath ``sign(x)*cbrt(|x|)``.
    """

    is_real = True

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            if arg.is_Rational:
                return sp.real_root(arg, 3)
            return sp.Float(math.copysign(abs(float(arg)) ** (1 / 3), float(arg)))
        if arg.could_extract_minus_sign():
            return -cls(-arg)
        return None

    def fdiff(self, argindex=1):
        return 1 / (3 * cbrt(self.args[0]) ** 2)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _numpycode(self, printer):
        a = printer._print(self.args[0])
        sign, real = (printer._module_format(f"{printer._module}.{n}") for n in ("sign", "real"))
        return f"({sign}({real}({a}))*(({a})*{sign}({real}({a})))**(1/3))"

    def _jaxcode(self, printer):
        return f"{printer._module_format(printer._module + '.cbrt')}({printer._print(self.args[0])})"

    def _mpmathcode(self, printer):
        a = printer._print(self.args[0])
        sign, root = (printer._module_format(f"mpmath.{n}") for n in ("sign", "cbrt"))
        return f"({sign}({a})*{root}(abs({a})))"

    def _latex(self, printer):
        return r"\sqrt[3]{%s}" % printer._print(self.args[0])
