"""The floor's part in the order's lifecycle: each tick advances the simulated floor (production's
`floor_advance`) and, in the same transaction under the factory's row lock, moves the orders on from what
happened: in production when their first operation starts (each operation on the timeline, with its line),
completed when every job is done, and shipped once the shipping time has passed since their last operation.
The expected delivery date follows the plan, which follows the floor; the timeline says when it moves away
from what the consumer was last told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from cosmo import clock
from orders.delivery import arrival_date, expected_date, orders_expect, shipping_time
from orders.models import Order, Stage, TimelineEntry
from orders.timeline import timeline_add
from production.arrival import orders_arrival
from production.models import Factory, Job, Operation, ShippingLane
from production.shopfloor import floor_advance


@dataclass(frozen=True)
class TickResult:
    """What one tick did (for the task's log and the tests)."""

    factory: str
    minutes: float
    started: int
    ended: int
    breakdowns: int
    completed: int
    shipped: int
    reschedule: bool


def factory_tick(*, factory_id: int, now: datetime | None = None) -> TickResult | None:
    """Advance one factory's floor to `now` and move its orders on, in one transaction. None when there
    was nothing to advance."""
    now = (now or clock.now()).replace(microsecond=0)
    with transaction.atomic():
        floor = floor_advance(factory_id=factory_id, now=now)
        if floor is None:
            return None
        time_zone = floor.factory.timezone
        orders_start(floor.started, time_zone)
        completed = orders_complete(floor.jobs_done, time_zone)
        orders_expect_from_plan(floor.factory)
        shipped = orders_ship(now=now)
    return TickResult(
        factory=floor.factory.code,
        minutes=floor.minutes,
        started=len(floor.started),
        ended=len(floor.ended),
        breakdowns=floor.breakdowns,
        completed=completed,
        shipped=shipped,
        reschedule=floor.reschedule,
    )


def factories_tick(*, now: datetime | None = None) -> list[TickResult]:
    """Tick every factory, each in its own transaction."""
    results = []
    for factory_id in Factory.objects.order_by("pk").values_list("pk", flat=True):
        result = factory_tick(factory_id=factory_id, now=now)
        if result is not None:
            results.append(result)
    return results


def _local(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def orders_start(started: list[Operation], time_zone: str) -> None:
    """Orders with a started operation are in production; each operation goes on the timeline."""
    if not started:
        return
    orders = {op.job.order_line.order_id for op in started}
    locked = {o.pk: o for o in Order.objects.select_for_update(no_key=True).filter(pk__in=orders).order_by("pk")}
    for op in sorted(started, key=lambda o: (o.started_at, o.pk)):
        order = locked[op.job.order_line.order_id]
        if order.stage == Stage.SCHEDULED:
            order.move_to(Stage.IN_PRODUCTION)
        if order.stage == Stage.IN_PRODUCTION:
            timeline_add(
                order=order,
                event="operation_started",
                operation=op.name,
                line=op.line.name,
                at=_local(op.started_at, time_zone),
                happened_at=op.started_at,
            )


def orders_complete(jobs_done: list[int], time_zone: str) -> int:
    """Orders whose jobs are all done are completed, expecting delivery the shipping time after their last
    operation ended."""
    if not jobs_done:
        return 0
    order_ids = set(Job.objects.filter(pk__in=jobs_done).values_list("order_line__order_id", flat=True))
    completed = 0
    for order in Order.objects.select_for_update(no_key=True).filter(pk__in=order_ids, stage=Stage.IN_PRODUCTION).order_by("pk"):
        if Job.objects.filter(order_line__order=order).exclude(status__in=[Job.Status.DONE, Job.Status.CANCELLED]).exists():
            continue
        end = Operation.objects.filter(job__order_line__order=order).aggregate(end=Max("ended_at"))["end"]
        arrival = orders_arrival([order.pk]).get(order.pk)
        orders_expect({order.pk: arrival_date(arrival, time_zone) if arrival else expected_date(end, time_zone)})
        order.move_to(Stage.COMPLETED)
        timeline_add(order=order, event="completed", end=_local(end, time_zone))
        completed += 1
    return completed


def orders_expect_from_plan(factory: Factory) -> None:
    """An order in production expects its delivery when its last operation ends (as planned: the plan
    follows the floor), plus the shipping time; the timeline says when that date moves away from what the
    consumer was last told (the latest change noted, else the promise)."""
    # Every job of the order counts, in whichever factory it is made (a split order arrives with its last).
    order_ids = set(Operation.objects.filter(
        job__factory=factory, job__order_line__order__stage=Stage.IN_PRODUCTION, planned_end__isnull=False
    ).values_list("job__order_line__order", flat=True))
    finish = orders_arrival(order_ids)
    expected = {order_id: arrival_date(at, factory.timezone) for order_id, at in finish.items()}
    orders_expect(expected)
    told = dict(
        TimelineEntry.objects.filter(order__in=list(finish), event="expected_changed")
        .order_by("at", "pk")
        .values_list("order", "params__date")
    )
    for order in Order.objects.filter(pk__in=list(finish), stage=Stage.IN_PRODUCTION):
        promised = order.promised_date.isoformat() if order.promised_date else None
        if expected[order.pk].isoformat() != told.get(order.pk, promised):
            timeline_add(order=order, event="expected_changed", date=expected[order.pk].isoformat())


def orders_ship(*, now: datetime | None = None) -> int:
    """Ship every completed order whose last line has arrived: each line its shipping lane's days after
    its last operation ended (the shortest lane cannot have arrived before its end plus that)."""
    now = now or clock.now()
    shipped = 0
    shortest = min([settings.COSMO_SHIPPING_DAYS, *ShippingLane.objects.values_list("days", flat=True)])
    maybe = (
        Order.objects.filter(stage=Stage.COMPLETED)
        .annotate(end=Max("lines__job__operations__ended_at"))
        .filter(end__lte=now - shipping_time(shortest))
        .values_list("pk", flat=True)
    )
    ready = [pk for pk, at in orders_arrival(list(maybe)).items() if at <= now]
    for order in Order.objects.select_for_update(no_key=True).filter(pk__in=list(ready), stage=Stage.COMPLETED).order_by("pk"):
        order.move_to(Stage.SHIPPED)
        timeline_add(order=order, event="shipped")
        shipped += 1
    return shipped
