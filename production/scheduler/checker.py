"""An independent feasibility checker: it reads only the problem and the schedule, never the solver.

Checks: every operation placed once; on a line able to run it (the pinned line if pinned); for its
duration on that line; after its job's previous operation and the job's release; inside one shift
window of the line; frozen operations exactly where they were; and on each line, one operation at a time
with the changeover between consecutive operations respected. Two frozen operations next to each other
on a line are the floor's record, not a choice of the plan: they are not held to the changeover between
them.

`findings` returns each broken rule as a `Finding` (the line and the jobs involved, for the caller to
name in its own words); `violations` returns their texts.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .problem import Problem, Schedule


@dataclass(frozen=True)
class Finding:
    """One broken rule: `text` in engine indices, the `line` it happens on (None: no line) and the
    `jobs` (engine indices) involved, the one that should move first."""

    text: str
    jobs: tuple[int, ...]
    line: int | None = None
    rule: str = ""  # missing, unknown, line, pin, duration, order, shift, frozen, changeover


class InfeasibleSchedule(AssertionError):
    """The schedule breaks at least one rule; the message lists them, `findings` holds them."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


def findings(problem: Problem, schedule: Schedule) -> list[Finding]:
    """Every rule the schedule breaks (an empty list means feasible)."""
    out: list[Finding] = []
    expected = {(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))}
    placed = set(schedule.placements)
    for key in sorted(expected - placed):
        out.append(Finding(f"job {key[0]} operation {key[1]} is not scheduled", (key[0],), rule="missing"))
    for key in sorted(placed - expected):
        out.append(Finding(f"job {key[0]} operation {key[1]} does not exist", (key[0],), rule="unknown"))
    if out:
        return out
    in_shift = [_one_window(line.shifts) for line in problem.lines]
    for j, job in enumerate(problem.jobs):
        previous_end = job.release
        for o, op in enumerate(job.operations):
            p = schedule.placements[(j, o)]
            where = f"job {j} operation {o}"

            def broken(text: str, rule: str) -> None:
                out.append(Finding(text, (j,), p.line, rule))

            if (p.job, p.op) != (j, o):
                broken(f"{where} is filed under the wrong key", "unknown")
            if op.frozen is not None:
                f = op.frozen
                if (p.line, p.start, p.end) != (f.line, f.start, f.end):
                    broken(f"{where} is frozen at line {f.line} [{f.start}, {f.end}) but moved", "frozen")
                previous_end = p.end
                continue
            if p.line not in op.alternatives:
                broken(f"{where} runs on line {p.line}, which cannot run it", "line")
                continue
            if op.pinned_line is not None and p.line != op.pinned_line:
                broken(f"{where} is pinned to line {op.pinned_line} but runs on line {p.line}", "pin")
            if p.end - p.start != op.alternatives[p.line]:
                broken(f"{where} lasts {p.end - p.start}, expected {op.alternatives[p.line]} on line {p.line}", "duration")
            if p.start < previous_end:
                reason = "its release" if o == 0 else "the previous operation ends"
                broken(f"{where} starts at {p.start}, before {reason} at {previous_end}", "order")
            if not in_shift[p.line](p.start, p.end):
                broken(f"{where} [{p.start}, {p.end}) on line {p.line} is not inside one shift window", "shift")
            previous_end = p.end
    for li, ps in schedule.by_line().items():
        line = problem.lines[li]
        for a, b in zip(ps, ps[1:]):
            a_frozen = problem.jobs[a.job].operations[a.op].frozen is not None
            b_frozen = problem.jobs[b.job].operations[b.op].frozen is not None
            if a_frozen and b_frozen:
                continue
            setup = line.changeover(problem.jobs[a.job].variant, problem.jobs[b.job].variant)
            if b.start < a.end + setup:
                # The one that may move comes first in `jobs`.
                jobs = (a.job, b.job) if b_frozen else (b.job, a.job)
                out.append(
                    Finding(
                        f"line {li}: job {b.job} operation {b.op} starts at {b.start}, before job {a.job} "
                        f"operation {a.op} ends at {a.end} plus changeover {setup}",
                        jobs,
                        li,
                        "changeover",
                    )
                )
    return out


def _one_window(shifts):
    """A test of whether [start, end) lies inside one of these windows (always, when there are none):
    some window starts by `start` and ends at or after `end`, that is the latest end among the windows
    starting by `start` is at or after `end`. A bisection, not a scan: a line has a window per shift over
    the whole planning horizon."""
    if shifts is None:
        return lambda start, end: True
    ordered = sorted(shifts)
    starts = [a for a, _ in ordered]
    latest_end, reach = [], None
    for _, b in ordered:
        reach = b if reach is None else max(reach, b)
        latest_end.append(reach)

    def inside(start: int, end: int) -> bool:
        k = bisect_right(starts, start) - 1
        return k >= 0 and latest_end[k] >= end

    return inside


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule the schedule breaks, in words (an empty list means feasible)."""
    return [f.text for f in findings(problem, schedule)]


def check(problem: Problem, schedule: Schedule) -> None:
    """Raise InfeasibleSchedule listing every broken rule, or return None when the schedule is feasible."""
    found = findings(problem, schedule)
    if found:
        texts = [f.text for f in found]
        raise InfeasibleSchedule(
            "; ".join(texts[:20]) + (f" (and {len(texts) - 20} more)" if len(texts) > 20 else ""), found
        )
