"""One order carried through the pipeline by a real Celery worker on PostgreSQL and Redis, with the
demo suppliers on autopilot answering, shipping and delivering in (sped-up) factory time."""

import time

import pytest
from rest_framework.test import APIClient

from orders.models import Order, Stage
from production.models import Operation, Requirement
from suppliers.models import PurchaseOrderLine, Shipment
from tests.ordering import order_payload
from tests.procurement import assert_allocations_exact

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for_stage(number: str, stage: str, timeout: float = 60) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = Order.objects.get(number=number)
        if order.stage == stage:
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {number} stayed in {Order.objects.get(number=number).stage}, not {stage}")


def test_it_carries_an_order_placed_through_the_api_to_scheduled(fast_factory, celery_worker_live, consumer, db):
    api = APIClient()
    api.force_authenticate(consumer)
    # Two units: stock covers the compressors, the rest is bought from suppliers on autopilot.
    response = api.post("/api/orders/", order_payload("AC-SPLIT", quantity=2), format="json")
    assert response.status_code == 201, response.content
    number = response.json()["number"]

    order = wait_for_stage(number, Stage.SCHEDULED)

    requirements = Requirement.objects.filter(order_line__order=order)
    assert requirements.exists()
    # Whatever stock could not cover was bought, confirmed, shipped and received: every part is in.
    assert all(r.reserved == r.quantity for r in requirements)
    assert_allocations_exact()
    lines = PurchaseOrderLine.objects.filter(allocations__requirement__order_line__order=order)
    assert lines.exists() and all(line.received_quantity >= line.quantity for line in lines)
    assert not Shipment.objects.filter(status=Shipment.Status.IN_TRANSIT).exists()
    job = order.lines.get().job
    operations = Operation.objects.filter(job__order_line__order=order).order_by("sequence")
    assert operations.exists()
    assert all(op.line_id and op.planned_start and op.planned_end for op in operations)
    # Operations of the job run in sequence, after the parts arrived.
    assert job.release_date is not None and operations[0].planned_start >= job.release_date
    ends = [op.planned_end for op in operations]
    starts = [op.planned_start for op in operations]
    assert all(start >= end for start, end in zip(starts[1:], ends[:-1]))
    assert order.expected_date is not None and order.promised_date is not None
    events = list(order.timeline.values_list("event", flat=True))
    assert events[0] == "placed" and "planned" in events and events[-1] == "scheduled"
    for event in ("materials_ordered", "line_confirmed", "parts_shipped", "parts_received", "materials_in"):
        assert event in events, (event, events)

    detail = api.get(f"/api/orders/{number}/").json()
    assert detail["stage"] == "scheduled"
    assert [e["event"] for e in detail["timeline"]] == events
