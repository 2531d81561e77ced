"""A supplier's input means something: a part counted in pieces is confirmed and shipped in whole pieces
(one measured in metres keeps its decimals), and promised and arrival dates lie within the horizon."""

from datetime import timedelta

import pytest

from cosmo import clock
from production.models import Part
from suppliers.models import PurchaseOrderLine
from tests.conftest import api_for, client_for
from tests.procurement import po_lines_snapshot, qcw_order_bought


@pytest.fixture
def qcw_po(consumer):
    return qcw_order_bought(consumer)[1]


snapshot = po_lines_snapshot


def today():
    return clock.now().date()


def test_it_refuses_two_and_a_half_compressors_on_the_api_and_the_page(qcw_po, supplier_member):
    line = qcw_po.lines.select_related("part").get()
    assert line.part.unit == Part.Unit.PIECE
    before = snapshot()
    url = f"/api/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/"
    response = api_for(supplier_member).post(url, {"quantity": "2.5"}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "quantity" and "counted in pieces" in error["reason"]
    page = client_for(supplier_member).post(
        f"/supplier/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/", {"quantity": "2.5"}
    )
    assert page.status_code == 400
    assert "2.5 is not a whole number; this part is counted in pieces." in page.content.decode()
    assert snapshot() == before


def test_it_refuses_shipping_half_a_piece(qcw_po, supplier_member):
    line = qcw_po.lines.select_related("part").get()
    api = api_for(supplier_member)
    base = f"/api/purchase-orders/{qcw_po.number}"
    assert api.post(f"{base}/lines/{line.part.code}/confirm/", {}, format="json").status_code == 200
    before = snapshot()
    response = api.post(
        f"{base}/ship/", {"expected_arrival": today().isoformat(), "lines": [{"part": line.part.code, "quantity": "0.5"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "counted in pieces" in response.json()["errors"][0]["reason"]
    page = client_for(supplier_member).post(
        f"/supplier/purchase-orders/{qcw_po.number}/ship/",
        {"part": line.part.code, f"quantity-{line.part.code}": "0.5", "expected_arrival": today().isoformat()},
    )
    assert page.status_code == 400
    assert "counted in pieces" in page.content.decode()
    assert snapshot() == before


def test_it_keeps_decimals_for_a_part_measured_in_metres(qcw_po, supplier_member):
    line = qcw_po.lines.select_related("part").get()
    Part.objects.filter(pk=line.part_id).update(unit=Part.Unit.METRE)
    url = f"/api/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/"
    response = api_for(supplier_member).post(url, {"quantity": "0.7505"}, format="json")
    assert response.status_code == 400
    assert "decimal" in response.json()["errors"][0]["reason"]
    response = api_for(supplier_member).post(url, {"quantity": "0.75"}, format="json")
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert str(line.quantity) == "0.750"
    assert line.status == PurchaseOrderLine.Status.CONFIRMED


@pytest.mark.parametrize("days, words", [(366, "more than 365 days ahead"), (-1, "in the past")])
def test_it_refuses_a_promised_date_outside_the_horizon(qcw_po, supplier_member, days, words):
    line = qcw_po.lines.select_related("part").get()
    before = snapshot()
    day = (today() + timedelta(days=days)).isoformat()
    url = f"/api/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/"
    response = api_for(supplier_member).post(url, {"promised_date": day}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "promised_date" and words in error["reason"]
    page = client_for(supplier_member).post(
        f"/supplier/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/", {"promised_date": day}
    )
    assert page.status_code == 400 and words in page.content.decode()
    assert snapshot() == before


def test_it_refuses_the_end_of_time_as_a_promise_or_an_arrival(qcw_po, supplier_member):
    line = qcw_po.lines.select_related("part").get()
    api = api_for(supplier_member)
    base = f"/api/purchase-orders/{qcw_po.number}"
    before = snapshot()
    response = api.post(f"{base}/lines/{line.part.code}/confirm/", {"promised_date": "9999-12-31"}, format="json")
    assert response.status_code == 400 and "365 days" in response.json()["errors"][0]["reason"]
    assert snapshot() == before
    assert api.post(f"{base}/lines/{line.part.code}/confirm/", {}, format="json").status_code == 200
    before = snapshot()
    response = api.post(
        f"{base}/ship/", {"expected_arrival": "9999-12-31", "lines": [{"part": line.part.code, "quantity": "1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "365 days" in response.json()["errors"][0]["reason"]
    assert snapshot() == before


def test_it_accepts_the_last_day_of_the_horizon(qcw_po, supplier_member):
    line = qcw_po.lines.select_related("part").get()
    day = (today() + timedelta(days=365)).isoformat()
    url = f"/api/purchase-orders/{qcw_po.number}/lines/{line.part.code}/confirm/"
    assert api_for(supplier_member).post(url, {"promised_date": day}, format="json").status_code == 200
