"""The configurator through the portal (htmx) and the API: availability with reasons, price, fix, links."""

import re

import pytest

from orders.models import Order, SavedConfiguration, Stage
from orders.services import LineRequest, order_place
from tests.conftest import api_for, client_for
from tests.ordering import default_configuration


@pytest.fixture
def api(consumer):
    return api_for(consumer)


def check(api, selection, quantity=1):
    response = api.post("/api/families/AC-SPLIT/check/", {"selection": selection, "quantity": quantity}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_explains_why_an_option_is_blocked_and_prices_the_choice(api):
    selection = default_configuration("AC-SPLIT")
    before = check(api, selection)
    assert before["valid"] and before["options"]["IDU_SLIM"]["available"]

    selection.update(CAPACITY="COMP_7KW", EXTRAS=["EXTRA_PADS"])
    after = check(api, selection)
    slim = after["options"]["IDU_SLIM"]
    assert slim["available"] is False
    assert "AC_7KW_SLIM" in slim["rules"] and any("slim" in m for m in slim["messages"])
    assert {"group": "CAPACITY", "option": "COMP_7KW", "value": None} in slim["blocked_by"]
    assert after["valid"] and after["price"] != before["price"]
    assert after["promised_date"] is not None


def test_it_gives_the_same_variant_code_whatever_the_order_of_choice(api):
    selection = default_configuration("AC-SPLIT")
    reversed_selection = dict(reversed(list(selection.items())))
    assert check(api, selection)["variant_code"] == check(api, reversed_selection)["variant_code"]


def test_it_suggests_the_smallest_fix_for_a_conflict(api):
    selection = default_configuration("AC-SPLIT")
    selection.update(CAPACITY="COMP_7KW", INDOOR_UNIT="IDU_SLIM")
    answer = check(api, selection)
    assert not answer["valid"]
    assert any(rule["code"] == "AC_7KW_SLIM" for rule in answer["broken"])
    fixed = check(api, answer["fix"]["selection"])
    assert fixed["valid"]
    assert len(answer["fix"]["changes"]) <= 2


def test_it_refuses_a_selection_that_is_not_an_object(api):
    response = api.post("/api/families/AC-SPLIT/check/", {"selection": ["COMP_7KW"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "selection"


def test_it_rerenders_the_configurator_on_every_change(consumer):
    client = client_for(consumer)
    data = dict(default_configuration("AC-SPLIT"), CAPACITY="COMP_7KW", quantity="2")
    response = client.post("/shop/configure/AC-SPLIT/", data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="configurator">')  # only the partial
    assert 'data-option="IDU_SLIM"' in body and "does not fit the slim" in body
    assert "Apply this fix" in body


def test_it_saves_a_configuration_as_a_link_that_reopens_it(consumer):
    client = client_for(consumer)
    data = dict(default_configuration("AC-SPLIT"), PANEL="PANEL_BLACK")
    response = client.post("/shop/configure/AC-SPLIT/save/", data, HTTP_HX_REQUEST="true")
    saved = SavedConfiguration.objects.get()
    assert f"/shop/c/{saved.code}/" in response.content.decode()
    reopened = client.get(f"/shop/c/{saved.code}/", follow=True).content.decode()
    assert re.search(r'value="PANEL_BLACK"\s+checked', reopened)
    assert not re.search(r'value="PANEL_WHITE"\s+checked', reopened)
    assert saved.selection["PANEL"] == "PANEL_BLACK"


def test_it_lets_the_consumer_cancel_through_the_api(api, consumer, other_consumer):
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
        delivery_address="1 Test Street",
    )
    stranger = api_for(other_consumer)
    assert stranger.post(f"/api/orders/{order.number}/cancel/").status_code == 404
    response = api.post(f"/api/orders/{order.number}/cancel/")
    assert response.status_code == 200 and response.json()["stage"] == "cancelled"
    again = api.post(f"/api/orders/{order.number}/cancel/")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "stage"
    assert Order.objects.get(pk=order.pk).stage == Stage.CANCELLED


def test_it_promises_the_date_shown_while_configuring(api, consumer):
    selection = default_configuration("AC-SPLIT")
    quoted = check(api, selection, quantity=2)["promised_date"]
    order = order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", selection, 2)], delivery_address="x")
    assert order.promised_date.isoformat() == quoted
