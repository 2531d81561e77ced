"""Large-neighbourhood search in time windows, for factories too large for one CP-SAT model.

A factory of thousands of jobs cannot be one model: a line with a thousand operations and changeovers
needs a million sequencing arcs, and the lexicographic objective folded into one sum overflows 64 bits.
Here the engine improves a complete schedule one window at a time: a few hundred operations that start
close together (around a late job, or anywhere) are set free, everything else stays exactly where it is,
and a small CP-SAT model re-places the free ones:

- a free operation keeps to its window's time span and between its job's fixed neighbours; it may take
  any line able to run it (its pin if pinned), inside one shift window;
- each line holds the fixed operations that overlap the window (and the nearest one on each side) as
  constants, so the changeover to and from every neighbour is kept by the same circuit as in the full
  model;
- the objective is the window's share of the three terms (weighted tardiness of the jobs that end in
  it, changeover time of its stretch of each line, the makespan if it is there), folded with weights
  from the window's own bounds, which stay small: the order of importance holds and nothing overflows.
  It may not be worse than the current share, so the whole schedule never gets worse.

Each result goes through the checker before it replaces the best schedule.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left

from ortools.sat.python import cp_model

from .problem import Placement, Problem, Schedule
from .problem import allowed_starts as _allowed_starts

# A problem is large when its full model would not fit: more operations than this, or more sequencing
# arcs (operations that may share a line with changeovers, squared) than ARCS.
LARGE_OPERATIONS = 2500
ARCS = 400_000
LIMIT = 1 << 62


def is_large(problem: Problem) -> bool:
    """Whether the full model is out of reach (see the module docstring)."""
    if problem.n_operations() > LARGE_OPERATIONS:
        return True
    per_line = [0] * len(problem.lines)
    for job in problem.jobs:
        for op in job.operations:
            for li in op.lines():
                per_line[li] += 1
    return sum(n * n for li, n in enumerate(per_line) if problem.lines[li].changeovers) > ARCS


class WindowModel:
    """The CP-SAT model of one window of `schedule`: the operations in `free` move, the rest stay."""

    def __init__(self, problem: Problem, schedule: Schedule, free: set[tuple[int, int]], slack: float = 0.25):
        self.problem, self.schedule, self.free = problem, schedule, free
        m = self.model = cp_model.CpModel()
        ps = schedule.placements
        w0 = min(ps[k].start for k in free)
        w1 = max(ps[k].end for k in free)
        w1 += max(1, int((w1 - w0) * slack))
        self.w0, self.w1 = w0, w1
        worst = max((t for line in problem.lines for t in line.changeovers.values()), default=0)
        self.start, self.end, self.present, self.span = {}, {}, {}, {}
        per_line: dict[int, list] = {}
        for j, o in sorted(free):
            job = problem.jobs[j]
            op = job.operations[o]
            lo = max(w0, job.release)
            if o > 0 and (j, o - 1) not in free:
                lo = max(lo, ps[(j, o - 1)].end)
            hi = w1
            if o + 1 < len(job.operations) and (j, o + 1) not in free:
                hi = min(hi, ps[(j, o + 1)].start)
            current = ps[(j, o)]
            # The current place is always inside: lo <= its start, its end <= hi.
            lo, hi = min(lo, current.start), max(hi, current.end)
            options = op.lines()
            s = m.new_int_var(lo, hi, f"s{j}_{o}")
            e = m.new_int_var(lo, hi, f"e{j}_{o}")
            lits = {}
            m.add_hint(s, current.start)
            m.add_hint(e, current.end)
            for line, d in options.items():
                if d > hi - lo:
                    continue
                shifts = problem.lines[line].shifts
                starts = [[lo, hi - d]]
                if shifts is not None:
                    starts = [[max(a, lo), min(b, hi - d)] for a, b in _allowed_starts(shifts, d, hi) if max(a, lo) <= min(b, hi - d)]
                    if not starts:
                        continue
                lit = m.new_bool_var(f"x{j}_{o}_{line}")
                interval = m.new_optional_interval_var(s, d, e, lit, f"i{j}_{o}_{line}")
                m.add_linear_expression_in_domain(s, cp_model.Domain.from_intervals(starts)).only_enforce_if(lit)
                lits[line] = lit
                per_line.setdefault(line, []).append(((j, o), interval, lit, s, e))
            m.add_exactly_one(lits.values())
            if o > 0 and (j, o - 1) in free:
                m.add(s >= self.end[(j, o - 1)])
            self.start[(j, o)], self.end[(j, o)], self.present[(j, o)] = s, e, lits
            self.span[(j, o)] = (lo, hi)
        # The fixed operations of each line that a free one could meet, and the window's stretch of
        # changeovers as the schedule has it now.
        by_line = schedule.by_line()
        self.changeover_terms, old_changeover = [], 0
        self._arc_costs: list[tuple[int, int]] = []
        for line_index, items in per_line.items():
            line = problem.lines[line_index]
            seq = by_line.get(line_index, [])
            fixed = [p for p in seq if (p.job, p.op) not in free]
            lo_t, hi_t = w0 - worst, w1 + worst
            starts = [p.start for p in fixed]
            first = max(0, bisect_left([p.end for p in fixed], lo_t + 1) - 1)
            last = min(len(fixed), bisect_left(starts, hi_t) + 1)
            near = fixed[first:last]
            for p in near:
                interval = m.new_fixed_size_interval_var(p.start, p.end - p.start, f"f{p.job}_{p.op}")
                items.append(((p.job, p.op), interval, True, p.start, p.end))
            m.add_no_overlap([it[1] for it in items])
            if line.changeovers:
                # The stretch of the line from the first near fixed operation to the last, now.
                here = {it[0] for it in items}
                stretch = [p for p in seq if (p.job, p.op) in here]
                for a, b in zip(stretch, stretch[1:]):
                    old_changeover += line.changeover(problem.jobs[a.job].variant, problem.jobs[b.job].variant)
                self._circuit(line_index, items)
        # The window's share of each term.
        tardy, old_tardy = [], 0
        for j, o in free:
            job = problem.jobs[j]
            if o == len(job.operations) - 1 and job.due is not None and job.weight > 0:
                t = m.new_int_var(0, max(0, w1 - job.due), f"t{j}")
                m.add(t >= self.end[(j, o)] - job.due)
                m.add_hint(t, max(0, ps[(j, o)].end - job.due))
                tardy.append((job.weight, t, max(0, w1 - job.due)))
                old_tardy += job.weight * max(0, ps[(j, o)].end - job.due)
        fixed_end = max((p.end for k, p in ps.items() if k not in free), default=0)
        self.makespan = m.new_int_var(fixed_end, max(fixed_end, w1), "makespan")
        m.add_max_equality(self.makespan, [fixed_end] + list(self.end.values()))
        old_makespan = max(fixed_end, max(ps[k].end for k in free))
        m.add_hint(self.makespan, old_makespan)
        tardiness = sum(w * t for w, t, _ in tardy)
        changeover = sum(self.changeover_terms)
        # Weights from the window's bounds: one unit of changeover outweighs any makespan in the window,
        # one unit of tardiness any changeover and makespan.
        span = max(0, w1 - fixed_end) + 1
        max_changeover = sum(c for c, _ in self._arc_costs)
        co = span if max_changeover else 0
        wt = co * max_changeover + span
        max_tardiness = sum(w * b for w, _, b in tardy)
        if wt * max_tardiness + co * max_changeover + span >= LIMIT:
            wt, co = 1, 0  # beyond 64 bits even here: the window only lowers tardiness
        self.weights = (wt, co, 1)  # tardiness, changeover, makespan
        self.objective = wt * tardiness + co * changeover + (self.makespan - fixed_end)
        self.old_value = wt * old_tardy + co * old_changeover + (old_makespan - fixed_end)
        m.add(self.objective <= self.old_value)
        m.minimize(self.objective)
        for k in free:
            for line, lit in self.present[k].items():
                m.add_hint(lit, line == ps[k].line)

    def _circuit(self, line_index: int, items) -> None:
        """Sequence the line's items (fixed ones are constants, in their time order) with the changeover
        on each arc; every arc is hinted from the current sequence of the line."""
        m = self.model
        line = self.problem.lines[line_index]
        jobs = self.problem.jobs
        ps = self.schedule.placements
        # Fixed items in time order: one may only be followed by the next fixed one or by a free one.
        fixed = sorted((k for k, it in enumerate(items) if it[2] is True), key=lambda k: items[k][3])
        next_fixed = {a: b for a, b in zip(fixed, fixed[1:])}
        current = sorted((k for k, it in enumerate(items) if ps[it[0]].line == line_index), key=lambda k: ps[items[k][0]].start)
        chain = set(zip(current, current[1:]))
        empty = m.new_bool_var("")
        m.add_hint(empty, not current)
        arcs = [(0, 0, empty)]
        worst_here = 0

        def bounds(it):
            return (it[3], it[3]) if it[2] is True else self.span[it[0]]

        for k, (key, _, lit, s, e) in enumerate(items):
            node = k + 1
            first, last = m.new_bool_var(""), m.new_bool_var("")
            m.add_hint(first, bool(current) and current[0] == k)
            m.add_hint(last, bool(current) and current[-1] == k)
            arcs += [(0, node, first), (node, 0, last)]
            if lit is not True:
                arcs.append((node, node, lit.Not()))
            lo_k = bounds(items[k])[0]
            for k2, (key2, _, lit2, s2, e2) in enumerate(items):
                if k2 == k:
                    continue
                if lit is True and lit2 is True and next_fixed.get(k) != k2:
                    continue
                setup = line.changeover(jobs[key[0]].variant, jobs[key2[0]].variant)
                hi_k2 = bounds(items[k2])[1]
                if hi_k2 < lo_k:  # k2 must start before k can: it never follows k
                    continue
                if lit is True and lit2 is True and s2 < e + setup:
                    continue
                arc = m.new_bool_var("")
                m.add_hint(arc, (k, k2) in chain)
                arcs.append((node, k2 + 1, arc))
                if not (lit is True and lit2 is True):
                    m.add(s2 >= e + setup).only_enforce_if(arc)
                if setup:
                    self.changeover_terms.append(setup * arc)
                    worst_here = max(worst_here, setup)
        self._arc_costs.append((worst_here * len(items), line_index))
        m.add_circuit(arcs)

    def solve(self, time_limit: float, workers: int, seed: int) -> tuple[str, Schedule | None]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        # A window is small and starts from a complete hint: presolving it costs more than it saves.
        solver.parameters.cp_model_presolve = False
        status = solver.solve(self.model)
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return name, None
        placements = dict(self.schedule.placements)
        for (j, o), lits in self.present.items():
            line = next(li for li, lit in lits.items() if solver.boolean_value(lit))
            placements[(j, o)] = Placement(j, o, line, solver.value(self.start[(j, o)]), solver.value(self.end[(j, o)]))
        return name, Schedule(placements)


def _window(problem: Problem, schedule: Schedule, size: int, rng: random.Random) -> set[tuple[int, int]]:
    """About `size` movable operations that start close together: around an operation of a late job
    (half of the time when some job is late), or anywhere."""
    ps = schedule.placements
    movable = sorted(
        (p.start, k) for k, p in ps.items() if problem.jobs[k[0]].operations[k[1]].frozen is None
    )
    if not movable:
        return set()
    size = min(size, len(movable))
    late = [
        j
        for j, job in enumerate(problem.jobs)
        if job.due is not None and ps[(j, len(job.operations) - 1)].end > job.due
    ]
    if late and rng.random() < 0.6:
        j = rng.choice(late)
        o = rng.randrange(len(problem.jobs[j].operations))
        centre = bisect_left(movable, (ps[(j, o)].start, (j, o)))
        first = min(max(0, centre - rng.randrange(size)), len(movable) - size)
    else:
        first = rng.randrange(0, len(movable) - size + 1)
    return {k for _, k in movable[first : first + size]}


def improve(problem: Problem, best, deadline: float, workers: int, rng: random.Random, size: int = 30) -> dict:
    """Window after window until the deadline, each result checked and offered to `best` (an incumbent
    with `schedule` and `offer(schedule)`, which checks it); returns counts of what happened."""
    counts = {"windows": 0, "improved": 0}
    n = problem.n_operations()
    while time.perf_counter() < deadline - 0.1:
        current = best.schedule
        free = _window(problem, current, size, rng)
        if not free:
            break
        model = WindowModel(problem, current, free)
        budget = min(1.0, deadline - time.perf_counter())
        if budget <= 0.05:
            break
        status, schedule = model.solve(budget, workers, rng.randrange(1 << 20))
        counts["windows"] += 1
        if status == "OPTIMAL":
            size = min(n, 200, size + max(1, size // 8))
        else:
            size = max(8, size - max(1, size // 8))
        if schedule is None:
            continue
        if best.offer(schedule):  # checked there
            counts["improved"] += 1
    return counts






