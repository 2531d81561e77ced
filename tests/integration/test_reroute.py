"""Re-routing on PostgreSQL: a job that has not started moves to another factory with nothing reserved or
bought twice (stock given back where it was, unanswered purchase-order lines shrunk or cancelled, confirmed
ones left as surplus, the requirements covered again in the new factory), recorded and told; a started
job stays; an order at risk moves by itself when another factory now promises sooner."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from cosmo import clock
from cosmo.models import Change, User
from lifecycle import steps
from lifecycle.reroute import NotMovable, job_move, jobs_reroute
from orders.models import Order, Stage
from orders.services import LineRequest, order_place
from production.models import Factory, Job, JobMove, Line, MaintenanceWindow, Operation, Requirement, Stock
from production.routing import reroute_target
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine
from tests.conftest import client_for
from tests.ordering import default_configuration
from tests.procurement import assert_allocations_exact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_quotes")]


def reserved_matches_stock() -> None:
    """Every stock row's reserved quantity is exactly what the requirements made there hold."""
    held = {}
    for job in Job.objects.exclude(status=Job.Status.CANCELLED):
        for r in Requirement.objects.filter(order_line=job.order_line_id, reserved__gt=0):
            held[(job.factory_id, r.part_id)] = held.get((job.factory_id, r.part_id), Decimal("0")) + r.reserved
    for stock in Stock.objects.all():
        assert stock.reserved == held.get((stock.factory_id, stock.part_id), Decimal("0")), (
            stock.factory.code, stock.part.code, stock.reserved
        )


@pytest.fixture
def hefei_order(network_world):
    """Ten air conditioners for East China: routed to Hefei, which takes what its shelves hold (three
    compressors) and buys the rest (its purchase orders unanswered yet)."""
    Stock.objects.filter(factory__code="HF1", part__code="CMP-26").update(on_hand=3)
    consumer = User.objects.get(username="consumer")
    order = order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 10)],
                        delivery_address="8 Huangshan Road, Hefei", region="CN-E")
    assert order.placed_lines[0].factory_code == "HF1"
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    order.refresh_from_db()
    assert order.stage == Stage.MATERIALS
    return order


def test_a_moved_job_leaves_allocations_and_purchase_orders_consistent(hefei_order):
    job = Job.objects.get(order_line__order=hefei_order)
    hefei, qingdao = Factory.objects.get(code="HF1"), Factory.objects.get(code="QD1")
    assert Stock.objects.filter(factory=hefei, reserved__gt=0).exists()
    bought_at_hefei = list(PurchaseOrderLine.objects.filter(purchase_order__factory=hefei).values_list("pk", flat=True))
    assert bought_at_hefei, (list(Requirement.objects.filter(order_line=job.order_line_id).values_list("part__code", "quantity", "reserved")), list(PurchaseOrderLine.objects.values_list("purchase_order__factory__code", "part__code", "quantity")), job.factory.code)
    # One of Hefei's suppliers confirmed already: that quantity stays on order, as Hefei's surplus.
    from suppliers.actions import line_confirm

    confirmed = line_confirm(po_line_id=bought_at_hefei[0])
    planner = User.objects.get(username="planner")

    move = job_move(job_id=job.pk, to_factory_id=qingdao.pk, reason=JobMove.Reason.PLANNER, actor=planner)

    job.refresh_from_db()
    assert job.factory == qingdao and job.status == Job.Status.PLANNED
    assert not Operation.objects.filter(job=job, line__isnull=False).exists()
    # Nothing held in Hefei any more; what Qingdao reserved is what the requirements say.
    assert not Stock.objects.filter(factory=hefei, reserved__gt=0).exists()
    reserved_matches_stock()
    assert_allocations_exact()
    # Hefei's unanswered lines went (their orders cancelled when empty); the confirmed one is surplus.
    mine = Allocation.objects.filter(requirement__order_line=job.order_line_id)
    assert not mine.filter(po_line__purchase_order__factory=hefei).exists()
    confirmed.refresh_from_db()
    assert confirmed.allocations.get().is_surplus
    assert not PurchaseOrderLine.objects.filter(pk__in=bought_at_hefei[1:]).exists() or PurchaseOrder.objects.filter(
        lines__pk__in=bought_at_hefei[1:], status=PurchaseOrder.Status.CANCELLED).exists()
    # Each part is covered once: reserved in Qingdao, or on order for Qingdao.
    for r in Requirement.objects.filter(order_line=job.order_line_id):
        on_order = mine.filter(requirement=r).aggregate(q=Sum("quantity"))["q"] or Decimal("0")
        assert r.reserved + on_order == r.quantity
    assert move.by == planner and move.from_factory == hefei and move.to_factory == qingdao
    assert Change.objects.filter(action="move", object_type="production.job").exists()
    text = hefei_order.timeline.order_by("at", "pk").last().text
    assert "Qingdao Interconnected Factory instead of Hefei Air Conditioner Factory" in text
    assert "moved by a planner" in text
    # Moving it back is the same rules again: still consistent.
    job_move(job_id=job.pk, to_factory_id=hefei.pk, reason=JobMove.Reason.PLANNER, actor=planner)
    reserved_matches_stock()
    assert_allocations_exact()


