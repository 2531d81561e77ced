"""One order carried through the pipeline by a real Celery worker on PostgreSQL and Redis."""

import time

import pytest
from rest_framework.test import APIClient

from orders.models import Order, Stage
from production.models import Operation, Requirement
from suppliers.models import Allocation, PurchaseOrderLine
from tests.ordering import order_payload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for_stage(number: str, stage: str, timeout: float = 60) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = Order.objects.get(number=number)
        if order.stage == stage:
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {number} stayed in {Order.objects.get(number=number).stage}, not {stage}")


def test_it_carries_an_order_placed_through_the_api_to_scheduled(celery_worker_live, consumer, db):
    api = APIClient()
    api.force_authenticate(consumer)
    response = api.post("/api/orders/", order_payload("AC-SPLIT", quantity=3), format="json")
    assert response.status_code == 201, response.content
    number = response.json()["number"]

    order = wait_for_stage(number, Stage.SCHEDULED)

    requirements = Requirement.objects.filter(order_line__order=order)
    assert requirements.exists()
    # Whatever stock could not cover was bought, and the allocations cover each shortage exactly.
    for requirement in requirements:
        allocated = sum(a.quantity for a in Allocation.objects.filter(requirement=requirement))
        assert requirement.reserved + allocated == requirement.quantity
    assert PurchaseOrderLine.objects.filter(allocations__requirement__order_line__order=order).exists()
    operations = Operation.objects.filter(job__order_line__order=order).order_by("sequence")
    assert operations.exists()
    assert all(op.line_id and op.planned_start and op.planned_end for op in operations)
    # Operations of the job run in sequence, after the parts arrive.
    ends = [op.planned_end for op in operations]
    starts = [op.planned_start for op in operations]
    assert all(start >= end for start, end in zip(starts[1:], ends[:-1]))
    assert order.expected_date is not None and order.promised_date is not None
    events = list(order.timeline.values_list("event", flat=True))
    assert events[0] == "placed" and "planned" in events and events[-1] == "scheduled"

    detail = api.get(f"/api/orders/{number}/").json()
    assert detail["stage"] == "scheduled"
    assert [e["event"] for e in detail["timeline"]] == events
