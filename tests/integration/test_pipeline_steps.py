"""Each pipeline step on PostgreSQL: idempotent, safe against the sweeper and against a concurrent twin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lifecycle import steps, sweeper
from orders.models import Order, Stage
from orders.services import LineRequest, order_place
from production.models import Job, Operation, Requirement
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine
from tests.ordering import default_configuration
from tests.procurement import deliver_everything
from tests.racing import run_at_once


def place(consumer, family="AC-SPLIT", quantity=2) -> Order:
    return order_place(
        customer=consumer,
        lines=[LineRequest(family, default_configuration(family), quantity)],
        delivery_address="1 Test Street",
    )

def counts(order) -> dict:
    return {
        "requirements": Requirement.objects.filter(order_line__order=order).count(),
        "jobs": Job.objects.filter(order_line__order=order).count(),
        "operations": Operation.objects.filter(job__order_line__order=order).count(),
        "po_lines": PurchaseOrderLine.objects.filter(allocations__requirement__order_line__order=order).count(),
        "allocations": Allocation.objects.filter(requirement__order_line__order=order).count(),
        "purchase_orders": PurchaseOrder.objects.count(),
        "timeline": order.timeline.count(),
        "placed_operations": Operation.objects.filter(job__order_line__order=order, line__isnull=False).count(),
    }

def test_it_enqueues_the_first_step_only_after_commit(consumer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        order = place(consumer)
    assert order.stage == Stage.ACCEPTED
    assert len(callbacks) == 1


def test_it_does_nothing_the_second_time_a_step_runs(consumer, django_capture_on_commit_callbacks):
    order = place(consumer)
    in_order = [
        (steps.order_plan, Stage.PLANNED),
        (steps.order_procure, Stage.MATERIALS),
        (steps.order_schedule, Stage.SCHEDULED),
    ]
    for step, stage in in_order:
        if step is steps.order_schedule:
            # The order waits in materials until its parts are in: nothing to schedule before that.
            assert step(order.pk) is False
            deliver_everything()
        with django_capture_on_commit_callbacks() as first:
            assert step(order.pk) is True
        before = counts(order)
        order.refresh_from_db()
        assert order.stage == stage
        with django_capture_on_commit_callbacks() as second:
            assert step(order.pk) is False
        assert counts(order) == before
        assert second == [] and len(first) <= 1
    final = counts(order)
    assert final["jobs"] == 1 and final["operations"] == final["placed_operations"] > 0
    assert final["requirements"] > 0

def test_it_redrives_only_orders_stuck_longer_than_the_threshold(consumer, settings, django_capture_on_commit_callbacks):
    settings.COSMO_STUCK_AFTER = 60
    stuck = place(consumer)
    fresh = place(consumer)
    done = place(consumer)
    Order.objects.filter(pk=stuck.pk).update(stage_changed_at=timezone.now() - timedelta(minutes=5))
    Order.objects.filter(pk=done.pk).update(stage=Stage.SCHEDULED, stage_changed_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert sweeper.orders_sweep() == 1
    assert len(callbacks) == 1
    assert fresh.stage == Stage.ACCEPTED

def test_it_creates_nothing_twice_when_the_sweeper_races_a_task(consumer):
    """The sweeper re-sent the step while the first delivery was still running: both run, one acts."""
    order = place(consumer)
    assert steps.order_plan(order.pk) is True
    assert steps.order_plan(order.pk) is False  # the re-driven copy
    assert steps.order_procure(order.pk) is True
    after_procure = counts(order)
    assert steps.order_procure(order.pk) is False
    assert counts(order) == after_procure

@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_concurrent_runs_act(world):
    from cosmo.models import User

    consumer = User.objects.get(username="consumer")
    order = place(consumer)
    results, errors = run_at_once([lambda: steps.order_plan(order.pk)] * 2)
    assert errors == [] and sorted(results) == [False, True]
    assert Job.objects.filter(order_line__order=order).count() == 1
    assert order.timeline.filter(event="planned").count() == 1
