"""No deadlock reaches a supplier: QCW's system confirms and ships its purchase orders over the API while
real workers net new orders (buying onto those same purchase orders), the autopilot suppliers answer and
ship, and the receiving dock takes shipments in, all on PostgreSQL. No request answers 500, every order
gets its parts and is scheduled, and the allocations add up exactly."""

import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cosmo import clock
from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order, Stage
from production.models import Stock
from suppliers.models import AutopilotProfile, PurchaseOrder, PurchaseOrderLine
from tests.ordering import order_payload
from tests.procurement import assert_allocations_exact

pytestmark = [pytest.mark.slow, pytest.mark.long, pytest.mark.django_db(transaction=True)]

ORDERS = 8


def test_suppliers_confirm_and_ship_over_the_api_while_workers_net_and_receive(
    fast_factory, celery_worker_live, consumer, supplier_member, settings
):
    # The sweeper is not what this test is about: its re-drives would only crowd the workers' queues.
    settings.COSMO_STUCK_AFTER = 3600
    if connection.vendor != "postgresql":
        pytest.skip("the lock order is tested on PostgreSQL (make test sets DATABASE_URL)")
    AutopilotProfile.objects.update(reject_rate=0, late_rate=0)
    shop = APIClient()
    shop.force_authenticate(consumer)
    token = APIClient().post("/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}).json()["token"]
    qcw = APIClient()
    qcw.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    statuses: list[tuple[str, int]] = []

    def supplier_answers() -> None:
        """QCW confirms whatever awaits an answer and ships whatever is confirmed, as its system would."""
        for po in PurchaseOrder.objects.filter(supplier__code="QCW").exclude(status__in=["received", "cancelled"]):
            if po.lines.filter(status=PurchaseOrderLine.Status.OPEN).exists():
                response = qcw.post(f"/api/purchase-orders/{po.number}/confirm/", format="json")
                statuses.append(("confirm", response.status_code))
            lines = [
                {"part": line.part.code, "quantity": str(line.to_ship)}
                for line in po.lines.select_related("part").filter(status=PurchaseOrderLine.Status.CONFIRMED)
                if line.to_ship > 0
            ]
            if lines:
                response = qcw.post(
                    f"/api/purchase-orders/{po.number}/ship/",
                    {"expected_arrival": clock.now().date().isoformat(), "lines": lines},
                    format="json",
                )
                statuses.append(("ship", response.status_code))

    numbers = []
    # Three units each: the compressors run short and are bought from QCW, onto its open purchase order,
    # while QCW answers that same purchase order.
    for _ in range(ORDERS):
        response = shop.post("/api/orders/", order_payload("AC-SPLIT", quantity=3), format="json")
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])
        supplier_answers()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        supplier_answers()
        waiting = Order.objects.filter(number__in=numbers).exclude(stage=Stage.SCHEDULED).count()
        if not waiting:
            break
        time.sleep(0.3)

    assert not [s for s in statuses if s[1] >= 500], statuses
    assert any(action == "confirm" and status == 200 for action, status in statuses)
    assert any(action == "ship" and status == 201 for action, status in statuses)
    stuck = dict(Order.objects.filter(number__in=numbers).exclude(stage=Stage.SCHEDULED).values_list("number", "stage"))
    assert not stuck, stuck
    assert_allocations_exact()
    assert all(s.on_hand >= s.reserved >= 0 for s in Stock.objects.all())
