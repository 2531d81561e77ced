"""A planner reads the OEE of the floor on the floor page, on a desktop and on a phone."""

import os
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cosmo import clock
from lifecycle.demo import DEMO_PASSWORD
from lifecycle.floor import factory_tick
from production.models import Factory
from tests.browser.conftest import log_in
from tests.ordering import scheduled_orders

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_floor_page_shows_oee_per_line_and_for_the_factory(page, live_server, consumer):
    scheduled_orders(consumer, count=4, quantity=2)
    factory = Factory.objects.get(code="QD1")
    start = clock.now().replace(microsecond=0)
    for hours in range(0, 30, 6):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours))
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    shots = os.environ.get("COSMO_SCREENSHOTS")
    for width, height, name in [(1280, 900, "desktop"), (390, 844, "phone")]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/planner/QD1/floor/")
        table = page.locator("#oee table")
        expect(table).to_be_visible()
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(5)  # the factory, three lines, the factory over 7 days
        expect(rows.first).to_contain_text("%")
        # The wide table scrolls inside its card, which stays within the screen.
        assert page.evaluate("document.querySelector('#oee .scroll').getBoundingClientRect().right <= window.innerWidth + 1")
        if shots:
            page.locator("#oee").screenshot(path=f"{shots}/floor-oee-{name}.png")
