"""The linear relaxation of a CP-SAT model, solved with PDLP and finished with GLOP (or
with GLOP alone): a proven upper bound on the model's objective, and a fractional solution
that says where the good plans are.

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
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

_BIG = 2**62  # CP-SAT's "no bound" is +-2^63; anything beyond this is infinite here


@dataclass(frozen=True)
class Relaxation:
    """The value of the LP solution found (`value`: the optimum with GLOP, within PDLP's
    tolerance of it otherwise), a proven upper bound on the model's objective (`bound`, an
    integer), and that solution's value of each model variable."""

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


def _bounds(proto: cp_model.CpModelProto) -> tuple[np.ndarray, np.ndarray]:
    """Each variable's smallest and largest value (holes in a domain are ignored)."""
    n = len(proto.variables)
    lower, upper = np.zeros(n), np.zeros(n)
    for j, var in enumerate(proto.variables):
        domain = list(var.domain)
        lower[j], upper[j] = domain[0], domain[-1]
    return lower, upper


def _rows(proto: cp_model.CpModelProto) -> _Rows:
    rows = _Rows()
    for c in proto.constraints:
        enforced = list(c.enforcement_literal)
        if c.has_linear():
            domain = list(c.linear.domain)
            terms: dict[int, float] = {}
            for var, coef in zip(c.linear.vars, c.linear.coeffs, strict=True):
                terms[var] = terms.get(var, 0.0) + coef
            if enforced:
                # Left out: the relaxation only gets weaker. (Linearised with the
                # activity's range as big M, the max_missions rows of a week bound nothing
                # more on the XL board, 63,147 either way, and slow PDLP fivefold; nor
                # does their strong form as plain rows, 14 points.)
                continue
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


# PDLP (first-order, one thread) stops at this relative gap between its primal and dual
# objectives: the bound, recomputed from its duals, is then within about 0.02% of the LP
# optimum. GLOP's simplex is exact, but on the XL board's quality LP (40,000 columns and
# a degenerate optimal face: many people with the same points) it needs 14 to 70 seconds
# where PDLP needs 2 to 4 (docs/performance.md, "The quality gap, found").
PDLP_TOLERANCE = 1e-4
# GLOP then finishes on the columns PDLP leaves above this (the others held at their lower
# bound): a vertex, with the sparse support the restricted search wants, in 2 or 3 seconds.
CROSSOVER_KEEP = 1e-2
Method = Literal["pdlp", "glop"]


class _Lp:
    """The relaxation as a pywraplp model for one solver, each column's upper bound
    settable (to hold a column at its lower bound)."""

    def __init__(
        self, name: str, rows: _Rows, c: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> None:
        solver = pywraplp.Solver.CreateSolver(name)
        assert solver is not None, name
        self.solver = solver
        self.x = [
            solver.NumVar(float(lo), float(hi), "") for lo, hi in zip(lower, upper, strict=True)
        ]
        self.constraints = [
            solver.Constraint(lo, hi) for lo, hi in zip(rows.lo, rows.hi, strict=True)
        ]
        for r, col, coef in zip(rows.row, rows.col, rows.coef, strict=True):
            self.constraints[r].SetCoefficient(self.x[col], coef)
        goal = solver.Objective()
        for j in np.flatnonzero(c).tolist():
            goal.SetCoefficient(self.x[j], float(c[j]))
        goal.SetMaximization()

    def solve(self, seconds: float) -> bool:
        self.solver.SetTimeLimit(max(1, int(1000 * seconds)))
        return bool(self.solver.Solve() == pywraplp.Solver.OPTIMAL)

    def duals(self) -> np.ndarray:
        return np.array([ct.dual_value() for ct in self.constraints])

    def values(self) -> np.ndarray:
        return np.array([v.solution_value() for v in self.x])


def lp_relaxation(
    model: cp_model.CpModel, seconds: float, method: Method = "pdlp"
) -> Relaxation | None:
    """The LP relaxation of `model`'s objective (which must be set), or None when it is not
    solved within `seconds`.

    `glop`: GLOP's simplex on the whole LP (fast on the priority LP, which is small in
    effect: its objective is over the slots alone). `pdlp`: PDLP solves it to a small
    relative tolerance, then GLOP solves it exactly over the columns PDLP uses (the rest
    held at their lower bounds), for a vertex solution. The bound is recomputed from each
    solver's duals over every column (weak duality holds for any multipliers), and the
    smaller is kept: an inexact dual only weakens it, and the restricted GLOP's duals are
    exact for the whole LP when no column left out would improve it. When GLOP does not
    finish, PDLP's solution (its traces dropped) stands."""
    deadline = time.monotonic() + seconds
    proto = model.proto
    n = len(proto.variables)
    lower, upper = _bounds(proto)
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

    def bound(y: np.ndarray) -> float:
        return min(_dual_bound(rows, y, c, lower, upper), _dual_bound(rows, -y, c, lower, upper))

    if method == "glop":
        exact = _Lp("GLOP", rows, c, lower, upper)
        if not exact.solve(deadline - time.monotonic()):
            return None
        best, solution = bound(exact.duals()), exact.values()
        if not math.isfinite(best):
            return None
        return Relaxation(float(c @ solution) + offset, math.floor(best + offset + 1e-6), solution)
    first = _Lp("PDLP", rows, c, lower, upper)
    first.solver.SetSolverSpecificParametersAsString(
        "num_threads: 1 termination_criteria { simple_optimality_criteria { "
        f"eps_optimal_relative: {PDLP_TOLERANCE} eps_optimal_absolute: {PDLP_TOLERANCE} }} }}"
    )
    if not first.solve(deadline - time.monotonic()):
        return None
    best = bound(first.duals())
    solution = first.values()
    near = solution - lower <= CROSSOVER_KEEP
    solution = np.where(near, lower, solution)
    value = float(c @ solution)
    left = deadline - time.monotonic()
    if left > 0.05:
        second = _Lp("GLOP", rows, c, lower, np.where(near, lower, upper))
        if second.solve(left):
            best = min(best, bound(second.duals()))
            solution = second.values()
            value = float(c @ solution)
    if not math.isfinite(best):
        return None
    return Relaxation(value + offset, math.floor(best + offset + 1e-6), solution)
