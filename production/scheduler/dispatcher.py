"""The fast dispatcher: list scheduling into line timelines, in milliseconds.

Three uses, one placement rule (`Timeline.earliest_fit`: the earliest start at or after a ready time that
fits in a gap of the line, leaves room for the changeovers to both neighbours, and lies inside one shift
window):

- `dispatch(problem)`: a complete schedule, the warm start of CP-SAT. Operations are taken as they become
  ready (their job's previous operation placed); among those ready at once, the highest ATCS index goes
  first (weight over remaining work, urgency from the due date, discounted by the changeover the line
  would need); each goes to the line where it ends first.
- `insert_jobs(problem, schedule, jobs)`: place new jobs into an existing schedule without moving any
  placed operation.
- `settle(problem, schedule)`: a plan pasted onto a floor that moved since, made feasible again by
  placing anew the jobs the checker finds at fault.
- `capable_to_promise(problem, schedule, job)`: the earliest completion of a new job given what is
  already on the lines; the schedule is not changed. `Floor` keeps the timelines for repeated quotes.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from typing import Iterable

import numpy as np

from .checker import InfeasibleSchedule, findings
from .problem import Job, Line, Placement, Problem, ProblemError, Schedule


class Timeline:
    """The operations placed on one line, in time order, with the line's shifts and changeovers."""

    __slots__ = (
        "line", "starts", "ends", "variants", "_shift_starts", "_shift_ends", "_shift_arrays", "_np", "_kinds", "_setups",
    )  # fmt: skip

    def __init__(self, line: Line):
        self.line = line
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.variants: list[str] = []
        # For long scans: numpy copies of starts, ends and variant rows (kept in step once made), the
        # changeover matrix between the variants seen, and the shift windows.
        self._np = None
        self._kinds: dict[str, int] = {}
        self._setups = np.zeros((0, 0), dtype=np.int64)
        shifts = sorted(line.shifts) if line.shifts is not None else None
        self._shift_starts = [a for a, _ in shifts] if shifts is not None else None
        self._shift_ends = [b for _, b in shifts] if shifts is not None else None
        if shifts is not None:
            self._shift_arrays = (np.array(self._shift_starts, dtype=np.int64), np.array(self._shift_ends, dtype=np.int64))

    def _in_shift(self, t: int, d: int) -> int | None:
        """The earliest start >= t of a run of length d inside one shift window, None if there is none."""
        if self._shift_starts is None:
            return t
        k = bisect_right(self._shift_starts, t) - 1
        if k >= 0 and t + d <= self._shift_ends[k]:
            return t
        for k in range(k + 1, len(self._shift_starts)):
            if self._shift_ends[k] - self._shift_starts[k] >= d:
                return self._shift_starts[k]
        return None

    def earliest_fit(self, ready: int, duration: int, variant: str) -> int | None:
        """The earliest start >= ready where an operation fits without moving others (None: never)."""
        co = self.line.changeover
        ends, starts, variants = self.ends, self.starts, self.variants
        k = bisect_right(ends, ready)  # items before k end by `ready`: the first candidate gap is k
        n = len(starts)
        tried = 0
        while True:
            t = ready
            if k > 0:
                t = max(t, ends[k - 1] + co(variants[k - 1], variant))
            t = self._in_shift(t, duration)
            if t is None:
                return None
            if k == n or t + duration + co(variant, variants[k]) <= starts[k]:
                return t
            k += 1
            tried += 1
            if tried >= 8 and k < n:
                # A long row of gaps too small (a busy line, a job ready long before its line is free):
                # the same test on every remaining gap at once.
                return self._scan(k, ready, duration, variant)

    def _scan(self, k: int, ready: int, duration: int, variant: str) -> int | None:
        """`earliest_fit` from candidate gap k on (k >= 1), vectorized: the first gap where the start
        after the previous item and its changeover, moved into a shift window that holds the whole
        operation, leaves room for the changeover to the next item; after the last item otherwise."""
        starts, ends, kinds = self._arrays()
        v = self._kind(variant)
        n = len(starts)
        t = np.maximum(ready, ends[k - 1 : n - 1] + self._setups[kinds[k - 1 : n - 1], v])
        if self._shift_starts is not None:
            t = self._into_shifts(t, duration)
        ok = (t >= 0) & (t + duration + self._setups[v, kinds[k:]] <= starts[k:])
        found = np.flatnonzero(ok)
        if found.size:
            return int(t[found[0]])
        last = max(ready, self.ends[-1] + self.line.changeover(self.variants[-1], variant))
        return self._in_shift(last, duration)

    def _kind(self, variant: str) -> int:
        """The variant's row in the changeover matrix (grown when a new variant shows up)."""
        if variant not in self._kinds:
            self._kinds[variant] = len(self._kinds)
            names = list(self._kinds)
            self._setups = np.array([[self.line.changeover(a, b) for b in names] for a in names], dtype=np.int64)
        return self._kinds[variant]

    def _arrays(self):
        if self._np is None:
            self._np = (
                np.array(self.starts, dtype=np.int64),
                np.array(self.ends, dtype=np.int64),
                np.array([self._kind(v) for v in self.variants], dtype=np.int64),
            )
        return self._np

    def _into_shifts(self, t, duration: int):
        """Each start of `t` moved to the earliest start >= it inside one shift window long enough for
        `duration`; -1 where there is none."""
        shift_starts, shift_ends = self._shift_arrays
        k = np.searchsorted(shift_starts, t, side="right") - 1
        inside = (k >= 0) & (t + duration <= shift_ends[np.maximum(k, 0)])
        long_enough = np.flatnonzero(shift_ends - shift_starts >= duration)
        if long_enough.size == 0:
            return np.where(inside, t, -1)
        nxt = np.searchsorted(long_enough, k + 1)  # the first long-enough window after window k
        later = np.where(nxt < long_enough.size, shift_starts[long_enough[np.minimum(nxt, long_enough.size - 1)]], -1)
        return np.where(inside, t, later)

    def insert(self, start: int, end: int, variant: str) -> None:
        k = bisect_left(self.starts, start)
        while k < len(self.starts) and self.starts[k] == start and self.ends[k] <= end:
            k += 1
        if self._np is not None:
            starts, ends, kinds = self._np
            self._np = (np.insert(starts, k, start), np.insert(ends, k, end), np.insert(kinds, k, self._kind(variant)))
        self.starts.insert(k, start)
        self.ends.insert(k, end)
        self.variants.insert(k, variant)

    def remove(self, start: int, end: int, variant: str) -> None:
        k = bisect_right(self.starts, start) - 1
        while not (self.starts[k] == start and self.ends[k] == end and self.variants[k] == variant):
            k -= 1
        del self.starts[k], self.ends[k], self.variants[k]
        if self._np is not None:
            self._np = tuple(np.delete(a, k) for a in self._np)

    def last_variant_before(self, t: int) -> str | None:
        k = bisect_right(self.ends, t)
        return self.variants[k - 1] if k > 0 else None


