"""A planner moves a job that has not started to another factory from its row on the plan: the row offers
the factories able to make it with their dates and costs, the move answers beside the row, the plan pages
of both factories say why it moved, and so does the consumer's order page."""

import pytest
from playwright.sync_api import expect

from cosmo.models import User
from lifecycle import steps
from lifecycle.demo import DEMO_PASSWORD
from orders.services import LineRequest, order_place
from production.models import Job, JobMove, Stock
from production.promise import forget_floors
from tests.browser.conftest import log_in
from tests.ordering import default_configuration

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_planner_moves_a_job_to_another_factory(page, live_server, network_world):
    forget_floors()
    Stock.objects.filter(factory__code="HF1", part__code="CMP-26").update(on_hand=3)
    order = order_place(customer=User.objects.get(username="consumer"),
                        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 10)],
                        delivery_address="8 Huangshan Road, Hefei", region="CN-E")
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    job = Job.objects.get(order_line__order=order)
    assert job.factory.code == "HF1"

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
