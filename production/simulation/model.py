"""Plain-data inputs and outputs of the factory simulation.

Every time is a number of minutes from an origin the caller chooses (the Django side uses the factory
clock's epoch); every duration is in minutes. The engine works internally on whole seconds, so inputs are
rounded to the second and outputs are multiples of a second. Everything here is a dataclass of numbers,
strings, lists and dicts: ``to_dict`` gives JSON-ready data and ``from_dict`` reads it back.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

# Line states, as they appear in intervals, in energy accounts and in LineState.status.
RUNNING = "running"
CHANGEOVER = "changeover"
IDLE = "idle"
STANDBY = "standby"  # in a shift, with nothing planned for it: switched off until work is planned
# The phase of a line coming back on after standing by: it draws idle power and does no work.
RESTART = "restart"
DOWN = "down"
OFF = "off"
# A minor stop: a short stop while an operation is being processed (a jam, a missing screw); idle power.
STOPPED = "stopped"
STATES = (RUNNING, CHANGEOVER, IDLE, STANDBY, DOWN, OFF, STOPPED)

SPREAD_KINDS = ("fixed", "lognormal", "triangular", "uniform", "exponential")


@dataclass(frozen=True)
class Spread:
    """How a random duration spreads around its mean.

    ``kind`` is one of ``fixed`` (always the mean), ``lognormal``, ``triangular`` (symmetric, mode at the
    mean), ``uniform`` (symmetric) or ``exponential`` (its coefficient of variation is always 1, ``cv`` is
    ignored). ``cv`` is the coefficient of variation: standard deviation over mean. A triangular spread
    needs ``cv <= 1/sqrt(6)`` and a uniform one ``cv <= 1/sqrt(3)`` so that no draw is negative.
    """

    kind: str = "lognormal"
    cv: float = 0.1

    def __post_init__(self):
        if self.kind not in SPREAD_KINDS:
            raise ValueError(f"spread kind {self.kind!r} is not one of {', '.join(SPREAD_KINDS)}")
        if not self.cv >= 0:
            raise ValueError(f"spread cv must be >= 0, got {self.cv!r}")
        limit = {"triangular": 1 / math.sqrt(6), "uniform": 1 / math.sqrt(3)}.get(self.kind)
        if limit is not None and self.cv > limit + 1e-12:
            raise ValueError(f"a {self.kind} spread needs cv <= {limit:.3f}, got {self.cv}")


@dataclass(frozen=True)
class Power:
    """Power a line draws in each state, in kW. Outside its shifts an idle line is switched off; waiting for
    its next operation it idles; in a factory whose lines stand by (``Factory.standby``), a line in its
    shift with nothing planned for it is switched off too, and idles while it restarts."""

    running: float = 0.0
    changeover: float = 0.0
    idle: float = 0.0
    down: float = 0.0
    off: float = 0.0
    standby: float = 0.0

    def kw(self, state: str) -> float:
        return self.idle if state == STOPPED else getattr(self, state)


@dataclass(frozen=True)
class Line:
    """One production line.

    - ``shifts``: working windows ``[(start, end), ...]`` in minutes from the origin; ``None`` means the
      line works around the clock. Outside the windows no work is done: an operation or changeover in
      progress pauses at the end of a window and resumes, with the work it has left, at the next one.
    - ``changeovers``: ``{from_variant: {to_variant: minutes}}``; a pair not listed costs
      ``default_changeover`` when the variants differ and nothing when they are equal. Changing over from
      no variant (a fresh line) costs ``changeovers[""][to]`` if given, else nothing.
    - ``processing``: the spread of actual processing times around each operation's planned duration.
    - ``mtbf``: mean running minutes between failures (``None``: the line never fails). The failure clock
      counts only minutes spent running or changing over, so a line that stands still does not wear.
    - ``mttr``: mean minutes to repair; a repair runs on the wall clock, through breaks and nights.
    - ``failures`` and ``repairs``: the spreads of the time between failures and of the repair time.
    - ``power``: kW per state.
    - ``restart``: minutes a line that stood by needs to come back on before it can work (at idle power).
    - ``scrap_rate``: the chance each unit is scrapped; a scrapped unit is made again in the same
      operation, which takes that much longer.
    - ``minor_stops_per_hour`` and ``minor_stop_minutes``: short stops while processing (Poisson in the
      processing time, each of that many minutes), at idle power, at the end of the operation.
    """

    id: str
    shifts: list[tuple[float, float]] | None = None
    changeovers: dict[str, dict[str, float]] = field(default_factory=dict)
    default_changeover: float = 0.0
    processing: Spread = Spread("lognormal", 0.1)
    mtbf: float | None = None
    mttr: float = 0.0
    failures: Spread = Spread("exponential")
    repairs: Spread = Spread("exponential")
    power: Power = Power()
    restart: float = 0.0
    scrap_rate: float = 0.0
    minor_stops_per_hour: float = 0.0
    minor_stop_minutes: float = 0.0

    def __post_init__(self):
        if not 0 <= self.scrap_rate < 1:
            raise ValueError(f"line {self.id}: scrap_rate must be in [0, 1), got {self.scrap_rate!r}")
        if self.mtbf is not None and not self.mtbf > 0:
            raise ValueError(f"line {self.id}: mtbf must be positive or None, got {self.mtbf!r}")
        if not self.mttr >= 0 or not self.default_changeover >= 0 or not self.restart >= 0:
            raise ValueError(f"line {self.id}: mttr, default_changeover and restart must be >= 0")

    def changeover(self, before: str | None, after: str) -> float:
        """Minutes to change this line over from variant ``before`` to variant ``after``."""
        if before is None:
            return self.changeovers.get("", {}).get(after, 0.0)
        if before == after:
            return self.changeovers.get(before, {}).get(after, 0.0)
        return self.changeovers.get(before, {}).get(after, self.default_changeover)


@dataclass(frozen=True)
class Outage:
    """A window in which a line is down whatever it was doing: planned maintenance or a what-if."""

    line: str
    start: float
    end: float


@dataclass(frozen=True)
class Factory:
    """The lines of one factory and its planned outages.

    ``standby``: a line in its shift with nothing planned for it switches off (standby, drawing its standby
    power) and, when work is planned for it again, restarts first (``Line.restart``); so does a line whose
    next operation is held (``PlannedOp.hold``). Without it a line stays on (idle) through its shifts, as a
    floor that does not know what comes next keeps it."""

    lines: list[Line]
    outages: list[Outage] = field(default_factory=list)
    standby: bool = True


@dataclass(frozen=True)
class PlannedOp:
    """One scheduled operation.

    The line runs its operations in ``sequence`` order (lowest first). Processing cannot start before
    ``release`` (materials on hand) nor before the job's previous operation (the one with the next lower
    ``index`` in the plan) has ended, on whatever line. The changeover to the operation's ``variant`` may
    be done ahead, as soon as the line has finished its previous operation.
    ``planned_start`` is used only to measure drift; the actual processing time is drawn around
    ``planned_duration``. ``hold``: the line does not take the operation before then (the planner holds a
    line standing by for a coming shift, `production.crews`); in a factory whose lines stand by it stays
    off meanwhile.
    """

    id: str
    job: str
    index: int
    line: str
    sequence: int
    planned_start: float
    planned_duration: float
    variant: str = ""
    release: float = 0.0
    units: int = 1
    hold: float = 0.0

    def __post_init__(self):
        if not self.planned_duration >= 0:
            raise ValueError(f"operation {self.id}: planned_duration must be >= 0, got {self.planned_duration!r}")

    @property
    def planned_end(self) -> float:
        return self.planned_start + self.planned_duration


@dataclass(frozen=True)
class Plan:
    """The schedule to execute: operations and, for forecasts, each job's due time in minutes.

    Operations already done may be left out (a done predecessor is always satisfied); keeping them only
    costs time. The operation a line has in hand should stay in the plan.
    """

    ops: list[PlannedOp]
    due: dict[str, float] = field(default_factory=dict)


@dataclass
class LineState:
    """Where one line stands at a moment, enough to resume it exactly.

    - ``variant``: what the line is set up for (``None``: nothing yet).
    - ``op``: the operation in hand, ``phase`` ``"restart"``, ``"changeover"`` or ``"running"``, with
      ``remaining`` minutes of that phase's work left. A ``running`` op whose ``op_start`` is ``None`` is
      changed over and waits for its release or its predecessor.
    - ``down_until``/``down_cause``: set while the line is down (``"failure"`` or ``"outage"``).
    - ``busy``: running and changeover minutes since the last repair (the failure clock); ``failures``:
      how many failures the line has had, which is the index of its next failure's random draw.
    - ``status``: the line's state at that moment (one of ``STATES``), for display only.
    """

    variant: str | None = None
    op: str | None = None
    phase: str | None = None
    remaining: float = 0.0
    op_start: float | None = None
    down_until: float | None = None
    down_cause: str | None = None
    busy: float = 0.0
    failures: int = 0
    status: str = IDLE
    powered: bool = True  # False after standing by: the line restarts before its next work


@dataclass
class FactoryState:
    """The whole factory at ``time``: each line's state and the operations done as ``{op: [start, end]}``.

    Entries of ``done`` for operations no longer in any plan may be dropped by the caller.
    """

    time: float
    lines: dict[str, LineState]
    done: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def fresh(cls, factory: Factory, time: float = 0.0) -> FactoryState:
        """A factory at ``time`` whose lines are up, set up for nothing, with new failure clocks."""
        return cls(time=time, lines={line.id: LineState() for line in factory.lines})


@dataclass(frozen=True)
class OpRecord:
    """An operation's actual processing start and end; ``end`` is ``None`` while it is still running.
    Once it ended, ``good`` and ``scrap`` count the units made well and those scrapped (and made again)."""

    op: str
    line: str
    start: float
    end: float | None
    good: int | None = None
    scrap: int | None = None


@dataclass(frozen=True)
class Interval:
    """A line in one state from ``start`` to ``end``; ``op`` names the operation running or changed to,
    ``reason`` why: idle for ``material``, ``upstream`` (the job's previous operation), ``no work`` or
    ``restart``; down for ``failure`` or ``outage``; stopped for ``minor stop``."""

    line: str
    state: str
    start: float
    end: float
    op: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Breakdown:
    """A line down from ``start`` to ``end`` (the end may lie after the tick), by ``failure`` or ``outage``."""

    line: str
    start: float
    end: float
    cause: str


@dataclass
class Tick:
    """What happened from ``start`` to ``until``, and the state to resume from.

    - ``ops``: a record for every operation that started or ended in the tick (an upsert by ``op``).
    - ``intervals``: each line's states, clipped to the tick, adjacent equal states merged.
    - ``breakdowns``: every breakdown that began in the tick.
    - ``minutes``: ``{line: {state: minutes}}`` spent in the tick; ``energy_kwh``: ``{line: kWh}`` from it,
      and ``total_energy_kwh``.
    """

    start: float
    until: float
    ops: list[OpRecord]
    intervals: list[Interval]
    breakdowns: list[Breakdown]
    minutes: dict[str, dict[str, float]]
    energy_kwh: dict[str, float]
    total_energy_kwh: float
    state: FactoryState


def daily_shifts(days: int, windows: list[tuple[float, float]], start_day: int = 0) -> list[tuple[float, float]]:
    """Shift windows for ``days`` days from day ``start_day``, given the windows of one day in minutes of
    that day (an end above 1440 runs past midnight). Example: ``daily_shifts(7, [(360, 840), (840, 1320)])``.
    """
    return [(d * 1440 + a, d * 1440 + b) for d in range(start_day, start_day + days) for a, b in windows]


def to_dict(value: Any) -> Any:
    """JSON-ready plain data of any of these dataclasses (tuples become lists)."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value


def state_from_dict(data: dict) -> FactoryState:
    """Read back a FactoryState written by ``to_dict``."""
    return FactoryState(
        time=data["time"],
        lines={k: LineState(**v) for k, v in data["lines"].items()},
        done={k: list(v) for k, v in data.get("done", {}).items()},
    )


def factory_from_dict(data: dict) -> Factory:
    """Read back a Factory written by ``to_dict``."""

    def line(d: dict) -> Line:
        d = dict(d)
        for name in ("processing", "failures", "repairs"):
            if name in d:
                d[name] = Spread(**d[name])
        if "power" in d:
            d["power"] = Power(**d["power"])
        if d.get("shifts") is not None:
            d["shifts"] = [tuple(w) for w in d["shifts"]]
        return Line(**d)

    return Factory(
        lines=[line(d) for d in data["lines"]],
        outages=[Outage(**o) for o in data.get("outages", [])],
        standby=data.get("standby", True),
    )


def plan_from_dict(data: dict) -> Plan:
    """Read back a Plan written by ``to_dict``."""
    return Plan(ops=[PlannedOp(**o) for o in data["ops"]], due=dict(data.get("due", {})))
