"""A derivative written out step by step, as a student would, by a rule table of our own.

Each rule is a small function next to its name in :data:`RULES` (the micrograd /
autodidax style: ``RULES[sp.sin] = rule_sin`` right below ``rule_sin``):

* a *structural* rule (sum, constant multiple, product, quotient, powers) takes the
  expression and returns ``(name, formula, parts)``: the rule written out with
  ``d/dx`` of each part still to do (an unevaluated ``Derivative``), and the parts;
* an *elementary* rule takes the argument ``u`` and returns ``g′(u)``; the engine
  adds the chain rule (``· u′``) when ``u`` is not plain x.

:func:`derive` applies the rules top down, one :class:`Step` per rule (its
sub-expression, the formula, the result once the parts are done), and stops with
``too_long`` after :data:`MAX_STEPS` steps (a composition of depth 4 and more
differentiates its inner function once per occurrence: 2^depth copies). The size
of the result is bounded before anything starts (:func:`core.bounds.check_derivative_size`).
Nothing here simplifies: that is left to a sandbox worker (see ``core.sandbox``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .agreement import evaluate, numeric_agreement  # re-exported: the page checks the last line with them
from .bounds import check_derivative_size, tree_size
from .expressions import X, parse_expression

__all__ = ["Step", "Derivation", "derive", "RULES", "MAX_STEPS", "tex", "evaluate", "numeric_agreement"]

#: Most steps shown; a longer derivation is reported as too long to show step by step.
#: (The composed polynomial takes 6, 18, 42, 90, 186, 378 steps at depths 1 to 6: depth 3
#: fits, depth 4 is already two screens of constant rules and powers.)
MAX_STEPS = 80
#: Larger sub-expressions are described by their size instead of typeset.
MAX_TEX_NODES = 300

RULES: dict = {}


def D(u, x=X):
    """d/dx u, still to do (x′ = 1 and c′ = 0 are written at once)."""
    if u == x:
        return sp.Integer(1)
    return sp.Derivative(u, x)


# --- structural rules: (name, formula with parts' derivatives to do, parts) -----

def rule_sum(terms: sp.Add, x=X):
    """(u + v)′ = u′ + v′"""
    return "sum rule", sp.Add(*[D(t, x) for t in terms.args]), list(terms.args)
RULES[sp.Add] = rule_sum


def rule_mul(product: sp.Mul, x=X):
    """c·u, u/v or u·v: constant multiple, quotient (negative powers) or product rule."""
    c, u = product.as_independent(x, as_Add=False)
    if c != 1:
        name = "constant multiple rule: (c·u)′ = c·u′"
        if isinstance(u, sp.log) and any(isinstance(f, sp.Pow) and isinstance(f.base, sp.log)
                                         for f in sp.Mul.make_args(c)):
            name += " (log base b: log_b u = ln u / ln b)"
        return name, c * D(u, x), [u]
    num, den = [], []
    for f in product.args:
        if f.is_Pow and f.exp.is_number and f.exp.is_negative:
            den.append(f.base ** -f.exp)
        else:
            num.append(f)
    if den:
        u, v = sp.Mul(*num), sp.Mul(*den)
        if x not in u.free_symbols:
            return "reciprocal rule: (c/v)′ = −c·v′/v²", -u * D(v, x) / v**2, [v]
        return "quotient rule: (u/v)′ = (u′v − uv′)/v²", (D(u, x) * v - u * D(v, x)) / v**2, [u, v]
    u, v = product.args[0], sp.Mul(*product.args[1:])
    return "product rule: (uv)′ = u′v + uv′", D(u, x) * v + u * D(v, x), [u, v]
RULES[sp.Mul] = rule_mul


def rule_pow(power: sp.Pow, x=X):
    """u^n (power), a^u (exponential), u^v (general power, by logarithmic differentiation)."""
    u, n = power.args
    chain = ", with the chain rule"
    if x not in n.free_symbols:
        name = "power rule: (uⁿ)′ = n·uⁿ⁻¹·u′"
        if n == sp.Rational(1, 2):
            name = "square root rule: (√u)′ = u′/(2√u)"
        return name + (chain if u != x else ""), n * u ** (n - 1) * D(u, x), [u]
    if x not in u.free_symbols:
        return ("exponential rule: (aᵘ)′ = aᵘ·ln a·u′" + (chain if n != x else ""),
                power * sp.log(u) * D(n, x), [n])
    return ("general power rule: (uᵛ)′ = uᵛ·(v′ ln u + v·u′/u), for u > 0",
            power * (D(n, x) * sp.log(u) + n * D(u, x) / u), [n, u])
RULES[sp.Pow] = rule_pow


# --- elementary rules: g(u) -> g′(u); the chain rule is added by the engine -----

def rule_sin(u): return sp.cos(u)
RULES[sp.sin] = rule_sin
def rule_cos(u): return -sp.sin(u)
RULES[sp.cos] = rule_cos
def rule_tan(u): return sp.sec(u) ** 2
RULES[sp.tan] = rule_tan
def rule_sec(u): return sp.sec(u) * sp.tan(u)
RULES[sp.sec] = rule_sec
def rule_csc(u): return -sp.csc(u) * sp.cot(u)
RULES[sp.csc] = rule_csc
def rule_cot(u): return -sp.csc(u) ** 2
RULES[sp.cot] = rule_cot
def rule_asin(u): return 1 / sp.sqrt(1 - u**2)
RULES[sp.asin] = rule_asin
def rule_acos(u): return -1 / sp.sqrt(1 - u**2)
RULES[sp.acos] = rule_acos
def rule_atan(u): return 1 / (1 + u**2)
RULES[sp.atan] = rule_atan
def rule_asec(u): return 1 / (sp.Abs(u) * sp.sqrt(u**2 - 1))
RULES[sp.asec] = rule_asec
def rule_acsc(u): return -1 / (sp.Abs(u) * sp.sqrt(u**2 - 1))
RULES[sp.acsc] = rule_acsc
def rule_acot(u): return -1 / (1 + u**2)
RULES[sp.acot] = rule_acot
def rule_sinh(u): return sp.cosh(u)
RULES[sp.sinh] = rule_sinh
def rule_cosh(u): return sp.sinh(u)
RULES[sp.cosh] = rule_cosh
def rule_tanh(u): return sp.sech(u) ** 2
RULES[sp.tanh] = rule_tanh
def rule_sech(u): return -sp.sech(u) * sp.tanh(u)
RULES[sp.sech] = rule_sech
def rule_csch(u): return -sp.csch(u) * sp.coth(u)
RULES[sp.csch] = rule_csch
def rule_coth(u): return -sp.csch(u) ** 2
RULES[sp.coth] = rule_coth
def rule_asinh(u): return 1 / sp.sqrt(u**2 + 1)
RULES[sp.asinh] = rule_asinh
def rule_acosh(u): return 1 / sp.sqrt(u**2 - 1)
RULES[sp.acosh] = rule_acosh
def rule_atanh(u): return 1 / (1 - u**2)
RULES[sp.atanh] = rule_atanh
def rule_asech(u): return -1 / (u * sp.sqrt(1 - u**2))
RULES[sp.asech] = rule_asech
def rule_acsch(u): return -1 / (sp.Abs(u) * sp.sqrt(1 + u**2))
RULES[sp.acsch] = rule_acsch
def rule_acoth(u): return 1 / (1 - u**2)
RULES[sp.acoth] = rule_acoth
def rule_exp(u): return sp.exp(u)
RULES[sp.exp] = rule_exp
def rule_log(u): return 1 / u
RULES[sp.log] = rule_log
_CBRT = type(parse_expression("cbrt(x)"))  # the grammar's real cube root
def rule_cbrt(u): return 1 / (3 * _CBRT(u) ** 2)
RULES[_CBRT] = rule_cbrt
def rule_abs(u): return sp.sign(u)
RULES[sp.Abs] = rule_abs
def rule_sign(u): return sp.Integer(0)
RULES[sp.sign] = rule_sign

#: Where an elementary rule's derivative does not exist although g(u) does.
UNDEFINED = {
    sp.Abs: "|u|′ = sign u is undefined where u = 0 (a corner)",
    sp.sign: "sign′ u = 0 where u ≠ 0; undefined where u = 0 (a jump)",
    _CBRT: "∛u′ is undefined where u = 0 (a vertical tangent)",
    sp.asin: "asin′ u is undefined at u = ±1 (vertical tangents at the ends)",
    sp.acos: "acos′ u is undefined at u = ±1 (vertical tangents at the ends)",
    sp.acosh: "acosh′ u is undefined at u = 1",
    sp.asec: "asec′ u is undefined at u = ±1",
    sp.acsc: "acsc′ u is undefined at u = ±1",
}


# --- the engine -------------------------------------------------------------------

@dataclass
class Step:
    rule: str                 # the rule's name, with its formula in words
    level: int                # 0 for f itself, 1 for its parts, ...
    expr: sp.Expr             # the sub-expression the rule applies to
    formula: sp.Expr          # the rule written out, parts' derivatives still to do
    result: sp.Expr | None = None
    note: str = ""            # where the derivative is undefined

    def latex(self) -> tuple[str, str, str]:
        """LaTeX of d/dx[expr], the formula and the result (sympy.latex, or a size note)."""
        return (r"\frac{d}{dx}\left[" + tex(self.expr) + r"\right]", tex(self.formula), tex(self.result))


@dataclass
class Derivation:
    steps: list[Step] = field(default_factory=list)
    result: sp.Expr | None = None
    too_long: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        """The rules' short names, in order (e.g. ["sum", "power", "sin", "chain"])."""
        return [name for s in self.steps for name in short_name(s.rule)]


