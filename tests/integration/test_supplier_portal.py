"""The supplier portal and API: who sees and does what (owner, teammate, outsider), and bad input that
gets a clear 400 or page message and changes nothing."""

import pytest
from rest_framework.test import APIClient

from cosmo import clock
from cosmo.models import User
from lifecycle.demo import DEMO_PASSWORD
from suppliers.models import PurchaseOrder, Supplier
from tests.conftest import api_for, client_for, make_user
from tests.procurement import po_lines_snapshot, qcw_order_bought


@pytest.fixture
def qcw_po(consumer):
    return qcw_order_bought(consumer)[1]


@pytest.fixture
def teammate(world):
    return make_user("qcw-2", User.Role.SUPPLIER, supplier=Supplier.objects.get(code="QCW"))


@pytest.fixture
def outsider(world):
    return make_user("hel-1", User.Role.SUPPLIER, supplier=Supplier.objects.get(code="HEL"))


snapshot = po_lines_snapshot


def test_it_lets_owner_and_teammate_act_and_answers_404_to_outsiders(qcw_po, supplier_member, teammate, outsider,
                                                                      consumer):
    part = qcw_po.lines.get().part.code
    base = f"/supplier/purchase-orders/{qcw_po.number}"
    api_base = f"/api/purchase-orders/{qcw_po.number}"
    for stranger in (outsider, consumer):
        before = snapshot()
        page, api = client_for(stranger), api_for(stranger)
        assert page.get(f"{base}/").status_code == 404
        assert page.post(f"{base}/lines/{part}/confirm/", {"quantity": "1"}).status_code == 404
        assert page.post(f"{base}/lines/{part}/reject/", {"reason": "x"}).status_code == 404
        assert page.post(f"{base}/ship/", {"part": part}).status_code == 404
        assert api.get(f"{api_base}/").status_code == 404
        assert api.post(f"{api_base}/lines/{part}/confirm/", {}, format="json").status_code == 404
        assert api.post(f"{api_base}/lines/{part}/reject/", {"reason": "x"}, format="json").status_code == 404
        assert api.post(f"{api_base}/ship/", {}, format="json").status_code == 404
        assert snapshot() == before
    assert qcw_po.number not in api_for(outsider).get("/api/purchase-orders/").content.decode()
    assert qcw_po.number not in client_for(outsider).get("/supplier/?show=all").content.decode()
    # The owner sees it in the inbox; the teammate confirms on the page, the owner ships over the API.
    assert qcw_po.number in client_for(supplier_member).get("/supplier/").content.decode()
    assert qcw_po.number in api_for(teammate).get("/api/purchase-orders/?status=sent").content.decode()
    today = clock.now().date().isoformat()
    response = client_for(teammate).post(f"{base}/lines/{part}/confirm/", {"quantity": "1", "promised_date": today})
    assert response.status_code == 302
    response = api_for(supplier_member).post(
        f"{api_base}/ship/", {"expected_arrival": today, "lines": [{"part": part, "quantity": "1"}]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"] == [{"part": part, "quantity": "1.000", "received_quantity": None}]
    detail = client_for(teammate).get(f"{base}/").content.decode()
    assert response.json()["number"] in detail
    qcw_po.refresh_from_db()
    assert qcw_po.status == PurchaseOrder.Status.SHIPPED


def test_it_shows_the_scorecard_csv_and_token_pages_to_members_only(qcw_po, supplier_member, consumer, planner):
    member = client_for(supplier_member)
    assert member.get("/supplier/scorecard/").status_code == 200
    csv = member.get("/supplier/purchase-orders.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode().splitlines()
    assert rows[0].startswith("purchase_order,status") and any(qcw_po.number in row for row in rows[1:])
    assert not any(PurchaseOrder.objects.get(supplier__code="HEL").number in row for row in rows)
    assert api_for(supplier_member).get("/api/scorecard/").json()["supplier"] == "QCW"
    for other in (consumer, planner):
        for path in ("/supplier/scorecard/", "/supplier/purchase-orders.csv", "/supplier/api-token/"):
            assert client_for(other).get(path).status_code == 404
        assert api_for(other).get("/api/scorecard/").status_code == 404


def test_it_gives_a_member_a_token_for_the_api(qcw_po, supplier_member):
    response = APIClient().post("/api/token/", {"username": "supplier", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert qcw_po.number in api.get("/api/purchase-orders/").content.decode()
    page = client_for(supplier_member).post("/supplier/api-token/")
    assert page.status_code == 200 and 'id="api-token"' in page.content.decode()
    # The new token replaced the old one.
    assert api.get("/api/purchase-orders/").status_code in (401, 403)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"quantity": "5"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"promised_date": "2000-01-01"}, "promised_date"),
        ({"promised_date": "someday"}, "promised_date"),
    ],
)
def test_it_refuses_a_bad_confirmation_naming_the_field(qcw_po, supplier_member, payload, field):
    part = qcw_po.lines.get().part.code
    before = snapshot()
    response = api_for(supplier_member).post(
        f"/api/purchase-orders/{qcw_po.number}/lines/{part}/confirm/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    page = client_for(supplier_member).post(f"/supplier/purchase-orders/{qcw_po.number}/lines/{part}/confirm/", payload)
    assert page.status_code == 400 and 'class="error"' in page.content.decode()
    assert snapshot() == before


def test_it_refuses_to_ship_an_unconfirmed_line_or_more_than_confirmed(qcw_po, supplier_member):
    part = qcw_po.lines.get().part.code
    today = clock.now().date().isoformat()
    api = api_for(supplier_member)
    url = f"/api/purchase-orders/{qcw_po.number}/ship/"
    before = snapshot()
    response = api.post(url, {"expected_arrival": today, "lines": [{"part": part, "quantity": "1"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines[0].part"
    assert "only confirmed lines" in response.json()["errors"][0]["reason"]
    page = client_for(supplier_member).post(f"/supplier/purchase-orders/{qcw_po.number}/ship/",
                                            {"part": part, f"quantity-{part}": "1", "expected_arrival": today})
    assert page.status_code == 400 and "only confirmed lines" in page.content.decode()
    assert snapshot() == before
    api.post(f"/api/purchase-orders/{qcw_po.number}/lines/{part}/confirm/", {}, format="json")
    before = snapshot()
    for lines, arrival, field in [
        ([{"part": part, "quantity": "2"}], today, "lines[0].quantity"),
        ([{"part": "NOPE", "quantity": "1"}], today, "lines[0].part"),
        ([{"part": part, "quantity": "1"}], "2000-01-01", "expected_arrival"),
    ]:
        response = api.post(url, {"expected_arrival": arrival, "lines": lines}, format="json")
        assert response.status_code == 400
        assert field in {error["field"] for error in response.json()["errors"]}
    assert snapshot() == before


def test_it_refuses_a_rejection_without_a_reason_and_a_second_answer(qcw_po, supplier_member):
    part = qcw_po.lines.get().part.code
    api = api_for(supplier_member)
    base = f"/api/purchase-orders/{qcw_po.number}/lines/{part}"
    before = snapshot()
    response = api.post(f"{base}/reject/", {"reason": " "}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    assert snapshot() == before
    assert api.post(f"{base}/reject/", {"reason": "Sold out"}, format="json").status_code == 200
    before = snapshot()
    response = api.post(f"{base}/confirm/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
    assert api.get(f"/api/purchase-orders/{qcw_po.number}/lines/NOPE/confirm/").status_code in (404, 405)
    assert api.post(f"/api/purchase-orders/{qcw_po.number}/lines/NOPE/confirm/", {}, format="json").status_code == 404
    assert snapshot() == before
