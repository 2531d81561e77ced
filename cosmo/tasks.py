"""Celery tasks: thin, they take ids and call one pipeline step each."""

from celery import shared_task

from cosmo import pipeline


@shared_task
def plan_order(order_id: int) -> bool:
    return pipeline.order_plan(order_id)


@shared_task
def procure_order(order_id: int) -> bool:
    return pipeline.order_procure(order_id)


@shared_task
def schedule_order(order_id: int) -> bool:
    return pipeline.order_schedule(order_id)


@shared_task
def sweep() -> int:
    return pipeline.orders_sweep()
