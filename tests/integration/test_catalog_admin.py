"""The catalog editor: family editing with inlines, and a check of a family's rules."""

import pytest
from django.test import Client

from cosmo.models import User
from orders.models import ProductFamily, Rule


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def test_it_says_a_demo_family_has_no_problems(admin_client):
    family = ProductFamily.objects.get(code="AC-SPLIT")
    page = admin_client.get(f"/admin/orders/productfamily/{family.pk}/change/").content.decode()
    assert "No problems" in page
    assert "option-groups" in page or "groups-TOTAL_FORMS" in page  # the groups inline is there


def test_it_flags_unknown_options_dead_options_and_impossible_rule_sets(admin_client):
    family = ProductFamily.objects.get(code="WASHER")
    Rule.objects.create(
        family=family, code="TYPO", kind="requires", condition_all=["WM_DRUM_8KG"], targets=["WM_DRUM_8KGG"],
        message="typo",
    )
    page = admin_client.get(f"/admin/orders/productfamily/{family.pk}/change/").content.decode()
    assert "unknown option WM_DRUM_8KGG" in page

    Rule.objects.filter(code="TYPO").delete()
    Rule.objects.create(family=family, code="NO_GRAPHITE", kind="excludes", targets=["WM_FINISH_GRAPHITE"], message="x")
    page = admin_client.get(f"/admin/orders/productfamily/{family.pk}/change/").content.decode()
    assert "WM_FINISH_GRAPHITE can never be chosen" in page

    Rule.objects.create(family=family, code="NO_WHITE", kind="excludes", targets=["WM_FINISH_WHITE"], message="x")
    Rule.objects.create(family=family, code="NO_SILVER", kind="excludes", targets=["WM_FINISH_SILVER"], message="x")
    response = admin_client.post(
        "/admin/orders/productfamily/", {"action": "check_rules", "_selected_action": [family.pk]}, follow=True
    )
    assert "satisfies all rules" in response.content.decode()
