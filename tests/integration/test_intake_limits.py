"""Orders too big are refused at once, naming the limit, and create nothing; the family's stamp moves
when its rules change, so the web tier's caches never answer with an old rule."""

from django.conf import settings

from orders.models import Option, Order
from orders.services import LineRequest, OrderInvalid, order_place
from tests.conftest import api_for, client_for
from tests.ordering import default_configuration, order_payload


def reasons_of(response) -> dict:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def test_it_refuses_an_order_of_too_many_lines_naming_the_limit(consumer):
    payload = order_payload("AC-SPLIT")
    payload["lines"] = payload["lines"] * (settings.COSMO_ORDER_MAX_LINES + 1)
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert str(settings.COSMO_ORDER_MAX_LINES) in reasons_of(response)["lines"]
    assert Order.objects.count() == 0


def test_it_refuses_a_quantity_over_the_limit_in_the_api_and_the_portal(consumer):
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["quantity"] = settings.COSMO_ORDER_MAX_QUANTITY + 1
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert str(settings.COSMO_ORDER_MAX_QUANTITY) in reasons_of(response)["lines[0].quantity"]

    form = {k: v for k, v in default_configuration("AC-SPLIT").items()}
    form.update(quantity=str(settings.COSMO_ORDER_MAX_QUANTITY + 1), delivery_address="1 Long Road", action="order")
    page = client_for(consumer).post("/shop/configure/AC-SPLIT/", form)
    assert page.status_code == 200
    assert f"{settings.COSMO_ORDER_MAX_QUANTITY} units" in page.content.decode()
    assert Order.objects.count() == 0


def test_an_option_switched_off_is_refused_at_the_next_order(consumer):
    configuration = default_configuration("AC-SPLIT")
    order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", configuration, 1)], delivery_address="x")
    chosen = next(v for v in configuration.values() if isinstance(v, str))
    option = Option.objects.get(group__family__code="AC-SPLIT", code=chosen)
    option.active = False
    option.save()  # the admin's way: the family's stamp moves
    try:
        order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", configuration, 1)], delivery_address="x")
    except OrderInvalid as invalid:
        assert any(key.startswith("lines[0].configuration") for key in invalid.errors)
    else:
        raise AssertionError("an order with an option no longer offered was accepted")
