"""A planner moves a job that has not started to another factory from its row on the plan: the row offers
the factories able to make it with their dates and costs, the move answers beside the row, the plan pages
of both factories say why it moved, and so does the consumer's order page."""

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from production.models import JobMove
from tests.browser.conftest import log_in
from tests.procurement import hefei_job_short_of_compressors

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_planner_moves_a_job_to_another_factory(page, live_server, network_world):
    job = hefei_job_short_of_compressors()
    order = job.order_line.order

    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/HF1/")
    row = page.locator(f"tr[data-job='{job.number}']")
    row.get_by_role("button", name="Other factories…").click()
    choice = row.locator(".move-choices tr[data-factory='QD1']")
    expect(choice).to_contain_text("Qingdao Interconnected Factory")
    choice.get_by_role("button", name="Move to QD1").click()
    expect(row.locator(".answer")).to_contain_text("Moved to Qingdao Interconnected Factory")
    move = JobMove.objects.get()
    assert (move.from_factory.code, move.to_factory.code, move.by.username) == ("HF1", "QD1", "planner")

    page.goto(f"{live_server.url}/planner/HF1/")
    expect(page.locator("#moves")).to_contain_text("Hefei Air Conditioner Factory → Qingdao Interconnected Factory")
    expect(page.locator("#moves")).to_contain_text("moved by a planner")
    page.goto(f"{live_server.url}/planner/QD1/")
    expect(page.locator(f"tr[data-job='{job.number}'] [data-moved]")).to_contain_text("moved here from Hefei")

    page.context.clear_cookies()
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/orders/{order.number}/")
    expect(page.locator("body")).to_contain_text("now made in Qingdao Interconnected Factory instead of Hefei")
