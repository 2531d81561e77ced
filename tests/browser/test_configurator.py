"""The configurator in Chromium: an option that needs other changes says which, choosing it makes them,
the price follows the choices, and the order is placed and listed."""

import re

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_configures_fixes_and_orders_an_air_conditioner(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    price = page.locator("#unit-price")
    first_price = price.inner_text()
    slim = page.locator("label[data-option=IDU_SLIM]")
    expect(slim.locator("input")).to_be_enabled()

    page.check("input[value=COMP_7KW]")

    # The 7 kW compressor excludes the slim indoor unit: it stays clickable, saying what it would change.
    expect(slim.locator("input")).to_be_enabled()
    expect(slim.locator(".note")).to_contain_text("Cooling capacity: 7.0 kW inverter compressor →")
    expect(price).not_to_have_text(first_price)
    # 7 kW also needs a bracket or pads: they were added, and the page says so in one line.
    expect(page.locator("#what-changed")).to_contain_text("Accessories: add")
    expect(page.locator("input[name=EXTRAS]:checked")).not_to_have_count(0)
    expect(page.locator(".conflict")).to_have_count(0)
    expect(page.locator("#promised")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))

    page.fill("#id_delivery_address", "Room 301, 1 Haier Road, Qingdao")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("h1")).to_contain_text("Order CO-")
    order = Order.objects.get(customer=consumer)
    assert order.lines.get().configuration["CAPACITY"] == "COMP_7KW"
    page.get_by_role("link", name="My orders").click()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
