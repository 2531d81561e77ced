"""Synthetic factories and plans, for the benchmark, the tests and demos without a database.

The plan is built by a simple list scheduler (each operation at the earliest time its line, its
predecessor and its release allow, ignoring shifts), placed stage by stage so that every line's sequence
agrees with the jobs' precedence and the plan can always be executed.
"""

from __future__ import annotations

import random

from .model import Factory, Line, Plan, PlannedOp, Power, Spread, daily_shifts


def synthetic_factory(
    *,
    lines: int = 10,
    days: int = 7,
    shifts: list[tuple[float, float]] | None = ((360, 840), (840, 1320)),
    variants: int = 6,
    changeover: float = 20.0,
    processing: Spread = Spread("lognormal", 0.15),
    mtbf: float | None = 600.0,
    mttr: float = 30.0,
    seed: int = 0,
) -> Factory:
    """``lines`` lines with the given daily ``shifts`` for ``days`` days (``None``: around the clock),
    a changeover matrix between ``variants`` variants around ``changeover`` minutes, and failures."""
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(variants)]
    result = []
    for n in range(lines):
        matrix = {a: {b: round(changeover * rng.uniform(0.5, 1.5), 1) for b in names if b != a} for a in names}
        result.append(
            Line(
                id=f"L{n + 1}",
                shifts=None if shifts is None else daily_shifts(days, list(shifts)),
                changeovers=matrix,
                default_changeover=changeover,
                processing=processing,
                mtbf=mtbf,
                mttr=mttr,
                power=Power(running=40 + 5 * (n % 3), changeover=15, idle=6, down=2, off=0),
            )
        )
    return Factory(lines=result)


def synthetic_plan(
    factory: Factory,
    *,
    ops: int,
    horizon: float,
    mean_duration: float = 20.0,
    max_ops_per_job: int = 4,
    variants: int = 6,
    slack: float = 1.5,
    release_share: float = 0.5,
    seed: int = 0,
) -> Plan:
    """``ops`` operations in jobs of 1 to ``max_ops_per_job`` operations, released over the first
    ``release_share`` of ``horizon`` minutes; a job is due ``slack`` times its planned lead time after its
    release, plus one mean operation."""
    rng = random.Random(seed)
    line_ids = [line.id for line in factory.lines]
    lines = {line.id: line for line in factory.lines}
    jobs = []
    count = 0
    while count < ops:
        n = min(rng.randint(1, max_ops_per_job), ops - count)
        jobs.append((round(rng.uniform(0, horizon * release_share), 1), n))
        count += n
    free = dict.fromkeys(line_ids, 0.0)
    variant_on = dict.fromkeys(line_ids)
    sequence = dict.fromkeys(line_ids, 0)
    variant = [f"v{rng.randrange(variants)}" for _ in jobs]
    ready = [release for release, _ in jobs]
    planned = []
    # Stage by stage (every job's first operation, then every second one...), each stage in order of
    # readiness: the placement order respects precedence and leaves few gaps on the lines.
    for k in range(max_ops_per_job):
        for j in sorted((j for j, (_, n) in enumerate(jobs) if n > k), key=lambda j: ready[j]):
            line = rng.choice(line_ids)
            duration = round(rng.uniform(0.5, 1.5) * mean_duration, 1)
            setup = lines[line].changeover(variant_on[line], variant[j])
            start = max(free[line] + setup, ready[j])
            planned.append(
                PlannedOp(
                    id=f"J{j}.{k}",
                    job=f"J{j}",
                    index=k,
                    line=line,
                    sequence=sequence[line],
                    planned_start=start,
                    planned_duration=duration,
                    variant=variant[j],
                    release=jobs[j][0] if k == 0 else 0.0,
                )
            )
            sequence[line] += 1
            free[line] = ready[j] = start + duration
            variant_on[line] = variant[j]
    due = {
        f"J{j}": round(release + slack * (ready[j] - release) + mean_duration, 1) for j, (release, _) in enumerate(jobs)
    }
    return Plan(ops=planned, due=due)
