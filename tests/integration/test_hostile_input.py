"""What an attacker sends never reaches a 500: NUL bytes and control characters in paths, queries, form
fields and JSON; JSON nested a hundred thousand deep; numbers JSON reads as infinity; huge orders. Each is
a 400 naming the field and the reason (or the form again, with the message), and nothing changes."""

import json

import pytest

from lifecycle import steps
from orders.models import Order
from orders.services import LineRequest, order_place
from production.models import Job
from suppliers.models import PurchaseOrder
from tests.conftest import api_for, client_for
from tests.hostile import row_counts
from tests.ordering import default_configuration, order_payload


def errors_of(response) -> dict:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


@pytest.fixture
def placed(consumer):
    """An order planned and procured: a job on the planner's page and a purchase order for QCW."""
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    return order


@pytest.mark.parametrize(
    "who, path",
    [
        ("consumer", "/api/orders/%00/"),
        ("consumer", "/api/orders/CO%00/cancel/"),
        ("consumer", "/api/families/AC%00SPLIT/"),
        ("supplier", "/api/purchase-orders/%00/"),
        ("consumer", "/shop/orders/%00/"),
        ("consumer", "/shop/configure/AC-SPLIT/?c=%00"),
        ("consumer", "/shop/c/%00/"),
        ("supplier", "/supplier/purchase-orders/%00/"),
        ("supplier", "/supplier/?show=%00"),
        ("planner", "/planner/QD1/?line=%00"),
        ("planner", "/planner/QD1/runs/%00/"),
        ("planner", "/api/purchase-orders/?status=%00"),
        ("admin", "/admin/orders/order/?stage=%00"),
        ("admin", "/admin/orders/order/?q=%00"),
        ("admin", "/admin/production/job/?q=a%1bb"),
        ("admin", "/admin/orders/order/%00/change/"),
    ],
)
def test_it_refuses_a_nul_byte_in_a_path_or_query(world, who, path):
    from cosmo.models import User

    client = client_for(User.objects.get(username=who))
    before = row_counts()
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        [error] = response.json()["errors"]
        assert "control character" in error["reason"]
    else:
        assert "control character" in response.content.decode()
    assert row_counts() == before


def test_it_names_the_field_of_a_nul_byte_in_each_reported_form(placed, consumer, supplier_member, planner):
    po = PurchaseOrder.objects.get(supplier__code="QCW")
    part = po.lines.get().part.code
    job = Job.objects.get()
    clients = {user: client_for(user) for user in (consumer, supplier_member, planner)}
    before = row_counts()
    posts = [
        (consumer, "/shop/configure/AC-SPLIT/", {"action": "order", "quantity": "1", "delivery_address": "Road\x00 1"},
         "delivery_address"),
        (supplier_member, f"/supplier/purchase-orders/{po.number}/lines/{part}/reject/", {"reason": "no\x00"}, "reason"),
        (planner, f"/planner/QD1/jobs/{job.number}/pin/", {"line": "\x00"}, "line"),
    ]
    for user, url, data, field in posts:
        response = clients[user].post(url, data)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert f"<strong>{field}</strong>" in body and "control character" in body
    assert row_counts() == before
    po.refresh_from_db()
    assert po.lines.get().status == "open"


