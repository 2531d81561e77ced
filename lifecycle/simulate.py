"""The headless main job: seeded consumer demand through the whole pipeline, the factory clock fast-forwarded
until every order ships, and the figures that show what the planning policy buys (`manage.py simulate`).

`demand_generate` draws the orders (random valid configurations of the catalog, chosen group by group among
the options the configurator still offers, arriving over the first half of the period); `simulation_run`
places them through `order_place` as the clock reaches them, steps the clock, runs the periodic work of beat
(suppliers' autopilot, arrivals, replenishment, the factory tick, the periodic optimization) and returns `simulation_kpis`.
With `COSMO_TASKS_INLINE` every task enqueued runs at once in this process (the same task functions);
otherwise real workers serve the queues.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Max, Sum

from cosmo import clock
from lifecycle import floor
from orders.configuration import family_compiled
from orders.configurator import default_selection, evaluate
from orders.models import Order, OrderLine, ProductFamily, Stage, TimelineEntry
from orders.services import LineRequest, order_place
from production import crews, planning, tariff
from production.models import Factory, FactorySimulation, Operation, Requirement, Stock
from suppliers import autopilot, receiving, replenishment
from suppliers.models import AutopilotProfile, Offer, PurchaseOrder, Supplier

from suppliers.scorecard import deliveries_counted


@dataclass(frozen=True)
class Arrival:
    """One consumer order of the demand: when it arrives (minutes after the start) and what it holds."""

    minute: float
    family: str
    configuration: dict
    quantity: int


def configuration_random(compiled, rng: random.Random) -> dict:
    """A random valid configuration: group by group, one of the options the engine still offers."""
    selection = dict(default_selection(compiled))
    result = evaluate(compiled, selection)
    by_group: dict[str, list[str]] = {}
    for state in result.options.values():
        by_group.setdefault(state.group, []).append(state.code)
    for group in sorted(by_group):
        current = selection.get(group)
        if not isinstance(current, str):
            continue  # multi and numeric groups keep their defaults
        offered = [s.code for s in result.options.values() if s.group == group and s.available]
        if not offered:
            continue
        candidate = {**selection, group: rng.choice(sorted(offered))}
        answer = evaluate(compiled, candidate)
        if answer.satisfiable and not answer.errors:
            selection, result = candidate, answer
    return selection if result.valid else dict(default_selection(compiled))


def demand_generate(*, orders: int, days: float, seed: int) -> list[Arrival]:
    """`orders` seeded orders of the catalog's families that a factory line can make, arriving at random
    (uniformly) over the first half of `days`."""
    rng = random.Random(seed)
    families = list(ProductFamily.objects.filter(capabilities__isnull=False).distinct().order_by("code"))
    compiled = {family.code: family_compiled(family) for family in families}
    window = days * 1440 / 2
    minutes = sorted(rng.uniform(0, window) for _ in range(orders))
    arrivals = []
    for minute in minutes:
        family = rng.choice(families)
        arrivals.append(
            Arrival(
                minute=round(minute, 1),
                family=family.code,
                configuration=configuration_random(compiled[family.code], rng),
                quantity=rng.choice([1, 1, 1, 2, 2, 3]),
            )
        )
    return arrivals


def simulation_run(
    *,
    customer,
    orders: int,
    days: float,
    seed: int,
    step_minutes: float = 30,
    optimize_hours: float = 24,
    wait: Callable[[], None] | None = None,
    progress: Callable[[int, int, datetime], None] | None = None,
) -> dict:
    """Run the demand to the end (every order shipped or cancelled, or `days` passed) and return the KPIs.

    The clock stands still between steps; each step moves it `step_minutes`. `wait` is called after each
    step's work was handed to the queues (real workers: it waits until they are idle); `progress` gets the
    orders finished, the orders in all, and the factory time.
    """
    arrivals = demand_generate(orders=orders, days=days, seed=seed)
    suppliers_on_autopilot(seed=seed)
    shelves_fill()
    start = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    end = start + timedelta(days=days)
    clock.reset(start=start, speed=0)
    placed: list[int] = []
    t = start
    last_optimize = start
    k = 0
    while t < end:
        t += timedelta(minutes=step_minutes)
        clock.reset(start=t, speed=0)
        while k < len(arrivals) and start + timedelta(minutes=arrivals[k].minute) <= t:
            a = arrivals[k]
            order = order_place(
                customer=customer,
                lines=[LineRequest(a.family, a.configuration, a.quantity)],
                delivery_address="1 Simulation Road",
            )
            placed.append(order.pk)
            k += 1
        if wait is not None:
            wait()  # the orders just placed are planned and bought for before the suppliers and the floor act
        autopilot.suppliers_autopilot()
        receiving.shipments_arrive()
        replenishment.stock_replenish()
        floor.factories_tick(now=t)
        if t - last_optimize >= timedelta(hours=optimize_hours):
            planning.schedules_optimize_changed()
            last_optimize = t
        if wait is not None:
            wait()
        finished = Order.objects.filter(pk__in=placed, stage__in=[Stage.SHIPPED, Stage.CANCELLED]).count()
        if progress is not None:
            progress(finished, len(arrivals), t)
        if k == len(arrivals) and finished == len(arrivals):
            break
    return simulation_kpis(order_ids=placed, start=start, until=t, ordered=len(arrivals))


def suppliers_on_autopilot(*, seed: int) -> None:
    """Every supplier without an autopilot answers on its own too (a headless run has nobody at a portal):
    within four factory hours, 5 % of its lines a day late."""
    for supplier in Supplier.objects.filter(autopilot_profile__isnull=True):
        AutopilotProfile.objects.create(
            supplier=supplier, seed=seed, confirm_after_hours=4, late_rate="0.05", late_days=1, transit_days=1
        )
    Supplier.objects.update(autopilot=True)


def shelves_fill() -> None:
    """Start as a factory that has been running: every replenished part at its order-up-to level."""
    Stock.objects.filter(order_up_to__isnull=False, on_hand__lt=F("order_up_to")).update(on_hand=F("order_up_to"))


def line_key(factory_code: str, line_code: str, qualified: bool) -> str:
    """How a run's per-line figures name a line: "QD1/L1" when several factories ran (their line codes
    repeat: L1 is in each), the line code alone in a one-factory run."""
    return f"{factory_code}/{line_code}" if qualified else line_code


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def simulation_kpis(*, order_ids: list[int], start: datetime, until: datetime, ordered: int) -> dict:
    """The figures of a run: orders shipped, on time, lead times, utilization, changeovers, energy, buying."""
    shipped_at = dict(
        TimelineEntry.objects.filter(order__in=order_ids, event="shipped").values_list("order_id", "at")
    )
    orders = {o.pk: o for o in Order.objects.filter(pk__in=order_ids)}
    tz = ZoneInfo(Factory.objects.order_by("pk").first().timezone)
    lead_days = [(shipped_at[pk] - orders[pk].placed_at).total_seconds() / 86400 for pk in shipped_at]
    on_time = sum(
        1
        for pk, at in shipped_at.items()
        if orders[pk].promised_date is None or at.astimezone(tz).date() <= orders[pk].promised_date
    )
    units = OrderLine.objects.filter(order__in=list(shipped_at)).aggregate(units=Sum("quantity"))["units"] or 0
    minutes: dict[str, float] = {}
    energy = 0.0
    lines, line_kwh = {}, {}
    simulations = list(FactorySimulation.objects.select_related("factory"))
    qualified = len(simulations) > 1
    for simulation in simulations:
        energy += sum(simulation.energy_kwh.values())
        for line, kwh in simulation.energy_kwh.items():
            line_kwh[line_key(simulation.factory.code, line, qualified)] = round(kwh, 1)
        for line, spent in simulation.minutes.items():
            on = sum(v for s, v in spent.items() if s != "off")
            lines[line_key(simulation.factory.code, line, qualified)] = round(spent.get("running", 0.0) / on, 4) if on else 0.0
            for state, value in spent.items():
                minutes[state] = minutes.get(state, 0.0) + value
    on_minutes = sum(v for s, v in minutes.items() if s != "off")
    deliveries = deliveries_counted(PurchaseOrder.objects.values_list("supplier_id", flat=True).distinct())
    received = sum(total for total, _ in deliveries.values())
    received_on_time = sum(on for _, on in deliveries.values())
    mean_lead = statistics.fmean(lead_days) if lead_days else None
    return {
        "orders": ordered,
        "orders_shipped": len(shipped_at),
        "units_shipped": int(units),
        "on_time_rate": round(on_time / ordered, 4) if ordered else None,
        "mean_lead_time_days": None if mean_lead is None else round(mean_lead, 3),
        "p95_lead_time_days": None if not lead_days else round(_percentile(lead_days, 0.95), 3),
        "line_utilization": round(minutes.get("running", 0.0) / on_minutes, 4) if on_minutes else None,
        "utilization_per_line": dict(sorted(lines.items())),
        "energy_kwh_per_line": dict(sorted(line_kwh.items())),
        "changeover_hours": round(minutes.get("changeover", 0.0) / 60, 2),
        "energy_kwh": round(energy, 1),
        "energy_kwh_per_unit": round(energy / units, 3) if units else None,
        **unit_economics(shipped_order_ids=list(shipped_at), units=int(units), start=start),
        "purchase_orders": PurchaseOrder.objects.count(),
        "supplier_on_time_rate": round(received_on_time / received, 4) if received else None,
        "simulated_days": round((until - start).total_seconds() / 86400, 2),
    }


def unit_economics(*, shipped_order_ids: list[int], units: int, start: datetime) -> dict:
    """Energy, labour productivity and unit manufacturing cost of the good units shipped, over the run's
    production period: from its start to the end of the last operation (a run then waits for shipping,
    which no line or crew is needed for).

    - Energy: each line's states times its power in them (`LineInterval`, `LineSimulation`), costed at the
      factory's time-of-day tariff (`TariffBand`; `production.tariff`).
    - Crew hours (`production.crews`): each line's operators times the hours of the shifts its crew works.
      On a floor whose lines stand by (`COSMO_LINE_STANDBY`) crews are called from the plan: a line's crew
      works a shift only if the line works in it, and is paid the whole shift; otherwise the crew works
      every shift of the line (fixed). Both are reported (`crew_hours_called`, `crew_hours_fixed`).
    - Unit cost per good unit, in parts that add up: materials (the BOM's parts at their cheapest offer),
      labour and energy outside changeovers, scrap (the materials of the units scrapped and made again) and
      changeover losses (the crew and the energy while lines changed over). Conversion cost: all but materials.
    """
    end = Operation.objects.filter(ended_at__isnull=False).aggregate(end=Max("ended_at"))["end"] or start
    called_rule = settings.COSMO_LINE_STANDBY
    kwh = energy_cost = changeover_kwh = changeover_energy_cost = 0.0
    crew_fixed = crew_called = labour = changeover_labour = 0.0
    by_line: dict[str, dict] = {}
    for factory in Factory.objects.all():
        tz = ZoneInfo(factory.timezone)
        bands = tariff.factory_bands(factory)
        for line in factory.lines.filter(reports=False).select_related("simulation"):
            power = getattr(line, "simulation", None)
            kw = {} if power is None else {
                "running": power.power_running_kw, "changeover": power.power_changeover_kw,
                "idle": power.power_idle_kw, "stopped": power.power_idle_kw, "down": power.power_down_kw,
            }  # fmt: skip
            staffed, changing = [], 0.0
            seen = by_line[line_key(factory.code, line.code, True)] = {"hours": {}, "kwh": {}}
            for state, a, b in line.intervals.filter(end__gt=start, start__lt=end).values_list("state", "start", "end"):
                a, b = max(a, start), min(b, end)
                drawn = kw.get(state, 0.0) * (b - a).total_seconds() / 3600
                cost = tariff.energy_cost(a, b, kw.get(state, 0.0), bands, tz)
                kwh += drawn
                energy_cost += cost
                seen["hours"][state] = seen["hours"].get(state, 0.0) + (b - a).total_seconds() / 3600
                seen["kwh"][state] = seen["kwh"].get(state, 0.0) + drawn
                if state == "changeover":
                    changeover_kwh += drawn
                    changeover_energy_cost += cost
                    changing += (b - a).total_seconds() / 3600
                if state in crews.STAFFED:
                    staffed.append((a, b))
            crew = line.crews.filter(shift_name="").first()
            if crew is None:
                continue
            instances = crews.shift_instances(list(line.shifts.all()), tz, start, end)
            fixed = crew.operators * crews.hours(instances, start, end)
            called = crew.operators * crews.hours(crews.shifts_called(instances, staffed), start, end)
            crew_fixed += fixed
            crew_called += called
            seen["crew_hours_fixed"], seen["crew_hours_called"] = round(fixed, 1), round(called, 1)
            # The floor under any crew plan: the crew paid only for the hours its line worked.
            seen["crew_hours_worked"] = round(crew.operators * crews.hours(staffed, start, end), 1)
            labour += (called if called_rule else fixed) * float(crew.hourly_cost)
            changeover_labour += crew.operators * changing * float(crew.hourly_cost)
    crew_hours = crew_called if called_rule else crew_fixed
    cheapest = {}
    for part_id, price in Offer.objects.order_by("part_id", "price").values_list("part_id", "price"):
        cheapest.setdefault(part_id, float(price))
    per_line_unit: dict[int, float] = {}
    quantities = dict(OrderLine.objects.filter(order__in=shipped_order_ids).values_list("pk", "quantity"))
    for line_id, part_id, quantity in Requirement.objects.filter(order_line__in=list(quantities)).values_list(
        "order_line_id", "part_id", "quantity"
    ):
        per_line_unit[line_id] = per_line_unit.get(line_id, 0.0) + float(quantity) * cheapest.get(part_id, 0.0)
    materials = sum(per_line_unit.values())
    scrap_units = 0
    scrap_cost = 0.0
    for line_id, scrap in Operation.objects.filter(job__order_line__in=list(quantities), scrap__gt=0).values_list(
        "job__order_line_id", "scrap"
    ):
        scrap_units += scrap
        scrap_cost += scrap * per_line_unit.get(line_id, 0.0) / quantities[line_id]
    parts = {
        "materials": materials,
        "labour": labour - changeover_labour,
        "energy": energy_cost - changeover_energy_cost,
        "scrap": scrap_cost,
        "changeover": changeover_labour + changeover_energy_cost,
    }
    total = sum(parts.values())
    return {
        "good_units": units,
        "scrapped_units": scrap_units,
        "production_days": round((end - start).total_seconds() / 86400, 2),
        "production_kwh": round(kwh, 1),
        "good_units_per_kwh": round(units / kwh, 5) if kwh else None,
        "energy_cost": round(energy_cost, 2),
        "energy_cost_per_unit": round(energy_cost / units, 3) if units else None,
        "energy_price_mean": round(energy_cost / kwh, 4) if kwh else None,
        "crew_rule": "called" if called_rule else "fixed",
        "crew_hours": round(crew_hours, 1),
        "crew_hours_fixed": round(crew_fixed, 1),
        "crew_hours_called": round(crew_called, 1),
        "good_units_per_crew_hour": round(units / crew_hours, 4) if crew_hours else None,
        "unit_cost": round(total / units, 2) if units else None,
        "unit_conversion_cost": round((total - materials) / units, 2) if units else None,
        "unit_cost_parts": {k: round(v / units, 2) for k, v in parts.items()} if units else {},
        # Where the crew hours and the energy go, line by line: hours and kWh per state, crew hours (fixed,
        # called, and worked: the hours the line was staffed).
        "lines": {
            key: {**seen, "hours": _rounded(seen["hours"]), "kwh": _rounded(seen["kwh"])} for key, seen in by_line.items()
        },
    }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 1) for k, v in sorted(values.items())}


def queues_idle(timeout: float = 120) -> Callable[[], None]:
    """For real workers: a `wait` that returns once no worker has a task in hand or waiting (best effort)."""
    from cosmo.celery import QUEUES, app
    from cosmo.queue import queue_lengths

    def wait() -> None:
        deadline = time.monotonic() + timeout
        inspector = app.control.inspect(timeout=0.5)
        while time.monotonic() < deadline:
            waiting = sum(queue_lengths(QUEUES).values())
            active = inspector.active() or {}
            if waiting == 0 and not any(active.values()):
                return
            time.sleep(0.05)

    return wait