_U = sp.Symbol("u")
_NAMES = {sp.Abs: "abs", _CBRT: "cbrt"}


def short_name(rule: str) -> list[str]:
    """The rule's short names: "sum", "sin", "power", plus "chain" when the chain rule is used."""
    head = rule.split(":")[0].removesuffix(" rule")
    return [head] + (["chain"] if "the chain rule" in rule else [])


class _TooLong(Exception):
    pass


def tex(expr) -> str:
    """sympy.latex of ``expr``, or a note of its size when it has over MAX_TEX_NODES nodes."""
    if expr is None:
        return ""
    n = tree_size(expr, MAX_TEX_NODES)
    return sp.latex(expr) if n <= MAX_TEX_NODES else r"\text{(a tree of over %d nodes)}" % MAX_TEX_NODES


def _step(e: sp.Expr, x, level: int, steps: list[Step], max_steps: int) -> sp.Expr:
    if len(steps) >= max_steps:
        raise _TooLong
    if x not in e.free_symbols:
        steps.append(Step("constant rule: c′ = 0", level, e, sp.Integer(0), sp.Integer(0)))
        return sp.Integer(0)
    if e == x:
        steps.append(Step("identity: x′ = 1", level, e, sp.Integer(1), sp.Integer(1)))
        return sp.Integer(1)
    rule = RULES.get(type(e))
    if rule is not None and type(e) in (sp.Add, sp.Mul, sp.Pow):
        name, formula, parts = rule(e, x)
    elif rule is not None and len(e.args) == 1:
        u = e.args[0]
        g = _NAMES.get(type(e), type(e).__name__)
        name = f"{g} rule: {g}′(u) = {sp.sstr(rule(_U))}"
        formula, parts = rule(u), []
        if u != x:
            name += ", with the chain rule: (g(u))′ = g′(u)·u′"
            formula, parts = formula * D(u, x), [u]
    else:  # nothing of our own: SymPy's diff (its size was bounded before we started)
        name, formula, parts = "SymPy's diff (no rule of our own)", sp.diff(e, x), []
    note = UNDEFINED.get(type(e), "")
    if isinstance(e, sp.Pow) and e.exp.is_number and 0 < e.exp < 1:
        note = "the derivative of a root is undefined where its base is 0 (a vertical tangent)"
    step = Step(name, level, e, formula, note=note)
    steps.append(step)
    done = {}
    for p in parts:
        if p not in done and p != x:
            done[p] = _step(p, x, level + 1, steps, max_steps)
    step.result = formula.xreplace({sp.Derivative(p, x): d for p, d in done.items()})
    return step.result


def derive(expr: sp.Expr, x: sp.Symbol = X, max_steps: int = MAX_STEPS) -> Derivation:
    """The derivation of d expr/dx by :data:`RULES`, or ``too_long`` past ``max_steps`` steps.

    Raises :class:`core.bounds.TooLarge` when the result could be too large for the server.
    """
    check_derivative_size(expr, x)
    steps: list[Step] = []
    try:
        result = _step(expr, x, 0, steps, max_steps)
    except _TooLong:
        return Derivation(steps=[], result=None, too_long=True)
    notes = list(dict.fromkeys(s.note for s in steps if s.note))
    return Derivation(steps=steps, result=result, notes=notes)
