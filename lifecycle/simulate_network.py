"""`simulate` on the factory network: the same seeded demand, spread over the consumer regions, run twice on
the three demo factories, once routed by promise (`production/routing.py`, with re-routing) and once on the
baseline of a fixed factory per family (the rule before routing: the first factory, by code, with a line able
to make it), and the figures side by side (`manage.py simulate --network`).

Each run starts from a fresh demo world (`demo_seed(network=True)`) and walks the factory clock as
`lifecycle.simulate.simulation_run` does (orders placed as the clock reaches them, the suppliers' autopilot,
arrivals, replenishment, the floor's tick, the periodic optimization), with the order's region, and, when
routed, the re-routing pass of the beat each step. The demand is `demand_generate`'s with a region drawn
for each order from a generator of its own seed, so both runs place the very same orders.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from cosmo import clock
from lifecycle import floor, reroute
from lifecycle.simulate import demand_generate, line_key, shelves_fill, simulation_kpis, suppliers_on_autopilot
from orders.models import Order, ProductFamily, Region, Stage, TimelineEntry
from orders.services import LineRequest, order_place
from production import planning
from production.arrival import orders_arrival
from production.bom import factories_making
from production.models import (
    FactorySimulation,
    Job,
    JobMove,
    Line,
    MaintenanceWindow,
    Operation,
    RoutingPolicy,
    ShippingLane,
)
from production.promise import QuoteError
from production.routing import Route, line_candidates, route_choose
from suppliers import autopilot, receiving, replenishment

ROUTED, FIXED = "routed", "fixed"
FIXED_QUOTE = "lifecycle.simulate_network.fixed_route"
TAIL_DAYS = 7


def fixed_route(family: ProductFamily | str, configuration: dict, quantity: int, region=None) -> Route:
    """The baseline's quote (a `COSMO_DELIVERY_QUOTE`): the line goes to the family's fixed factory, the
    first by code with a capable line, and is promised that factory's date to the region."""
    if isinstance(family, str):
        family = ProductFamily.objects.get(code=family)
    fixed = factories_making([family.pk]).get(family.pk)
    if fixed is None:
        raise QuoteError(f"no factory has a line able to make {family.code}")
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
    chosen = route_choose(line_candidates(family, configuration, quantity, region or Region.default(), only={fixed}),
                          policy=RoutingPolicy.Policy.EARLIEST)
    if chosen is None:
        raise QuoteError(f"the factory of {family.code} cannot promise a date")
    return Route(chosen=chosen, candidates=[chosen])


@dataclass(frozen=True)
class Outage:
    """A disruption of the run: `line` of `factory` (every line when `line` is empty) down for `hours`
    from `after_hours` into the run, unannounced until then (`--outage QD1/L2:48@72`)."""

    factory: str
    line: str
    hours: float
    after_hours: float

    def __str__(self) -> str:
        where = f"{self.factory}/{self.line}" if self.line else self.factory
        return f"{where} down {self.hours:g} h from hour {self.after_hours:g}"


OUTAGE_FORM = "FACTORY[/LINE]:HOURS[@AFTER_HOURS], e.g. QD1/L2:48@72"


def outage_parse(text: str, *, days: float, lines: dict[str, set[str]]) -> Outage:
    """Read `--outage`: a factory's line (or the whole factory) down for HOURS, from AFTER_HOURS into the
    run (by default a quarter of `days`: the middle of the arrivals, with jobs planned there to disrupt).
    `lines` are the factories' line codes. Raises ValueError saying what is wrong."""
    where, colon, rest = text.strip().partition(":")
    hours_text, at, after_text = rest.partition("@")
    factory, _slash, line = where.partition("/")
    factory, line = factory.strip().upper(), line.strip().upper()
    if not colon or not factory:
        raise ValueError(f"--outage {text!r}: expected {OUTAGE_FORM}.")
    if factory not in lines:
        raise ValueError(f"--outage {text!r}: no factory {factory!r} (there are {', '.join(sorted(lines))}).")
    if _slash and line not in lines[factory]:
        raise ValueError(f"--outage {text!r}: {factory} has no line {line!r} (it has {', '.join(sorted(lines[factory]))}).")
    try:
        hours = float(hours_text)
        after = float(after_text) if at else days * 24 / 4
    except ValueError:
        raise ValueError(f"--outage {text!r}: the hours are numbers ({OUTAGE_FORM}).") from None
    if not (math.isfinite(hours) and math.isfinite(after)) or hours <= 0 or after < 0:
        raise ValueError(f"--outage {text!r}: HOURS must be positive and AFTER_HOURS zero or more.")
    if after >= days * 24:
        raise ValueError(f"--outage {text!r}: it would start after the run's {days:g} days.")
    return Outage(factory=factory, line=line, hours=hours, after_hours=after)


def outage_start(outage: Outage, now: datetime) -> list[MaintenanceWindow]:
    """Take the outage's line(s) down from `now` as the planners would (`maintenance_apply`: the plan moves
    off them, the orders it makes late are at risk)."""
    lines = Line.objects.filter(factory__code=outage.factory).order_by("code")
    if outage.line:
        lines = lines.filter(code=outage.line)
    end = now + timedelta(hours=outage.hours)
    return [planning.maintenance_apply(line=line, start=now, end=end, reason=f"outage ({outage})") for line in lines]


