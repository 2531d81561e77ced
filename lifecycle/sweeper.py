"""The sweeper: the database keeps every order's stage, so an order whose message was lost (a broker
flushed, a worker killed) is found here and its step enqueued again.

It never floods: an order gets at most one outstanding re-drive per step (`Redrive`, until the order
moves on, or until it expires after `COSMO_REDRIVE_EXPIRES` seconds and its step's queue holds fewer than
`COSMO_SWEEP_LIMIT` messages), the oldest stuck orders go first, and one pass sends at most
`COSMO_SWEEP_LIMIT` messages. While a step's queue is longer, its workers are behind rather than its
messages lost: sending again would only queue copies behind the first (a 5,000-order soak once held 8,774
messages for 3,162 orders that way), and the batched step takes the oldest waiting orders whichever
message runs it. A lost optimization run is replaced in the same pass
(`production.planning.runs_redrive`)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cosmo.queue import enqueue_on_commit, queue_lengths, task_queue
from lifecycle.models import Redrive
from orders.models import Order, Stage
from production.planning import runs_redrive

log = logging.getLogger(__name__)

# Which task moves an order on from each stage; the sweeper uses it to re-drive stuck orders.
STEP_TASKS = {
    Stage.ACCEPTED: "lifecycle.tasks.plan_order",
    Stage.PLANNED: "lifecycle.tasks.procure_order",
    Stage.MATERIALS: "lifecycle.tasks.schedule_order",
}


def steps_behind() -> list[str]:
    """The stages whose step's queue holds at least a pass's worth of messages (none when the broker
    cannot tell: then every expired re-drive may be sent again, as if nothing waited)."""
    queues = {stage: task_queue(task) for stage, task in STEP_TASKS.items()}
    try:
        lengths = queue_lengths(set(queues.values()))
    except Exception:  # any broker failure
        log.warning("could not read the steps' queue lengths", exc_info=True)
        return []
    return [stage for stage, queue in queues.items() if lengths[queue] >= settings.COSMO_SWEEP_LIMIT]


def orders_sweep() -> int:
    """Re-drive the oldest orders that stayed in a stage with a next step longer than COSMO_STUCK_AFTER
    and have no re-drive outstanding for it, at most COSMO_SWEEP_LIMIT of them; replace lost optimization
    runs. Returns how many orders were re-driven."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.COSMO_STUCK_AFTER)
    behind = steps_behind()
    with transaction.atomic():
        # Re-drives that expired (unless their queue is still being worked down), or whose order has left
        # the step's stage, are done with.
        Redrive.objects.filter(expires_at__lte=now).exclude(step__in=behind).delete()
        Redrive.objects.exclude(Exists(Order.objects.filter(pk=OuterRef("order_id"), stage=OuterRef("step")))).delete()
        outstanding = Redrive.objects.filter(order=OuterRef("pk"), step=OuterRef("stage"))
        # An order waiting in materials for parts still on their way is not stuck.
        waiting = Q(stage=Stage.MATERIALS, lines__job__release_date__isnull=True)
        stuck = list(
            Order.objects.filter(stage__in=list(STEP_TASKS), stage_changed_at__lt=cutoff)
            .exclude(pk__in=Order.objects.filter(waiting).values("pk"))
            .exclude(Exists(outstanding))
            .order_by("stage_changed_at", "pk")
            .values_list("pk", "stage")[: settings.COSMO_SWEEP_LIMIT]
        )
        expires = now + timedelta(seconds=settings.COSMO_REDRIVE_EXPIRES)
        Redrive.objects.bulk_create(
            [Redrive(order_id=order_id, step=stage, sent_at=now, expires_at=expires) for order_id, stage in stuck],
            ignore_conflicts=True,
        )
        for order_id, stage in stuck:
            enqueue_on_commit(STEP_TASKS[stage], order_id)
    runs_redrive()
    return len(stuck)
