"""Who changed what: every change a person makes is recorded (who, when, what, before and after) in the
transaction of the change; planners and administrators read it on /planner/changes/ and in the admin;
the order's timeline names who acted."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cosmo import clock
from cosmo.models import Change, User
from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order
from production.models import Job, MaintenanceWindow, Operation, Stock
from suppliers.models import Offer
from tests.conftest import api_for, client_for
from tests.ordering import order_payload, scheduled_orders


def changes(action):
    return list(Change.objects.filter(action=action).order_by("pk"))


def test_planner_actions_are_recorded_with_before_and_after(consumer, planner):
    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    client = client_for(planner)
    client.post(f"/planner/QD1/jobs/{job.number}/pin/", {"line": "L1"}, HTTP_HX_REQUEST="true")
    client.post(f"/planner/QD1/jobs/{job.number}/unpin/", HTTP_HX_REQUEST="true")
    client.post(f"/planner/QD1/jobs/{job.number}/priority/", {"priority": "7"}, HTTP_HX_REQUEST="true")
    now = clock.now()
    start, end = now + datetime.timedelta(days=2), now + datetime.timedelta(days=2, hours=3)
    client.post(
        "/planner/QD1/maintenance/",
        {"line": "L2", "start": start.strftime("%Y-%m-%dT%H:%M"), "end": end.strftime("%Y-%m-%dT%H:%M"),
         "reason": "bearing", "apply": "1"},
        HTTP_HX_REQUEST="true",
    )
    client.post("/planner/QD1/reschedule/", HTTP_HX_REQUEST="true")

    (pin,) = changes("pin")
    assert (pin.actor, pin.actor_role, pin.object_type, pin.object_label) == (planner, "planner", "production.job", job.number)
    assert pin.before == {"pinned_line": None} and pin.after == {"pinned_line": "L1"}
    (unpin,) = changes("unpin")
    assert unpin.before == {"pinned_line": "L1"} and unpin.after == {"pinned_line": None}
    assert not Operation.objects.filter(job=job, pinned_line__isnull=False).exists()
    (priority,) = changes("priority")
    assert priority.before == {"priority": 1} and priority.after == {"priority": 7}
    (maintenance,) = changes("maintenance")
    assert maintenance.object_type == "production.maintenancewindow" and maintenance.after["line"] == "L2"
    assert maintenance.after["reason"] == "bearing" and MaintenanceWindow.objects.count() == 1
    (reschedule,) = changes("reschedule")
    assert reschedule.actor == planner and reschedule.after["factory"] == "QD1"
    assert all(abs(c.at - timezone.now()) < datetime.timedelta(minutes=5) for c in Change.objects.all())
    assert set(Change.objects.exclude(action="order").values_list("actor__username", flat=True)) == {"planner"}


def test_a_refused_change_leaves_no_record(consumer, planner):
    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    client = client_for(planner)
    assert "cannot make" in client.post(f"/planner/QD1/jobs/{job.number}/pin/", {"line": "L3"}).content.decode()
    assert "not pinned" in client.post(f"/planner/QD1/jobs/{job.number}/unpin/").content.decode()
    client.post(f"/planner/QD1/jobs/{job.number}/priority/", {"priority": "12"})
    assert not Change.objects.exclude(action="order").exists()


def test_a_change_rolled_back_takes_its_record_with_it(consumer, planner):
    from django.db import transaction

    from production.planning import job_prioritize

    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    with pytest.raises(RuntimeError), transaction.atomic():
        job_prioritize(job=job, priority=5, user=planner)
        raise RuntimeError("the surrounding work failed")
    assert not Change.objects.filter(action="priority").exists() and Job.objects.get(pk=job.pk).priority == 1


@pytest.fixture
def qcw_po(consumer):
    from tests.procurement import qcw_order_bought

    order, po = qcw_order_bought(consumer)
    return po, order


def test_supplier_actions_are_recorded_and_named_on_the_timeline(qcw_po, supplier_member, consumer):
    po, order = qcw_po
    line = po.lines.get()
    part, quantity = line.part.code, format(line.quantity.normalize(), "f")
    api = api_for(supplier_member)
    assert api.post(f"/api/purchase-orders/{po.number}/lines/{part}/confirm/", {}, format="json").status_code == 200
    today = clock.now().date().isoformat()
    shipped = client_for(supplier_member).post(
        f"/supplier/purchase-orders/{po.number}/ship/", {"part": part, f"quantity-{part}": quantity, "expected_arrival": today}
    )
    assert shipped.status_code == 302
    (confirm,) = changes("confirm")
    assert confirm.actor == supplier_member and confirm.object_type == "suppliers.purchaseorderline"
    assert confirm.before["status"] == "open" and confirm.after["status"] == "confirmed"
    (ship,) = changes("ship")
    assert ship.after["purchase_order"] == po.number and ship.after["lines"] == {part: quantity}
    page = client_for(consumer).get(f"/shop/orders/{order.number}/").content.decode()
    assert "by supplier" in page
    entries = {e.event: e.actor for e in order.timeline.all()}
    assert entries["placed"] == consumer and entries["line_confirmed"] == supplier_member
    assert entries["parts_shipped"] == supplier_member


def test_a_rejection_is_recorded_with_its_reason(qcw_po, supplier_member):
    po, _ = qcw_po
    part = po.lines.get().part.code
    client_for(supplier_member).post(f"/supplier/purchase-orders/{po.number}/lines/{part}/reject/", {"reason": "no stock"})
    (reject,) = changes("reject")
    assert reject.after == {"status": "rejected", "reason": "no stock"} and reject.before == {"status": "open"}


def test_the_autopilot_is_no_person_and_leaves_no_record(qcw_po):
    from suppliers.actions import line_confirm

    po, order = qcw_po
    line_confirm(po_line_id=po.lines.get().pk)
    assert not Change.objects.filter(action="confirm").exists()
    assert order.timeline.get(event="line_confirmed").actor is None


def test_consumer_order_and_cancel_are_recorded(consumer):
    api = api_for(consumer)
    number = api.post("/api/orders/", order_payload("AC-SPLIT"), format="json").json()["number"]
    order = Order.objects.get(number=number)
    (placed,) = changes("order")
    assert placed.actor == consumer and placed.object_label == number and placed.after["lines"][0]["family"] == "AC-SPLIT"
    assert api.post(f"/api/orders/{number}/cancel/").status_code == 200
    (cancel,) = changes("cancel")
    assert cancel.before == {"stage": "accepted"} and cancel.after == {"stage": "cancelled"}
    assert order.timeline.get(event="cancelled").actor == consumer


def test_admin_changes_to_master_data_are_recorded(world):
    admin = Client()
    assert admin.post("/admin/login/?next=/admin/", {"username": "admin", "password": DEMO_PASSWORD}).status_code == 302
    offer = Offer.objects.select_related("supplier", "part").first()
    url = f"/admin/suppliers/offer/{offer.pk}/change/"
    response = admin.post(url, _admin_post(admin, url, {"lead_time_days": offer.lead_time_days + 3}))
    assert response.status_code == 302, response.content.decode()[:2000]
    (change,) = changes("admin_change")
    assert change.actor.username == "admin" and change.object_type == "suppliers.offer"
    assert change.before == {"lead_time_days": offer.lead_time_days}
    assert change.after == {"lead_time_days": offer.lead_time_days + 3}
    stock = Stock.objects.first()
    admin.post(f"/admin/production/stock/{stock.pk}/delete/", {"post": "yes"})
    (gone,) = changes("admin_delete")
    assert gone.object_type == "production.stock" and gone.object_id == str(stock.pk) and gone.before


def _admin_post(client, url, changes_: dict) -> dict:
    """The admin change form as the browser would send it, with `changes_` typed in."""
    page = client.get(url)
    data = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None and value is not False:
                    data[f"{sub.prefix}-{name}"] = str(value.pk if hasattr(value, "pk") else value)
    data.update({k: str(v) for k, v in changes_.items()})
    return data


def test_the_changes_page_filters_by_person_object_and_time(consumer, planner, other_consumer):
    api_for(consumer).post("/api/orders/", order_payload("AC-SPLIT"), format="json")
    number = api_for(other_consumer).post("/api/orders/", order_payload("FRIDGE"), format="json").json()["number"]
    client = client_for(planner)
    everything = client.get("/planner/changes/").content.decode()
    assert everything.count('data-change="order"') == 2
    mine = client.get("/planner/changes/", {"person": "alice"}).content.decode()
    assert mine.count('data-change="order"') == 1 and number in mine
    by_object = client.get("/planner/changes/", {"object": number}).content.decode()
    assert by_object.count('data-change="order"') == 1
    later = (timezone.now() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert "No change matches" in client.get("/planner/changes/", {"since": later}).content.decode()
    bad = client.get("/planner/changes/", {"since": "yesterday"})
    assert bad.status_code == 200 and "errors" in bad.content.decode()
    # A control character never reaches the page: the hostile-input gate refuses it first.
    assert client.get("/planner/changes/", {"person": "a\x00b"}).status_code == 400
    for user in (consumer, User.objects.get(username="supplier")):
        assert client_for(user).get("/planner/changes/").status_code == 404


def test_the_admin_lists_the_changes_read_only(consumer):
    api_for(consumer).post("/api/orders/", order_payload("AC-SPLIT"), format="json")
    admin = client_for(User.objects.get(username="admin"))
    page = admin.get("/admin/cosmo/change/?action=order")
    assert page.status_code == 200 and "consumer" in page.content.decode()
    change = Change.objects.get()
    assert admin.post(f"/admin/cosmo/change/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Change.objects.count() == 1
