"""Bad input gets a 400 naming the field and the reason, and creates nothing."""

import re

import pytest

from orders.models import Order
from tests.conftest import api_for, client_for
from tests.ordering import default_configuration, order_payload


@pytest.fixture
def api(consumer):
    return api_for(consumer)


def fields_of(response) -> dict:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def broken(change):
    payload = order_payload("AC-SPLIT")
    change(payload)
    return payload


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda p: p["lines"][0].update(family="NO-SUCH-THING"), "lines[0].family"),
        (lambda p: p["lines"][0].update(quantity=-2), "lines[0].quantity"),
        (lambda p: p["lines"][0].update(quantity=0), "lines[0].quantity"),
        (lambda p: p.pop("delivery_address"), "delivery_address"),
        (lambda p: p["lines"][0].pop("family"), "lines[0].family"),
        (lambda p: p.update(lines=[]), "lines"),
        (lambda p: p.update(lines="three fridges"), "lines"),
    ],
)
def test_it_refuses_a_malformed_order_naming_the_field(api, change, field):
    response = api.post("/api/orders/", broken(change), format="json")
    assert response.status_code == 400
    reasons = fields_of(response)
    assert field in reasons and reasons[field]
    assert Order.objects.count() == 0


def test_it_refuses_an_unknown_option_naming_the_group(api):
    configuration = default_configuration("AC-SPLIT")
    group = next(iter(configuration))
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["configuration"][group] = "NO_SUCH_OPTION"
    response = api.post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    reasons = fields_of(response)
    assert any(f.startswith(f"lines[0].configuration.{group}") for f in reasons), reasons
    assert Order.objects.count() == 0


def test_it_refuses_an_unknown_group(api):
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["configuration"]["colour_of_the_sky"] = "BLUE"
    response = api.post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert any("colour_of_the_sky" in f for f in fields_of(response))
    assert Order.objects.count() == 0


def test_it_refuses_json_that_is_not_json(api):
    response = api.post("/api/orders/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_it_shows_the_reason_on_the_page_and_keeps_the_choices(consumer):
    response = client_for(consumer).post(
        "/shop/configure/AC-SPLIT/", {"action": "order", "quantity": "-1", "delivery_address": "", "CAPACITY": "COMP_7KW"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "delivery address is required" in body
    assert "at least 1" in body
    assert re.search(r'value="COMP_7KW"\s+checked', body), "the consumer's choices are kept"
    assert Order.objects.count() == 0


def test_it_returns_the_first_order_when_a_create_is_retried(api):
    payload = order_payload("AC-SPLIT")
    first = api.post("/api/orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    again = api.post("/api/orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "group, value, words",
    [
        ("PIPE_LENGTH", "99", "between 3 and 25 m"),
        ("PIPE_LENGTH", "5.2", "multiple of 0.5 m"),
        ("PIPE_LENGTH", "long", "expects a number"),
        ("EXTRAS", ["EXTRA_BRACKET", "EXTRA_PUMP", "EXTRA_PADS", "EXTRA_WINTER", "EXTRA_UVC"], "at most 4"),
        ("CAPACITY", ["COMP_7KW"], "expects an option code"),
    ],
)
def test_it_names_the_group_and_the_reason_of_a_bad_answer(api, group, value, words):
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["configuration"][group] = value
    response = api.post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    reason = fields_of(response)[f"lines[0].configuration.{group}"]
    assert words in reason
    assert Order.objects.count() == 0


def test_it_refuses_a_missing_required_group(api):
    payload = order_payload("AC-SPLIT")
    del payload["lines"][0]["configuration"]["CAPACITY"]
    response = api.post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert "needs an answer" in fields_of(response)["lines[0].configuration.CAPACITY"]


def test_it_refuses_a_quantity_no_line_can_make_in_one_run(api):
    response = api.post("/api/orders/", order_payload("FRIDGE", quantity=60), format="json")
    assert response.status_code == 400
    reason = fields_of(response)["lines[0].quantity"]
    assert "cannot promise a delivery date for 60" in reason
    assert Order.objects.count() == 0
