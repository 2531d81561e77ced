"""The steps that move an order from stage to stage (DESIGN.md, The pipeline of one order).

Each step is one function: it locks the order, checks that the order is still in the stage the step
starts from (so a second run, or the sweeper racing a task, changes nothing), does its work, moves the
order on, writes the timeline, and enqueues the next step after commit.
"""

from zoneinfo import ZoneInfo

from django.db import transaction

from cosmo import clock
from cosmo.queue import enqueue_on_commit
from orders.delivery import expected_date, orders_expect
from orders.models import Order, Stage
from orders.timeline import timeline_add
from production.bom import order_explode
from production.materials import jobs_release, order_materials_complete
from production.models import Job, Requirement
from production.planning import job_place
from production.promise import QuoteError, delivery_quote
from suppliers.netting import netted_tell, requirements_net


def _locked(order_id: int, stage: str) -> Order | None:
    """The order, locked, if it is still in `stage`; otherwise None (the step was done already)."""
    return Order.objects.select_for_update(no_key=True).filter(pk=order_id, stage=stage).first()


def order_plan(order_id: int) -> bool:
    """Accepted → planned: explode the BOM (sub-assemblies level by level) and routing of every line."""
    with transaction.atomic():
        order = _locked(order_id, Stage.ACCEPTED)
        if order is None:
            return False
        counts = order_explode(order=order)
        if order.promised_date is None:
            order_promise(order)
        order.move_to(Stage.PLANNED)
        timeline_add(order=order, event="planned", **counts)
        enqueue_on_commit("lifecycle.tasks.procure_order", order_id)
    return True


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


def order_procure(order_id: int) -> bool:
    """Planned → materials: net the requirements against stock and open purchase orders, buy the rest.

    The order then waits in materials until its parts are in: a receipt releases its jobs and asks for
    scheduling (or this step does, when stock covered everything).
    """
    with transaction.atomic():
        order = _locked(order_id, Stage.PLANNED)
        if order is None:
            return False
        now = clock.now()
        by_factory = {}
        for job in Job.objects.filter(order_line__order=order).select_related("factory"):
            by_factory.setdefault(job.factory, []).append(job.order_line_id)
        for factory, line_ids in by_factory.items():
            requirements = list(
                Requirement.objects.filter(order_line__in=line_ids).select_related("order_line", "part")
            )
            netted_tell(requirements_net(requirements=requirements, factory=factory, now=now))
        order.move_to(Stage.MATERIALS)
        jobs_release(order_ids=[order.pk], now=now)
    return True


def order_schedule(order_id: int) -> bool:
    """Materials → scheduled, once every job is released (its parts are in): place the jobs' operations
    on the lines, and say when the order will be ready."""
    with transaction.atomic():
        order = _locked(order_id, Stage.MATERIALS)
        if order is None or not order_materials_complete(order.pk):
            return False
        timeline_add(order=order, event="materials_in")
        now = clock.now()
        finish, time_zone = now, "UTC"
        lines = set()
        for job in Job.objects.filter(order_line__order=order).select_related("order_line__order", "factory"):
            finish = max(finish, job_place(job=job, not_before=now))
            time_zone = job.factory.timezone
            lines.update(job.operations.values_list("line__name", flat=True))
        expected = expected_date(finish, time_zone)
        if order.promised_date is None:
            order.promised_date = expected
            order.save(update_fields=["promised_date"])
        orders_expect({order.pk: expected})
        order.move_to(Stage.SCHEDULED)
        # The consumer reads the factory's local time, like the floor's entries that follow.
        end = finish.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")
        timeline_add(order=order, event="scheduled", lines=", ".join(sorted(lines)), end=end)
    return True
