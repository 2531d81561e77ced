"""An independent feasibility checker: it reads only the problem and the schedule, never the solver.

Checks: every operation placed once; on a line able to run it (the pinned line if pinned); for its
duration on that line; after its job's previous operation and the job's release; inside one shift
window of the line; frozen operations exactly where they were; and on each line, one operation at a time
with the changeover between consecutive operations respected.
"""

from __future__ import annotations

from .problem import Problem, Schedule


class InfeasibleSchedule(AssertionError):
    """The schedule breaks at least one rule; the message lists them."""


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule the schedule breaks, in words (an empty list means feasible)."""
    out: list[str] = []
    expected = {(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))}
    placed = set(schedule.placements)
    for key in sorted(expected - placed):
        out.append(f"job {key[0]} operation {key[1]} is not scheduled")
    for key in sorted(placed - expected):
        out.append(f"job {key[0]} operation {key[1]} does not exist")
    if out:
        return out
    for j, job in enumerate(problem.jobs):
        previous_end = job.release
        for o, op in enumerate(job.operations):
            p = schedule.placements[(j, o)]
            where = f"job {j} operation {o}"
            if (p.job, p.op) != (j, o):
                out.append(f"{where} is filed under the wrong key")
            if op.frozen is not None:
                f = op.frozen
                if (p.line, p.start, p.end) != (f.line, f.start, f.end):
                    out.append(f"{where} is frozen at line {f.line} [{f.start}, {f.end}) but moved")
                previous_end = p.end
                continue
            if p.line not in op.alternatives:
                out.append(f"{where} runs on line {p.line}, which cannot run it")
                continue
            if op.pinned_line is not None and p.line != op.pinned_line:
                out.append(f"{where} is pinned to line {op.pinned_line} but runs on line {p.line}")
            if p.end - p.start != op.alternatives[p.line]:
                out.append(f"{where} lasts {p.end - p.start}, expected {op.alternatives[p.line]} on line {p.line}")
            if p.start < previous_end:
                reason = "its release" if o == 0 else "the previous operation ends"
                out.append(f"{where} starts at {p.start}, before {reason} at {previous_end}")
            shifts = problem.lines[p.line].shifts
            if shifts is not None and not any(a <= p.start and p.end <= b for a, b in shifts):
                out.append(f"{where} [{p.start}, {p.end}) on line {p.line} is not inside one shift window")
            previous_end = p.end
    for li, ps in schedule.by_line().items():
        line = problem.lines[li]
        for a, b in zip(ps, ps[1:]):
            setup = line.changeover(problem.jobs[a.job].variant, problem.jobs[b.job].variant)
            if b.start < a.end + setup:
                out.append(
                    f"line {li}: job {b.job} operation {b.op} starts at {b.start}, before job {a.job} "
                    f"operation {a.op} ends at {a.end} plus changeover {setup}"
                )
    return out


def check(problem: Problem, schedule: Schedule) -> None:
    """Raise InfeasibleSchedule listing every broken rule, or return None when the schedule is feasible."""
    found = violations(problem, schedule)
    if found:
        raise InfeasibleSchedule("; ".join(found[:20]) + (f" (and {len(found) - 20} more)" if len(found) > 20 else ""))