def regions_draw(count: int, *, seed: int) -> list[str]:
    """A region code for each of `count` orders, drawn evenly over the regions (seeded apart from the
    demand itself, so the orders are those of `demand_generate` for the same seed)."""
    codes = list(Region.objects.order_by("position", "code").values_list("code", flat=True))
    rng = random.Random(f"regions-{seed}")
    return [rng.choice(codes) for _ in range(count)]


def network_run(
    *,
    customer,
    routing: str,
    orders: int,
    days: float,
    seed: int,
    step_minutes: float = 60,
    optimize_hours: float = 24,
    outage: Outage | None = None,
    progress: Callable[[int, int, datetime], None] | None = None,
) -> dict:
    """Run the demand on the network with `routing` (ROUTED or FIXED), every task in this process, and
    return `network_kpis`. The orders arrive over the first half of `days` (as `simulate`'s do); the run
    goes on until every order ships, or for `days` plus the longest shipping lane and `TAIL_DAYS` more (an
    order made far from its region is weeks on the way). `outage`: a disruption the same in both runs."""
    if routing not in (ROUTED, FIXED):
        raise ValueError(f"routing is {ROUTED!r} or {FIXED!r}")
    settings.COSMO_TASKS_INLINE = True
    settings.COSMO_DELIVERY_QUOTE = FIXED_QUOTE if routing == FIXED else "production.routing.delivery_route"
    policy = RoutingPolicy.current()
    policy.reroute = routing == ROUTED
    policy.save()
    arrivals = demand_generate(orders=orders, days=days, seed=seed)
    regions = regions_draw(len(arrivals), seed=seed)
    suppliers_on_autopilot(seed=seed)
    shelves_fill()
    start = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    longest = max(ShippingLane.objects.values_list("days", flat=True), default=settings.COSMO_SHIPPING_DAYS)
    end = start + timedelta(days=days + longest + TAIL_DAYS)
    clock.reset(start=start, speed=0)
    placed: list[int] = []
    t, last_optimize, k = start, start, 0
    outage_at = None
    while t < end:
        t += timedelta(minutes=step_minutes)
        clock.reset(start=t, speed=0)
        while k < len(arrivals) and start + timedelta(minutes=arrivals[k].minute) <= t:
            a = arrivals[k]
            order = order_place(customer=customer, lines=[LineRequest(a.family, a.configuration, a.quantity)],
                                delivery_address="1 Simulation Road", region=regions[k])
            placed.append(order.pk)
            k += 1
        if outage is not None and outage_at is None and t >= start + timedelta(hours=outage.after_hours):
            outage_start(outage, t)
            outage_at = t
        autopilot.suppliers_autopilot()
        receiving.shipments_arrive()
        replenishment.stock_replenish()
        floor.factories_tick(now=t)
        if routing == ROUTED:
            reroute.jobs_reroute()
        if t - last_optimize >= timedelta(hours=optimize_hours):
            planning.schedules_optimize_changed()
            last_optimize = t
        finished = Order.objects.filter(pk__in=placed, stage__in=[Stage.SHIPPED, Stage.CANCELLED]).count()
        if progress is not None:
            progress(finished, len(arrivals), t)
        if k == len(arrivals) and finished == len(arrivals):
            break
        if k == len(arrivals):
            t = _skip_to_arrival(placed, t, step_minutes)
    kpis = network_kpis(order_ids=placed, start=start, until=t, ordered=len(arrivals))
    return {"routing": routing, "seed": seed, "outage": str(outage) if outage else None, **kpis}


def _skip_to_arrival(placed: list[int], t: datetime, step_minutes: float) -> datetime:
    """When every order left is made and on its way, the step before the first arrives: nothing happens
    meanwhile but the weeks of a far lane, and the arrival is still seen at the same step."""
    open_stages = set(Order.objects.filter(pk__in=placed).exclude(stage__in=[Stage.SHIPPED, Stage.CANCELLED])
                      .values_list("stage", flat=True))
    if open_stages != {Stage.COMPLETED}:
        return t
    open_ids = list(Order.objects.filter(pk__in=placed, stage=Stage.COMPLETED).values_list("pk", flat=True))
    due = min(orders_arrival(open_ids).values(), default=None)
    if due is None:
        return t
    step = timedelta(minutes=step_minutes)
    ahead = math.ceil((due - t) / step)
    return t + step * (ahead - 1) if ahead > 1 else t


