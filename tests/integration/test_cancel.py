"""Cancelling an order before production starts gives back its stock, its unconfirmed purchases, its slots."""

import pytest

from lifecycle import cancel, steps
from orders.models import Stage
from orders.services import LineRequest, order_place
from production.models import Operation, Stock
from suppliers.actions import purchase_order_confirm
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine
from suppliers.sourcing import order_quantity
from tests.ordering import default_configuration
from tests.procurement import assert_allocations_exact, deliver_everything


def waiting_order(consumer, quantity=3):
    """An order in materials, waiting for the parts it bought."""
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), quantity)],
        delivery_address="1 Test Street",
    )
    for step in (steps.order_plan, steps.order_procure):
        assert step(order.pk)
    return order


def scheduled_order(consumer, quantity=3):
    order = waiting_order(consumer, quantity)
    deliver_everything()
    assert steps.order_schedule(order.pk)
    return order


def test_it_releases_stock_purchases_and_slots_and_says_so(consumer):
    reserved_before = {s.part_id: s.reserved for s in Stock.objects.all()}
    order = waiting_order(consumer)
    assert any(s.reserved > reserved_before[s.part_id] for s in Stock.objects.all())
    qcw = PurchaseOrder.objects.get(supplier__code="QCW")
    purchase_order_confirm(purchase_order_id=qcw.pk)
    confirmed_lines = list(qcw.lines.values_list("pk", "quantity"))

    cancel.order_cancel(order.pk)

    order.refresh_from_db()
    assert order.stage == Stage.CANCELLED
    assert {s.part_id: s.reserved for s in Stock.objects.all()} == reserved_before
    assert not Operation.objects.filter(job__order_line__order=order, line__isnull=False).exists()
    # Unconfirmed purchase orders are cancelled; the confirmed one stays on order, unchanged.
    assert set(PurchaseOrder.objects.exclude(pk=qcw.pk).values_list("status", flat=True)) == {"cancelled"}
    assert list(PurchaseOrderLine.objects.filter(purchase_order=qcw).values_list("pk", "quantity")) == confirmed_lines
    assert order.timeline.last().event == "cancelled"


def test_it_keeps_the_purchases_that_other_orders_still_need(consumer):
    first = waiting_order(consumer, quantity=3)
    second = waiting_order(consumer, quantity=2)
    # Both orders were consolidated onto the same purchase orders.
    shared = PurchaseOrderLine.objects.filter(allocations__requirement__order_line__order=first).filter(
        allocations__requirement__order_line__order=second
    )
    assert shared.exists()
    second_allocations = sorted(
        Allocation.objects.filter(requirement__order_line__order=second).values_list("requirement_id", "quantity")
    )
    cancel.order_cancel(first.pk)
    assert not Allocation.objects.filter(requirement__order_line__order=first).exists()
    assert sorted(
        Allocation.objects.filter(requirement__order_line__order=second).values_list("requirement_id", "quantity")
    ) == second_allocations
    # The shared lines shrank to what the second order needs (rounded to the minimum), and still add up.
    for line in PurchaseOrderLine.objects.filter(allocations__requirement__order_line__order=second):
        needed = sum(a.quantity for a in line.allocations.all() if a.requirement_id)
        assert line.quantity == order_quantity(needed, line.offer)
    assert_allocations_exact()


def test_it_refuses_once_production_has_started(consumer):
    order = scheduled_order(consumer)
    order.stage = Stage.IN_PRODUCTION
    order.save()
    with pytest.raises(cancel.NotCancellable):
        cancel.order_cancel(order.pk)
    order.refresh_from_db()
    assert order.stage == Stage.IN_PRODUCTION
    assert Operation.objects.filter(job__order_line__order=order, line__isnull=False).exists()
