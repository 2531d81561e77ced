"""Celery tasks: thin, they take ids and call one service each (a pipeline step, the suppliers' autopilot,
the receiving dock, a scheduling run)."""

from celery import shared_task

from lifecycle import floor, steps, sweeper
from production import planning
from suppliers import autopilot, receiving, replenishment


# Each step takes the order it is sent for (None: none in particular) and a batch of others waiting with it.
@shared_task
def plan_order(order_id: int | None = None) -> int:
    return len(steps.orders_plan(first=order_id))


@shared_task
def procure_order(order_id: int | None = None) -> int:
    return len(steps.orders_procure(first=order_id))


@shared_task
def schedule_order(order_id: int | None = None) -> int:
    return len(steps.orders_schedule(first=order_id))


@shared_task
def sweep() -> int:
    return sweeper.orders_sweep()


@shared_task
def suppliers_autopilot() -> dict:
    return autopilot.suppliers_autopilot()


@shared_task
def shipments_arrive() -> int:
    return receiving.shipments_arrive()


@shared_task
def stock_replenish() -> int:
    return len(replenishment.stock_replenish())


@shared_task
def optimize_schedule(run_id: int) -> bool:
    return planning.run_execute(run_id)


@shared_task
def optimize_schedules() -> int:
    return len(planning.schedules_optimize_changed())


@shared_task
def factory_tick() -> int:
    return len(floor.factories_tick())