class Floor:
    """The lines of a factory with what is already placed on them: places and quotes new jobs."""

    def __init__(self, problem: Problem, schedule: Schedule | None = None):
        self.problem = problem
        self.timelines = [Timeline(line) for line in problem.lines]
        if schedule is not None:
            for p in schedule.placements.values():
                self.timelines[p.line].insert(p.start, p.end, problem.jobs[p.job].variant)

    def best_line(self, options: dict[int, int], ready: int, variant: str) -> tuple[int, int, int] | None:
        """(line, start, end) ending first among the options, fewer changeovers breaking ties."""
        best = None
        for line, d in options.items():
            tl = self.timelines[line]
            start = tl.earliest_fit(ready, d, variant)
            if start is None:
                continue
            before = tl.last_variant_before(start)
            setup = tl.line.changeover(before, variant) if before is not None else 0
            key = (start + d, setup, d, line)
            if best is None or key < best[0]:
                best = (key, line, start, start + d)
        return None if best is None else best[1:]

    def place_job(self, j: int, job: Job, commit: bool = True) -> list[Placement]:
        """Place a job's operations in routing order, each where it ends first; frozen ones stay put."""
        placed = []
        ready = job.release
        try:
            for o, op in enumerate(job.operations):
                if op.frozen is not None:
                    f = op.frozen
                    placement = Placement(j, o, f.line, f.start, f.end)
                else:
                    found = self.best_line(op.lines(), ready, job.variant)
                    if found is None:
                        raise ProblemError(f"job {j} operation {o} fits in no shift window of its lines")
                    line, start, end = found
                    placement = Placement(j, o, line, start, end)
                self.timelines[placement.line].insert(placement.start, placement.end, job.variant)
                placed.append(placement)
                ready = placement.end
        finally:
            if not commit:
                for p in placed:
                    self.timelines[p.line].remove(p.start, p.end, job.variant)
        return placed

    def quote(self, job: Job) -> int:
        """The earliest completion of `job` placed after everything already on the lines (no change)."""
        return self.place_job(-1, job, commit=False)[-1].end


