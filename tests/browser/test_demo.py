"""The demo shows itself: days of orders played through the pipeline give every portal something to show,
and a consumer whose order waits on a supplier reads which supplier and why."""

import pytest
from playwright.sync_api import expect

from lifecycle import steps
from lifecycle.demo import DEMO_PASSWORD
from lifecycle.demo_history import demo_history_seed
from orders.models import Order
from orders.services import LineRequest, order_place
from suppliers.models import PurchaseOrder
from tests.browser.conftest import log_in
from tests.ordering import default_configuration

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consumer_reads_which_supplier_the_order_waits_on_and_why(page, live_server, consumer):
    order = order_place(
        customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="Room 301, 1 Haier Road, Qingdao",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/orders/{order.number}/")
    waiting = page.locator(".waiting-on")
    expect(waiting).to_contain_text("Your order is waiting for parts")
    suppliers = set(PurchaseOrder.objects.filter(lines__allocations__requirement__order_line__order=order)
                    .values_list("supplier__name", flat=True))
    assert "Qingdao Compressor Works" in suppliers
    for name in suppliers:
        expect(waiting).to_contain_text(f"Waiting for {name} to confirm the")
    expect(waiting).not_to_contain_text("PO-")
    expect(waiting).not_to_contain_text("CMP-")


def test_the_demo_history_fills_every_portal(browser, live_server, world):
    placed = demo_history_seed(days=2, orders=6, step_minutes=240)
    assert placed == 6 + 2 + 5 and Order.objects.count() == placed
    assert Order.objects.values("stage").distinct().count() >= 2
    waiting = list(Order.objects.filter(stage="materials",
                                        lines__requirements__allocations__po_line__purchase_order__supplier__code="QCW")
                   .distinct())
    assert waiting, "an order waits on QCW"
    for username, path, selector in [
        ("consumer", "/shop/orders/", "table"),
        ("supplier", "/supplier/?show=all", "#purchase-orders tbody tr[data-po]"),
        ("planner", "/planner/", "#board"),
    ]:
        page = browser.new_context().new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server, username, DEMO_PASSWORD)
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(selector).first).to_be_visible()
        if username == "consumer":
            expect(page.locator("body")).to_contain_text(Order.objects.first().number)
            # the consumer reads which supplier the order waits on and why, in words
            page.goto(f"{live_server.url}/shop/orders/{waiting[0].number}/")
            expect(page.locator(".waiting-on")).to_contain_text("Qingdao Compressor Works")
        if username == "supplier":
            # the QCW clerk has something to confirm and something to ship
            for tab in ("answer", "ship"):
                page.goto(f"{live_server.url}/supplier/?show={tab}")
                expect(page.locator("#purchase-orders tbody tr[data-po]").first).to_be_visible()
        if username == "planner":
            for order in Order.objects.exclude(stage__in=["shipped", "cancelled"]):
                expect(page.locator("#board")).to_contain_text(order.number)
