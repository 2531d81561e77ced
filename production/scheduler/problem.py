"""The scheduling problem and its answer, as plain data.

Everything the engine reads and returns lives here: no Django, no OR-Tools. Times are integers in one
unit counted from a horizon origin (minutes in the factory, plain units for `.fjs` files). Jobs, their
operations and lines are referred to by their position (0-based) in the lists of a `Problem`; the caller
keeps the mapping to its own ids.

A `Problem` is a flexible job shop:

- a `Job` has an ordered routing of `Operation`s, a `variant` (the product variant key that decides
  changeovers), a `release` (no operation starts earlier: material arrival), an optional `due` date and a
  `weight` (priority) for weighted tardiness;
- an `Operation` has `alternatives` {line index: duration}; it may be `frozen` (already started: the line,
  start and end are kept as given) or `pinned` (a planner fixed the line, the engine chooses the time);
- a `Line` has an optional shift calendar (`shifts`: working windows; an operation must fit entirely
  inside one window, it never spans a break) and sequence-dependent `changeovers` between variants: the
  time between the end of one operation and the start of the next one on the line. Changeovers are
  wall-clock time and may run across a break. Its `power` (kW running) prices the energy of what it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


class ProblemError(ValueError):
    """The problem is malformed or cannot be satisfied (an impossible pin, an empty shift calendar...)."""


def allowed_starts(shifts, duration: int, horizon: int) -> list[list[int]]:
    """[first, last] start of a run of `duration` inside each shift window, ending by `horizon`."""
    spans = []
    for a, b in sorted(shifts):
        last = min(b - duration, horizon - duration)
        if last >= a:
            spans.append([a, last])
    return spans


@dataclass(frozen=True)
class Frozen:
    """An operation already started: it stays on `line` from `start` to `end`."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Operation:
    """One step of a routing: `alternatives` maps each capable line to its duration on that line."""

    alternatives: Mapping[int, int]
    frozen: Frozen | None = None
    pinned_line: int | None = None

    def lines(self) -> dict[int, int]:
        """The alternatives the engine may choose from, after a pin (a frozen op has only its own line)."""
        if self.frozen is not None:
            return {self.frozen.line: self.frozen.end - self.frozen.start}
        if self.pinned_line is not None:
            return {self.pinned_line: self.alternatives[self.pinned_line]}
        return dict(self.alternatives)


@dataclass(frozen=True)
class Job:
    """One order line: its routing, variant, release date, due date (None: no promise) and weight."""

    operations: tuple[Operation, ...]
    variant: str = ""
    release: int = 0
    due: int | None = None
    weight: int = 1
    name: str = ""


@dataclass(frozen=True)
class Line:
    """A production line (machine): shift windows (None: always open) and changeovers between variants.

    `changeovers[(from_variant, to_variant)]` is the changeover time; pairs not listed cost 0, and so does
    a variant followed by itself unless it is listed.
    """

    name: str = ""
    shifts: tuple[tuple[int, int], ...] | None = None
    changeovers: Mapping[tuple[str, str], int] = field(default_factory=dict)
    power: float = 0.0  # kW drawn while running: the energy of an operation is its duration times this

    def changeover(self, before: str, after: str) -> int:
        return self.changeovers.get((before, after), 0)


