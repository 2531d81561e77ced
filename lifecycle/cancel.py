"""Cancelling an order: until production starts, a consumer may take it back, and everything it holds
(reserved stock, purchases not yet confirmed, places on the lines) is released in one transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from cosmo.audit import record
from orders.models import CANCELLABLE_STAGES, Order, Stage
from orders.timeline import timeline_add
from production.materials import requirements_unreserve
from production.models import Job, Requirement
from production.planning import job_unschedule
from suppliers.sourcing import allocations_release


class NotCancellable(Exception):
    """The order can no longer be cancelled; the message says why."""


def order_cancel(order_id: int, actor=None) -> Order:
    """Cancel an order until production starts: release its reserved stock, stop buying what suppliers
    have not confirmed yet, take its jobs off the lines, and say so on the timeline."""
    with transaction.atomic():
        # The lock order of suppliers/locks.py: the order, its stock, the suppliers, their purchase orders.
        order = Order.objects.select_for_update(no_key=True).get(pk=order_id)
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
        before = order.stage
        order.move_to(Stage.CANCELLED)
        timeline_add(order=order, event="cancelled", actor=actor)
        record(actor, order, "cancel", {"stage": before}, {"stage": order.stage})
    return order
