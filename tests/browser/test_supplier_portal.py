"""A supplier member confirms a line with a date and ships it; the consumer sees the parts on their way."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cosmo import clock
from lifecycle import steps
from lifecycle.demo import DEMO_PASSWORD
from orders.services import LineRequest, order_place
from suppliers.models import PurchaseOrder, Shipment
from tests.browser.conftest import log_in
from tests.ordering import default_configuration

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_member_confirm_and_ship_and_the_consumer_see_it(browser, live_server, consumer, supplier_member):
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="Room 301, 1 Haier Road, Qingdao",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    po = PurchaseOrder.objects.get(supplier__code="QCW")
    line = po.lines.get()
    promised = (clock.now() + timedelta(days=3)).date().isoformat()  # QCW's lead time: in time

    supplier_page = browser.new_context().new_page()
    supplier_page.set_default_timeout(20_000)
    log_in(supplier_page, live_server, "supplier", DEMO_PASSWORD)
    supplier_page.get_by_role("link", name=po.number).click()
    row = supplier_page.locator(f"tr[data-part='{line.part.code}']")
    row.locator("input[name=promised_date]").fill(promised)
    row.get_by_role("button", name="Confirm").click()
    expect(supplier_page.locator(".messages")).to_contain_text(f"{line.part.code} confirmed")
    expect(supplier_page.locator(f"tr[data-part='{line.part.code}']")).to_have_attribute("data-line-status", "confirmed")
    supplier_page.locator("#ship-form input[name=expected_arrival]").fill(promised)
    supplier_page.locator("#ship-form").get_by_role("button", name="Ship").click()
    expect(supplier_page.locator(".messages")).to_contain_text("is on its way")
    shipment = Shipment.objects.get()
    expect(supplier_page.locator("body")).to_contain_text(shipment.number)

    consumer_page = browser.new_context().new_page()
    consumer_page.set_default_timeout(20_000)
    log_in(consumer_page, live_server, "consumer", DEMO_PASSWORD)
    consumer_page.goto(f"{live_server.url}/shop/orders/{order.number}/")
    timeline = consumer_page.locator("ol.timeline")
    expect(timeline).to_contain_text(f"Qingdao Compressor Works confirmed 1 pc of {line.part.code}")
    expect(timeline).to_contain_text(f"Parts on their way: Qingdao Compressor Works shipped {line.part.code}")
    expect(timeline).to_contain_text(f"arriving {promised}")
