"""The steps that move an order from stage to stage (DESIGN.md, The pipeline of one order).

Each step takes its orders in a batch: the order it was asked for (when still in the stage) and the
oldest others waiting in the same stage, up to `COSMO_STEP_BATCH`, locked with SKIP LOCKED so that two
workers take different orders and never wait for each other. A batch is one transaction: it checks that
each order is still in the stage the step starts from (so a second run, or the sweeper racing a task,
changes nothing), does the work of the whole batch with a fixed number of queries per factory, moves the
orders on, writes their timelines, and enqueues the next step after commit (one message per batch; a
full batch also asks for the next batch of its own stage).
"""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from cosmo import clock
from cosmo.queue import enqueue_on_commit
from orders.delivery import arrival_date, orders_expect, shipping_time
from orders.models import Order, OrderLine, Stage
from orders.timeline import timelines_add
from production.bom import Catalog, need_date_estimate, order_lines_explode
from production.materials import jobs_release
from production.models import Factory, Job, Operation, Requirement
from production.planning import jobs_place
from production.promise import QuoteError
from production.routing import delivery_quote
from suppliers.netting import netted_tell, requirements_net


def batch_size() -> int:
    return max(1, int(settings.COSMO_STEP_BATCH))


def orders_take(
    stage: str, *, first: int | None, limit: int, others: bool = True, released: bool = False
) -> list[Order]:
    """Up to `limit` orders in `stage`, locked until the transaction ends: `first` when it is still there,
    then (unless `others` is false) the oldest others. Rows another worker holds are skipped (it is moving
    them). With `released`, only orders whose jobs are all released (their parts are in)."""
    waiting = Order.objects.filter(stage=stage)
    if released:
        unreleased = Job.objects.filter(order_line__order=OuterRef("pk"), release_date__isnull=True)
        waiting = waiting.filter(~Exists(unreleased))
    taken: list[Order] = []
    if first is not None:
        taken = list(waiting.filter(pk=first).select_for_update(skip_locked=True, no_key=True).order_by())
    if others and limit > len(taken):
        rest = waiting.exclude(pk=first) if first is not None else waiting
        rest = rest.select_for_update(skip_locked=True, no_key=True).order_by("pk")
        taken += list(rest[: limit - len(taken)])
    return taken


def orders_plan(*, first: int | None = None, limit: int | None = None, others: bool = True) -> list[int]:
    """Accepted → planned: explode the BOM (sub-assemblies level by level) and routing of every line of a
    batch of orders. Returns the ids of the orders moved."""
    limit = limit or batch_size()
    with transaction.atomic():
        orders = orders_take(Stage.ACCEPTED, first=first, limit=limit, others=others)
        if not orders:
            return []
        lines = list(OrderLine.objects.filter(order__in=orders).select_related("family", "order"))
        catalog = Catalog(line.family_id for line in lines)
        by_order = defaultdict(list)
        for line in lines:
            by_order[line.order_id].append(line)
        for order in orders:
            if order.promised_date is None:
                order_promise(order)
        need_dates = {order.pk: need_date_estimate(order, catalog, by_order[order.pk]) for order in orders}
        counts = order_lines_explode(lines=lines, need_dates=need_dates, catalog=catalog, per_order=True)
        Order.objects.move_to(orders, Stage.PLANNED)
        timelines_add([(order, "planned", counts[order.pk]) for order in orders] + lines_made_in(orders, by_order, catalog))
        enqueue_on_commit("lifecycle.tasks.procure_order", orders[0].pk)
        if others and len(orders) == limit:
            enqueue_on_commit("lifecycle.tasks.plan_order", None)
    return [order.pk for order in orders]


def lines_made_in(orders: list[Order], by_order: dict, catalog: Catalog) -> list[tuple]:
    """Timeline entries saying which factory makes each line, by name; a split order says it ships when
    its last line arrives."""
    names = dict(Factory.objects.values_list("pk", "name"))
    entries = []
    for order in orders:
        made = [(line, catalog.factory_id(line)) for line in by_order[order.pk]]
        split = len({factory_id for _, factory_id in made}) > 1
        for line, factory_id in made:
            params = {"product": line.family.name, "quantity": line.quantity, "factory": names[factory_id]}
            entries.append((order, "made_in_split" if split else "made_in", params))
    return entries


def order_plan(order_id: int) -> bool:
    """Plan this one order (see `orders_plan`); False when it was planned already."""
    return orders_plan(first=order_id, limit=1, others=False) == [order_id]


def order_promise(order: Order) -> None:
    """Promise the order the latest of its lines' delivery quotes (capable-to-promise), when it can."""
    try:
        dates = [
            delivery_quote(line.family, line.configuration, line.quantity)
            for line in order.lines.select_related("family")
        ]
    except QuoteError:
        return  # no quote: the date is promised when the order is scheduled
    if dates:
        order.promised_date = max(dates)
        order.save(update_fields=["promised_date"])


