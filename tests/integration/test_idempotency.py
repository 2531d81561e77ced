"""An Idempotency-Key keeps its promise: never cut, refused when reused for another order, a retry gets
the first order, and a key is forgotten after its documented time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import IdempotencyKey, Order
from tests.conftest import api_for
from tests.ordering import order_payload


@pytest.fixture
def api(consumer):
    return api_for(consumer)


def place(api, key, payload=None):
    return api.post("/api/orders/", payload or order_payload("AC-SPLIT"), format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_it_refuses_a_key_longer_than_the_maximum_and_never_cuts_it(api):
    first = place(api, "k" * 64 + "-first" + "x" * 200)
    second = place(api, "k" * 64 + "-second" + "x" * 200)
    for response in (first, second):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["field"] == "Idempotency-Key"
        assert "at most 255 characters" in error["reason"]
    assert Order.objects.count() == 0


def test_it_keeps_two_long_keys_that_share_their_beginning_apart(api):
    first = place(api, "k" * 200 + "-first")
    second = place(api, "k" * 200 + "-second")
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] != second.json()["number"]
    assert Order.objects.count() == 2


def test_it_refuses_a_key_reused_with_a_different_body_and_says_so(api):
    first = place(api, "order-1", order_payload("AC-SPLIT", quantity=1))
    again = place(api, "order-1", order_payload("AC-SPLIT", quantity=2))
    assert first.status_code == 201
    assert again.status_code == 422
    [error] = again.json()["errors"]
    assert error["field"] == "Idempotency-Key"
    assert "different order" in error["reason"] and first.json()["number"] in error["reason"]
    assert Order.objects.count() == 1


def test_it_answers_a_retry_whatever_the_order_of_keys_in_the_body(api, consumer):
    payload = order_payload("AC-SPLIT")
    first = place(api, "retry-2", payload)
    reordered = dict(reversed(list(payload.items())))
    again = api.post("/api/orders/", reordered, format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1


def test_it_treats_an_expired_key_as_new(api, settings):
    payload = order_payload("AC-SPLIT")
    first = place(api, "daily-1", payload)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=settings.COSMO_IDEMPOTENCY_HOURS, minutes=1))
    again = place(api, "daily-1", payload)
    assert again.status_code == 201
    assert again.json()["number"] != first.json()["number"]
    # Expired, the key no longer refuses a different body either; it now belongs to the second order.
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    third = place(api, "daily-1", order_payload("AC-SPLIT", quantity=2))
    assert third.status_code == 201
    assert Order.objects.count() == 3
    assert IdempotencyKey.objects.get().order.number == third.json()["number"]


def test_it_keeps_a_key_just_before_it_expires(api, settings):
    payload = order_payload("AC-SPLIT")
    first = place(api, "daily-2", payload)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=settings.COSMO_IDEMPOTENCY_HOURS - 1))
    assert place(api, "daily-2", payload).json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1


def test_it_refuses_a_key_that_is_not_printable_ascii(api):
    response = place(api, "clé\x01")
    assert response.status_code == 400
    assert "printable ASCII" in response.json()["errors"][0]["reason"]
    assert Order.objects.count() == 0


def test_it_keeps_keys_per_consumer(api, other_consumer):
    first = place(api, "shared-key")
    theirs = place(api_for(other_consumer), "shared-key", order_payload("AC-SPLIT", quantity=2))
    assert first.status_code == theirs.status_code == 201
    assert Order.objects.count() == 2
