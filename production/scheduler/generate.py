"""Seeded problems for benchmarks and tests: a factory's backlog, and large flexible job shops.

- `factory(seed, jobs, lines)`: a factory as the engine sees it: each line works two shifts on weekdays
  (06:00-22:00, minutes from a Monday 00:00), has one maintenance window of a few hours, changeovers
  between eight variants (none within a variant); each job has four to seven operations, each able to
  run on two to four lines at different speeds, a release over the first month, a due date from its
  work, the backlog ahead of it and some slack, and a weight (mostly 1, some urgent); a few jobs are running now (their first
  operation frozen at time 0).
- `flexible_job_shop(seed, jobs, machines, ...)`: a makespan problem in the style of the classical
  sets: each operation may run on several machines with durations that differ per machine.
"""

from __future__ import annotations

import random

from .problem import Frozen, Job, Line, Operation, Problem

DAY = 1440


def _shifts(days: int, hole: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    windows = []
    for d in range(days):
        if d % 7 >= 5:
            continue
        a, b = d * DAY + 6 * 60, d * DAY + 22 * 60
        for x, y in ((a, min(b, hole[0])), (max(a, hole[1]), b)):
            if y > x:
                windows.append((x, y))
    return tuple(windows)


def factory(seed: int, jobs: int = 2000, lines: int = 10, variants: int = 8, days: int = 400) -> Problem:
    """A factory's open jobs (see the module docstring); the same seed gives the same problem."""
    rng = random.Random(seed)
    keys = [f"V{k}" for k in range(variants)]
    engine_lines = []
    for li in range(lines):
        table = {(a, b): rng.choice((15, 30, 45, 60, 90)) for a in keys for b in keys if a != b}
        start = rng.randrange(5, 60) * DAY + 8 * 60
        hole = (start, start + rng.choice((4, 8, 40)) * 60)
        engine_lines.append(Line(name=f"L{li + 1}", shifts=_shifts(days, hole), changeovers=table))
    speed = [rng.uniform(0.7, 1.3) for _ in range(lines)]
    out = []
    work_per_line = 0.0
    for j in range(jobs):
        ops = []
        total = 0
        for _ in range(rng.randint(4, 7)):
            capable = rng.sample(range(lines), min(lines, rng.randint(2, 4)))
            base = rng.randint(20, 120)
            alternatives = {li: max(1, round(base / speed[li])) for li in capable}
            ops.append(Operation(alternatives))
            total += min(alternatives.values())
        work_per_line += total / lines
        release = rng.randrange(0, 30 * DAY)
        # Due: the job's work and the queue ahead of it (the factory's backlog at about 40 % of the clock:
        # two shifts on weekdays, less changeovers), with some slack, tight for some.
        due = release + 2 * total + int(work_per_line / 0.4 * rng.uniform(0.8, 1.5))
        weight = rng.choice((1, 1, 1, 1, 2, 3, 5, 9))
        out.append(Job(tuple(ops), variant=rng.choice(keys), release=release, due=due, weight=weight, name=f"J{j + 1}"))
    # A few jobs run now, one per line at most: their first operation started at 0 where it is.
    for li in range(min(lines, 5)):
        j = li
        first = out[j].operations[0]
        line = next(iter(first.alternatives))
        if any(o.operations[0].frozen and o.operations[0].frozen.line == line for o in out[:j]):
            continue
        frozen = Operation(first.alternatives, frozen=Frozen(line, 0, first.alternatives[line]))
        job = out[j]
        out[j] = Job((frozen,) + job.operations[1:], job.variant, 0, job.due, job.weight, job.name)
    return Problem(jobs=tuple(out), lines=tuple(engine_lines))


def flexible_job_shop(
    seed: int, jobs: int, machines: int, ops_per_job: tuple[int, int] = (5, 10), alternatives: tuple[int, int] = (2, 6)
) -> Problem:
    """A makespan flexible job shop: each operation on a few machines, durations 1-99 varying per machine."""
    rng = random.Random(seed)
    out = []
    for _ in range(jobs):
        ops = []
        for _ in range(rng.randint(*ops_per_job)):
            capable = rng.sample(range(machines), min(machines, rng.randint(*alternatives)))
            base = rng.randint(5, 80)
            ops.append(Operation({m: max(1, min(99, base + rng.randint(-base // 3, base // 3))) for m in capable}))
        out.append(Job(tuple(ops)))
    return Problem(jobs=tuple(out), lines=tuple(Line(name=f"M{m + 1}") for m in range(machines)))
