"""Helpers for tests that need the suppliers to answer and the parts to arrive."""

from contextlib import suppress

from cosmo import clock
from lifecycle import steps
from orders.services import LineRequest, order_place
from suppliers.actions import ActionRefused, line_confirm, shipment_create
from suppliers.models import PurchaseOrder, PurchaseOrderLine, Shipment
from suppliers.receiving import shipment_receive
from tests.ordering import default_configuration


def qcw_order_bought(customer, quantity: int = 3):
    """An air conditioner ordered, planned and bought for: (the order, the purchase order sent to QCW)."""
    order = order_place(
        customer=customer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), quantity)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    return order, PurchaseOrder.objects.get(supplier__code="QCW")


def po_lines_snapshot():
    """What a supplier's action could change: every purchase-order line's answer, and the shipments."""
    return (
        list(PurchaseOrderLine.objects.order_by("pk").values_list("status", "quantity", "promised_date", "shipped_quantity")),
        Shipment.objects.count(),
    )


def deliver_everything() -> None:
    """Every supplier confirms every open line as ordered and ships it today; the factory receives it all.

    With a live worker the autopilot may answer, ship or receive some of it meanwhile: that is skipped.
    """
    for pk in PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN).values_list("pk", flat=True):
        with suppress(ActionRefused):
            line_confirm(po_line_id=pk)
    for po in PurchaseOrder.objects.exclude(status__in=["cancelled", "rejected", "closed"]):
        lines = [(line.part.code, line.to_ship) for line in po.lines.select_related("part") if line.to_ship > 0]
        if lines:
            with suppress(ActionRefused):
                shipment_create(purchase_order_id=po.pk, expected_arrival=clock.now().date(), lines=lines)
    for pk in Shipment.objects.filter(status=Shipment.Status.IN_TRANSIT).values_list("pk", flat=True):
        with suppress(ActionRefused):
            shipment_receive(shipment_id=pk)


def assert_allocations_exact(*, requirements: bool = True) -> None:
    """Every live purchase-order line is covered exactly by its allocations (surplus included), a rejected
    one by none; every requirement of a live order is reserved or on order, exactly."""
    from decimal import Decimal

    from orders.models import Stage
    from production.models import Requirement
    from suppliers.models import Allocation

    for line in PurchaseOrderLine.objects.prefetch_related("allocations"):
        total = sum((a.quantity for a in line.allocations.all()), Decimal("0"))
        if line.status == PurchaseOrderLine.Status.REJECTED:
            assert total == 0, (line, total)
        else:
            assert total == line.quantity, (line, total, line.quantity)
    if not requirements:
        return
    for requirement in Requirement.objects.exclude(order_line__order__stage=Stage.CANCELLED):
        on_order = sum((a.quantity - a.received for a in Allocation.objects.filter(requirement=requirement)), Decimal("0"))
        assert requirement.reserved + on_order == requirement.quantity, (requirement.part.code, requirement.reserved, on_order)


def hefei_job_short_of_compressors():
    """Ten air conditioners for East China, made in Hefei, whose shelves hold only three compressors: the
    job (planned and bought for) is one a planner may want elsewhere."""
    from cosmo.models import User
    from production.models import Job, Stock
    from production.promise import forget_floors

    forget_floors()
    Stock.objects.filter(factory__code="HF1", part__code="CMP-26").update(on_hand=3)
    order = order_place(customer=User.objects.get(username="consumer"),
                        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 10)],
                        delivery_address="8 Huangshan Road, Hefei", region="CN-E")
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    job = Job.objects.get(order_line__order=order)
    assert job.factory.code == "HF1"
    return job
