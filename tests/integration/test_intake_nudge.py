"""Intake nudges the planning step instead of sending a message per order: the accepted orders are the
step's queue. A burst of orders costs the broker one message at once and then at most one per nudge
interval, the last sent when its interval is up (never dropped); those messages plan every order."""

import time

from cosmo import queue
from lifecycle import tasks
from orders.models import Order, Stage
from orders.services import LineRequest, order_place
from tests.integration.test_sweeper import queues  # noqa: F401 (the fixture)
from tests.ordering import default_configuration


def test_a_burst_of_orders_sends_a_nudge_per_interval_that_plans_them_all(
    consumer, settings, queues, django_capture_on_commit_callbacks  # noqa: F811
):
    interval = settings.COSMO_NUDGE_SECONDS = 1.0
    queue._nudge_sent.clear()
    placed = []
    started = time.monotonic()
    for _ in range(20):
        with django_capture_on_commit_callbacks(execute=True):
            placed.append(order_place(customer=consumer, delivery_address="1 Test Street",
                                      lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)]))
    burst = time.monotonic() - started
    time.sleep(interval + 0.3)
    sent = queues()["orders"]
    # The first order's at once, then at most one per interval, the last when its interval was up.
    assert 2 <= sent <= 2 + burst // interval
    time.sleep(interval + 0.3)
    assert queues()["orders"] == sent  # nothing more without new orders

    with django_capture_on_commit_callbacks(execute=False):
        tasks.plan_order.apply(args=[placed[0].pk])  # the first message, as the worker takes it
    assert set(Order.objects.filter(pk__in=[o.pk for o in placed]).values_list("stage", flat=True)) == {Stage.PLANNED}
