"""Brute force and floods: failed logins lock out (per user and per client address) on the login page,
the token endpoint and the admin login alike; token creation, sign-up and order creation are throttled
(429 with Retry-After); the counts live in the shared cache (Redis in the suite)."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from cosmo.models import User
from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order
from tests.ordering import order_payload

LIMIT = settings.AXES_FAILURE_LIMIT


def test_the_suite_counts_in_redis():
    # The web nodes share their counts through Redis in production; the suite runs on it too.
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.AXES_HANDLER.endswith("AxesCacheHandler")


def _page_login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_the_login_page_locks_a_user_out_after_the_documented_failures(world):
    client = Client()
    for _ in range(LIMIT - 1):
        answer = _page_login(client, "consumer", "wrong")
        assert answer.status_code == 200 and "didn't match" in answer.content.decode()
    locked = _page_login(client, "consumer", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() and int(locked["Retry-After"]) == 15 * 60
    # Now even the right password is refused, from another address too (the user is locked).
    right = _page_login(Client(), "consumer", DEMO_PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session
    # Another user from another address still logs in.
    other = _page_login(Client(), "planner", DEMO_PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_an_address_trying_many_users_is_locked_out_for_every_user(world):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for k in range(LIMIT):
        _page_login(client, f"nobody-{k}", "wrong")
    answer = _page_login(client, "planner", DEMO_PASSWORD)
    assert answer.status_code == 429 and "_auth_user_id" not in client.session
    # The same user from an address that did nothing wrong logs in.
    assert _page_login(Client(REMOTE_ADDR="10.1.1.2"), "planner", DEMO_PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(world):
    client = Client()
    for _ in range(LIMIT - 1):
        _page_login(client, "consumer", "wrong")
    assert _page_login(client, "consumer", DEMO_PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        _page_login(Client(), "consumer", "wrong")
    assert _page_login(Client(), "consumer", DEMO_PASSWORD).status_code == 302


def test_the_token_endpoint_counts_failures_and_locks_out_with_json(world):
    api = APIClient()
    for _ in range(LIMIT - 1):
        answer = api.post("/api/token/", {"username": "supplier", "password": "wrong"}, format="json")
        assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "password"
    locked = api.post("/api/token/", {"username": "supplier", "password": "wrong"}, format="json")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many failed logins" in locked.json()["errors"][0]["reason"]
    right = APIClient(REMOTE_ADDR="10.2.2.2").post(
        "/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}, format="json"
    )
    assert right.status_code == 429 and "token" not in right.json()
    # The page login of the same user is locked too: one count for every way in.
    assert _page_login(Client(REMOTE_ADDR="10.2.2.3"), "supplier", DEMO_PASSWORD).status_code == 429


def test_the_admin_login_locks_out_too(world):
    client = Client()
    for _ in range(LIMIT):
        client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "wrong"})
    answer = Client(REMOTE_ADDR="10.3.3.3").post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 429 and "Too many failed logins" in answer.content.decode()
    assert Client(REMOTE_ADDR="10.3.3.3").get("/admin/").status_code == 302  # not logged in


def test_behind_a_proxy_the_client_is_the_forwarded_address(world, settings):
    settings.COSMO_PROXY_COUNT = 1
    for k in range(LIMIT):
        _page_login(Client(REMOTE_ADDR="172.16.0.1"), f"nobody-{k}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")
    # The proxy's own address is not locked for every other client behind it.
    fine = _page_login(Client(REMOTE_ADDR="172.16.0.1"), "planner", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert fine.status_code == 302
    refused = _page_login(Client(REMOTE_ADDR="172.16.0.1"), "planner", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert refused.status_code == 429


def test_token_creation_is_throttled_per_address(world, settings):
    settings.COSMO_THROTTLE_RATES = {**settings.COSMO_THROTTLE_RATES, "token": "3/min"}
    api = APIClient()
    for _ in range(3):
        assert api.post("/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}, format="json").status_code == 200
    refused = api.post("/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}, format="json")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["field"] is None
    other = APIClient(REMOTE_ADDR="10.4.4.4").post(
        "/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}, format="json"
    )
    assert other.status_code == 200


def test_sign_up_is_throttled_per_address(db, settings):
    settings.COSMO_THROTTLE_RATES = {**settings.COSMO_THROTTLE_RATES, "signup": "2/hour"}

    def sign_up(name, client):
        return client.post(
            "/signup/",
            {"username": name, "email": f"{name}@example.com", "password1": "a-Long-pass-41!", "password2": "a-Long-pass-41!"},
        )

    assert sign_up("first", Client()).status_code == 302
    assert sign_up("second", Client()).status_code == 302
    refused = sign_up("third", Client())
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()
    assert not User.objects.filter(username="third").exists()
    assert sign_up("fourth", Client(REMOTE_ADDR="10.5.5.5")).status_code == 302


def test_order_creation_is_throttled_per_consumer(consumer, other_consumer, settings):
    settings.COSMO_THROTTLE_RATES = {**settings.COSMO_THROTTLE_RATES, "order": "2/min"}
    api = APIClient()
    api.force_authenticate(consumer)
    for _ in range(2):
        assert api.post("/api/orders/", order_payload("AC-SPLIT"), format="json").status_code == 201
    refused = api.post("/api/orders/", order_payload("AC-SPLIT"), format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Order.objects.filter(customer=consumer).count() == 2
    # Reading is not throttled, and another consumer still orders.
    assert api.get("/api/orders/").status_code == 200
    other = APIClient()
    other.force_authenticate(other_consumer)
    assert other.post("/api/orders/", order_payload("AC-SPLIT"), format="json").status_code == 201


@pytest.mark.parametrize("rate", ["2/min"])
def test_the_portal_order_form_is_throttled_too(consumer, settings, rate):
    from tests.conftest import client_for
    from tests.ordering import default_configuration

    settings.COSMO_THROTTLE_RATES = {**settings.COSMO_THROTTLE_RATES, "order": rate}
    client = client_for(consumer)
    form = {**default_configuration("AC-SPLIT"), "quantity": "1", "delivery_address": "1 Test Street", "action": "order"}
    answers = [client.post("/shop/configure/AC-SPLIT/", form).status_code for _ in range(3)]
    assert answers[-1] == 429 and Order.objects.filter(customer=consumer).count() == answers.count(302)
