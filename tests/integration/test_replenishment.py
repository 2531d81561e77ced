"""Replenishment on PostgreSQL: a stocked part at its reorder point is bought up to its level, once; an
order placed meanwhile takes it from the line's surplus instead of buying; a rejected line is bought again."""

from decimal import Decimal

import pytest

from cosmo import clock
from lifecycle import steps
from orders.services import LineRequest, order_place
from production.models import Stock
from suppliers.actions import line_confirm, line_reject, shipment_create
from suppliers.models import Allocation, PurchaseOrderLine
from suppliers.receiving import shipment_receive
from suppliers.replenishment import stock_replenish
from tests.ordering import default_configuration
from tests.procurement import assert_allocations_exact

D = Decimal

pytestmark = pytest.mark.django_db


@pytest.fixture
def compressors(world):
    """Only CMP-26 is replenished: reorder at 10, up to 30; 2 on the shelf."""
    Stock.objects.update(reorder_point=None, order_up_to=None)
    stock = Stock.objects.get(part__code="CMP-26")
    stock.reorder_point, stock.order_up_to = D("10"), D("30")
    stock.save()
    return stock


def stock_line() -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(part__code="CMP-26")


def test_it_buys_up_to_the_level_once_and_only_for_parts_with_a_reorder_point(compressors):
    bought = stock_replenish()
    assert [line.part.code for line in bought] == ["CMP-26"]
    line = stock_line()
    assert line.quantity == 28 and line.stock_quantity == 28  # 2 on the shelf + 28 on order = 30
    assert line.purchase_order.supplier.code == "QCW"  # the cheapest offer
    assert line.allocations.get().is_surplus  # for no order
    assert stock_replenish() == []  # the position is at the level now: nothing more
    assert PurchaseOrderLine.objects.count() == 1
    assert_allocations_exact()


def test_an_order_takes_what_is_on_order_for_stock_instead_of_buying(compressors, consumer):
    stock_replenish()
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 5)],
        delivery_address="1 Test Street",
    )
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    line = stock_line()
    # 2 reserved from the shelf, 3 taken from the stock line: no second compressor line, none bought more.
    assert PurchaseOrderLine.objects.filter(part__code="CMP-26").count() == 1
    assert line.quantity == 28 and line.stock_quantity == 25
    taken = Allocation.objects.get(po_line=line, requirement__isnull=False)
    assert taken.quantity == 3
    assert line.allocations.get(requirement__isnull=True).quantity == 25
    assert_allocations_exact()
    # The position (0 free + 25 on order for no one) is above the reorder point: nothing bought.
    assert stock_replenish() == []


def test_what_arrives_for_stock_is_free_stock_and_a_rejected_stock_line_is_bought_again(compressors):
    stock_replenish()
    line = stock_line()
    line_confirm(po_line_id=line.pk)
    shipment = shipment_create(
        purchase_order_id=line.purchase_order_id,
        expected_arrival=clock.now().date().isoformat(),
        lines=[("CMP-26", "28")],
    )
    shipment_receive(shipment_id=shipment.pk)
    stock = Stock.objects.get(part__code="CMP-26")
    assert stock.on_hand == 30 and stock.reserved == 0
    assert stock_replenish() == []

    Stock.objects.filter(pk=stock.pk).update(on_hand=D("5"))
    (again,) = stock_replenish()
    assert again.stock_quantity == 25
    line_reject(po_line_id=again.pk, reason="No capacity this week")
    (third,) = stock_replenish()
    assert third.pk != again.pk and third.stock_quantity == 25
    assert_allocations_exact()


def test_the_database_refuses_an_order_up_to_level_not_above_the_reorder_point(compressors):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=compressors.pk).update(reorder_point=D("30"), order_up_to=D("30"))