def _atcs_keys(problem: Problem, k1: float = 2.0) -> list[tuple[float, float]]:
    """Static ATC ranking per job: urgent, heavy, short jobs first; then most work remaining."""
    work = [sum(min(op.lines().values()) for op in job.operations) for job in problem.jobs]
    mean = max(1.0, sum(work) / max(1, len(work)))
    keys = []
    for job, p in zip(problem.jobs, work):
        if job.due is None:
            index = 0.0
        else:
            slack = max(0.0, job.due - job.release - p)
            index = job.weight / max(1, p) * math.exp(-slack / (k1 * mean))
        keys.append((-index, -p))
    return keys


def dispatch(problem: Problem, priority: list[float] | None = None) -> Schedule:
    """A complete feasible schedule by list scheduling (see the module docstring).

    `priority` (optional, one number per job, lower first) replaces the ATCS ranking; the local search
    uses it to build varied starts.
    """
    problem.validate()
    floor = Floor(problem)
    placements: dict[tuple[int, int], Placement] = {}
    for j, job in enumerate(problem.jobs):
        for o, op in enumerate(job.operations):
            if op.frozen is not None:
                f = op.frozen
                placements[(j, o)] = Placement(j, o, f.line, f.start, f.end)
                floor.timelines[f.line].insert(f.start, f.end, job.variant)
    keys = _atcs_keys(problem) if priority is None else [(p, 0.0) for p in priority]
    remaining = [sum(min(op.lines().values()) for op in job.operations) for job in problem.jobs]
    heap = []
    for j, job in enumerate(problem.jobs):
        o = sum(1 for op in job.operations if op.frozen is not None)
        if o < len(job.operations):
            ready = placements[(j, o - 1)].end if o else job.release
            heap.append((ready, keys[j], j, o))
    heapq.heapify(heap)
    while heap:
        ready, key, j, o = heapq.heappop(heap)
        job = problem.jobs[j]
        op = job.operations[o]
        found = floor.best_line(op.lines(), ready, job.variant)
        if found is None:
            raise ProblemError(f"job {j} operation {o} fits in no shift window of its lines")
        line, start, end = found
        floor.timelines[line].insert(start, end, job.variant)
        placements[(j, o)] = Placement(j, o, line, start, end)
        remaining[j] -= min(op.lines().values())
        if o + 1 < len(job.operations):
            nxt = key if priority is not None else (key[0], -remaining[j])
            heapq.heappush(heap, (end, nxt, j, o + 1))
    return Schedule(placements)


def insert_jobs(problem: Problem, schedule: Schedule, jobs: Iterable[int]) -> Schedule:
    """Place the given jobs of `problem` (absent from `schedule`) without moving any placed operation."""
    floor = Floor(problem, schedule)
    placements = dict(schedule.placements)
    for j in jobs:
        for p in floor.place_job(j, problem.jobs[j]):
            placements[(p.job, p.op)] = p
    return Schedule(placements)


def retime(problem: Problem, schedule: Schedule) -> tuple[Schedule, list[int]]:
    """The same plan on the floor as it is now: every line keeps its sequence, every operation that is
    not frozen starts as early as its line (the changeover included), its job's previous operation, its
    release and the shifts allow, later or earlier than before. This is how the floor runs a plan (each
    line takes its next operation as soon as it can), so after a disturbance the retimed plan is what
    will happen if nothing is re-sequenced.

    Returns the schedule and the jobs it could not keep (an operation on a line that may no longer run
    it, or that fits no shift window): those are left out, for the caller to place again."""
    frozen = {(j, o) for j, job in enumerate(problem.jobs) for o, op in enumerate(job.operations) if op.frozen}
    dropped = {
        p.job
        for key, p in schedule.placements.items()
        if key not in frozen and p.line not in problem.jobs[p.job].operations[p.op].lines()
    }
    floor = Floor(problem)
    placements: dict[tuple[int, int], Placement] = {}
    # Each line resumes after its operation in hand (frozen, started by now); frozen operations later on
    # (the firm zone of a run) keep their places and the others fit around them.
    free = [0] * len(problem.lines)
    for key in frozen:
        f = problem.jobs[key[0]].operations[key[1]].frozen
        placements[key] = Placement(key[0], key[1], f.line, f.start, f.end)
        floor.timelines[f.line].insert(f.start, f.end, problem.jobs[key[0]].variant)
        if f.start <= 0:
            free[f.line] = max(free[f.line], f.end)
    # In a feasible plan the old start order respects both the lines' sequences and the routings.
    todo = sorted(
        (p.start, p.job, p.op) for key, p in schedule.placements.items() if key not in frozen and p.job not in dropped
    )
    for _, j, o in todo:
        if j in dropped:
            continue
        job = problem.jobs[j]
        line = schedule.placements[(j, o)].line
        d = job.operations[o].lines()[line]
        previous = placements.get((j, o - 1))
        ready = job.release if previous is None else max(job.release, previous.end)
        start = floor.timelines[line].earliest_fit(max(ready, free[line]), d, job.variant)
        if start is None or (o > 0 and previous is None):
            dropped.add(j)
            continue
        placements[(j, o)] = Placement(j, o, line, start, start + d)
        floor.timelines[line].insert(start, start + d, job.variant)
        free[line] = max(free[line], start + d)
    for key in [k for k in placements if k[0] in dropped and k not in frozen]:
        del placements[key]
    return Schedule(placements), sorted(dropped)