def test_a_started_job_stays_and_nothing_changes(hefei_order):
    job = Job.objects.get(order_line__order=hefei_order)
    Order.objects.filter(pk=hefei_order.pk).update(stage=Stage.IN_PRODUCTION)
    before = list(Stock.objects.values_list("pk", "reserved"))
    with pytest.raises(NotMovable):
        job_move(job_id=job.pk, to_factory_id=Factory.objects.get(code="QD1").pk, reason=JobMove.Reason.PLANNER)
    assert list(Stock.objects.values_list("pk", "reserved")) == before
    assert not JobMove.objects.exists()


def test_an_order_at_risk_moves_to_a_factory_that_now_promises_sooner(hefei_order):
    job = Job.objects.get(order_line__order=hefei_order)
    # Hefei's compressors are late: the order is at risk; Qingdao meanwhile has every part on its shelves.
    Order.objects.filter(pk=hefei_order.pk).update(at_risk=True)
    Stock.objects.filter(factory__code="QD1").update(on_hand=1000)
    moves = jobs_reroute()
    assert [(m.from_factory.code, m.to_factory.code, m.reason) for m in moves] == [("HF1", "QD1", "late_supplier")]
    job.refresh_from_db()
    assert job.factory.code == "QD1" and job.release_date is not None  # Qingdao's shelves cover it
    reserved_matches_stock()
    assert_allocations_exact()
    assert jobs_reroute() == []  # moved once: it now promises the earliest


def test_an_order_moved_by_itself_never_swings_back_to_the_factory_it_left(hefei_order):
    job = Job.objects.get(order_line__order=hefei_order)
    Order.objects.filter(pk=hefei_order.pk).update(at_risk=True)
    Stock.objects.filter(factory__code="QD1").update(on_hand=1000)
    assert [(m.from_factory.code, m.to_factory.code) for m in jobs_reroute()] == [("HF1", "QD1")]
    # Now Qingdao's lines stop for a month and Hefei's shelves fill: Hefei promises sooner again.
    now = clock.now()
    for line in Line.objects.filter(factory__code="QD1"):
        MaintenanceWindow.objects.create(line=line, start=now, end=now + timedelta(days=30))
    Stock.objects.filter(factory__code="HF1").update(on_hand=1000)
    Order.objects.filter(pk=hefei_order.pk).update(at_risk=True)
    job.refresh_from_db()
    assert reroute_target(job)[1].code == "HF1"

    # The job stays: moving back would only swing it between the two, buying its parts each time.
    assert jobs_reroute() == []
    job.refresh_from_db()
    assert job.factory.code == "QD1" and JobMove.objects.filter(job=job).count() == 1


def test_the_planner_sees_the_choices_and_moves_a_job_from_the_row(hefei_order):
    job = Job.objects.get(order_line__order=hefei_order)
    planner = client_for(User.objects.get(username="planner"))
    choices = planner.get(f"/planner/jobs/{job.number}/move/", HTTP_HX_REQUEST="true")
    assert choices.status_code == 200
    assert b"Qingdao Interconnected Factory" in choices.content and b"Move to QD1" in choices.content
    assert planner.post(f"/planner/jobs/{job.number}/move/", {"factory": "NOPE"}).status_code == 200
    assert Job.objects.get(pk=job.pk).factory.code == "HF1"  # a bad choice changes nothing
    answer = planner.post(f"/planner/jobs/{job.number}/move/", {"factory": "QD1"})
    assert b"Moved to Qingdao" in answer.content
    consumer = client_for(User.objects.get(username="consumer"))
    assert consumer.get(f"/planner/jobs/{job.number}/move/").status_code in (302, 403, 404)
