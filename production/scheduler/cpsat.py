"""The CP-SAT model of the flexible job shop and the solve loop around it.

One model serves the factory and the `.fjs` benchmark: an operation has a start and an end variable and
one optional interval per capable line (presence literals, exactly one present); a no-overlap per line;
where a line has changeovers, a circuit per line over its present operations whose arcs carry the
changeover delay and cost; shift windows restrict the start of each optional interval to the starts that
fit inside one window; frozen operations are constants. The objective is lexicographic: weighted
tardiness, then changeover time, then makespan, folded into one weighted sum whose weights keep the
order.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from .problem import Objective, Placement, Problem, ProblemError, Schedule
from .problem import allowed_starts as _allowed_starts

Progress = Callable[[int, int, float], None]
"""progress(objective, bound, elapsed_seconds), called at each improving solution."""


@dataclass
class SolveResult:
    """The answer of a solve.

    `status` is "OPTIMAL", "FEASIBLE" (a schedule, not proven optimal) or "INFEASIBLE"/"UNKNOWN" (no
    schedule: `schedule` is None). `objective` is the folded objective value and `lower_bound` a proven
    bound on it; for a problem without due dates and changeovers both are makespans. `terms` splits the
    objective into its parts. A problem solved by windows (too large for one model, or whose folded
    objective would overflow 64 bits) has no folded value: `objective` and `lower_bound` are None and
    `terms` says everything.
    """

    status: str
    schedule: Schedule | None
    objective: int | None
    lower_bound: int | None
    terms: Objective | None
    seconds: float
    history: list[tuple[float, int]] = field(default_factory=list)
    method: str = "model"  # "model", "model+tabu" or "windows" (see `solve`)
    notes: list[str] = field(default_factory=list)  # what the planner may want to know (a warm start refused...)


@dataclass(frozen=True)
class Weights:
    """Weights of the folded objective: tardiness * wt + changeover * co + makespan * mk."""

    tardiness: int
    changeover: int
    makespan: int

    def fold(self, terms: Objective) -> int:
        return (
            self.tardiness * terms.weighted_tardiness
            + self.changeover * terms.changeover
            + self.makespan * terms.makespan
        )


def lexicographic_weights(problem: Problem, horizon: int) -> Weights:
    """Weights that make the folded objective lexicographic: tardiness, then changeover, then makespan.

    One unit of changeover outweighs any makespan (at most `horizon`), one unit of tardiness outweighs
    any total changeover plus makespan.
    """
    has_due = any(job.due is not None for job in problem.jobs)
    max_changeover = 0
    if problem.has_changeovers:
        worst = max(t for line in problem.lines for t in line.changeovers.values())
        max_changeover = worst * problem.n_operations()
    co = horizon + 1 if max_changeover else 0
    wt = (co * max_changeover + horizon + 1) if has_due else 0
    worst_tardiness = sum(job.weight for job in problem.jobs if job.due is not None) * horizon
    if wt * worst_tardiness + co * max_changeover + horizon >= 1 << 62:
        raise ProblemError("the lexicographic objective overflows 64 bits: pass explicit Weights")
    return Weights(tardiness=wt, changeover=co, makespan=1)


class FjspModel:
    """The CP-SAT model of a problem; `fixed_order` may impose an order of operations on each line.

    Variables: `start[j][o]`, `end[j][o]`, `present[j][o][line]` (a literal or True), `makespan`, and the
    objective expression in `objective`.
    """

    def __init__(
        self,
        problem: Problem,
        horizon: int,
        weights: Weights | None = None,
        redundant: bool = True,
        keep: Schedule | None = None,
        relaxed: set[tuple[int, int]] | None = None,
    ):
        self.problem = problem
        # With `keep`, every operation not in `relaxed` stays on its line of `keep`, in the same order
        # relative to the other kept operations of that line; its time is free (a neighbourhood of LNS).
        self.keep = keep if relaxed is not None else None
        self.relaxed = relaxed
        self.horizon = horizon
        self.weights = weights or lexicographic_weights(problem, horizon)
        m = self.model = cp_model.CpModel()
        self.start: list[list[cp_model.IntVar]] = []
        self.end: list[list[cp_model.IntVar]] = []
        self.present: list[list[dict[int, object]]] = []
        self.durations: list[list[dict[int, int]]] = []
        per_line: dict[int, list[tuple[int, int, object, object]]] = {li: [] for li in range(len(problem.lines))}
        heads = [self._heads(job) for job in problem.jobs]
        tails = [self._tails(job) for job in problem.jobs]
        for j, job in enumerate(problem.jobs):
            starts, ends, presents, durs = [], [], [], []
            for o, op in enumerate(job.operations):
                options = self._options(j, o)
                lo = max(job.release, heads[j][o]) if op.frozen is None else op.frozen.start
                hi = horizon - tails[j][o] if op.frozen is None else op.frozen.start
                s = m.new_int_var(lo, max(lo, hi - min(options.values())), f"s{j}_{o}")
                e = m.new_int_var(lo + min(options.values()), max(lo + min(options.values()), hi), f"e{j}_{o}")
                lits: dict[int, object] = {}
                if len(options) == 1:
                    ((line, d),) = options.items()
                    interval = m.new_interval_var(s, d, e, f"i{j}_{o}")
                    lits[line] = True
                    if op.frozen is None:  # a started operation stays where it is, break or not
                        self._restrict_to_shifts(s, line, d, None)
                    per_line[line].append((j, o, interval, True))
                else:
                    for line, d in options.items():
                        lit = m.new_bool_var(f"x{j}_{o}_{line}")
                        interval = m.new_optional_interval_var(s, d, e, lit, f"i{j}_{o}_{line}")
                        self._restrict_to_shifts(s, line, d, lit)
                        lits[line] = lit
                        per_line[line].append((j, o, interval, lit))
                    m.add_exactly_one(lits.values())
                    if redundant:
                        m.add(e == s + sum(d * lits[line] for line, d in options.items()))
                if o > 0:
                    m.add(s >= ends[-1])
                starts.append(s)
                ends.append(e)
                presents.append(lits)
                durs.append(options)
            self.start.append(starts)
            self.end.append(ends)
            self.present.append(presents)
            self.durations.append(durs)
        if self.keep is not None:
            for ps in self.keep.by_line().values():
                kept = [p for p in ps if (p.job, p.op) not in self.relaxed]
                for a, b in zip(kept, kept[1:]):
                    m.add(self.start[b.job][b.op] >= self.end[a.job][a.op])
        self.changeover_terms = []
        for li, items in per_line.items():
            if not items:
                continue
            m.add_no_overlap([it[2] for it in items])
            if self._line_has_changeovers(li, items):
                self._add_circuit(li, items)
        self.makespan = m.new_int_var(0, horizon, "makespan")
        m.add_max_equality(self.makespan, [ends[-1] for ends in self.end])
        tardiness = []
        for j, job in enumerate(problem.jobs):
            if job.due is not None and job.weight > 0:
                t = m.new_int_var(0, horizon, f"t{j}")
                m.add(t >= self.end[j][-1] - job.due)
                tardiness.append(job.weight * t)
        if redundant:
            self._add_bounds()
        w = self.weights
        self.tardiness_expr = sum(tardiness)
        self.changeover_expr = sum(self.changeover_terms)
        self.objective = w.tardiness * self.tardiness_expr + w.changeover * self.changeover_expr + w.makespan * self.makespan
        m.minimize(self.objective)

    def _options(self, j: int, o: int) -> dict[int, int]:
        op = self.problem.jobs[j].operations[o]
        options = op.lines()
        if self.keep is not None and (j, o) not in self.relaxed:
            line = self.keep.placements[(j, o)].line
            options = {line: options[line]}
        line_shifts = {li: self.problem.lines[li].shifts for li in options}
        usable = {
            li: d
            for li, d in options.items()
            if op.frozen is not None or line_shifts[li] is None or _allowed_starts(line_shifts[li], d, self.horizon)
        }
        if not usable:
            raise ProblemError(f"job {j} operation {o} fits in no shift window of its lines")
        return usable

    def _heads(self, job) -> list[int]:
        heads, t = [], job.release
        for op in job.operations:
            heads.append(t)
            t += min(op.lines().values())
        return heads

    def _tails(self, job) -> list[int]:
        tails, t = [], 0
        for op in reversed(job.operations):
            tails.append(t)
            t += min(op.lines().values())
        return tails[::-1]

    def _restrict_to_shifts(self, s, line: int, d: int, lit) -> None:
        shifts = self.problem.lines[line].shifts
        if shifts is None:
            return
        domain = cp_model.Domain.from_intervals(_allowed_starts(shifts, d, self.horizon))
        constraint = self.model.add_linear_expression_in_domain(s, domain)
        if lit is not None:
            constraint.only_enforce_if(lit)

    def _line_has_changeovers(self, li: int, items) -> bool:
        line = self.problem.lines[li]
        variants = {self.problem.jobs[j].variant for j, _, _, _ in items}
        return any(line.changeover(a, b) > 0 for a in variants for b in variants)

    def _add_circuit(self, li: int, items) -> None:
        """Sequence the present operations of a line in a circuit; an arc i -> j delays j by the changeover."""
        m = self.model
        line = self.problem.lines[li]
        arcs = [(0, 0, m.new_bool_var(""))]  # the line may stay empty
        for k, (j, o, _, lit) in enumerate(items):
            node = k + 1
            present = lit if lit is not True else None
            first = m.new_bool_var("")
            last = m.new_bool_var("")
            arcs.append((0, node, first))
            arcs.append((node, 0, last))
            if present is not None:
                arcs.append((node, node, present.Not()))
            for k2, (j2, o2, _, _) in enumerate(items):
                if k2 == k:
                    continue
                arc = m.new_bool_var("")
                arcs.append((node, k2 + 1, arc))
                setup = line.changeover(self.problem.jobs[j].variant, self.problem.jobs[j2].variant)
                both_frozen = self._frozen(j, o) and self._frozen(j2, o2)
                if not both_frozen:  # two frozen operations are the floor's record (see the checker)
                    m.add(self.start[j2][o2] >= self.end[j][o] + setup).only_enforce_if(arc)
                if setup:
                    self.changeover_terms.append(setup * arc)
        m.add_circuit(arcs)

    def _frozen(self, j: int, o: int) -> bool:
        return self.problem.jobs[j].operations[o].frozen is not None

    def _add_bounds(self) -> None:
        """Redundant load bounds: a machine-independent energy bound helps the LP and the bound."""
        p = self.problem
        lower = max(job.release + sum(min(op.lines().values()) for op in job.operations) for job in p.jobs)
        total = sum(min(op.lines().values()) for job in p.jobs for op in job.operations)
        lower = max(lower, math.ceil(total / max(1, len(p.lines))))
        if lower <= self.horizon:
            self.model.add(self.makespan >= lower)

    def add_hint(self, schedule: Schedule) -> None:
        """Hint every variable from a complete schedule."""
        m = self.model
        m.clear_hints()
        for (j, o), pl in schedule.placements.items():
            m.add_hint(self.start[j][o], pl.start)
            m.add_hint(self.end[j][o], pl.end)
            for line, lit in self.present[j][o].items():
                if lit is not True:
                    m.add_hint(lit, line == pl.line)

    def read(self, solver: cp_model.CpSolver) -> Schedule:
        placements = {}
        for j, job in enumerate(self.problem.jobs):
            for o in range(len(job.operations)):
                line = next(li for li, lit in self.present[j][o].items() if lit is True or solver.boolean_value(lit))
                placements[(j, o)] = Placement(j, o, line, solver.value(self.start[j][o]), solver.value(self.end[j][o]))
        return Schedule(placements)


def _longest_wait(shifts, duration: int) -> int:
    """The longest an operation of `duration` can wait, from any moment, for a shift it fits in."""
    if shifts is None:
        return 0
    fitting = sorted((a, b) for a, b in shifts if b - a >= duration)
    if not fitting:
        return 0  # it never runs on this line: the model leaves that alternative out
    wait = fitting[0][0]
    for (_, end), (start, _) in zip(fitting, fitting[1:]):
        # Just too late to start before `end`: wait for the next window that is long enough.
        wait = max(wait, start - (end - duration))
    return wait


def loose_horizon(problem: Problem) -> int:
    """An upper bound on the end of a left-justified schedule: every operation in a row, each after the
    worst changeover and the longest wait for a shift it fits in, on its slowest line."""
    frozen_end = max(
        (op.frozen.end for job in problem.jobs for op in job.operations if op.frozen is not None), default=0
    )
    worst_changeover = max((t for line in problem.lines for t in line.changeovers.values()), default=0)
    work = sum(
        worst_changeover + max(d + _longest_wait(problem.lines[li].shifts, d) for li, d in op.lines().items())
        for job in problem.jobs
        for op in job.operations
    )
    return max([frozen_end] + [job.release for job in problem.jobs]) + work


def exact_bound(response) -> int:
    """The proven lower bound of an integer objective, exactly.

    The solver reports its objective and bound as doubles: 213 may come back as 212.99999999999997, and
    `int()` of it (212) once left tiny problems unproven (the value of their schedule, 213, never met a
    bound of 212). Its inner bound is the integer itself; the double is only a cross-check (it cannot
    hold integers beyond 2**53 exactly), and when the two disagree the lower of the two is kept.
    """
    exact = response.inner_objective_lower_bound
    approx = response.best_objective_bound
    if abs(exact - approx) <= 1 + 1e-9 * abs(approx):
        return exact
    return min(exact, math.floor(approx))


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, objective, progress: Progress | None, t0: float):
        super().__init__()
        self.objective, self.progress, self.t0 = objective, progress, t0
        self.history: list[tuple[float, int]] = []

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.t0
        objective = self.value(self.objective)  # exact: the double `objective_value` may be 1 ulp short
        self.history.append((elapsed, objective))
        if self.progress is not None:
            self.progress(objective, math.floor(self.best_objective_bound + 1e-6), elapsed)


def run_model(
    fm: FjspModel,
    *,
    time_limit: float,
    workers: int,
    progress: Progress | None = None,
    t0: float | None = None,
    seed: int = 0,
    incumbent: "_Incumbent | None" = None,
    global_bound: bool = False,
    review: tuple[float, Callable[[], bool]] | None = None,
    subsolvers: tuple[str, ...] = (),
) -> tuple[str, Schedule | None, int | None, int | None, list]:
    """Solve one FjspModel; return (status, schedule, objective, bound, history), all in exact integers.

    With an `incumbent`, the solve stops as soon as the incumbent is proven optimal (by this solve or
    by another thread); with `global_bound` (the full model, not a neighbourhood), each bound the solver
    proves is passed on to the incumbent as it comes. With `review` = (seconds, keep_going), the solve
    stops after `seconds` unless keep_going() says otherwise then. `subsolvers` names the solver's
    full searches, as many as its workers allow (the solver's own choice when empty).
    """
    t0 = time.perf_counter() if t0 is None else t0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    for name in subsolvers:
        solver.parameters.subsolvers.append(name)
    if incumbent is not None and global_bound:
        solver.best_bound_callback = incumbent.raise_float_bound
    watcher = _Watcher(fm.objective, progress, t0)
    if incumbent is not None:
        incumbent.attach(solver)
    timer = None
    if review is not None:
        seconds, keep_going = review
        timer = threading.Timer(seconds, lambda: keep_going() or solver.stop_search())
        timer.daemon = True
        timer.start()
    try:
        status = solver.solve(fm.model, watcher)
    finally:
        if timer is not None:
            timer.cancel()
        if incumbent is not None:
            incumbent.detach(solver)
    name = solver.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = solver.value(fm.objective)
        bound = value if status == cp_model.OPTIMAL else min(value, exact_bound(solver.response_proto))
        return name, fm.read(solver), value, bound, watcher.history
    return name, None, None, None, watcher.history


def solve_plain(
    problem: Problem, *, time_limit: float = 10.0, workers: int = 2, progress: Progress | None = None
) -> SolveResult:
    """BASELINE for the benchmark: the plain CP-SAT model alone (no warm start, no redundant
    constraints, no search around it, default parameters). Compare `solve` against it."""
    t0 = time.perf_counter()
    problem.validate()
    fm = FjspModel(problem, loose_horizon(problem), redundant=False)
    status, schedule, objective, bound, history = run_model(
        fm, time_limit=time_limit, workers=workers, t0=t0, progress=progress
    )
    terms = schedule.objective(problem) if schedule else None
    return SolveResult(status, schedule, objective, bound, terms, time.perf_counter() - t0, history)


def _critical_ops(problem: Problem, schedule: Schedule) -> set[tuple[int, int]]:
    """Operations on a critical path: walk back from the last end through tight job or line links."""
    by_end: dict[tuple[int, int], list] = {}
    for ps in schedule.by_line().values():
        for a, b in zip(ps, ps[1:]):
            by_end.setdefault((b.job, b.op), []).append(a)
    last = max(schedule.placements.values(), key=lambda p: p.end)
    path, stack = set(), [last]
    while stack:
        p = stack.pop()
        key = (p.job, p.op)
        if key in path:
            continue
        path.add(key)
        if p.op > 0:
            q = schedule.placements[(p.job, p.op - 1)]
            if q.end == p.start:
                stack.append(q)
        for q in by_end.get(key, []):
            if q.end + problem.lines[p.line].changeover(problem.jobs[q.job].variant, problem.jobs[p.job].variant) >= p.start:
                stack.append(q)
    return path


def _neighbourhood(problem: Problem, schedule: Schedule, size: int, rng: random.Random) -> set[tuple[int, int]]:
    """About `size` operations to set free: a time window, a few lines, a few jobs, or a critical path."""
    placements = list(schedule.placements.values())
    movable = [p for p in placements if problem.jobs[p.job].operations[p.op].frozen is None]
    size = min(size, len(movable))
    kind = rng.random()
    if kind < 0.4:
        ordered = sorted(movable, key=lambda p: p.start)
        first = rng.randrange(0, len(ordered) - size + 1)
        chosen = ordered[first : first + size]
    elif kind < 0.6:
        lines = list({p.line for p in movable})
        rng.shuffle(lines)
        chosen = []
        for line in lines:
            if len(chosen) >= size:
                break
            chosen += [p for p in movable if p.line == line]
    elif kind < 0.8:
        jobs = list({p.job for p in movable})
        rng.shuffle(jobs)
        chosen = []
        for j in jobs:
            if len(chosen) >= size:
                break
            chosen += [p for p in movable if p.job == j]
    else:
        critical = [schedule.placements[k] for k in _critical_ops(problem, schedule)]
        critical = [p for p in critical if problem.jobs[p.job].operations[p.op].frozen is None]
        rng.shuffle(critical)
        chosen = critical[: size // 2]
        rest = [p for p in movable if p not in chosen]
        chosen += rng.sample(rest, min(len(rest), size - len(chosen)))
    return {(p.job, p.op) for p in chosen}


NEAR_PROOF = 0.01


class _Incumbent:
    """The best schedule found so far by any thread, its value, the proven bound and the history.

    The value is the folded objective under `weights`, or the terms (tardiness, changeover, makespan)
    compared in order when there are no weights. Every schedule offered goes through the checker first:
    one that breaks a rule is refused (and counted), whoever made it.
    """

    def __init__(self, problem: Problem, weights: Weights | None, schedule: Schedule, progress: Progress | None, t0: float):
        from .checker import violations

        self.violations = violations
        self.problem, self.weights, self.progress, self.t0 = problem, weights, progress, t0
        self.lock = threading.Lock()
        self.schedule, self.value = schedule, self.rank(schedule)
        self.bound = 0
        self.refused = 0
        self.history: list[tuple[float, int]] = []
        self.solvers: set = set()  # running solves, stopped once the incumbent is proven optimal
        self._report()

    def attach(self, solver) -> None:
        with self.lock:
            self.solvers.add(solver)
            if self.closed:
                solver.stop_search()

    def detach(self, solver) -> None:
        with self.lock:
            self.solvers.discard(solver)

    def _stop_if_closed(self) -> None:
        """Called under the lock: nothing can do better than a proven optimum."""
        if self.closed:
            for solver in self.solvers:
                solver.stop_search()

    def rank(self, schedule: Schedule):
        terms = schedule.objective(self.problem)
        if self.weights is not None:
            return self.weights.fold(terms)
        return terms.weighted_tardiness, terms.changeover, terms.makespan

    def headline(self) -> int:
        """One number for the progress bar: the folded value, or the first term that can be non-zero."""
        if self.weights is not None:
            return self.value
        p = self.problem
        if any(job.due is not None for job in p.jobs):
            return self.value[0]
        return self.value[1] if p.has_changeovers else self.value[2]

    def _report(self) -> None:
        elapsed = time.perf_counter() - self.t0
        self.history.append((elapsed, self.headline()))
        if self.progress is not None:
            self.progress(self.headline(), self.bound, elapsed)

    def offer(self, schedule: Schedule, value=None) -> bool:
        """Keep `schedule` if it is better and passes the checker; return True if it was kept."""
        value = self.rank(schedule)
        with self.lock:
            if value >= self.value:
                return False
        if self.violations(self.problem, schedule):
            with self.lock:
                self.refused += 1
            return False
        with self.lock:
            if value >= self.value:
                return False
            self.schedule, self.value = schedule, value
            self._report()
            self._stop_if_closed()
            return True

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.bound = max(self.bound, bound)
            self._stop_if_closed()

    def near_proof(self) -> bool:
        """Whether the proven bound is within NEAR_PROOF of the best value (folded objective only)."""
        with self.lock:
            return self.weights is not None and self.bound > 0 and self.value - self.bound <= NEAR_PROOF * self.value

    def raise_float_bound(self, bound: float) -> None:
        """A bound as the solver streams it (a double, see `exact_bound`): taken only where a double
        holds every integer, so that rounding can never prove more than the solver did."""
        if abs(bound) < 2**50:
            self.raise_bound(math.floor(bound + 1e-6))

    @property
    def closed(self) -> bool:
        return self.weights is not None and self.value <= self.bound


def _search(
    problem: Problem,
    horizon: int,
    weights: Weights,
    best: _Incumbent,
    deadline: float,
    workers: int,
    rng: random.Random,
    full_share: float,
    hinted: bool = True,
    subsolvers: tuple[str, ...] = (),
) -> None:
    """A full-model solve (bound and improvement) then large-neighbourhood search, until the deadline.

    `hinted=False` leaves the full model to the solver's own search: on job shops a hint from the
    dispatcher holds its first workers near that schedule, and the plain model without it did better.
    """
    fm = FjspModel(problem, horizon, weights, redundant=hinted)
    if hinted:
        fm.add_hint(best.schedule)
    # The full model runs to the deadline if, after its share, the gap is small: it is near a proof,
    # which the neighbourhoods cannot give (Hurink abz5 rdata: proven by the full model in 30 s).
    budget = deadline - time.perf_counter()
    status, schedule, value, lb, _ = run_model(
        fm, time_limit=budget, workers=workers, seed=rng.randrange(1 << 20), incumbent=best, global_bound=True,
        review=(min(budget, full_share), best.near_proof), subsolvers=subsolvers,
    )  # fmt: skip
    if lb is not None:
        best.raise_bound(lb)
    if schedule is not None:
        best.offer(schedule, value)
    if status == "OPTIMAL":
        best.raise_bound(value)
    n_ops = problem.n_operations()
    size = max(4, n_ops // 4)
    while not best.closed and time.perf_counter() < deadline - 0.05:
        current, current_value = best.schedule, best.value
        relaxed = _neighbourhood(problem, current, size, rng)
        sub = FjspModel(problem, horizon, weights, keep=current, relaxed=relaxed)
        sub.add_hint(current)
        sub.model.add(sub.objective <= current_value)
        budget = min(1.0, deadline - time.perf_counter())
        status, schedule, value, _, _ = run_model(
            sub, time_limit=budget, workers=workers, seed=rng.randrange(1 << 20), incumbent=best
        )
        # Grow the neighbourhood while its optimum comes fast, shrink it when the solver runs out of time.
        if status == "OPTIMAL":
            size = min(n_ops, size + max(1, size // 10))
        else:
            size = max(4, size - max(1, size // 10))
        if schedule is not None:
            best.offer(schedule, value)


JOB_SHOP_FLEXIBILITY = 1.25

# The full search of the model beside the tabu, which finds the schedules. With two workers the solver
# runs one full search and gives the other worker to neighbourhood searches; its own full search, with the
# default linear relaxation, found no proof of Brandimarte MK02 in 30 s, where the fuller relaxation
# ("max_lp") proves its 26 in a few seconds.
PROVING_SEARCH = ("max_lp",)

# Tabu searches beside the model, each on its own seed, sharing the best schedule when they restart. The
# compiled search runs without the interpreter lock: on two cores two of them beside the model's two
# workers found MK06's 57 and 199 on MK10 where one found 58 and 201 (30 s each, load 2-3).
TABU_THREADS = 2
# The tabu threads run at a lower priority (nice 5) than the model's workers, which prove the bound: with
# all four equal, MK02's proof took 6-42 s (nine runs, mean 14 s); at nice 5, 2.4-8.6 s (six, mean 5.9 s).
TABU_NICE = 5


def job_shop_like(problem: Problem) -> bool:
    """Whether the problem is a job shop or nearly one: at most JOB_SHOP_FLEXIBILITY lines per operation
    on average (Hurink's edata sets have 1.13-1.21, Brandimarte's 1.43-4.1)."""
    counts = [len(op.lines()) for job in problem.jobs for op in job.operations]
    return sum(counts) <= JOB_SHOP_FLEXIBILITY * len(counts)


BATCHED_SHARE = 0.5


def _batched_starts(problem: Problem, best: _Incumbent, until: float) -> str:
    """Offer the batched plans (`batching.GRID`) to `best` while the next one should be done by `until`.

    On a large backlog a window moves a few dozen operations at a time, while a batched plan reorders
    every line at once by urgency and variant: on 2,000 jobs one such plan cut the dispatcher's weighted
    tardiness a hundredfold, more than a minute of windows. Each plan takes seconds there, so they are
    tried in the grid's order only while the time of the last one still fits; each goes through the
    checker (`offer`). Returns a note for the run, or "" if none was tried."""
    from .batching import GRID, batch_dispatch

    tried = kept = 0
    last = 0.0
    for k1, k2, overflow in GRID:
        t = time.perf_counter()
        if t + last > until:
            break
        try:
            candidate = batch_dispatch(problem, k1, k2, overflow)
        except ProblemError:
            break
        tried += 1
        kept += best.offer(candidate)
        last = time.perf_counter() - t
    return f"{tried} batched plans tried, {kept} kept" if tried else ""


def _tabu_threads(problem: Problem, start: Schedule, best: _Incumbent, deadline: float, seed: int, count: int):
    """`count` tabu searches from `start`, started in threads, each on its own seed: they offer what they
    find to `best`, restart from it when it is better than their own, and stop at the deadline or when
    `best` is proven."""
    from .tabu import TabuSearch

    def search(seed: int) -> None:
        try:  # Linux: a thread's own id takes a priority of its own
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TABU_NICE)
        except (AttributeError, OSError):
            pass
        TabuSearch(problem, start, seed=seed).run(
            deadline,
            stop=lambda: best.closed,
            on_improve=lambda schedule, value: best.offer(schedule),
            incumbent=lambda: (best.schedule, best.value),
        )

    threads = [threading.Thread(target=search, args=(seed + i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _overflows(problem: Problem, horizon: int) -> bool:
    try:
        lexicographic_weights(problem, horizon)
    except ProblemError:
        return True
    return False


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Progress | None = None,
    hint: Schedule | None = None,
    weights: Weights | None = None,
    seed: int = 0,
) -> SolveResult:
    """Schedule `problem` with CP-SAT under `time_limit` seconds on `workers` threads.

    Warm start: the dispatcher's schedule, or `hint` if it passes the checker and is no worse (a hint
    that breaks a rule is set aside, and a note says so). The answer is never worse than the dispatcher's
    by the order of the objective (tardiness, changeover, makespan), and every schedule goes through the
    checker before it is kept. On a large problem a checked hint is the start without running the
    dispatcher again (the answer is then never worse than the hint).

    - A problem one model can hold: a full-model solve proves the lower bound and improves the start;
      then, unless it is within NEAR_PROOF of a proof by then, large-neighbourhood search re-optimizes a
      part of the best schedule at a time (a time window, some lines, some jobs, or a critical path:
      the rest keeps its lines and order) until the time is up or the bound is reached.
    - When only the makespan counts (no shifts, changeovers, due dates or frozen operations): a job
      shop, or nearly one (`job_shop_like`), runs the plain model (as `solve_plain`: no hint, no
      redundant constraints) on every worker for the whole time; a flexible one runs the tabu search
      on the critical path beside the full model on every worker for the whole time, both sharing the
      best schedule, and a schedule that meets the model's bound stops both.
    - A problem too large for one model, or whose folded objective would overflow 64 bits (thousands
      of jobs): the batched plans while they fit in half the time, then windows of a few hundred
      operations re-optimized in turn, everything else fixed (`window`).

    `progress(objective, bound, elapsed)` is called at each improvement. Raises ProblemError if the
    problem is malformed or infeasible.
    """
    from .checker import violations
    from .dispatcher import dispatch
    from .window import improve, is_large

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    problem.validate()
    rng = random.Random(seed)
    notes: list[str] = []

    def lexicographic(schedule: Schedule) -> tuple[int, int, int]:
        t = schedule.objective(problem)
        return t.weighted_tardiness, t.changeover, t.makespan

    usable = None
    if hint is not None:
        broken = violations(problem, hint)
        if broken:
            notes.append(f"the warm start was set aside: {broken[0]}")
        else:
            usable = hint
    if usable is not None and is_large(problem):
        # Thousands of jobs: the dispatcher's own plan costs seconds the windows need; the warm start
        # (the plan in force, itself made by the dispatcher's placements) stands in for it.
        start = usable
    else:
        start = dispatch(problem)
        if usable is not None and lexicographic(usable) <= lexicographic(start):
            start = usable
    makespan_only = problem.makespan_only()  # the tabu's case; numba is imported only where it runs
    large = weights is None and is_large(problem)
    if not large:
        horizon = start.makespan() if makespan_only else max(start.makespan(), loose_horizon(problem))
        large = weights is None and _overflows(problem, horizon)
    if large:
        best = _Incumbent(problem, None, start, progress, t0)
        batched = _batched_starts(problem, best, t0 + BATCHED_SHARE * time_limit)
        if batched:
            notes.append(batched)
        counts = improve(problem, best, deadline, workers, rng)
        notes.append(f"{counts['windows']} windows, {counts['improved']} improved")
        if best.refused:
            notes.append(f"{best.refused} schedules refused by the checker")
        return SolveResult(
            "FEASIBLE", best.schedule, None, None, best.schedule.objective(problem), time.perf_counter() - t0,
            best.history, "windows", notes,
        )  # fmt: skip
    weights = weights or lexicographic_weights(problem, horizon)
    best = _Incumbent(problem, weights, start, progress, t0)
    method = "model"
    if makespan_only and job_shop_like(problem):
        # A job shop (one line per operation, or nearly): little to assign, mostly sequences. The solver's
        # own portfolio on the plain model (no hint, no redundant constraints, the same horizon as
        # `solve_plain`), every worker on it for the whole time, does best here: the dispatcher's hint
        # held its search near a poor schedule (Dauzere-Peres 01a at 10 s: 2,968 hinted, 2,712 not), and
        # the tabu's moves and the neighbourhoods of the flexible case cost it time it needs (the tabu
        # joining after a quarter of the time gained on Dauzere-Peres 07a/10a at load 20 and lost on
        # 01a-10a at load 4-7, where the model alone reaches 01a within 0.5 %; the compiled pair of the
        # flexible case, on six near job shops, won two and lost three; one compiled tabu beside this
        # model won three and lost three against the plain model). The dispatcher's schedule stays the
        # incumbent until the model beats it.
        method = "model (job shop)"
        horizon = max(horizon, loose_horizon(problem))
        _search(problem, horizon, weights, best, deadline, workers, rng, time_limit, hinted=False)
    elif makespan_only and workers >= 2:
        # Flexible: the tabu searches (TABU_THREADS, compiled) find schedules, the full model on every worker
        # for the whole time proves the bound and improves too (a schedule that meets the bound stops
        # both). Neighbourhoods of the best added nothing beside the tabu (MK05-07, MK10 at 20 s) and
        # cost the model the proof (Hurink abz5 rdata).
        method = "model+tabu"
        helper = threading.Thread(
            target=_search,
            args=(problem, horizon, weights, best, deadline, workers, random.Random(rng.random()), time_limit),
            kwargs={"subsolvers": PROVING_SEARCH if workers == 2 else ()},
            daemon=True,
        )
        helper.start()
        searches = _tabu_threads(problem, start, best, deadline, seed, TABU_THREADS)
        for thread in searches + [helper]:
            thread.join()
    else:
        _search(problem, horizon, weights, best, deadline, workers, rng, 0.3 * time_limit)
    if best.refused:
        notes.append(f"{best.refused} schedules refused by the checker")
    status = "OPTIMAL" if best.closed else "FEASIBLE"
    return SolveResult(
        status, best.schedule, best.value, best.bound, best.schedule.objective(problem), time.perf_counter() - t0,
        best.history, method, notes,
    )  # fmt: skip
