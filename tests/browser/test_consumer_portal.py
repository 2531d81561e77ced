"""A consumer logs in, orders a product, and watches the order reach "scheduled" without reloading."""

import time

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_consumer_order_and_watch_the_order_move(page, live_server, fast_factory, celery_worker_live, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Make it yours")).to_be_visible()
    page.locator(".card", has_text="Split air conditioner").get_by_role("link", name="Configure and order").click()
    page.fill("#id_quantity", "2")
    page.fill("#id_delivery_address", "Room 301, 1 Haier Road, Qingdao")
    page.get_by_role("button", name="Place order").click()

    expect(page.locator("h1")).to_contain_text("Order CO-")
    # The status block polls the server: the stage moves on while the page stays open.
    expect(page.locator("[data-stage]")).to_have_attribute("data-stage", "scheduled", timeout=60_000)
    expect(page.locator("ol.timeline")).to_contain_text("Parts shipped by")
    expect(page.locator("ol.timeline")).to_contain_text("Production scheduled")
    # the order page reads in words: the chosen options, the stages, no codes
    expect(page.locator("dl.options")).to_contain_text("Cooling capacity")
    expect(page.locator("ol.stages li.current")).to_have_text("Scheduled")
    expect(page.locator("ol.timeline")).not_to_contain_text("PO-")

    order = Order.objects.get(customer=consumer)
    assert order.lines.get().quantity == 2
    page.get_by_role("link", name="My orders").click()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()


def test_it_keeps_the_address_typed_while_the_quantity_is_being_answered(page, live_server, fast_factory, consumer):
    """A slow answer to the quantity's change once replaced the form and dropped the address just typed, and
    a click while it was pending could land on the form being replaced."""
    log_in(page, live_server, "consumer", DEMO_PASSWORD)

    def slow_answer(route):
        if route.request.method == "POST" and route.request.headers.get("hx-request"):
            time.sleep(0.3)
        route.continue_()

    page.route("**/shop/configure/**", slow_answer)
    page.locator(".card", has_text="Split air conditioner").get_by_role("link", name="Configure and order").click()
    page.fill("#id_quantity", "2")
    page.fill("#id_delivery_address", "Room 301, 1 Haier Road, Qingdao")
    expect(page.locator("#place-order")).to_be_disabled()  # waits for the answer instead of racing it
    expect(page.locator("#place-order")).to_be_enabled()
    expect(page.locator("#id_delivery_address")).to_have_value("Room 301, 1 Haier Road, Qingdao")
    page.get_by_role("button", name="Place order").click()

    expect(page.locator("h1")).to_contain_text("Order CO-")
    order = Order.objects.get(customer=consumer)
    assert order.delivery_address == "Room 301, 1 Haier Road, Qingdao"
    assert order.lines.get().quantity == 2
