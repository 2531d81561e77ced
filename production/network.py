"""The factory network side by side: what the planner's network page and `GET /api/network/` show.

Per factory, from the same sources as its own pages:

- load: the hours its lines' operations fill over the coming week against the hours they work (the plan in
  force, as the plan page's utilization reads it: `kpis.line_load`);
- on-time rate and changeover hours of that plan (`kpis.schedule_kpis`);
- energy: the kWh its lines drew over the last `ENERGY_DAYS` days up to the floor's latest record
  (`EnergyReading`: the simulation's ticks or a meter over MQTT) and per unit: over the good units of the
  jobs finished in that time (their last operation's good units);
- the open orders at risk that it makes (the order's flag, `orders/delivery.py`'s one definition; a line
  not exploded yet counts for the factory it was routed to).

And the jobs that moved between factories (`JobMove`), newest first, with why, when and by whom.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Subquery, Sum

from cosmo import clock
from orders.models import OrderLine, Stage
from production import planning
from production.kpis import line_load, schedule_kpis
from production.models import EnergyReading, Factory, FactorySimulation, JobMove, Operation
from production.scheduler import Schedule
from production.scheduling import factory_problem

ENERGY_DAYS = 7
MOVES_SHOWN = 50
AT_RISK_SHOWN = 20


@dataclass(frozen=True)
class OrderAtRisk:
    number: str
    promised: date | None
    expected: date | None


@dataclass
class FactoryFigures:
    code: str
    name: str
    time_zone: str
    scheduled_hours: float  # the coming week
    capacity_hours: float
    load: float | None  # percent of capacity
    lines: list[dict]  # per line: code, scheduled_hours, capacity_hours, load
    jobs: int  # on the plan
    on_time_rate: float | None  # percent of the plan's jobs due that finish by their due date
    changeover_hours: float
    energy_from: datetime
    energy_to: datetime
    energy_kwh: float
    units: int
    kwh_per_unit: float | None
    orders_at_risk: int
    at_risk: list[OrderAtRisk] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    job: str
    order: str
    from_factory: str
    to_factory: str
    reason: str  # the code
    reason_text: str
    note: str
    at: datetime
    time_zone: str  # the zone the move's time is read in: the factory the job moved to
    by: str | None  # None: Cosmo itself
    promised_before: date | None
    promised_after: date | None


def _hours(minutes: float) -> float:
    return round(minutes / 60, 1)


def plan_figures(factory: Factory) -> dict:
    """Load over the coming week, on-time rate and changeover hours of the factory's plan in force."""
    fp = factory_problem(factory)
    if not fp.jobs:
        load = line_load(fp, Schedule(placements={}))
        kpis = {"on_time_rate": None, "changeover_hours": 0.0, "jobs": 0}
    else:
        schedule = planning.schedule_replanned(fp)
        load = line_load(fp, schedule)
        kpis = schedule_kpis(fp, schedule)
    busy = sum(b for _, b, _ in load)
    available = sum(a for _, _, a in load)
    return {
        "scheduled_hours": _hours(busy),
        "capacity_hours": _hours(available),
        "load": round(100.0 * busy / available, 1) if available else None,
        "lines": [
            {"code": code, "scheduled_hours": _hours(b), "capacity_hours": _hours(a),
             "load": round(100.0 * b / a, 1) if a else None}
            for code, b, a in load
        ],
        "jobs": kpis["jobs"],
        "on_time_rate": kpis["on_time_rate"],
        "changeover_hours": kpis["changeover_hours"],
    }


def energy_figures(factory: Factory, *, days: int = ENERGY_DAYS) -> dict:
    """kWh drawn and good units finished over the last `days` up to the floor's latest record."""
    simulation = FactorySimulation.objects.filter(factory=factory).first()
    end = simulation.until if simulation else clock.now()
    start = end - timedelta(days=days)
    kwh = EnergyReading.objects.filter(line__factory=factory, at__gt=start, at__lte=end).aggregate(k=Sum("kwh"))["k"] or 0.0
    last = Operation.objects.filter(job=OuterRef("job")).order_by("-sequence").values("sequence")[:1]
    units = (
        Operation.objects.filter(job__factory=factory, ended_at__gt=start, ended_at__lte=end, sequence=Subquery(last))
        .aggregate(u=Sum("good"))["u"] or 0
    )
    return {
        "energy_from": start,
        "energy_to": end,
        "energy_kwh": round(kwh, 1),
        "units": int(units),
        "kwh_per_unit": round(kwh / units, 2) if units else None,
    }


def orders_at_risk_by_factory(factories: list[Factory]) -> dict[int, list[OrderAtRisk]]:
    """Factory id → the open orders at risk with a line it makes (its job's factory, else its routing)."""
    by_code = {f.code: f.pk for f in factories}
    found: dict[int, dict[str, OrderAtRisk]] = {f.pk: {} for f in factories}
    rows = (
        OrderLine.objects.filter(order__at_risk=True)
        .exclude(order__stage__in=[Stage.SHIPPED, Stage.CANCELLED])
        .values_list("order__number", "order__promised_date", "order__expected_date", "job__factory_id", "factory_code")
        .order_by("order__promised_date", "order__number")
    )
    for number, promised, expected, job_factory, routed in rows:
        factory_id = job_factory or by_code.get(routed)
        if factory_id in found:
            found[factory_id].setdefault(number, OrderAtRisk(number, promised, expected))
    return {pk: list(orders.values()) for pk, orders in found.items()}


def factory_figures() -> list[FactoryFigures]:
    """Every factory's figures, in code order."""
    factories = list(Factory.objects.order_by("code"))
    at_risk = orders_at_risk_by_factory(factories)
    figures = []
    for factory in factories:
        risky = at_risk[factory.pk]
        figures.append(FactoryFigures(
            code=factory.code, name=factory.name, time_zone=factory.timezone,
            **plan_figures(factory), **energy_figures(factory),
            orders_at_risk=len(risky), at_risk=risky[:AT_RISK_SHOWN],
        ))
    return figures


def network_moves(limit: int = MOVES_SHOWN) -> list[Move]:
    """The latest jobs moved between factories, newest first."""
    moves = JobMove.objects.select_related("job__order_line__order", "from_factory", "to_factory", "by")[:limit]
    return [
        Move(
            job=m.job.number, order=m.job.order_line.order.number, from_factory=m.from_factory.code,
            to_factory=m.to_factory.code, reason=m.reason, reason_text=str(m.get_reason_display()), note=m.note,
            at=m.at, time_zone=m.to_factory.timezone, by=m.by.username if m.by else None,
            promised_before=m.promised_before, promised_after=m.promised_after,
        )
        for m in moves
    ]


def network_figures() -> dict:
    """The whole network view as plain data (the page renders it, the API serializes it)."""
    return {"now": clock.now(), "factories": factory_figures(), "moves": network_moves()}


def as_json(figures: dict) -> dict:
    """`network_figures` with dates and times as ISO 8601 strings (times with their UTC offset)."""
    def plain(value):
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {
        "now": plain(figures["now"]),
        "factories": [plain(asdict(f)) for f in figures["factories"]],
        "moves": [plain(asdict(m)) for m in figures["moves"]],
    }
