"""Re-routing while it can: a job that has not started moves to another factory, by a planner's hand or
because its factory fell behind (a line down, a late supplier) and another now promises earlier (by
itself, never back to a factory it left).

What the job holds follows the existing rules, so that nothing is reserved or bought twice: the stock
reserved for it in the old factory is given back there (`requirements_unreserve`), purchase-order lines
the supplier has not answered shrink or go and a purchase order left empty is cancelled, while confirmed
quantity stays on order as the line's surplus and becomes the old factory's free stock
(`allocations_release`, as when an order is cancelled); then its requirements are netted in the new
factory (its stock, what is on order there for no one, then buying from the offers). Its operations
leave the old factory's lines; the job waits for its parts in the new one and is placed when they are in.
Each move is a `JobMove` (from, to, why, when, who), a timeline entry in the consumer's words and, when a
person moved it, a `Change`.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.audit import record
from orders.models import Order, Stage
from orders.timeline import timeline_add
from production.materials import jobs_release, requirements_unreserve
from production.models import (
    Breakdown,
    Factory,
    Job,
    JobMove,
    LineCapability,
    MaintenanceWindow,
    Requirement,
    ShippingLane,
)
from production.routing import job_candidates, reroute_target
from suppliers.netting import netted_tell, requirements_net
from suppliers.sourcing import allocations_release

# The stages in which a job has not started: its order is planned, waits for parts, or is scheduled.
MOVABLE_STAGES = {Stage.PLANNED, Stage.MATERIALS, Stage.SCHEDULED}


class NotMovable(Exception):
    """The job cannot move (it started, its order is past scheduling, the factory cannot make it)."""


def _check(job: Job, order: Order, to_factory: Factory) -> None:
    if order.stage not in MOVABLE_STAGES or job.status not in (Job.Status.PLANNED, Job.Status.SCHEDULED):
        raise NotMovable(_("Job %(job)s has started or its order is %(stage)s: it stays where it is.")
                         % {"job": job.number, "stage": order.get_stage_display()})
    if job.operations.filter(started_at__isnull=False).exists():
        raise NotMovable(_("Job %(job)s has started: it stays where it is.") % {"job": job.number})
    if to_factory.pk == job.factory_id:
        raise NotMovable(_("Job %(job)s is already made in %(factory)s.") % {"job": job.number, "factory": to_factory})
    if not LineCapability.objects.filter(line__factory=to_factory, family_id=job.order_line.family_id).exists():
        raise NotMovable(_("%(factory)s has no line able to make %(family)s.")
                         % {"factory": to_factory, "family": job.order_line.family})


def job_move(*, job_id: int, to_factory_id: int, reason: str, actor=None, note: str = "") -> JobMove:
    """Move a job that has not started to another factory (see the module's docstring). Raises
    NotMovable, changing nothing, when it cannot."""
    with transaction.atomic():
        order_id = Job.objects.values_list("order_line__order_id", flat=True).get(pk=job_id)
        # The lock order of suppliers/locks.py: the order first; the stock, suppliers and purchase orders
        # are locked by the functions below in their turn.
        order = Order.objects.select_for_update(no_key=True).get(pk=order_id)
        job = Job.objects.select_related("factory", "order_line__family", "order_line__order__region").get(pk=job_id)
        to_factory = Factory.objects.get(pk=to_factory_id)
        _check(job, order, to_factory)
        here, others = job_candidates(job)
        there = next((c for c in others if c.factory_id == to_factory.pk), None)
        from_factory = job.factory
        requirements = list(Requirement.objects.filter(order_line=job.order_line_id).select_related("order_line", "part"))
        requirements_unreserve(requirements=requirements, factory=from_factory)
        allocations_release(requirements=requirements)
        job.operations.update(line=None, planned_start=None, planned_end=None, pinned_line=None)
        lane = ShippingLane.objects.filter(factory=to_factory, region_id=order.region_id).values_list("days", flat=True).first()
        Job.objects.filter(pk=job.pk).update(
            factory=to_factory, status=Job.Status.PLANNED, release_date=None, due_date=None, shipping_days=lane
        )
        # Both schedules changed: the quotes' cached lines and the periodic optimization see it.
        Factory.objects.filter(pk__in=[from_factory.pk, to_factory.pk]).update(schedule_version=F("schedule_version") + 1)
        now = clock.now()
        if order.stage == Stage.SCHEDULED:
            order.move_to(Stage.MATERIALS)  # the moved job waits for its parts in its new factory
        if order.stage == Stage.MATERIALS:
            for requirement in requirements:
                requirement.refresh_from_db()
            netted_tell(requirements_net(requirements=requirements, factory=to_factory, now=now))
            jobs_release(order_ids=[order.pk], now=now)
        move = JobMove.objects.create(
            job=job, from_factory=from_factory, to_factory=to_factory, reason=reason, note=note[:240], at=now,
            by=actor if actor is not None and actor.is_authenticated else None,
            promised_before=here.delivery if here else None, promised_after=there.delivery if there else None,
        )
        timeline_add(
            order=order, event="moved", actor=actor,
            product=job.order_line.family.name, factory=to_factory.name, from_factory=from_factory.name,
            reason=str(JobMove.Reason(reason).label), date=there.delivery.isoformat() if there else "",
        )
        if actor is not None:
            record(actor, job, "move", {"factory": from_factory.code}, {"factory": to_factory.code, "reason": reason})
    return move


def jobs_reroute(*, limit: int = 20) -> list[JobMove]:
    """Move the jobs of orders at risk that have not started to a factory that now promises earlier
    (`reroute_target`, by the routing policy) and that they have not left before, the longest-waiting orders
    first, at most `limit` per call.
    Why: the job waits for a part (a late supplier), else a line of its factory is down or under
    maintenance, else its factory fell behind."""
    moves = []
    jobs = (
        Job.objects.filter(order_line__order__at_risk=True, order_line__order__stage__in=MOVABLE_STAGES,
                           status__in=[Job.Status.PLANNED, Job.Status.SCHEDULED])
        .exclude(operations__started_at__isnull=False)
        .select_related("factory", "order_line__family", "order_line__order__region")
        .prefetch_related("operations", "order_line__requirements")
        .order_by("order_line__order__placed_at", "pk")
        .distinct()[:limit]
    )
    for job in jobs:
        here, target = reroute_target(job)
        # Never back to a factory the job left: one of the two promises that moved it was wrong, and going
        # back would swing it between them, giving back and buying its parts each time (the fault soak saw
        # orders move between Qingdao and Hefei up to nine times). A planner may still move it back.
        if target is None or JobMove.objects.filter(job=job, from_factory_id=target.factory_id).exists():
            continue
        try:
            moves.append(job_move(job_id=job.pk, to_factory_id=target.factory_id, reason=_why(job)))
        except NotMovable:
            continue
    return moves


def _why(job: Job) -> str:
    if job.release_date is None:
        return JobMove.Reason.LATE_SUPPLIER
    now = clock.now()
    down = MaintenanceWindow.objects.filter(line__factory=job.factory_id, start__lte=now, end__gt=now).exists() or (
        Breakdown.objects.filter(line__factory=job.factory_id, start__lte=now, end__gt=now).exists()
    )
    return JobMove.Reason.LINE_DOWN if down else JobMove.Reason.BEHIND