def orders_procure(*, first: int | None = None, limit: int | None = None, others: bool = True) -> list[int]:
    """Planned → materials for a batch of orders: net their requirements against stock and open purchase
    orders, buy the rest (per factory, all the batch's requirements at once).

    The orders then wait in materials until their parts are in: a receipt releases their jobs and asks for
    scheduling (or this step does, for the orders stock covered entirely)."""
    limit = limit or batch_size()
    with transaction.atomic():
        orders = orders_take(Stage.PLANNED, first=first, limit=limit, others=others)
        if not orders:
            return []
        now = clock.now()
        by_factory = defaultdict(list)
        for job in Job.objects.filter(order_line__order__in=orders).select_related("factory").order_by("pk"):
            by_factory[job.factory].append(job.order_line_id)
        for factory, line_ids in sorted(by_factory.items(), key=lambda item: item[0].pk):
            requirements = list(
                Requirement.objects.filter(order_line__in=line_ids).select_related("order_line", "part")
            )
            netted_tell(requirements_net(requirements=requirements, factory=factory, now=now))
        Order.objects.move_to(orders, Stage.MATERIALS)
        jobs_release(order_ids=[order.pk for order in orders], now=now)
        if others and len(orders) == limit:
            enqueue_on_commit("lifecycle.tasks.procure_order", None)
    return [order.pk for order in orders]


def order_procure(order_id: int) -> bool:
    """Procure for this one order (see `orders_procure`); False when that was done already."""
    return orders_procure(first=order_id, limit=1, others=False) == [order_id]


def orders_schedule(*, first: int | None = None, limit: int | None = None, others: bool = True) -> list[int]:
    """Materials → scheduled for a batch of orders whose jobs are all released (their parts are in): place
    the jobs' operations on the lines (one placement per factory, under its lock: one writer per factory
    schedule), and say when each order will be ready."""
    limit = limit or batch_size()
    with transaction.atomic():
        orders = orders_take(Stage.MATERIALS, first=first, limit=limit, others=others, released=True)
        if not orders:
            return []
        now = clock.now()
        jobs = list(
            Job.objects.filter(order_line__order__in=orders)
            .exclude(status=Job.Status.CANCELLED)
            .select_related("order_line__order", "factory")
            .order_by("pk")
        )
        by_factory = defaultdict(list)
        for job in jobs:
            by_factory[job.factory_id].append(job)
        finish = {}
        for factory_id in sorted(by_factory):
            finish.update(jobs_place(factory_id=factory_id, jobs=by_factory[factory_id], not_before=now))
        lines_of = defaultdict(set)
        for job_id, line_name in Operation.objects.filter(job__in=jobs).values_list("job_id", "line__name"):
            lines_of[job_id].add(line_name)
        ends, arrivals, zones, used = {}, {}, {}, defaultdict(set)
        for job in jobs:
            order_id = job.order_line.order_id
            ends[order_id] = max(ends.get(order_id, now), finish.get(job.pk, now))
            # Each line arrives its own lane's days after it is made; the order with its last line.
            arrival = finish.get(job.pk, now) + shipping_time(job.shipping_days)
            arrivals[order_id] = max(arrivals.get(order_id, arrival), arrival)
            zones.setdefault(order_id, job.factory.timezone)
            used[order_id] |= lines_of[job.pk]
        expected = {}
        timelines_add([(order, "materials_in", {}) for order in orders])
        for order in orders:
            expected[order.pk] = arrival_date(arrivals.get(order.pk, now + shipping_time()), zones.get(order.pk, "UTC"))
            if order.promised_date is None:
                order.promised_date = expected[order.pk]
                order.save(update_fields=["promised_date"])
        orders_expect(expected)
        Order.objects.move_to(orders, Stage.SCHEDULED)
        # The consumer reads the factory's local time, like the floor's entries that follow.
        timelines_add([
            (order, "scheduled", {
                "lines": ", ".join(sorted(used[order.pk] - {None})),
                "end": ends.get(order.pk, now).astimezone(ZoneInfo(zones.get(order.pk, "UTC"))).strftime("%Y-%m-%d %H:%M"),
            })
            for order in orders
        ])
        if others and len(orders) == limit:
            enqueue_on_commit("lifecycle.tasks.schedule_order", None)
    return [order.pk for order in orders]


def order_schedule(order_id: int) -> bool:
    """Schedule this one order (see `orders_schedule`); False when it is not ready or was done already."""
    return orders_schedule(first=order_id, limit=1, others=False) == [order_id]
