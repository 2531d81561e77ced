"""The sweeper on PostgreSQL and Redis: a backlog of stuck orders larger than a pass never floods the
queues (at most one outstanding re-drive per order and step, oldest first, bounded per pass), and a lost
optimization run is replaced within one sweep."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from cosmo.celery import app
from lifecycle import sweeper, tasks
from lifecycle.models import Redrive
from orders.models import Order, Stage
from orders.services import LineRequest, order_place
from production.models import Factory, ScheduleRun
from tests.ordering import default_configuration

QUEUES = ("orders", "procurement", "planning", "factory")
BACKLOG = 12


@pytest.fixture
def queues(settings):
    """The suite's own Redis database, its queues emptied; yields a function giving their lengths."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.skip("the sweeper's queue test runs on Redis (make test sets CELERY_BROKER_URL)")
    app.conf.broker_url = broker
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            channel.queue_declare(queue, durable=True)
            channel.queue_purge(queue)

        def lengths() -> dict[str, int]:
            return {queue: channel.client.llen(queue) for queue in QUEUES}

        yield lengths
        for queue in QUEUES:
            channel.queue_purge(queue)


def sweep(capture) -> int:
    with capture(execute=True):
        return sweeper.orders_sweep()


def test_it_keeps_the_queues_bounded_by_the_orders_however_often_it_sweeps(
    consumer, settings, queues, django_capture_on_commit_callbacks
):
    settings.COSMO_STUCK_AFTER = 60
    settings.COSMO_SWEEP_LIMIT = 5
    with django_capture_on_commit_callbacks(execute=False):  # their first messages were lost
        orders = [
            order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
                        delivery_address="1 Test Street")
            for _ in range(BACKLOG)
        ]
    long_ago = timezone.now() - timedelta(hours=1)
    for age, order in enumerate(orders):  # the first placed has waited longest
        Order.objects.filter(pk=order.pk).update(stage_changed_at=long_ago - timedelta(minutes=BACKLOG - age))

    assert sweep(django_capture_on_commit_callbacks) == 5
    assert queues()["orders"] == 5
    assert set(Redrive.objects.values_list("order_id", flat=True)) == {o.pk for o in orders[:5]}  # oldest first

    for _ in range(6):  # many more passes than the backlog needs
        sweep(django_capture_on_commit_callbacks)
        assert queues()["orders"] <= BACKLOG
    assert queues()["orders"] == BACKLOG  # each stuck order re-driven exactly once
    assert Redrive.objects.count() == BACKLOG

    # An order that moves on is re-driven for its next step, once.
    Order.objects.filter(pk=orders[0].pk).update(stage=Stage.PLANNED, stage_changed_at=long_ago)
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert queues()["procurement"] == 1
    assert queues()["orders"] == BACKLOG

    # A re-drive that expired while its queue still holds more than a pass may send is not sent again:
    # the worker is behind, the message is not lost.
    Redrive.objects.filter(order=orders[1]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert queues()["orders"] == BACKLOG

    # Once the queue is short (here emptied, as a flush would), the expired re-drive is sent again.
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("orders")
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert queues()["orders"] == 1


def test_it_replaces_a_lost_optimization_run_within_one_sweep(world, settings, queues, django_capture_on_commit_callbacks):
    settings.COSMO_STUCK_AFTER = 60
    factory = Factory.objects.get()
    lost = ScheduleRun.objects.create(factory=factory, number=f"{factory.code}-00001", trigger="pin")
    ScheduleRun.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(minutes=5))

    sweep(django_capture_on_commit_callbacks)

    lost.refresh_from_db()
    assert lost.status == ScheduleRun.Status.FAILED
    replacement = ScheduleRun.objects.get(status=ScheduleRun.Status.QUEUED)
    assert replacement.trigger == "pin" and replacement.pk != lost.pk
    assert queues()["planning"] == 1
    sweep(django_capture_on_commit_callbacks)  # the new run is fresh: nothing more is sent
    assert queues()["planning"] == 1


def test_an_expired_redrive_sent_again_does_not_run_the_step_twice(
    consumer, settings, queues, django_capture_on_commit_callbacks
):
    settings.COSMO_STUCK_AFTER = 60
    with django_capture_on_commit_callbacks(execute=False):  # its first message was lost
        order = order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
                            delivery_address="1 Test Street")
    Order.objects.filter(pk=order.pk).update(stage_changed_at=timezone.now() - timedelta(hours=1))
    assert sweep(django_capture_on_commit_callbacks) == 1
    # The worker was slow to take it: the re-drive expired and the sweeper sent it again.
    Redrive.objects.filter(order=order).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert queues()["orders"] == 2 and Redrive.objects.filter(order=order).count() == 1

    # Both messages are worked off (as the worker would, one after the other): the step runs once.
    with django_capture_on_commit_callbacks(execute=False):
        assert tasks.plan_order.apply(args=[order.pk]).get() == 1
        assert tasks.plan_order.apply(args=[order.pk]).get() == 0
    order.refresh_from_db()
    assert order.stage == Stage.PLANNED
    assert order.timeline.filter(event="planned").count() == 1
    assert sweep(django_capture_on_commit_callbacks) == 0  # moved on: its re-drive is forgotten
    assert not Redrive.objects.filter(order=order).exists()