def test_an_htmx_action_refused_gets_its_reason_to_show_beside_the_row(placed, planner):
    job = Job.objects.get()
    before = row_counts()
    response = client_for(planner).post(
        f"/planner/QD1/jobs/{job.number}/priority/", {"priority": "1\x00"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and response["X-Cosmo-Refusal"] == "1"
    body = response.content.decode()
    # A fragment for the row's answer (cosmo.js swaps it in), not a whole page.
    assert "<html" not in body and "<strong>priority</strong>" in body and "control character" in body
    assert row_counts() == before


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("url", ["/api/orders/", "/api/families/AC-SPLIT/check/"])
def test_it_refuses_json_nested_too_deep(consumer, url, depth):
    body = '{"selection": ' + "[" * depth + "]" * depth + "}"
    before = row_counts()
    response = api_for(consumer).post(url, body, content_type="application/json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "deeper than 20 levels" in error["reason"]
    assert row_counts() == before


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1e400"])
def test_it_refuses_a_number_json_reads_as_infinite(consumer, number):
    body = '{"selection": {"PIPE_LENGTH": %s}, "quantity": 1}' % number
    response = api_for(consumer).post("/api/families/AC-SPLIT/check/", body, content_type="application/json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "finite number" in error["reason"]
    if number.endswith("e999") or number == "1e400":
        assert error["field"] == "selection.PIPE_LENGTH"


def test_it_refuses_a_number_beyond_the_largest_it_accepts(consumer):
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["configuration"]["PIPE_LENGTH"] = 10**30
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert "between" in errors_of(response)["lines[0].configuration.PIPE_LENGTH"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "text, field",
    [
        ("Road 1\x00", "delivery_address"),
        ("Road\x1b[31m 1", "delivery_address"),
        ("Road \ud800", "delivery_address"),
    ],
)
def test_it_refuses_control_characters_in_json_strings(consumer, text, field):
    payload = order_payload("AC-SPLIT")
    payload["delivery_address"] = text
    body = json.dumps(payload)  # "\ud800" travels as its escape, as an attacker would write it
    response = api_for(consumer).post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert "control character" in errors_of(response)[field]
    assert Order.objects.count() == 0


def test_it_refuses_a_control_character_in_a_key(consumer):
    payload = order_payload("AC-SPLIT")
    payload["lines"][0]["configuration"]["CAPACITY\x00"] = "COMP_7KW"
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert "key" in errors_of(response)["lines[0].configuration"]
    assert Order.objects.count() == 0


def test_it_refuses_an_order_of_thousands_of_lines_at_once(consumer):
    line = order_payload("AC-SPLIT")["lines"][0]
    payload = {"delivery_address": "1 Test Street", "lines": [line] * 7000}
    body = json.dumps(payload)
    assert len(body) > 1_000_000  # the probe's size, under the body limit
    response = api_for(consumer).post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert "At most 1000 items here (this has 7000)" in errors_of(response)["lines"]
    assert Order.objects.count() == 0


def test_it_refuses_an_order_over_the_line_limit_before_looking_at_a_line(consumer):
    line = order_payload("AC-SPLIT")["lines"][0]
    payload = {"delivery_address": "1 Test Street", "lines": [{**line, "family": "NO-SUCH"}] * 51}
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {"lines": "An order has at most 50 lines."}
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "change, field, words",
    [
        (lambda p: p.update(delivery_address="x" * 501), "delivery_address", "no more than 500"),
        (lambda p: p["lines"][0].update(quantity=10001), "lines[0].quantity", "less than or equal to 10000"),
        (lambda p: p["lines"][0].update(quantity=10**20), "lines[0].quantity", "between"),
        (lambda p: p["lines"][0]["configuration"].update({f"G{i}": "X" for i in range(101)}),
         "lines[0].configuration", "at most 100 groups"),
        (lambda p: p["lines"][0]["configuration"].update(CAPACITY="x" * 10_001), "lines[0].configuration.CAPACITY",
         "under 10000 characters"),
    ],
)
def test_it_holds_an_order_to_its_documented_limits(consumer, change, field, words):
    payload = order_payload("AC-SPLIT")
    change(payload)
    response = api_for(consumer).post("/api/orders/", payload, format="json")
    assert response.status_code == 400
    assert words in errors_of(response)[field]
    assert Order.objects.count() == 0


def test_it_answers_a_body_that_is_not_json_in_the_error_format(consumer):
    response = api_for(consumer).post("/api/orders/", b"\xff\xfe{", content_type="application/json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["reason"]


def test_it_keeps_the_portal_order_form_to_the_same_limits(consumer):
    client = client_for(consumer)
    form = {"action": "order", "CAPACITY": "COMP_7KW", "delivery_address": "x" * 501, "quantity": "1"}
    body = client.post("/shop/configure/AC-SPLIT/", form).content.decode()
    assert "under 500 characters" in body
    form.update(delivery_address="1 Test Street", quantity="99999999999")
    response = client.post("/shop/configure/AC-SPLIT/", form)
    assert response.status_code == 200
    assert "10000 units" in response.content.decode()
    # A one-click fix arrives as JSON in a hidden field: nested too deep, it is ignored, not a 500; longer
    # than any field may be, the request is refused before the view.
    response = client.post("/shop/configure/AC-SPLIT/", {"selection": "[" * 5000, "quantity": "1"})
    assert response.status_code == 200
    response = client.post("/shop/configure/AC-SPLIT/", {"selection": "[" * 100_000, "quantity": "1"})
    assert response.status_code == 400
    assert "<strong>selection</strong>" in response.content.decode()
    assert Order.objects.count() == 0
