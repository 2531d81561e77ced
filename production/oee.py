"""Overall equipment effectiveness as ISO 22400-2 defines it, per line and per factory over a period, from
the floor's records (line state intervals, operations' good and scrapped units), whether a real line
reported them over MQTT or the simulation wrote them.

- Planned busy time (PBT): the time a line was planned to work: every state but off (outside its shifts),
  standby (nothing planned for it) and planned maintenance (down for an outage).
- Actual production time (APT, run time): running, including minor stops while processing.
- Availability = APT / PBT; performance = ideal time of the units made / APT; quality = good / made;
  OEE = availability × performance × quality (= ideal time of the good units / PBT).
- The ideal time of a unit: the operation's routing minutes over the line's speed for the family, per unit
  of the job. An operation's ideal time is spread over the period by its running time, so a period boundary
  inside an operation does not move performance; units are counted when the operation ends.
- Time lost per cause (minutes): availability losses (breakdowns, changeovers, waiting for material, other
  waits: the job's previous operation, a restart, nothing to do), performance losses (minor stops, speed:
  running slower than ideal), and quality (scrap: the ideal time of the scrapped units).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from production.models import Factory, Line, LineCapability, LineInterval, Operation

CAUSES = ("breakdowns", "changeovers", "waiting for material", "other waits", "minor stops", "speed", "scrap")


@dataclass
class Oee:
    """OEE of one line (``line`` its code) or a factory (``line`` None) over a period; times in minutes."""

    line: str | None
    planned_busy: float = 0.0
    run: float = 0.0
    ideal: float = 0.0
    good: int = 0
    produced: int = 0
    losses: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CAUSES, 0.0))

    @property
    def availability(self) -> float | None:
        return self.run / self.planned_busy if self.planned_busy else None

    @property
    def performance(self) -> float | None:
        return self.ideal / self.run if self.run else None

    @property
    def quality(self) -> float | None:
        return self.good / self.produced if self.produced else None

    @property
    def oee(self) -> float | None:
        parts = (self.availability, self.performance, self.quality)
        if any(p is None for p in parts):
            return None
        return parts[0] * parts[1] * parts[2]

    def add(self, other: Oee) -> None:
        self.planned_busy += other.planned_busy
        self.run += other.run
        self.ideal += other.ideal
        self.good += other.good
        self.produced += other.produced
        for cause, minutes in other.losses.items():
            self.losses[cause] += minutes

    def as_dict(self) -> dict:
        def r(v):
            return None if v is None else round(v, 4)

        return {
            "line": self.line,
            "availability": r(self.availability),
            "performance": r(self.performance),
            "quality": r(self.quality),
            "oee": r(self.oee),
            "planned_busy_minutes": round(self.planned_busy, 1),
            "run_minutes": round(self.run, 1),
            "ideal_minutes": round(self.ideal, 1),
            "good_units": self.good,
            "produced_units": self.produced,
            "lost_minutes": {cause: round(m, 1) for cause, m in self.losses.items()},
        }


def _cause(state: str, reason: str) -> str | None:
    """The loss an interval is (None: run time or not planned)."""
    if state == "down":
        return "breakdowns"
    if state == "changeover":
        return "changeovers"
    if state == "idle":
        return "waiting for material" if reason == "material" else "other waits"
    return None


def factory_oee(factory: Factory, start: datetime, end: datetime) -> tuple[Oee, list[Oee]]:
    """The factory's OEE and each line's over [start, end)."""
    lines = list(Line.objects.filter(factory=factory).order_by("code"))
    per_line = {line.pk: Oee(line=line.code) for line in lines}
    running_in: dict[int, float] = defaultdict(float)  # operation -> running minutes in the period
    intervals = LineInterval.objects.filter(line__factory=factory, end__gt=start, start__lt=end)
    for iv in intervals.values_list("line_id", "state", "reason", "start", "end", "operation_id"):
        line_id, state, reason, a, b, op_id = iv
        minutes = (min(b, end) - max(a, start)).total_seconds() / 60
        if minutes <= 0 or state in ("off", "standby") or (state == "down" and reason == "outage"):
            continue
        o = per_line[line_id]
        o.planned_busy += minutes
        if state in ("running", "stopped"):
            o.run += minutes
            if state == "stopped":
                o.losses["minor stops"] += minutes
            elif op_id is not None:
                running_in[op_id] += minutes
        else:
            o.losses[_cause(state, reason)] += minutes
    ops = Operation.objects.filter(pk__in=list(running_in)).select_related("job__order_line")
    running_total = defaultdict(float)
    for op_id, a, b in LineInterval.objects.filter(operation_id__in=list(running_in), state="running").values_list(
        "operation_id", "start", "end"
    ):
        running_total[op_id] += (b - a).total_seconds() / 60
    speeds = {(c.line_id, c.family_id): float(c.speed) for c in LineCapability.objects.filter(line__factory=factory)}
    for op in ops:
        o = per_line.get(op.line_id)
        if o is None:
            continue
        quantity = op.job.order_line.quantity
        ideal_job = float(op.minutes) / speeds.get((op.line_id, op.job.order_line.family_id), 1.0)
        made = quantity + (op.scrap or 0) if op.ended_at is not None else quantity
        share = running_in[op.id] / running_total[op.id] if running_total[op.id] else 0.0
        o.ideal += ideal_job * made / quantity * share
    for op in Operation.objects.filter(job__factory=factory, ended_at__gte=start, ended_at__lt=end, good__isnull=False).select_related(
        "job__order_line"
    ):
        o = per_line.get(op.line_id)
        if o is None:
            continue
        o.good += op.good
        o.produced += op.good + (op.scrap or 0)
        if op.scrap:
            quantity = op.job.order_line.quantity
            ideal_job = float(op.minutes) / speeds.get((op.line_id, op.job.order_line.family_id), 1.0)
            o.losses["scrap"] += ideal_job * op.scrap / quantity
    total = Oee(line=None)
    for o in per_line.values():
        # What running took beyond the ideal time, less the scrapped units' share (counted as scrap).
        o.losses["speed"] = max(0.0, o.run - o.losses["minor stops"] - o.ideal)
        total.add(o)
    return total, list(per_line.values())
