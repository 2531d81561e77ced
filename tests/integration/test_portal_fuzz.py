"""Every portal form, each field in turn given each hostile value (the rest filled in as a person would):
never a 5xx; what Cosmo must refuse (control characters, over-long text) is a 400 naming the field, and
whatever is refused leaves every table's row count as it was."""

import pytest

from cosmo.hostile import CONTROL_IN_TEXT
from cosmo.models import User
from lifecycle import steps
from orders.services import LineRequest, order_place
from production.models import Job, Line
from suppliers.models import PurchaseOrder
from tests.conftest import client_for
from tests.hostile import HOSTILE_VALUES, row_counts
from tests.ordering import default_configuration

pytestmark = [pytest.mark.slow, pytest.mark.long]

# A form post carries text: a lone surrogate cannot be encoded, so it never arrives through a form.
FORM_VALUES = [value for value in HOSTILE_VALUES if "\ud800" not in value]


def must_refuse(value: str) -> bool:
    return bool(CONTROL_IN_TEXT.search(value)) or len(value) > 10_000


@pytest.fixture
def forms(consumer):
    """(who, method, url, a well-filled form) for every form of the three portals, and sign-up (the login
    form counts failures and locks out: its own tests throw bad logins at it)."""
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    po = PurchaseOrder.objects.get(supplier__code="QCW")
    part = po.lines.get().part.code
    job = Job.objects.get()
    line = Line.objects.filter(factory__code="QD1").first().code
    supplier = f"/supplier/purchase-orders/{po.number}"
    configuration = {k: v for k, v in default_configuration("AC-SPLIT").items() if isinstance(v, str)}
    return [
        (None, "post", "/signup/", {"username": "newcomer", "email": "n@example.com",
                                    "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}),
        ("consumer", "post", "/shop/configure/AC-SPLIT/", {**configuration, "quantity": "1",
                                                             "delivery_address": "1 Road", "action": "order"}),
        ("consumer", "post", "/shop/configure/AC-SPLIT/", {**configuration, "quantity": "1"}),
        ("consumer", "post", "/shop/configure/AC-SPLIT/save/", {**configuration}),
        ("consumer", "get", "/shop/configure/AC-SPLIT/", {"c": "ABCDEFGH"}),
        ("supplier", "post", f"{supplier}/lines/{part}/confirm/", {"quantity": "1", "promised_date": "2000-01-01"}),
        ("supplier", "post", f"{supplier}/lines/{part}/reject/", {"reason": ""}),
        ("supplier", "post", f"{supplier}/ship/", {"part": part, f"quantity-{part}": "1", "expected_arrival": ""}),
        ("supplier", "get", "/supplier/", {"show": "all"}),
        ("planner", "post", f"/planner/QD1/jobs/{job.number}/pin/", {"line": "NO-LINE"}),
        ("planner", "post", f"/planner/QD1/jobs/{job.number}/priority/", {"priority": "0"}),
        ("planner", "post", "/planner/QD1/maintenance/", {"line": line, "start": "2000-01-02T08:00",
                                                          "end": "2000-01-01T08:00", "reason": "", "apply": "1"}),
        ("planner", "get", "/planner/QD1/", {"late": "1", "material": "1", "line": line}),
        ("planner", "get", "/planner/QD1/floor/", {"line": line, "start": "2000-01-01T08:00", "end": "2000-01-01T09:00"}),
    ]


def test_it_never_fails_on_a_hostile_value_in_any_field(forms):
    clients = {who: client_for(User.objects.get(username=who)) for who in ("consumer", "supplier", "planner")}
    for who, method, url, form in forms:
        client = clients.get(who) or client_for_nobody()
        for field in [*form, "\x00field"]:
            for value in FORM_VALUES:
                data = {**form, field: value}
                before = row_counts()
                response = getattr(client, method)(url, data)
                where = (url, field, value[:20])
                assert response.status_code < 500, where
                if must_refuse(value) or field == "\x00field":
                    assert response.status_code == 400, where
                if response.status_code >= 400:
                    assert row_counts() == before, where


def client_for_nobody():
    from django.test import Client

    return Client()
