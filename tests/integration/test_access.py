"""Access: a row that is not yours answers 404, on the pages and on the API (owner, teammate, outsider)."""

import pytest

from cosmo.models import User
from lifecycle import steps
from orders.services import LineRequest, order_place
from suppliers.models import PurchaseOrder, Supplier
from tests.conftest import api_for, client_for, make_user
from tests.ordering import default_configuration


@pytest.fixture
def order(consumer):
    placed = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(placed.pk)
    steps.order_procure(placed.pk)
    return placed


@pytest.fixture
def qcw_po(order):
    po = PurchaseOrder.objects.filter(supplier__code="QCW").first()
    assert po is not None, "the demo order buys its compressor from QCW"
    return po


def test_it_shows_the_order_to_its_consumer_only(order, other_consumer, supplier_member):
    assert client_for(order.customer).get(f"/shop/orders/{order.number}/").status_code == 200
    assert api_for(order.customer).get(f"/api/orders/{order.number}/").status_code == 200
    for outsider in (other_consumer, supplier_member):
        assert client_for(outsider).get(f"/shop/orders/{order.number}/").status_code == 404
        assert api_for(outsider).get(f"/api/orders/{order.number}/").status_code == 404
    assert order.number not in api_for(other_consumer).get("/api/orders/").content.decode()


def test_it_shows_every_order_to_a_planner(order, planner):
    assert client_for(planner).get(f"/shop/orders/{order.number}/").status_code == 200
    assert api_for(planner).get(f"/api/orders/{order.number}/").status_code == 200


def test_it_shows_a_purchase_order_to_the_members_of_its_supplier_only(qcw_po, supplier_member, consumer):
    teammate = make_user("qcw-2", User.Role.SUPPLIER, supplier=Supplier.objects.get(code="QCW"))
    outsider = make_user("hel-1", User.Role.SUPPLIER, supplier=Supplier.objects.get(code="HEL"))
    for member in (supplier_member, teammate):
        assert client_for(member).get(f"/supplier/purchase-orders/{qcw_po.number}/").status_code == 200
        assert api_for(member).get(f"/api/purchase-orders/{qcw_po.number}/").status_code == 200
    for stranger in (outsider, consumer):
        assert client_for(stranger).get(f"/supplier/purchase-orders/{qcw_po.number}/").status_code == 404
        assert api_for(stranger).get(f"/api/purchase-orders/{qcw_po.number}/").status_code == 404
        assert client_for(stranger).post(f"/supplier/purchase-orders/{qcw_po.number}/confirm/").status_code == 404
        assert api_for(stranger).post(f"/api/purchase-orders/{qcw_po.number}/confirm/").status_code == 404
    qcw_po.refresh_from_db()
    assert qcw_po.status == PurchaseOrder.Status.SENT


def test_it_lets_a_member_confirm_and_tells_the_consumer(qcw_po, supplier_member, order):
    response = client_for(supplier_member).post(f"/supplier/purchase-orders/{qcw_po.number}/confirm/")
    assert response.status_code == 302
    qcw_po.refresh_from_db()
    assert qcw_po.status == PurchaseOrder.Status.CONFIRMED
    assert all(line.promised_date for line in qcw_po.lines.all())
    assert order.timeline.filter(event="line_confirmed").exists()
    # Confirming twice is refused with a reason, and changes nothing.
    again = api_for(supplier_member).post(f"/api/purchase-orders/{qcw_po.number}/confirm/")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "status"


@pytest.mark.parametrize(
    "path", ["/shop/", "/shop/orders/", "/supplier/", "/planner/", "/api/orders/", "/api/purchase-orders/"]
)
def test_it_answers_404_to_a_role_that_is_not_for_the_page(path, world):
    roles = {
        "/shop/": "consumer",
        "/shop/orders/": "consumer",
        "/supplier/": "supplier",
        "/planner/": "planner",
        "/api/orders/": "consumer",
        "/api/purchase-orders/": "supplier",
    }
    for user in User.objects.filter(username__in=["consumer", "supplier", "planner"]):
        expected_ok = user.username == roles[path] or (user.username == "planner" and path.startswith("/api/"))
        client = api_for(user) if path.startswith("/api/") else client_for(user)
        status = client.get(path).status_code
        assert (status == 200) == expected_ok, (user.username, path, status)
        assert status in (200, 404)


def test_it_sends_anonymous_visitors_to_the_login(world):
    from django.test import Client

    assert Client().get("/shop/").status_code == 302
    assert Client().get("/api/orders/").status_code in (401, 403)
