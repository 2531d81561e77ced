"""Batching: a complete schedule that keeps a line on one variant as long as the due dates allow.

`batch_dispatch(problem, k1, k2)` is list scheduling from the lines' point of view, the way a good
foreman loads a mixed-model line: whenever a line is free, it takes the whole job (every operation it
can run, back to back) with the highest ATCS index among the jobs released by then,

    weight / work * exp(-slack / (k1 * mean work)) * exp(-changeover / (k2 * mean changeover)),

the apparent tardiness cost with setups of Lee, Bhaskaran and Pinedo: heavy, short and urgent jobs first,
discounted by the changeover the line would need to take them. A small k2 keeps the line on its variant
(long batches), a large k1 lets slack jobs wait for their batch. `batch_candidates` tries a few (k1, k2)
pairs, with and without an energy preference, and returns the schedules, so the caller keeps the best by its own objective.

Operations already started (frozen) stay where they are; the rest of a started job goes first, each
operation where it ends first (as the dispatcher places it).
"""

from __future__ import annotations

import math

from .dispatcher import Floor
from .problem import Placement, Problem, ProblemError, Schedule

# (k1, k2, overflow) tried by `batch_candidates`: from "due dates first" to "long batches", with and
# without keeping jobs on their most efficient line.
GRID = (
    (0.5, 0.3, None), (1.0, 0.3, None), (2.0, 0.2, None), (4.0, 0.2, None), (8.0, 0.1, None),
    (1.0, 0.3, 1.0), (2.0, 0.2, 1.0), (4.0, 0.2, 1.0), (2.0, 0.2, 3.0), (8.0, 0.1, 3.0),
)  # fmt: skip


def batch_dispatch(problem: Problem, k1: float = 2.0, k2: float = 0.3, overflow: float | None = None) -> Schedule:
    """A complete feasible schedule, line by line, whole jobs batched by variant (see the module doc).

    With `overflow`, a job waits for its home line (the capable line where it takes the least energy,
    then the least time) unless that line, with the work released and waiting for it, would keep it
    waiting more than `overflow` mean jobs: the flexible, thirstier lines take the overflow, not the
    first come."""
    problem.validate()
    floor = Floor(problem)
    placements: dict[tuple[int, int], Placement] = {}

    def put(p: Placement) -> None:
        floor.timelines[p.line].insert(p.start, p.end, problem.jobs[p.job].variant)
        placements[(p.job, p.op)] = p

    started, waiting = [], []
    for j, job in enumerate(problem.jobs):
        frozen = [op.frozen for op in job.operations if op.frozen is not None]
        for o, f in enumerate(frozen):
            put(Placement(j, o, f.line, f.start, f.end))
        (started if frozen else waiting).append(j)
    for j in started:  # the rest of a job in progress: at once, where each operation ends first
        job = problem.jobs[j]
        o = sum(1 for op in job.operations if op.frozen is not None)
        ready = placements[(j, o - 1)].end
        for o in range(o, len(job.operations)):
            found = floor.best_line(job.operations[o].lines(), ready, job.variant)
            if found is None:
                raise ProblemError(f"job {j} operation {o} fits in no shift window of its lines")
            put(Placement(j, o, *found))
            ready = found[2]
    if not waiting:
        return Schedule(placements)

    work = {j: sum(min(op.lines().values()) for op in problem.jobs[j].operations) for j in waiting}
    mean_work = max(1.0, sum(work.values()) / len(work))
    positive = [t for line in problem.lines for t in line.changeovers.values() if t > 0]
    mean_setup = sum(positive) / len(positive) if positive else 1.0
    free = [max(tl.ends, default=0) for tl in floor.timelines]
    last = [tl.variants[-1] if tl.variants else None for tl in floor.timelines]
    capable: dict[int, list[int]] = {li: [] for li in range(len(problem.lines))}
    for j in waiting:
        for li in problem.jobs[j].operations[0].lines():
            capable[li].append(j)
    home = {}
    for j in waiting:
        options = problem.jobs[j].operations[0].lines()
        home[j] = min(options, key=lambda li: (options[li] * problem.lines[li].power, options[li], li))
    todo = set(waiting)
    # Jobs still to place that each line could take: counted, and the line's list pruned when it picks,
    # so a step costs the line's open jobs, not every job it ever could take (2,000 jobs: 5x faster).
    remaining = {li: len(js) for li, js in capable.items()}
    open_lines = {li for li, js in capable.items() if js}
    while todo:
        open_lines = {li for li in open_lines if remaining[li]}
        if not open_lines:
            raise ProblemError("a job's first operation has no line that can run it")
        li = min(open_lines, key=lambda k: (free[k], k))
        jobs = capable[li] = [j for j in capable[li] if j in todo]
        now = max(free[li], min(problem.jobs[j].release for j in jobs))
        line = problem.lines[li]
        backlog: dict[int, float] = {}  # home line → work released and waiting for it
        if overflow is not None:
            for j in todo:
                if problem.jobs[j].release <= now:
                    backlog[home[j]] = backlog.get(home[j], 0) + work[j]
        best, best_index = None, -1.0
        for j in jobs:
            job = problem.jobs[j]
            if job.release > now:
                continue
            if overflow is not None and home[j] != li:
                wait_home = free[home[j]] - now + backlog.get(home[j], 0) - work[j]
                if wait_home <= overflow * mean_work:
                    continue  # its home line gets to it soon enough
            p = work[j]
            slack = (job.due - p - now) if job.due is not None else 10 * k1 * mean_work
            setup = line.changeover(last[li], job.variant) if last[li] is not None else 0
            index = (
                job.weight / max(1, p)
                * math.exp(-max(0.0, slack) / (k1 * mean_work))
                * math.exp(-setup / (k2 * mean_setup))
            )  # fmt: skip
            if index > best_index or (index == best_index and j < best):
                best, best_index = j, index
        if best is None:
            # Every job released by now waits for its home line: this line looks again after the home line
            # has taken its next job, or at the next release.
            later = [problem.jobs[j].release for j in jobs if problem.jobs[j].release > now]
            homes = [free[home[j]] + 1 for j in jobs if problem.jobs[j].release <= now]
            free[li] = max(now + 1, min(later + homes))
            continue
        todo.discard(best)
        for k in problem.jobs[best].operations[0].lines():
            remaining[k] -= 1
        job = problem.jobs[best]
        ready = job.release
        for o, op in enumerate(job.operations):
            options = op.lines()
            if li in options:
                start = floor.timelines[li].earliest_fit(ready, options[li], job.variant)
                if start is None:
                    raise ProblemError(f"job {best} operation {o} fits in no shift window of its lines")
                p = Placement(best, o, li, start, start + options[li])
            else:
                found = floor.best_line(options, ready, job.variant)
                if found is None:
                    raise ProblemError(f"job {best} operation {o} fits in no shift window of its lines")
                p = Placement(best, o, *found)
            put(p)
            ready = p.end
            if p.line == li:
                free[li] = max(free[li], p.end)
        last[li] = job.variant
    return Schedule(placements)


def batch_candidates(problem: Problem) -> list[Schedule]:
    """`batch_dispatch` with each (k1, k2, overflow) of the grid (the caller keeps the best by its objective)."""
    return [batch_dispatch(problem, k1, k2, overflow) for k1, k2, overflow in GRID]
