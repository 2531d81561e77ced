"""Re-sourcing end to end with a real worker: the supplier's system rejects a line over the API with its
token, Cosmo buys the part from the next best offer, whose autopilot delivers, and the order is scheduled."""

import time

import pytest
from rest_framework.test import APIClient

from lifecycle.demo import DEMO_PASSWORD
from orders.models import Stage
from production.models import Requirement
from suppliers.models import AutopilotProfile, PurchaseOrderLine, Resourcing
from tests.integration.test_pipeline_worker import wait_for_stage
from tests.ordering import order_payload
from tests.procurement import assert_allocations_exact

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_it_resources_a_line_rejected_over_the_api_and_still_schedules_the_order(
    fast_factory, celery_worker_live, consumer, supplier_member
):
    # Deterministic demo suppliers for this run: on time, and no rejections of their own.
    AutopilotProfile.objects.update(reject_rate=0, late_rate=0)
    shop = APIClient()
    shop.force_authenticate(consumer)
    # Three units: the compressors are short, and bought from QCW, which has no autopilot.
    number = shop.post("/api/orders/", order_payload("AC-SPLIT", quantity=3), format="json").json()["number"]
    qcw_line = wait_for(
        lambda: PurchaseOrderLine.objects.filter(
            purchase_order__supplier__code="QCW", allocations__requirement__order_line__order__number=number
        ).select_related("purchase_order", "part").first()
    )
    token = APIClient().post("/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}).json()["token"]
    qcw = APIClient()
    qcw.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = qcw.post(
        f"/api/purchase-orders/{qcw_line.purchase_order.number}/lines/{qcw_line.part.code}/reject/",
        {"reason": "Compressor line down for a week"},
        format="json",
    )
    assert response.status_code == 200, response.content

    order = wait_for_stage(number, Stage.SCHEDULED)

    requirement = Requirement.objects.get(order_line__order=order, part=qcw_line.part)
    assert requirement.reserved == requirement.quantity
    assert Resourcing.objects.get(requirement=requirement).from_offer.supplier.code == "QCW"
    gcc_line = PurchaseOrderLine.objects.get(allocations__requirement=requirement)
    assert gcc_line.purchase_order.supplier.code == "GCC" and gcc_line.received_quantity >= gcc_line.quantity
    assert_allocations_exact()
    events = list(order.timeline.values_list("event", flat=True))
    assert events.index("line_rejected") < events.index("resourced") < events.index("scheduled")
    texts = " ".join(order.timeline.values_list("params__reason", flat=True).exclude(params__reason=None))
    assert "Compressor line down" in texts
