"""The sweeper: the database keeps every order's stage, so an order whose message was lost (a broker
flushed, a worker killed) is found here and its step enqueued again."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cosmo.queue import enqueue_on_commit
from orders.models import Order, Stage

# Which task moves an order on from each stage; the sweeper uses it to re-drive stuck orders.
STEP_TASKS = {
    Stage.ACCEPTED: "lifecycle.tasks.plan_order",
    Stage.PLANNED: "lifecycle.tasks.procure_order",
    Stage.MATERIALS: "lifecycle.tasks.schedule_order",
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
