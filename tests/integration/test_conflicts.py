"""A request whose transaction PostgreSQL picks as the loser of a deadlock (or a serialization failure) is
redone a few times; one that still loses answers 503 with Retry-After, "try again", and changes nothing:
never a 500. The conflicts here are real PostgreSQL errors (SQLSTATE 40P01 and 40001) raised inside the
request's transaction."""

import pytest
from django.db import connection, transaction

from cosmo import retry
from lifecycle import steps
from orders.models import Order, TimelineEntry
from orders import services
from orders.services import LineRequest, order_place
from suppliers import actions
from suppliers.models import PurchaseOrder, PurchaseOrderLine
from tests.conftest import api_for, client_for
from tests.ordering import default_configuration, order_payload


def lose(state: str = "deadlock_detected") -> None:
    """Raise PostgreSQL's own error for a lost deadlock (or `serialization_failure`) in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN RAISE EXCEPTION 'lost (the test says so)' USING ERRCODE = '{state}'; END $$")


@pytest.fixture
def qcw_line(consumer):
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    return PurchaseOrder.objects.get(supplier__code="QCW").lines.select_related("part", "purchase_order").get()


def line_state(line) -> tuple:
    return PurchaseOrderLine.objects.filter(pk=line.pk).values_list("status", "quantity", "promised_date").get()


@pytest.mark.parametrize("state", ["deadlock_detected", "serialization_failure"])
def test_an_order_whose_transaction_loses_a_conflict_answers_503_and_places_nothing(consumer, monkeypatch, state):
    real_rows_insert = services.rows_insert

    def rows_insert_losing(groups):  # the order's insert is the statement the database picks to give way
        with transaction.atomic():  # as the insert runs (a savepoint inside the test's transaction)
            lose(state)
        return real_rows_insert(groups)

    monkeypatch.setattr(services, "rows_insert", rows_insert_losing)
    before = (Order.objects.count(), TimelineEntry.objects.count())
    response = api_for(consumer).post("/api/orders/", order_payload("AC-SPLIT"), format="json",
                                      HTTP_IDEMPOTENCY_KEY="busy-1")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    [error] = response.json()["errors"]
    assert error["field"] is None and "try again" in error["reason"]
    assert (Order.objects.count(), TimelineEntry.objects.count()) == before

    # The client tries again with the same key once the database is free: one order.
    monkeypatch.setattr(services, "rows_insert", real_rows_insert)
    again = api_for(consumer).post("/api/orders/", order_payload("AC-SPLIT"), format="json",
                                   HTTP_IDEMPOTENCY_KEY="busy-1")
    assert again.status_code == 201
    assert Order.objects.count() == before[0] + 1


@pytest.mark.django_db(transaction=True)
def test_a_supplier_confirmation_that_keeps_losing_is_retried_then_answers_503(world, qcw_line, supplier_member,
                                                                              monkeypatch):
    monkeypatch.setattr(retry, "FIRST_WAIT", 0.001)
    attempts = []
    real_locked_line = actions._locked_line

    def locked_line_losing(po_line_id):
        attempts.append(po_line_id)
        lose()
        return real_locked_line(po_line_id)

    monkeypatch.setattr(actions, "_locked_line", locked_line_losing)
    before = line_state(qcw_line)
    url = f"/api/purchase-orders/{qcw_line.purchase_order.number}/lines/{qcw_line.part.code}/confirm/"
    response = api_for(supplier_member).post(url, {}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert len(attempts) == retry.ATTEMPTS  # redone before giving up
    assert line_state(qcw_line) == before

    # The supplier's page says the same in words, with the same Retry-After.
    page = client_for(supplier_member).post(
        f"/supplier/purchase-orders/{qcw_line.purchase_order.number}/lines/{qcw_line.part.code}/confirm/", {}
    )
    assert page.status_code == 503 and page["Retry-After"] == "1"
    assert "try again" in page.content.decode()
    assert line_state(qcw_line) == before


@pytest.mark.django_db(transaction=True)
def test_a_supplier_confirmation_that_loses_once_is_redone_and_succeeds(world, qcw_line, supplier_member, monkeypatch):
    monkeypatch.setattr(retry, "FIRST_WAIT", 0.001)
    attempts = []
    real_locked_line = actions._locked_line

    def locked_line_losing_once(po_line_id):
        attempts.append(po_line_id)
        if len(attempts) == 1:
            lose("serialization_failure")
        return real_locked_line(po_line_id)

    monkeypatch.setattr(actions, "_locked_line", locked_line_losing_once)
    url = f"/api/purchase-orders/{qcw_line.purchase_order.number}/lines/{qcw_line.part.code}/confirm/"
    response = api_for(supplier_member).post(url, {}, format="json")
    assert response.status_code == 200, response.content
    assert len(attempts) == 2
    assert line_state(qcw_line)[0] == PurchaseOrderLine.Status.CONFIRMED
