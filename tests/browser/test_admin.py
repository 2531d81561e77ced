"""An administrator edits a family: a rule with an unknown code or the wrong shape is refused with a clear
error; an option added without a BOM line is flagged by the rule check and cannot be ordered; the family
page stays short enough to use."""

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from orders.configuration import selection_check
from orders.models import Option, ProductFamily, Rule
from tests.browser.conftest import log_in
from tests.ordering import default_configuration

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rule_editor_refuses_unknown_codes_and_bad_shapes(page, live_server, world):
    family = ProductFamily.objects.get(code="AC-SPLIT")
    rule = family.rules.filter(kind=Rule.Kind.EXCLUDES).first()
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/orders/rule/{rule.pk}/change/")
    page.fill("#id_targets", "PANEL_NOPE, CTRL_SMART")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("PANEL_NOPE is not an option of")
    page.fill("#id_targets", "")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("needs at least one target option")
    rule.refresh_from_db()
    assert "PANEL_NOPE" not in rule.targets and rule.targets
    # The family page: rules compact, one line each, codes written plainly; a range with min above max.
    page.goto(f"{live_server.url}/admin/orders/productfamily/{family.pk}/change/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height
    expect(page.locator("#rules-group input[name$='-targets']").first).to_be_visible()
    range_rule = family.rules.filter(kind=Rule.Kind.RANGE).first()
    index = list(family.rules.order_by("code").values_list("pk", flat=True)).index(range_rule.pk)
    page.fill(f"#id_rules-{index}-minimum", "9")
    page.fill(f"#id_rules-{index}-maximum", "2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#rules-group .errorlist")).to_contain_text("is below the minimum")
    range_rule.refresh_from_db()
    assert range_rule.minimum != 9


def test_an_option_without_a_bom_line_is_flagged_and_cannot_be_ordered(page, live_server, world):
    family = ProductFamily.objects.get(code="AC-SPLIT")
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/orders/productfamily/{family.pk}/change/")
    expect(page.locator(".field-rule_check")).to_contain_text("No problems")
    # The options are edited on the family page itself, under their group.
    index = list(family.groups.order_by("position", "pk").values_list("code", flat=True)).index("PANEL")
    options = page.locator(f"#groups-{index}-options-group")
    expect(options.locator("input[value=PANEL_WHITE]")).to_be_visible()
    options.get_by_text("Add another Option").click()
    fresh = "input[name^='groups-%d-options-'][name$='-%s']:not([name*='__prefix__'])"
    options.locator(fresh % (index, "code")).last.fill("PANEL_BLUE")
    options.locator(fresh % (index, "name")).last.fill("Ocean blue")
    options.locator(fresh % (index, "price")).last.fill("30")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    page.goto(f"{live_server.url}/admin/orders/productfamily/{family.pk}/change/")
    expect(page.locator(".field-rule_check")).to_contain_text(
        "Ocean blue (PANEL_BLUE) cannot be ordered: it has no BOM line"
    )
    configuration = {**default_configuration("AC-SPLIT"), "PANEL": "PANEL_BLUE"}
    assert selection_check(family, configuration).errors
    # With its BOM line it can be ordered.
    from production.models import BomLine, Part

    BomLine.objects.create(family=family, part=Part.objects.get(code="PNL-WHITE"), quantity=1, condition_all=["PANEL_BLUE"])
    family.refresh_from_db()  # the BOM line moved the family's stamp, as the next request reads it
    assert not selection_check(family, configuration).errors
    page.reload()
    expect(page.locator(".field-rule_check")).to_contain_text("No problems")
    assert Option.objects.filter(code="PANEL_BLUE").exists()
