"""End to end with a real worker: an order placed, its parts bought and received, built on the simulated
floor, shipped, and the consumer's order page showing each step."""

import time

import pytest
from django.utils.html import escape
from rest_framework.test import APIClient

from orders.models import Order, Stage
from production.models import LineInterval, Operation
from tests.conftest import client_for
from tests.ordering import order_payload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_order_is_built_on_the_floor_and_shipped_and_the_page_shows_it(fast_factory, factory_floor, consumer):
    api = APIClient()
    api.force_authenticate(consumer)
    response = api.post("/api/orders/", order_payload("AC-SPLIT", quantity=2), format="json")
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    page = client_for(consumer)

    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        html = page.get(f"/shop/orders/{number}/").content.decode()
        seen.update(stage for stage in Stage.values if f'data-stage="{stage}"' in html)
        if Order.objects.get(number=number).stage == Stage.SHIPPED:
            break
        time.sleep(0.2)
    order = Order.objects.get(number=number)
    assert order.stage == Stage.SHIPPED, (order.stage, seen)

    operations = Operation.objects.filter(job__order_line__order=order)
    assert operations.exists() and all(op.started_at and op.ended_at and op.started_at < op.ended_at for op in operations)
    assert LineInterval.objects.filter(operation__in=operations, state="running").exists()
    events = list(order.timeline.values_list("event", flat=True))
    for event in ("placed", "parts_received", "scheduled", "operation_started", "completed", "shipped"):
        assert event in events, (event, events)
    assert events.index("scheduled") < events.index("operation_started") < events.index("completed")
    assert events[-1] == "shipped"

    html = page.get(f"/shop/orders/{number}/").content.decode()
    assert 'data-stage="shipped"' in html and "hx-trigger" not in html  # final: the page stops polling
    for entry in order.timeline.all():
        assert escape(entry.text) in html
    assert seen  # the page was read while the order moved
