"""The planner's pages: only planners see them (others get 404); the Gantt, the filters, the actions."""

import re

import pytest

from cosmo import clock
from cosmo.models import User
from production.models import Job, MaintenanceWindow, ScheduleRun
from suppliers.models import Supplier
from tests.conftest import client_for
from tests.ordering import default_configuration, scheduled_orders

PAGES = [
    ("get", "/planner/QD1/"),
    ("get", "/planner/QD1/?part=gantt"),
    ("post", "/planner/QD1/reschedule/"),
    ("post", "/planner/QD1/maintenance/"),
    ("get", "/planner/QD1/runs/QD1-00001/"),
]


@pytest.mark.parametrize("method,path", PAGES)
def test_it_answers_404_to_everyone_but_planners(method, path, world, consumer, supplier_member):
    for user in (consumer, supplier_member):
        assert getattr(client_for(user), method)(path).status_code == 404, (user.username, path)
    assert not ScheduleRun.objects.exists() and not MaintenanceWindow.objects.exists()


def test_it_answers_404_for_job_actions_to_non_planners(consumer, supplier_member):
    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    for user in (consumer, supplier_member):
        client = client_for(user)
        assert client.post(f"/planner/QD1/jobs/{job.number}/pin/", {"line": "L2"}).status_code == 404
        assert client.post(f"/planner/QD1/jobs/{job.number}/priority/", {"priority": 5}).status_code == 404
    assert Job.objects.get(pk=job.pk).priority == 1


def test_it_shows_the_gantt_the_jobs_and_the_kpis(consumer, planner):
    orders = scheduled_orders(consumer, count=4)
    page = client_for(planner).get("/planner/QD1/").content.decode()
    assert "<svg" in page and 'class="op' in page and 'class="changeover"' in page and 'class="break"' in page
    for order in orders:
        assert order.number in page
    assert "on time" in page and "changeovers" in page and "utilization" in page
    assert "Line 1 · Cooling" in page


def waiting_order(consumer, quantity=3):
    """An order bought but not delivered: its job waits for its parts."""
    from lifecycle import steps
    from orders.services import LineRequest, order_place

    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), quantity)],
        delivery_address="1 Test Street",
    )
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    return order


def test_it_filters_the_job_list(consumer, planner):
    scheduled_orders(consumer, count=6)
    waiting_job = Job.objects.get(order_line__order=waiting_order(consumer))
    client = client_for(planner)
    on_l3 = client.get("/planner/QD1/?part=jobs&line=L3", HTTP_HX_REQUEST="true").content.decode()
    air = [j.number for j in Job.objects.filter(order_line__family__code="AC-SPLIT")]
    assert all(number not in on_l3 for number in air)  # line 3 makes no air conditioners
    waiting = client.get("/planner/QD1/?part=jobs&material=1", HTTP_HX_REQUEST="true").content.decode()
    assert re.findall(r'data-job="([^"]+)"', waiting) == [waiting_job.number]
    late = client.get("/planner/QD1/?part=jobs&late=1", HTTP_HX_REQUEST="true").content.decode()
    classes = re.findall(r'<tr class="([^"]*)" data-job=', late)
    assert all(c in ("late", "at-risk") for c in classes)


def test_it_explains_a_late_order(consumer, planner):
    scheduled_orders(consumer, count=2)
    job = Job.objects.get(order_line__order=waiting_order(consumer))
    Job.objects.filter(pk=job.pk).update(due_date=clock.now())
    page = client_for(planner).get("/planner/QD1/?part=jobs&late=1", HTTP_HX_REQUEST="true").content.decode()
    assert job.number in page and "late" in page
    suppliers = [name for name in Supplier.objects.values_list("name", flat=True) if name in page]
    assert "Waits for" in page and suppliers, "the reason names the part and its supplier"


def test_it_shows_a_clear_error_for_bad_planner_input(consumer, planner):
    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    client = client_for(planner)
    pin = client.post(f"/planner/QD1/jobs/{job.number}/pin/", {"line": "L3"}).content.decode()
    assert "cannot make" in pin
    window = client.post(
        "/planner/QD1/maintenance/", {"line": "L1", "start": "2030-01-02T10:00", "end": "2030-01-02T08:00"}
    ).content.decode()
    assert "ends before it starts" in window
    assert not MaintenanceWindow.objects.exists()
    assert client.post(f"/planner/QD1/jobs/{job.number}/priority/", {"priority": "x"}).content.decode().count("from 1")


def test_reschedule_now_queues_one_run_and_reports_its_progress(consumer, planner, django_capture_on_commit_callbacks):
    scheduled_orders(consumer, count=2)
    client = client_for(planner)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post("/planner/QD1/reschedule/", HTTP_HX_REQUEST="true")
        second = client.post("/planner/QD1/reschedule/", HTTP_HX_REQUEST="true")
    assert ScheduleRun.objects.count() == 1 and len(callbacks) == 1
    run = ScheduleRun.objects.get()
    assert run.requested_by == User.objects.get(username="planner")
    assert "<progress" in first.content.decode() and run.number in second.content.decode()
    from production.planning import run_execute

    run_execute(run.pk)
    done = client.get(f"/planner/QD1/runs/{run.number}/?polling=1", HTTP_HX_REQUEST="true")
    assert "<progress" not in done.content.decode() and done["HX-Trigger"] == "schedule-changed"
