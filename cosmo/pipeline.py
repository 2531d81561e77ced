"""The pipeline that moves an order from stage to stage (DESIGN.md, The pipeline of one order).

Each step is one function: it locks the order, checks that the order is still in the stage the step
starts from (so a second run, or the sweeper racing a task, changes nothing), does its work, moves the
order on, writes the timeline, and enqueues the next step after commit.
"""

from datetime import timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.queue import enqueue_on_commit
from orders.models import CANCELLABLE_STAGES, Order, Stage
from orders.timeline import timeline_add
from production.bom import order_explode
from production.materials import jobs_release, order_materials_complete, requirements_unreserve
from production.models import Job, Requirement
from production.planning import job_place, job_unschedule
from production.promise import QuoteError, delivery_quote
from production.scheduling import shipping_time
from suppliers.netting import netted_tell, requirements_net
from suppliers.sourcing import allocations_release


def stage_move(order: Order, stage: str) -> None:
    order.stage = stage
    order.stage_changed_at = timezone.now()
    order.save(update_fields=["stage", "stage_changed_at"])


def _locked(order_id: int, stage: str) -> Order | None:
    """The order, locked, if it is still in `stage`; otherwise None (the step was done already)."""
    return Order.objects.select_for_update().filter(pk=order_id, stage=stage).first()


def order_plan(order_id: int) -> bool:
    """Accepted → planned: explode the BOM (sub-assemblies level by level) and routing of every line."""
    with transaction.atomic():
        order = _locked(order_id, Stage.ACCEPTED)
        if order is None:
            return False
        counts = order_explode(order=order)
        if order.promised_date is None:
            order_promise(order)
        stage_move(order, Stage.PLANNED)
        timeline_add(order=order, event="planned", **counts)
        enqueue_on_commit("cosmo.tasks.procure_order", order_id)
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
        stage_move(order, Stage.MATERIALS)
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
        finish, tz = now, dt_timezone.utc
        lines = set()
        for job in Job.objects.filter(order_line__order=order).select_related("order_line__order", "factory"):
            finish = max(finish, job_place(job=job, not_before=now))
            tz = ZoneInfo(job.factory.timezone)
            lines.update(job.operations.values_list("line__name", flat=True))
        order.expected_date = (finish + shipping_time()).astimezone(tz).date()
        if order.promised_date is None:
            order.promised_date = order.expected_date
        order.save(update_fields=["expected_date", "promised_date"])
        stage_move(order, Stage.SCHEDULED)
        # The consumer reads the factory's local time, like the floor's entries that follow.
        end = finish.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        timeline_add(order=order, event="scheduled", lines=", ".join(sorted(lines)), end=end)
    return True


class NotCancellable(Exception):
    """The order can no longer be cancelled; the message says why."""


def order_cancel(order_id: int) -> Order:
    """Cancel an order until production starts: release its reserved stock, stop buying what suppliers
    have not confirmed yet, take its jobs off the lines, and say so on the timeline."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.stage not in CANCELLABLE_STAGES:
            raise NotCancellable(
                _("Order %(number)s is %(stage)s and can no longer be cancelled.")
                % {"number": order.number, "stage": order.get_stage_display()}
            )
        for job in Job.objects.filter(order_line__order=order).select_related("factory"):
            requirements = list(Requirement.objects.filter(order_line=job.order_line_id))
            requirements_unreserve(requirements=requirements, factory=job.factory)
            allocations_release(requirements=requirements)
            job_unschedule(job=job)
        stage_move(order, Stage.CANCELLED)
        timeline_add(order=order, event="cancelled")
    return order


# Which task moves an order on from each stage; the sweeper uses it to re-drive stuck orders.
STEP_TASKS = {
    Stage.ACCEPTED: "cosmo.tasks.plan_order",
    Stage.PLANNED: "cosmo.tasks.procure_order",
    Stage.MATERIALS: "cosmo.tasks.schedule_order",
}


def orders_sweep() -> int:
    """Re-enqueue every order that has stayed in a stage with a next step longer than COSMO_STUCK_AFTER."""
    cutoff = timezone.now() - timedelta(seconds=settings.COSMO_STUCK_AFTER)
    with transaction.atomic():
        # An order waiting in materials for parts still on their way is not stuck.
        waiting = Q(stage=Stage.MATERIALS, lines__job__release_date__isnull=True)
        stuck = list(
            Order.objects.filter(stage__in=list(STEP_TASKS), stage_changed_at__lt=cutoff)
            .exclude(pk__in=Order.objects.filter(waiting).values("pk"))
            .values_list("pk", "stage")
        )
        for order_id, stage in stuck:
            enqueue_on_commit(STEP_TASKS[stage], order_id)
    return len(stuck)
