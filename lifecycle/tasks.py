"""Celery tasks: thin, they take ids and call one service each (a pipeline step, the suppliers' autopilot,
the receiving dock, a scheduling run)."""

from celery import shared_task
from django.db import OperationalError

from lifecycle import floor, reroute, steps, sweeper
from production import planning
from suppliers import autopilot, receiving, replenishment

# A task that loses a deadlock or a serialization failure (or its database connection) runs again later,
# waiting longer each time; each task is one transaction and safe to run twice.
RETRIED = dict(autoretry_for=(OperationalError,), retry_backoff=1, retry_backoff_max=30, retry_jitter=True,
               max_retries=8)


# Each step takes the order it is sent for (None: none in particular) and a batch of others waiting with it.
@shared_task(**RETRIED)
def plan_order(order_id: int | None = None) -> int:
    return len(steps.orders_plan(first=order_id))


@shared_task(**RETRIED)
def procure_order(order_id: int | None = None) -> int:
    return len(steps.orders_procure(first=order_id))


@shared_task(**RETRIED)
def schedule_order(order_id: int | None = None) -> int:
    return len(steps.orders_schedule(first=order_id))


@shared_task(**RETRIED)
def sweep() -> int:
    return sweeper.orders_sweep()


@shared_task(**RETRIED)
def suppliers_autopilot() -> dict:
    return autopilot.suppliers_autopilot()


@shared_task(**RETRIED)
def shipments_arrive() -> int:
    return receiving.shipments_arrive()


@shared_task(**RETRIED)
def stock_replenish() -> int:
    return len(replenishment.stock_replenish())


@shared_task(**RETRIED)
def optimize_schedule(run_id: int) -> bool:
    return planning.run_execute(run_id)


@shared_task(**RETRIED)
def optimize_schedules() -> int:
    return len(planning.schedules_optimize_changed())


@shared_task(**RETRIED)
def factory_tick() -> int:
    return len(floor.factories_tick())


@shared_task(**RETRIED)
def reroute_jobs() -> int:
    return len(reroute.jobs_reroute())
