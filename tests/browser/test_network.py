"""A planner opens the network view from the navigation: every factory side by side, and a job a planner
moved between factories with why, when (in its factory's zone) and by whom; on a phone without sideways
scroll."""

import pytest
from playwright.sync_api import expect

from cosmo.models import User
from lifecycle.demo import DEMO_PASSWORD
from lifecycle.reroute import job_move
from production.models import Factory, JobMove
from tests.browser.conftest import log_in
from tests.procurement import hefei_job_short_of_compressors

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_planner_sees_the_factories_side_by_side_and_a_move(page, live_server, network_world):
    job = hefei_job_short_of_compressors()
    order = job.order_line.order
    job_move(job_id=job.pk, to_factory_id=Factory.objects.get(code="QD1").pk, reason=JobMove.Reason.PLANNER,
             actor=User.objects.get(username="planner"))

    for width, height in ((1400, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        log_in(page, live_server, "planner", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/planner/")
        page.get_by_role("link", name="Network").click()
        expect(page.get_by_role("heading", name="Factory network")).to_be_visible()
        for name in ("Brugherio Appliance Factory", "Hefei Air Conditioner Factory", "Qingdao Interconnected Factory"):
            expect(page.get_by_role("region", name=name)).to_contain_text("Load, coming week")
        moves = page.locator("#moves")
        expect(moves).to_contain_text(f"{job.number} ({order.number}): HF1 → QD1 · moved by a planner")
        expect(moves).to_contain_text("by planner")
        expect(moves.locator("abbr.tz").first).to_have_text("CST")
        if width == 1400:  # side by side: the three cards on one row
            tops = {round(page.locator(f"#factory-{code}").bounding_box()["y"]) for code in ("EU1", "HF1", "QD1")}
            assert len(tops) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.context.clear_cookies()
