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
    # The consumer reads the part's name, never its code.
    expect(timeline).to_contain_text(f"Qingdao Compressor Works confirmed the {line.part.name}")
    expect(timeline).to_contain_text(f"Parts shipped by Qingdao Compressor Works, due {promised}")


def _procured(consumer, quantity: int = 3):
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), quantity)],
        delivery_address="Room 301, 1 Haier Road, Qingdao",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    return order


def _tab(page, key):
    page.locator(f".tabs a[data-tab={key}]").click()
    return page.locator("#purchase-orders tbody")


def test_the_inbox_is_a_work_queue_whose_status_follows_the_lines(page, live_server, consumer, supplier_member):
    _procured(consumer, quantity=4)
    po = PurchaseOrder.objects.get(supplier__code="QCW")
    line = po.lines.get()
    assert line.quantity > 1
    log_in(page, live_server, "supplier", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supplier/")
    # To answer holds the new order, labelled in the factory's time zone; nothing waits to be shipped.
    expect(page.locator(f"tr[data-po={po.number}]")).to_contain_text("Awaiting answer")
    expect(page.locator(f"tr[data-po={po.number}] abbr.tz")).to_have_attribute("title", "Asia/Shanghai")
    expect(_tab(page, "ship")).to_contain_text("Nothing confirmed waits to be shipped.")

    _tab(page, "answer").get_by_role("link", name=po.number).click()
    page.locator(f"tr[data-part='{line.part.code}']").get_by_role("button", name="Confirm").click()
    expect(page.locator("#po-card [data-status]")).to_have_text("Confirmed")
    page.goto(f"{live_server.url}/supplier/")
    expect(_tab(page, "answer")).not_to_contain_text(po.number)
    expect(_tab(page, "ship")).to_contain_text(po.number)

    # Part of it shipped: partly shipped, still to ship; the rest shipped: shipped, off the queue.
    page.get_by_role("link", name=po.number).click()
    quantity = page.locator(f"#ship-form input[name='quantity-{line.part.code}']")
    quantity.fill("1")
    page.locator("#ship-form input[name=expected_arrival]").fill(clock.now().date().isoformat())
    page.locator("#ship-form").get_by_role("button", name="Ship").click()
    expect(page.locator("#po-card [data-status]")).to_have_text("Partly shipped")
    page.goto(f"{live_server.url}/supplier/?show=ship")
    expect(page.locator("#purchase-orders tbody")).to_contain_text(po.number)
    page.get_by_role("link", name=po.number).click()
    page.locator("#ship-form input[name=expected_arrival]").fill(clock.now().date().isoformat())
    page.locator("#ship-form").get_by_role("button", name="Ship").click()
    expect(page.locator("#po-card [data-status]")).to_have_text("Shipped")
    page.goto(f"{live_server.url}/supplier/?show=ship")
    expect(page.locator("#purchase-orders tbody")).not_to_contain_text(po.number)
    expect(page.locator("#purchase-orders tbody")).to_contain_text("Nothing confirmed waits to be shipped.")


def test_a_rejection_says_where_the_part_went_and_it_does_not_come_back(page, live_server, consumer, supplier_member):
    order = _procured(consumer)
    po = PurchaseOrder.objects.get(supplier__code="QCW")
    line = po.lines.get()
    log_in(page, live_server, "supplier", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supplier/purchase-orders/{po.number}/")
    row = page.locator(f"tr[data-part='{line.part.code}']")
    row.locator("input[name=reason]").fill("Our line is down this week")
    row.get_by_role("button", name="Reject").click()
    message = page.locator(".messages")
    expect(message).to_contain_text(f"You declined {line.quantity.normalize():f} pc of {line.part.code}.")
    expect(message).to_contain_text(f"Cosmo ordered {line.quantity.normalize():f} pc from another supplier instead.")
    expect(message).to_contain_text(f"You will not be asked for {line.part.code} again for 7 days")
    expect(page.locator("#po-card [data-status]")).to_have_text("Rejected")
    assert order.lines.get().requirements.get(part__code=line.part.code).allocations.get().po_line.offer.supplier.code == "GCC"

    # The next order that needs the part buys it elsewhere: QCW's inbox gets nothing new.
    _procured(consumer)
    page.goto(f"{live_server.url}/supplier/")
    expect(page.locator("#purchase-orders tbody")).to_contain_text("Nothing awaits your answer.")
    assert PurchaseOrder.objects.filter(supplier__code="QCW").count() == 1
