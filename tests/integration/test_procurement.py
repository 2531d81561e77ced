"""Procurement on PostgreSQL: explosion, netting, sourcing, consolidation, re-sourcing, receiving, the
autopilot and the scorecard; the allocations stay exact through all of it."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cosmo import clock
from lifecycle import cancel, steps
from orders.models import Stage
from orders.services import LineRequest, order_place
from production.bom import order_explode
from production.models import Job, Part, PartComponent, Requirement, Stock
from suppliers.actions import ActionRefused, line_confirm, line_reject, shipment_create
from suppliers.autopilot import suppliers_autopilot
from suppliers.models import (
    Allocation,
    AutopilotProfile,
    Offer,
    PriceBreak,
    PurchaseOrder,
    PurchaseOrderLine,
    Resourcing,
    Shipment,
    Supplier,
)
from suppliers.receiving import shipment_receive, shipments_arrive
from suppliers.scorecard import supplier_scorecard
from tests.ordering import default_configuration
from tests.procurement import assert_allocations_exact, deliver_everything

D = Decimal


def place(consumer, family="AC-SPLIT", quantity=3, configuration=None):
    return order_place(
        customer=consumer,
        lines=[LineRequest(family, configuration or default_configuration(family), quantity)],
        delivery_address="1 Test Street",
    )


def procured(consumer, **kwargs):
    order = place(consumer, **kwargs)
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    order.refresh_from_db()
    return order


def requirement(order, part_code) -> Requirement:
    return Requirement.objects.get(order_line__order=order, part__code=part_code)


def line_for(order, part_code) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(allocations__requirement=requirement(order, part_code))


def test_it_explodes_sub_assemblies_level_by_level_with_numeric_quantities(consumer):
    # ASM-CTRL (demo) is made of a board and a remote; nest one more level under the board's assembly.
    kit = Part.objects.create(code="ASM-KIT", name="Kit of a remote and screws")
    PartComponent.objects.filter(assembly__code="ASM-CTRL", component__code="RMT-IR").update(component=kit)
    PartComponent.objects.create(assembly=kit, component=Part.objects.get(code="RMT-IR"), quantity=D("2"))
    PartComponent.objects.create(assembly=kit, component=Part.objects.get(code="FST-KIT"), quantity=D("3"))
    configuration = default_configuration("AC-SPLIT") | {"PIPE_LENGTH": "7.5"}
    order = place(consumer, quantity=2, configuration=configuration)
    order_explode(order=order)
    needs = dict(Requirement.objects.filter(order_line__order=order).values_list("part__code", "quantity"))
    assert "ASM-CTRL" not in needs and "ASM-KIT" not in needs  # made here, never bought
    assert needs["PCB-AC"] == 2 and needs["RMT-IR"] == 4
    assert needs["FST-KIT"] == 2 + 6  # one per unit from the family's BOM, three per kit
    assert needs["PIPE-CU"] == D("15") and needs["CBL-INT"] == D("18")  # per metre of pipe
    # Wanted in time to make and ship the order by the end of its promised day (what the quote assumed).
    (need,) = {r.need_date for r in Requirement.objects.filter(order_line__order=order)}
    end_of_promised_day = datetime.combine(order.promised_date, time.max, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert order.placed_at < need <= end_of_promised_day - timedelta(days=2)
    # Idempotent: a second explosion adds nothing.
    before = Requirement.objects.count()
    order_explode(order=order)
    assert Requirement.objects.count() == before


def test_it_nets_stock_then_open_surplus_then_buys(consumer):
    first = procured(consumer, quantity=3)
    # RMT-IR: 2 in stock, HEL sells by 10: the first order reserves 2 and buys 10 for 1, leaving 9 surplus.
    rmt = requirement(first, "RMT-IR")
    assert rmt.reserved == 2
    line = line_for(first, "RMT-IR")
    assert line.quantity == 10
    assert line.allocations.get(requirement__isnull=True).quantity == 9
    second = procured(consumer, quantity=3)
    # The second order finds no free stock, and takes 3 of the surplus already on order: nothing bought.
    assert requirement(second, "RMT-IR").reserved == 0
    assert line_for(second, "RMT-IR") == line
    line.refresh_from_db()
    assert line.quantity == 10 and line.allocations.get(requirement__isnull=True).quantity == 6
    assert second.timeline.filter(event="materials_on_order").exists()
    assert_allocations_exact()
    assert Stock.objects.get(part__code="RMT-IR").reserved == 2


def test_it_consolidates_into_one_open_purchase_order_per_supplier_within_the_window(consumer, settings):
    settings.COSMO_CONSOLIDATION_HOURS = 4
    first = procured(consumer, quantity=3)
    second = procured(consumer, quantity=3)
    qcw = PurchaseOrder.objects.filter(supplier__code="QCW")
    assert qcw.count() == 1
    assert line_for(first, "CMP-26") == line_for(second, "CMP-26")
    cmp_line = qcw.get().lines.get(part__code__startswith="CMP")
    assert cmp_line.quantity == 4  # 1 + 3: the two orders' shortages
    # After the window, or once the supplier answered, a new purchase order is sent.
    clock.reset(start=clock.now() + timedelta(hours=5))
    third = procured(consumer, quantity=3)
    assert PurchaseOrder.objects.filter(supplier__code="QCW").count() == 2
    assert line_for(third, cmp_line.part.code).purchase_order != cmp_line.purchase_order
    assert_allocations_exact()


def test_it_takes_a_price_break_and_keeps_the_round_up_as_surplus(consumer):
    offer = Offer.objects.get(supplier__code="SMP", part__code="PIPE-CU")
    PriceBreak.objects.filter(offer=offer).delete()
    PriceBreak.objects.create(offer=offer, min_quantity=D("20"), price=D("6.00"))
    Offer.objects.filter(pk=offer.pk).update(min_quantity=D("25"))
    order = procured(consumer, quantity=3)  # 15 m of pipe, 2 m in stock: 13 m short
    line = line_for(order, "PIPE-CU")
    assert line.quantity == 25  # rounded up to the minimum quantity
    assert line.price == D("6.00")
    assert line.allocations.get(requirement__isnull=True).quantity == 12
    assert_allocations_exact()


def test_it_prefers_the_cheapest_in_time_and_flags_the_order_at_risk_when_none_is(consumer):
    order = procured(consumer, quantity=3)
    assert line_for(order, "CMP-26").purchase_order.supplier.code == "QCW"  # cheaper, in time
    assert not order.at_risk
    # Need it in two days: QCW (3 days) and GCC (5 days) are both late; QCW arrives first.
    late = place(consumer, quantity=3)
    steps.order_plan(late.pk)
    Requirement.objects.filter(order_line__order=late).update(need_date=clock.now() + timedelta(days=2))
    steps.order_procure(late.pk)
    late.refresh_from_db()
    assert line_for(late, "CMP-26").purchase_order.supplier.code == "QCW"
    assert late.at_risk
    assert late.timeline.filter(event="at_risk", params__part="CMP-26").exists()


def test_it_allows_for_capacity_and_an_unreliable_supplier(consumer):
    # Wanted in 6 days. QCW makes one compressor every two days: five would take ten; GCC is in time.
    Offer.objects.filter(supplier__code="QCW", part__code="CMP-26").update(daily_capacity=D("0.5"))
    Offer.objects.filter(supplier__code="GCC", part__code="CMP-26").update(daily_capacity=None)
    order = place(consumer, quantity=5)
    steps.order_plan(order.pk)
    Requirement.objects.filter(order_line__order=order).update(need_date=clock.now() + timedelta(days=6))
    steps.order_procure(order.pk)
    assert line_for(order, "CMP-26").purchase_order.supplier.code == "GCC"


def test_it_resources_a_rejected_line_to_the_next_offer_and_says_so(consumer):
    order = procured(consumer, quantity=3)
    line = line_for(order, "CMP-26")
    line_reject(po_line_id=line.pk, reason="Line stopped for maintenance")
    line.refresh_from_db()
    assert line.status == PurchaseOrderLine.Status.REJECTED and line.rejected_quantity == 1
    assert line.purchase_order.status == PurchaseOrder.Status.REJECTED
    new_line = line_for(order, "CMP-26")
    assert new_line.purchase_order.supplier.code == "GCC"
    assert Resourcing.objects.get(requirement=requirement(order, "CMP-26")).reason == "rejected"
    events = list(order.timeline.values_list("event", flat=True))
    assert "line_rejected" in events and "resourced" in events
    assert "Line stopped for maintenance" in order.timeline.get(event="line_rejected").text
    # Rejected by GCC too: no offer left, the order is at risk and waits for a planner.
    line_reject(po_line_id=new_line.pk, reason="No")
    order.refresh_from_db()
    assert order.at_risk and order.timeline.filter(event="unsourced").exists()
    assert_allocations_exact(requirements=False)  # the unsourced requirement is short
    assert requirement(order, "CMP-26").allocations.count() == 0


def test_it_resources_the_rest_of_a_partial_confirmation_and_a_late_promise(consumer, settings):
    first = procured(consumer, quantity=3)
    second = procured(consumer, quantity=3)
    line = line_for(first, "CMP-26")
    assert line.quantity == 1 + 3
    # QCW confirms one of four: the order needed last loses its allocation, which goes to GCC.
    line_confirm(po_line_id=line.pk, quantity="1", promised_date=line.expected_date.date())
    line.refresh_from_db()
    assert line.quantity == 1 and line.rejected_quantity == 3 and line.status == "confirmed"
    assert line_for(first, "CMP-26") == line
    assert line_for(second, "CMP-26").purchase_order.supplier.code == "GCC"
    assert Resourcing.objects.get(requirement=requirement(second, "CMP-26")).reason == "rejected"
    assert_allocations_exact()
    # QCW declined the part: the next order buys it from GCC, not from QCW again.
    assert line_for(procured(consumer, quantity=3), "CMP-26").purchase_order.supplier.code == "GCC"
    # A promise after the need date moves the requirement when another offer is earlier: the confirmed
    # quantity stays on order as surplus, and becomes free stock when it arrives.
    settings.COSMO_DECLINE_MEMORY_DAYS = 0
    third = procured(consumer, quantity=3)
    late_line = line_for(third, "CMP-26")
    assert late_line.purchase_order.supplier.code == "QCW" and late_line != line
    line_confirm(po_line_id=late_line.pk, promised_date=(clock.now() + timedelta(days=20)).date())
    late_line.refresh_from_db()
    assert late_line.status == "confirmed" and late_line.quantity == 3
    assert late_line.allocations.get().is_surplus
    assert line_for(third, "CMP-26").purchase_order.supplier.code == "GCC"
    assert Resourcing.objects.get(requirement=requirement(third, "CMP-26")).reason == "late"
    assert third.timeline.filter(event="resourced", params__part="CMP-26").exists()
    assert_allocations_exact()


def test_it_receives_in_need_date_order_records_short_and_over_and_releases_jobs(
    consumer, django_capture_on_commit_callbacks
):
    early = procured(consumer, quantity=3)
    late = procured(consumer, quantity=3)
    Requirement.objects.filter(order_line__order=late).update(need_date=clock.now() + timedelta(days=30))
    line = line_for(early, "CMP-26")
    assert line == line_for(late, "CMP-26") and line.quantity == 4
    line_confirm(po_line_id=line.pk)
    shipment = shipment_create(purchase_order_id=line.purchase_order_id, expected_arrival=clock.now().date(),
                               lines=[("CMP-26", "4")])
    # Three arrive instead of four: the earlier need is served first, the shortfall is owed again.
    shipment_receive(shipment_id=shipment.pk, received={"CMP-26": "3"})
    assert requirement(early, "CMP-26").reserved == 3
    assert requirement(late, "CMP-26").reserved == 2
    shipment_line = shipment.lines.get()
    assert shipment_line.variance == -1
    line.refresh_from_db()
    assert line.received_quantity == 3 and line.to_ship == 1
    stock = Stock.objects.get(part__code="CMP-26")
    assert stock.on_hand == 2 + 3 and stock.reserved == 5
    # The rest comes with one too many: the extra is free stock.
    again = shipment_create(purchase_order_id=line.purchase_order_id, expected_arrival=clock.now().date(),
                            lines=[("CMP-26", "1")])
    shipment_receive(shipment_id=again.pk, received={"CMP-26": "2"})
    assert again.lines.get().variance == 1
    stock.refresh_from_db()
    assert stock.on_hand == 7 and stock.reserved == 6
    assert requirement(late, "CMP-26").reserved == 3
    assert_allocations_exact()
    # When every part is in, the job is released and scheduling is asked for.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver_everything()
    job = Job.objects.get(order_line__order=early)
    assert job.release_date is not None
    assert callbacks, "scheduling was asked for"
    assert steps.order_schedule(early.pk)
    early.refresh_from_db()
    assert early.stage == Stage.SCHEDULED
    assert early.timeline.filter(event="parts_received").exists()
    with pytest.raises(ActionRefused):
        shipment_receive(shipment_id=shipment.pk)


def test_it_runs_the_autopilot_in_factory_time_reproducibly(consumer):
    order = procured(consumer, quantity=3)
    assert suppliers_autopilot() == {"confirmed": 0, "rejected": 0, "shipments": 0}  # not yet: answers take hours
    clock.reset(start=clock.now() + timedelta(hours=7))
    counts = suppliers_autopilot()
    assert counts["confirmed"] > 0
    # QCW has no autopilot: its line waits for a person.
    assert line_for(order, "CMP-26").status == PurchaseOrderLine.Status.OPEN
    assert not PurchaseOrderLine.objects.exclude(purchase_order__supplier__code="QCW").filter(status="open").exists()
    clock.reset(start=clock.now() + timedelta(days=10))
    suppliers_autopilot()
    # A shipment arrives at the time of day of its lead time: a day later it is in, whatever the hour now.
    clock.reset(start=clock.now() + timedelta(days=1))
    assert shipments_arrive() == Shipment.objects.filter(status="received").count() > 0
    # Seeded: the same profile and the same line draw the same decision.
    from suppliers.autopilot import draw

    profile = AutopilotProfile.objects.get(supplier__code="HEL")
    hel_line = PurchaseOrderLine.objects.filter(purchase_order__supplier__code="HEL").first()
    assert draw(profile, hel_line, "late") == draw(profile, hel_line, "late")
    # Rejecting everything: the line is declined with a reason, and re-sourced or flagged.
    AutopilotProfile.objects.filter(supplier__code="GCC").update(reject_rate=1)
    line_reject(po_line_id=line_for(order, "CMP-26").pk, reason="Busy")
    clock.reset(start=clock.now() + timedelta(hours=7))
    suppliers_autopilot()
    assert PurchaseOrderLine.objects.filter(purchase_order__supplier__code="GCC", status="rejected").exists()
    assert_allocations_exact(requirements=False)


def test_it_keeps_score_of_each_supplier(consumer):
    procured(consumer, quantity=3)
    hel = Supplier.objects.get(code="HEL")
    card = supplier_scorecard(hel)
    assert card.deliveries == 0 and card.on_time_rate is None and card.rejection_rate is None
    assert sum(card.open_value.values()) > 0
    lines = list(PurchaseOrderLine.objects.filter(purchase_order__supplier=hel).order_by("pk"))
    clock.reset(start=clock.now() + timedelta(hours=2))
    line_reject(po_line_id=lines[0].pk, reason="Out of boards")
    for line in lines[1:]:
        line_confirm(po_line_id=line.pk)
    deliver_everything()
    card = supplier_scorecard(hel)
    assert card.deliveries == len(lines) - 1 and card.on_time_rate == 1.0
    assert card.rejection_rate == pytest.approx(float(lines[0].quantity / sum(ln.quantity for ln in lines)))
    assert card.confirmation_latency >= timedelta(hours=2)
    assert sum(card.open_value.values()) == 0


def test_it_cancels_unconfirmed_lines_and_turns_confirmed_ones_into_free_stock(consumer):
    order = procured(consumer, quantity=3)
    cmp_line = line_for(order, "CMP-26")
    line_confirm(po_line_id=cmp_line.pk)
    cancel.order_cancel(order.pk)
    cmp_line.refresh_from_db()
    assert cmp_line.quantity == 1 and cmp_line.allocations.get().is_surplus
    assert Allocation.objects.filter(requirement__order_line__order=order).count() == 0
    shipment = shipment_create(purchase_order_id=cmp_line.purchase_order_id, expected_arrival=clock.now().date(),
                               lines=[("CMP-26", "1")])
    shipment_receive(shipment_id=shipment.pk)
    stock = Stock.objects.get(part__code="CMP-26")
    assert stock.on_hand == 3 and stock.reserved == 0  # free for the next order
    assert_allocations_exact()