def network_kpis(*, order_ids: list[int], start: datetime, until: datetime, ordered: int) -> dict:
    """`simulation_kpis` of the run, with the on-time rate read in each order's factory's time zone (where
    its promise is dated), the shipping (days on the way per unit, cost per unit, from the lanes), and
    what each factory made."""
    kpis = simulation_kpis(order_ids=order_ids, start=start, until=until, ordered=ordered)
    shipped_at = dict(TimelineEntry.objects.filter(order__in=order_ids, event="shipped").values_list("order_id", "at"))
    lanes = {(f, r): (d, c) for f, r, d, c in ShippingLane.objects.values_list("factory_id", "region_id", "days", "cost_per_unit")}
    default = (settings.COSMO_SHIPPING_DAYS, Decimal("0"))
    jobs = Job.objects.filter(order_line__order__in=order_ids).values_list(
        "order_line__order_id", "order_line__order__region_id", "order_line__quantity", "factory_id",
        "factory__code", "factory__timezone",
    )
    zone: dict[int, str] = {}
    units = Counter()
    ship_days = ship_cost = Decimal("0")
    for order_id, region_id, quantity, factory_id, code, time_zone in jobs:
        zone.setdefault(order_id, time_zone)
        units[code] += quantity
        days, cost = lanes.get((factory_id, region_id), default)
        ship_days += days * quantity
        ship_cost += cost * quantity
    promised = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "promised_date"))
    on_time = sum(
        1 for pk, at in shipped_at.items()
        if promised[pk] is None or at.astimezone(ZoneInfo(zone.get(pk, "UTC"))).date() <= promised[pk]
    )
    total = sum(units.values())
    # The energy's cost at each factory's own price per kWh (what routing weighs), per unit shipped.
    energy_cost = sum(
        sum(kwh.values()) * float(price)
        for kwh, price in FactorySimulation.objects.values_list("energy_kwh", "factory__energy_price")
    )
    kwh_by_factory = {
        code: sum(kwh.values()) for code, kwh in FactorySimulation.objects.values_list("factory__code", "energy_kwh")
    }
    promise_days = [
        (p - at.date()).days for at, p in Order.objects.filter(pk__in=order_ids).values_list("placed_at", "promised_date") if p
    ]
    return {
        **kpis,
        "on_time_rate": round(on_time / ordered, 4) if ordered else None,
        "mean_promised_days": round(statistics.fmean(promise_days), 2) if promise_days else None,
        "shipping_days_per_unit": round(float(ship_days) / total, 2) if total else None,
        "shipping_cost_per_unit": round(float(ship_cost) / total, 2) if total else None,
        "energy_cost_per_unit": round(energy_cost / kpis["units_shipped"], 2) if kpis["units_shipped"] else None,
        "units_by_factory": dict(sorted(units.items())),
        "energy_kwh_per_unit_by_factory": {
            code: round(kwh / units[code], 1) if units[code] else None for code, kwh in sorted(kwh_by_factory.items())
        },
        "units_per_line": units_per_line(order_ids),
        "jobs_moved": JobMove.objects.filter(job__order_line__order__in=order_ids).count(),
        "moves": dict(sorted(Counter(
            f"{a}→{b} {why}" for a, b, why in JobMove.objects.filter(job__order_line__order__in=order_ids)
            .values_list("from_factory__code", "to_factory__code", "reason")
        ).items())),
    }


def units_per_line(order_ids: list[int]) -> dict[str, int]:
    """Units made on each line ("QD1/L2"), a job's units counted once on every line that ran a step of it."""
    made = set(
        Operation.objects.filter(job__order_line__order__in=order_ids, ended_at__isnull=False, line__isnull=False)
        .values_list("job_id", "line__factory__code", "line__code", "job__order_line__quantity")
    )
    units = Counter()
    for _job, factory_code, line_code, quantity in made:
        units[line_key(factory_code, line_code, qualified=True)] += quantity
    return dict(sorted(units.items()))


# What the side-by-side table shows, in order: (key, label).
COMPARED = [
    ("orders", "orders"),
    ("orders_shipped", "orders shipped"),
    ("units_shipped", "units shipped"),
    ("mean_promised_days", "mean days promised"),
    ("mean_lead_time_days", "mean lead time (days)"),
    ("p95_lead_time_days", "p95 lead time (days)"),
    ("on_time_rate", "on-time rate"),
    ("shipping_days_per_unit", "shipping days per unit"),
    ("shipping_cost_per_unit", "shipping cost per unit"),
    ("energy_kwh_per_unit", "energy per unit (kWh)"),
    ("energy_kwh_per_unit_by_factory", "kWh per unit by factory"),
    ("energy_cost_per_unit", "energy cost per unit"),
    ("changeover_hours", "changeover hours"),
    ("units_by_factory", "units by factory"),
    ("jobs_moved", "jobs moved"),
    ("moves", "moves (from→to why)"),
    ("simulated_days", "factory days simulated"),
]


def comparison_table(routed: dict, fixed: dict) -> list[str]:
    """The two runs side by side, one figure a row."""
    def cell(value) -> str:
        if isinstance(value, dict):
            return " ".join(f"{k} {v}" for k, v in value.items()) or "-"
        return "-" if value is None else str(value)

    width = max(len(label) for _, label in COMPARED)
    rows = [f"{'':<{width}}  {'routed by promise':<24}  fixed factory per family"]
    rows += [f"{label:<{width}}  {cell(routed.get(key)):<24}  {cell(fixed.get(key))}" for key, label in COMPARED]
    return rows