def capable_to_promise(problem: Problem, schedule: Schedule, job: Job) -> int:
    """The earliest completion time of a new `job` (routing, variant, release) given the current schedule.

    The job's operations go one after the other, each at the earliest slot on the line where it ends
    first; nothing placed moves. For one routing this is the earliest possible completion without
    moving others: an earlier end of one operation never delays the next. Raise ProblemError if an
    operation fits in no shift window.
    """
    return Floor(problem, schedule).quote(job)


def fifo_insert(problem: Problem, schedule: Schedule, jobs: Iterable[int]) -> Schedule:
    """The baseline a factory without Cosmo would run: the given jobs, first come first served, each
    operation appended to the capable line that is free first (no gap filling), whatever changeover that
    costs and whenever the job is due."""
    floor = Floor(problem, schedule)
    placements = dict(schedule.placements)
    for j in jobs:
        job = problem.jobs[j]
        ready = job.release
        for o, op in enumerate(job.operations):
            if op.frozen is not None:
                f = op.frozen
                placement = Placement(j, o, f.line, f.start, f.end)
            else:
                options = op.lines()

                def free(line: int) -> int:
                    ends = floor.timelines[line].ends
                    return max(ready, ends[-1] if ends else ready)

                line = min(options, key=lambda k: (free(k), k))
                start = floor.timelines[line].earliest_fit(free(line), options[line], job.variant)
                if start is None:
                    raise ProblemError(f"job {j} operation {o} fits in no shift window of its lines")
                placement = Placement(j, o, line, start, start + options[line])
            floor.timelines[placement.line].insert(placement.start, placement.end, job.variant)
            placements[(j, o)] = placement
            ready = placement.end
    return Schedule(placements)


def settle(problem: Problem, schedule: Schedule, jobs: Iterable[int] = ()) -> tuple[Schedule, list[int]]:
    """`schedule` made feasible on `problem` with as little moving as the dispatcher can manage.

    `schedule` may be partial or broken: a plan pasted onto a floor that has moved since it was made (an
    operation started late or early and is frozen somewhere else, a maintenance window or a pin arrived,
    a job is new). Frozen operations go where they are; `jobs` and every job with an operation missing
    are placed again, heaviest and most urgent first, around what stays; then each rule the checker
    still finds (a clash with a neighbour or its changeover, a shift or maintenance window, a pin, a
    release) sends the job that may move back to be placed again, until the plan passes. If that does not
    settle in a few rounds, everything that has not started is dispatched afresh.

    Returns (the schedule, the jobs placed again). Raises `InfeasibleSchedule` (with its findings) if
    even a fresh dispatch breaks a rule, and `ProblemError` if an operation fits nowhere.
    """
    frozen = {
        (j, o): Placement(j, o, op.frozen.line, op.frozen.start, op.frozen.end)
        for j, job in enumerate(problem.jobs)
        for o, op in enumerate(job.operations)
        if op.frozen is not None
    }
    expected = {(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))}
    kept = {key: p for key, p in schedule.placements.items() if key in expected}
    kept.update(frozen)
    moved = set(jobs) | {j for j, o in expected if (j, o) not in kept}

    def urgency(j: int) -> tuple:
        job = problem.jobs[j]
        return (-job.weight, job.due if job.due is not None else 1 << 62, j)

    for _ in range(6):
        base = {key: p for key, p in kept.items() if key[0] not in moved or key in frozen}
        try:
            current = insert_jobs(problem, Schedule(base), sorted(moved, key=urgency))
        except ProblemError:
            break
        found = findings(problem, current)
        if not found:
            return current, sorted(moved)
        more = {f.jobs[0] for f in found if f.jobs} - moved
        if not more:
            break
        moved |= more
    fresh = dispatch(problem)
    found = findings(problem, fresh)
    if found:
        raise InfeasibleSchedule("; ".join(f.text for f in found[:20]), found)
    return fresh, sorted(range(len(problem.jobs)))