@dataclass(frozen=True)
class Problem:
    """A flexible job shop: jobs and lines."""

    jobs: tuple[Job, ...]
    lines: tuple[Line, ...]

    def validate(self) -> None:
        """Raise ProblemError naming the job and operation when the problem cannot be scheduled."""
        n_lines = len(self.lines)
        for li, line in enumerate(self.lines):
            if line.shifts is not None:
                for a, b in line.shifts:
                    if b <= a:
                        raise ProblemError(f"line {li}: shift window ({a}, {b}) ends before it starts")
                ordered = sorted(line.shifts)
                for (_, b), (c, _) in zip(ordered, ordered[1:]):
                    if c < b:
                        raise ProblemError(f"line {li}: shift windows overlap")
            for (a, b), t in line.changeovers.items():
                if t < 0:
                    raise ProblemError(f"line {li}: negative changeover {a!r} -> {b!r}")
        for j, job in enumerate(self.jobs):
            if not job.operations:
                raise ProblemError(f"job {j} has no operations")
            if job.weight < 0:
                raise ProblemError(f"job {j} has a negative weight")
            for o, op in enumerate(job.operations):
                where = f"job {j} operation {o}"
                if not op.alternatives and op.frozen is None:
                    raise ProblemError(f"{where} has no line able to run it")
                for line, d in op.alternatives.items():
                    if not 0 <= line < n_lines:
                        raise ProblemError(f"{where}: unknown line {line}")
                    if d < 0:
                        raise ProblemError(f"{where}: negative duration on line {line}")
                if op.pinned_line is not None and op.pinned_line not in op.alternatives:
                    raise ProblemError(f"{where} is pinned to line {op.pinned_line}, which cannot run it")
                if op.frozen is not None:
                    f = op.frozen
                    if not 0 <= f.line < n_lines or f.end < f.start:
                        raise ProblemError(f"{where}: frozen placement {f} is not a valid interval on a line")
        for j, job in enumerate(self.jobs):
            frozen = [op.frozen is not None for op in job.operations]
            if any(not a and b for a, b in zip(frozen, frozen[1:])):
                raise ProblemError(f"job {j}: a frozen operation follows one that has not started")

    @property
    def has_changeovers(self) -> bool:
        return any(t > 0 for line in self.lines for t in line.changeovers.values())

    def n_operations(self) -> int:
        return sum(len(job.operations) for job in self.jobs)

    def makespan_only(self) -> bool:
        """True when the makespan is the whole objective and no line has a calendar: no changeovers,
        shifts, due dates or frozen operations (the `.fjs` benchmarks, makespan what-ifs)."""
        return (
            not self.has_changeovers
            and all(line.shifts is None for line in self.lines)
            and all(job.due is None for job in self.jobs)
            and all(op.frozen is None for job in self.jobs for op in job.operations)
        )


@dataclass(frozen=True)
class Placement:
    """Where and when one operation runs."""

    job: int
    op: int
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Objective:
    """The objective terms of a schedule, in lexicographic order of importance."""

    weighted_tardiness: int
    changeover: int
    makespan: int
    energy: int = 0  # kWh of the operations' running time (lines with a power)

    def key(self) -> tuple[int, int, int, int]:
        """The factory's order of importance: weighted tardiness, changeover time, energy, makespan."""
        return self.weighted_tardiness, self.changeover, self.energy, self.makespan


@dataclass
class Schedule:
    """A schedule: `placements[(job, op)]` for every operation of the problem."""

    placements: dict[tuple[int, int], Placement]

    def by_line(self) -> dict[int, list[Placement]]:
        """Placements grouped per line, in start order."""
        lines: dict[int, list[Placement]] = {}
        for p in self.placements.values():
            lines.setdefault(p.line, []).append(p)
        for ps in lines.values():
            ps.sort(key=lambda p: (p.start, p.end))
        return lines

    def makespan(self) -> int:
        return max((p.end for p in self.placements.values()), default=0)

    def completion(self, job: int, n_ops: int) -> int:
        return self.placements[(job, n_ops - 1)].end

    def objective(self, problem: Problem) -> Objective:
        """Weighted tardiness, total changeover time and makespan of this schedule."""
        tardiness = 0
        for j, job in enumerate(problem.jobs):
            if job.due is not None:
                tardiness += job.weight * max(0, self.completion(j, len(job.operations)) - job.due)
        changeover = 0
        for li, ps in self.by_line().items():
            line = problem.lines[li]
            for a, b in zip(ps, ps[1:]):
                changeover += line.changeover(problem.jobs[a.job].variant, problem.jobs[b.job].variant)
        energy = sum((p.end - p.start) * problem.lines[p.line].power for p in self.placements.values()) / 60
        return Objective(tardiness, changeover, self.makespan(), round(energy))

    def as_rows(self) -> list[dict]:
        """The placements as JSON-ready dicts {job, op, machine, start, end}, sorted by job and op."""
        return [
            {"job": p.job, "op": p.op, "machine": p.line, "start": p.start, "end": p.end}
            for _, p in sorted(self.placements.items())
        ]
