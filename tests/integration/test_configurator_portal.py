"""The configurator through the portal (htmx) and the API: availability with reasons, price, fix, links."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.test import Client

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
    # the conflict is said once, beside the group that starts it, and a fix is offered
    assert body.count("need the wall bracket or anti-vibration pads") == 1
    assert "Apply this fix" in body


def post_choice(client, family, current, chosen, choose, **fields):
    data = {"current": json.dumps(current), "chosen": json.dumps(chosen), "choose": choose, **fields}
    response = client.post(f"/shop/configure/{family}/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    current = json.loads(html.unescape(re.search(r'name="current" value="([^"]*)"', body).group(1)))
    chosen = json.loads(html.unescape(re.search(r'name="chosen" value="([^"]*)"', body).group(1)))
    return body, current, chosen


def test_choosing_an_option_changes_the_defaults_in_its_way_and_can_be_undone(consumer):
    client = client_for(consumer)
    defaults = default_configuration("FRIDGE")
    body, current, chosen = post_choice(client, "FRIDGE", defaults, [], "FR_DISP_ICE")
    assert current["DISPENSER"] == "FR_DISP_ICE"
    assert current["SIZE"] == "FR_SIZE_FRENCH" and current["DOOR"] == "FR_DOOR_FRENCH"
    said = re.search(r'id="what-changed">(.*?)<button', body, re.S).group(1)
    assert "You chose Ice and water dispenser" in said and "French doors" in said and "FR_" not in said
    undo = html.unescape(re.search(r'"undo": "((?:[^"\\]|\\.)*)"', body).group(1))
    undone = client.post("/shop/configure/FRIDGE/", {"undo": json.loads(f'"{undo}"'), "current": json.dumps(current)},
                         HTTP_HX_REQUEST="true").content.decode()
    back = json.loads(html.unescape(re.search(r'name="current" value="([^"]*)"', undone).group(1)))
    assert back["SIZE"] == "FR_SIZE_185" and back["DOOR"] == "FR_DOOR_RIGHT"


def test_the_consumers_own_choice_gives_way_after_the_defaults_and_older_before_newer(consumer):
    client = client_for(consumer)
    start = default_configuration("FRIDGE")
    # the consumer picks cream (excludes the French size), then asks for French doors
    _, current, chosen = post_choice(client, "FRIDGE", start, [], "FR_FINISH_CREAM")
    assert chosen == ["FINISH"]
    body, current, chosen = post_choice(client, "FRIDGE", current, chosen, "FR_DOOR_FRENCH")
    assert current["SIZE"] == "FR_SIZE_FRENCH" and current["FINISH"] != "FR_FINISH_CREAM"
    assert chosen == ["DOOR"]  # the finish is no longer theirs: Cosmo changed it
    assert "Retro cream →" in body


def test_a_number_out_of_range_comes_back_with_the_range_and_a_fix(consumer):
    client = client_for(consumer)
    body, current, _ = post_choice(client, "AC-SPLIT", default_configuration("AC-SPLIT"), [], "PIPE_LENGTH", PIPE_LENGTH="40")
    assert "between 3 and 25 m" in body and "Apply this fix" in body
    assert 'value="40"' in body  # what they typed stays in the field
    # within its bounds but beyond what R290 allows: the refrigerant (a default here) gives way
    _, current, chosen = post_choice(client, "AC-SPLIT", default_configuration("AC-SPLIT"), [], "REF_R290")
    assert current["REFRIGERANT"] == "REF_R290"
    body, current, chosen = post_choice(client, "AC-SPLIT", current, chosen, "PIPE_LENGTH", PIPE_LENGTH="12")
    assert Decimal(current["PIPE_LENGTH"]) == 12 and current["REFRIGERANT"] == "REF_R32"
    assert 'min="3" max="25"' in body and "Possible: 3–25 m" in body


def test_the_quantity_limit_is_the_same_on_the_page_and_the_api(consumer, settings):
    settings.COSMO_ORDER_MAX_QUANTITY = 50
    client = client_for(consumer)
    data = {"current": json.dumps(default_configuration("AC-SPLIT")), "quantity": "51", "action": "order",
            "delivery_address": "1 Test Street"}
    body = client.post("/shop/configure/AC-SPLIT/", data).content.decode()
    assert "The most we take in one order is 50 units" in body
    assert not Order.objects.exists()
    api = api_for(consumer)
    response = api.post("/api/orders/", {"lines": [{"family": "AC-SPLIT", "configuration": default_configuration("AC-SPLIT"),
                                                   "quantity": 51}], "delivery_address": "x"}, format="json")
    assert response.status_code == 400 and "50" in json.dumps(response.json())


def test_the_api_chooses_and_gives_every_options_status(api):
    selection = default_configuration("FRIDGE")
    response = api.post("/api/families/FRIDGE/check/", {"selection": selection, "choose": "FR_DISP_ICE"}, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["choice"]["status"] == "fits_with_changes"
    assert {"SIZE", "DOOR"} <= {c["group"] for c in answer["choice"]["changes"]}
    assert answer["valid"] and answer["selection"]["SIZE"] == "FR_SIZE_FRENCH"
    plain = api.post("/api/families/FRIDGE/check/", {"selection": selection}, format="json").json()
    assert plain["option_status"]["FR_SIZE_FRENCH"]["status"] == "fits_with_changes"
    assert plain["option_status"]["FR_SIZE_185"]["status"] == "fits"
    bad = api.post("/api/families/FRIDGE/check/", {"selection": selection, "choose": "NOPE"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "choose"


def test_it_saves_a_configuration_as_a_signed_link_anyone_can_read(consumer):
    client = client_for(consumer)
    data = dict(default_configuration("AC-SPLIT"), PANEL="PANEL_BLACK")
    response = client.post("/shop/configure/AC-SPLIT/save/", data, HTTP_HX_REQUEST="true")
    saved = SavedConfiguration.objects.get()
    link = re.search(r'href="https?://[^/]+(/shop/c/[^"]+/)"', response.content.decode()).group(1)
    assert saved.code in link and link != f"/shop/c/{saved.code}/"  # signed, not guessable
    # a friend without an account reads it, by names
    friend = Client()
    shared = friend.get(link)
    assert shared.status_code == 200
    assert "Graphite black" in shared.content.decode()
    assert "PANEL_BLACK" not in shared.content.decode()
    assert friend.get(f"/shop/c/{saved.code}/").status_code == 404  # the bare code is no link
    # the consumer opens it in the configurator
    reopened = client.get(f"/shop/configure/AC-SPLIT/?c={saved.code}").content.decode()
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
