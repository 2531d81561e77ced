"""A planner opens the factory's plan, reads the Gantt, zooms, and reschedules with a live progress bar."""

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from production.models import ScheduleRun
from tests.browser.conftest import log_in
from tests.ordering import scheduled_orders

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_gantt_and_reschedules_now(page, live_server, celery_worker_live, consumer, settings):
    settings.COSMO_OPTIMIZE_SECONDS = 4
    orders = scheduled_orders(consumer, count=5)
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/")

    chart = page.locator("svg.gantt")
    expect(chart).to_be_visible()
    expect(chart.locator("text.line-name")).to_have_count(3)
    expect(chart.locator("rect.op").first).to_be_visible()
    assert chart.locator("rect.op").count() >= 5 * 4
    expect(chart.locator("rect.op title").first).to_contain_text("Order CO-")
    width = float(chart.get_attribute("width"))
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("svg.gantt")).not_to_have_attribute("width", str(int(width)))
    assert float(page.locator("svg.gantt").get_attribute("width")) > width
    expect(page.locator("#jobs")).to_contain_text(orders[0].number)

    page.get_by_role("button", name="Reschedule now").click()
    expect(page.locator("#run progress")).to_be_visible()
    expect(page.locator("#run")).to_contain_text("done in", timeout=60_000)
    run = ScheduleRun.objects.get()
    assert run.status == ScheduleRun.Status.DONE and run.kpis_after
    # The chart reloads itself once the run is done.
    expect(page.locator("svg.gantt rect.op").first).to_be_visible()
