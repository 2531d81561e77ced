"""The Content-Security-Policy in the browser: every portal page loads and works (htmx included) without a
single violation in the console, the order's cancel still asks first, and the Swagger UI renders."""

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in
from tests.ordering import scheduled_orders

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page) -> list[str]:
    """Every CSP violation the console reports and every script error (a missing favicon is neither)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text)
        if "Content Security Policy" in m.text or (m.type == "error" and "Failed to load resource" not in m.text)
        else None,
    )
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    return seen


def test_the_portals_run_under_the_policy_without_a_violation(page, live_server, consumer, planner, supplier_member):
    order = scheduled_orders(consumer, count=1)[0]
    seen = watch(page)
    page.goto(f"{live_server.url}/login/")
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    # htmx works: a change re-renders the configurator.
    before = page.locator("#config-form").inner_html()
    page.locator("input[type=radio]:not(:checked):not([disabled])").first.check()
    expect(page.locator("#config-form")).not_to_have_js_property("innerHTML", before)
    page.goto(f"{live_server.url}/shop/orders/{order.number}/")
    # The cancel button asks first (the question comes from the static script, not an inline handler).
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel order").click()
    assert questions == ["Cancel this order?"]
    page.goto(f"{live_server.url}/shop/orders/")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "planner", DEMO_PASSWORD)
    for path in ("/planner/", "/planner/QD1/", "/planner/QD1/floor/", "/planner/changes/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "supplier", DEMO_PASSWORD)
    for path in ("/supplier/", "/supplier/scorecard/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/no-such-page/")
    assert not seen, seen


def test_swagger_ui_renders_under_the_policy(page, live_server, planner):
    seen = watch(page)
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Cosmo API", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert not [s for s in seen if "Content Security Policy" in s or s.startswith("page error")], seen
