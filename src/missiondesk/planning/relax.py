"""The linear relaxation of a CP-SAT model, solved with GLOP: a proven upper bound on the
model's objective, and a fractional solution that says where the good plans are.

The assignment model is nearly integral: on the benchmark boards three quarters of the
person-mission pairs the LP uses are at exactly 1, so a CP-SAT search restricted to the
pairs the LP uses (and the best plan so far) finds a plan within a fraction of a percent
of the LP bound in about a second, where the full model needs a minute just to prove a
bound (its LP worker shares two cores with the search and does not converge in time).

The bound does not trust the LP solver's arithmetic: it is recomputed from the LP's dual
values by weak duality, which holds for any multipliers, so a slightly wrong dual only
weakens it. Constraints the conversion does not know are left out, which only weakens it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

_BIG = 2**62  # CP-SAT's "no bound" is +-2^63; anything beyond this is infinite here


@dataclass(frozen=True)
class Relaxation:
    """The LP optimum of a maximisation (`value`), a proven upper bound on the model's
    objective (`bound`, an integer), and the LP's value of each model variable."""

    value: float
    bound: int
    solution: np.ndarray


class _Rows:
    """Rows lo <= sum coef * var <= hi over the model's variables, as flat arrays."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.row: list[int] = []
        self.col: list[int] = []
        self.coef: list[float] = []

    def add(self, terms: dict[int, float], lo: float, hi: float) -> None:
        r = len(self.lo)
        self.lo.append(lo)
        self.hi.append(hi)
        for var, coef in terms.items():
            if coef:
                self.row.append(r)
                self.col.append(var)
                self.coef.append(coef)

    def literals(self, refs: list[int], lo: float, hi: float) -> None:
        """sum of literals in [lo, hi]; a negated literal is 1 - var."""
        terms: dict[int, float] = {}
        shift = 0.0
        for ref in refs:
            if ref >= 0:
                terms[ref] = terms.get(ref, 0.0) + 1.0
            else:
                terms[-ref - 1] = terms.get(-ref - 1, 0.0) - 1.0
                shift += 1.0
        self.add(terms, lo - shift, hi - shift)


def _finite(value: int) -> float:
    return -math.inf if value <= -_BIG else math.inf if value >= _BIG else float(value)


def _rows(proto: cp_model.CpModelProto) -> _Rows:
    rows = _Rows()
    for c in proto.constraints:
        enforced = list(c.enforcement_literal)
        if c.has_linear():
            if enforced:
                continue  # left out: the relaxation only gets weaker
            domain = list(c.linear.domain)
            terms: dict[int, float] = {}
            for var, coef in zip(c.linear.vars, c.linear.coeffs, strict=True):
                terms[var] = terms.get(var, 0.0) + coef
            rows.add(terms, _finite(domain[0]), _finite(domain[-1]))
        elif c.has_at_most_one():
            rows.literals(list(c.at_most_one.literals), -math.inf, 1.0)
        elif c.has_exactly_one():
            rows.literals(list(c.exactly_one.literals), 1.0, 1.0)
        elif c.has_bool_and():
            # every enforcement literal implies each literal: lit - enf >= 0
            for lit in c.bool_and.literals:
                for enf in enforced:
                    rows.literals([lit, -enf - 1], 1.0, math.inf)
        elif c.has_bool_or():
            rows.literals([*c.bool_or.literals, *(-e - 1 for e in enforced)], 1.0, math.inf)
    return rows


def _dual_bound(
    rows: _Rows, y: np.ndarray, c: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> float:
    """max c.x over lo <= Ax <= hi, lower <= x <= upper is at most
    sum_i y_i (Ax)_i's largest value + sum_j max over x_j's bounds of (c - A'y)_j x_j."""
    lo, hi = np.array(rows.lo), np.array(rows.hi)
    y = np.where(np.abs(y) < 1e-12, 0.0, y)
    with np.errstate(invalid="ignore"):
        row_part = np.where(y > 0, y * hi, np.where(y < 0, y * lo, 0.0))
    reduced = c.copy()
    np.add.at(reduced, np.array(rows.col, dtype=np.int64), -np.array(rows.coef) * y[rows.row])
    var_part = np.maximum(reduced * lower, reduced * upper)
    total = float(row_part.sum() + var_part.sum())
    return total if math.isfinite(total) else math.inf


def lp_relaxation(model: cp_model.CpModel, seconds: float) -> Relaxation | None:
    """The LP relaxation of `model`'s objective (which must be set), or None when GLOP does
    not solve it to optimality within `seconds`."""
    proto = model.proto
    n = len(proto.variables)
    lower, upper = np.zeros(n), np.zeros(n)
    for j, var in enumerate(proto.variables):
        domain = list(var.domain)
        lower[j], upper[j] = domain[0], domain[-1]
    objective = proto.objective
    # A maximisation is stored as scaling_factor -1 on the negated coefficients: the
    # objective's value is scale * (coeffs . x + offset) either way.
    scale = objective.scaling_factor
    if scale >= 0:
        return None  # only maximisations here
    c = np.zeros(n)
    for var, coef in zip(objective.vars, objective.coeffs, strict=True):
        c[var] += scale * coef
    offset = scale * objective.offset
    rows = _rows(proto)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    solver.SetTimeLimit(max(1, int(1000 * seconds)))
    x = [solver.NumVar(float(lower[j]), float(upper[j]), "") for j in range(n)]
    constraints = [solver.Constraint(lo, hi) for lo, hi in zip(rows.lo, rows.hi, strict=True)]
    for r, col, coef in zip(rows.row, rows.col, rows.coef, strict=True):
        constraints[r].SetCoefficient(x[col], coef)
    goal = solver.Objective()
    for j in np.flatnonzero(c).tolist():
        goal.SetCoefficient(x[j], float(c[j]))
    goal.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    y = np.array([ct.dual_value() for ct in constraints])
    best = min(_dual_bound(rows, y, c, lower, upper), _dual_bound(rows, -y, c, lower, upper))
    if not math.isfinite(best):
        return None
    value = goal.Value()
    solution = np.array([v.solution_value() for v in x])
    return Relaxation(value + offset, math.floor(best + offset + 1e-6), solution)
