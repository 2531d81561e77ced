"""On a 390 × 844 phone no page of the consumer's, the supplier's or the planner's portal scrolls sideways:
each role walks every page its portal links to, on the demo's days of orders."""

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from lifecycle.demo_history import demo_history_seed
from orders.configuration import family_defaults
from orders.models import Order, ProductFamily, SavedConfiguration
from tests.browser.conftest import PHONE, log_in, sideways_scroll, walk_pages

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, world):
    demo_history_seed(days=2, orders=6, step_minutes=240)
    for username, start, must_visit in [
        ("consumer", "/shop/", ["/shop/orders/", f"/shop/orders/{Order.objects.order_by('pk').last().number}/"]),
        ("supplier", "/supplier/", ["/supplier/?show=ship", "/supplier/scorecard/"]),
        ("planner", "/planner/", ["/planner/QD1/", "/planner/QD1/floor/"]),
    ]:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server, username, DEMO_PASSWORD)
        visited = walk_pages(page, live_server, start)
        assert set(must_visit) <= set(visited), f"{username} did not reach {set(must_visit) - set(visited)}"
        assert {path: px for path, px in visited.items() if px > 0} == {}, f"{username}'s pages scroll sideways"
        context.close()


def test_the_configurator_fits_a_phone_through_a_change_a_conflict_and_its_fix(browser, live_server, world):
    """The messages a choice brings (what changed, a number out of range and its fix, a stale link's
    conflict) fit the phone's width too."""
    family = ProductFamily.objects.get(code="AC-SPLIT")
    stale = {**family_defaults(family), "REFRIGERANT": "REF_R290", "PIPE_LENGTH": "12"}
    SavedConfiguration.objects.create(code="STALE123", family=family, selection=stale)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    assert sideways_scroll(page) <= 0
    page.locator("input[value=REF_R290]").check()
    expect(page.locator("#what-changed")).to_contain_text("You chose R290")
    assert sideways_scroll(page) <= 0
    page.fill("#id_PIPE_LENGTH", "40")
    page.locator("#id_PIPE_LENGTH").press("Tab")
    expect(page.locator(".fix")).to_be_visible()
    assert sideways_scroll(page) <= 0
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/?c=STALE123")
    expect(page.locator(".conflict")).to_have_count(1)
    assert sideways_scroll(page) <= 0
    context.close()
