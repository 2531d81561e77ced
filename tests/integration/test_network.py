"""The network view on PostgreSQL: every factory's load over the coming week, on-time rate, changeover
hours, energy from the floor's records and orders at risk side by side, and the jobs moved between
factories with why, when and by whom; the page and the API show the same figures, to planners only."""

from datetime import timedelta

import pytest
from django.test import Client

from cosmo import clock
from cosmo.models import User
from lifecycle import steps
from lifecycle.reroute import job_move
from orders.delivery import orders_expect
from orders.models import Order, Stage
from orders.services import LineRequest, order_place
from production.models import EnergyReading, Factory, Job, JobMove, Line, Operation, Stock
from production.network import network_figures
from tests.conftest import client_for
from tests.ordering import default_configuration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_quotes")]


def _order(family: str, quantity: int, region: str) -> Order:
    order = order_place(customer=User.objects.get(username="consumer"),
                        lines=[LineRequest(family, default_configuration(family), quantity)],
                        delivery_address="1 Network Road", region=region)
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def network(network_world):
    """A fridge for Europe scheduled in Brugherio and another made there already; ten air conditioners for East China routed to
    Hefei, short of compressors, moved by a planner to Qingdao and then at risk; a day of energy on
    Brugherio's fridge line with two units finished."""
    fridge = _order("FRIDGE", 2, "EU")
    assert steps.order_schedule(fridge.pk)
    fridge.refresh_from_db()
    assert fridge.stage == Stage.SCHEDULED and Job.objects.get(order_line__order=fridge).factory.code == "EU1"

    Stock.objects.filter(factory__code="HF1", part__code="CMP-26").update(on_hand=3)
    ac = _order("AC-SPLIT", 10, "CN-E")
    job = Job.objects.get(order_line__order=ac)
    assert job.factory.code == "HF1"
    job_move(job_id=job.pk, to_factory_id=Factory.objects.get(code="QD1").pk, reason=JobMove.Reason.PLANNER,
             actor=User.objects.get(username="planner"), note="Hefei's compressors are short")
    ac.refresh_from_db()
    orders_expect({ac.pk: ac.promised_date + timedelta(days=3)})  # the one definition says: at risk

    line = Line.objects.get(factory__code="EU1", code="L1")
    now = clock.now()
    EnergyReading.objects.bulk_create([
        EnergyReading(line=line, at=now - timedelta(hours=20), kwh=30.5),
        EnergyReading(line=line, at=now - timedelta(hours=2), kwh=12.0),
        EnergyReading(line=line, at=now - timedelta(days=9), kwh=999.0),  # before the week counted
    ])
    # A fridge made already: its steps ended within the week, two good units at its last.
    made = _order("FRIDGE", 2, "EU")
    steps_made = list(Operation.objects.filter(job__order_line__order=made).order_by("sequence"))
    for n, op in enumerate(steps_made):
        end = now - timedelta(hours=len(steps_made) - n)
        Operation.objects.filter(pk=op.pk).update(started_at=end - timedelta(minutes=30), ended_at=end, good=2)
    Job.objects.filter(order_line__order=made).update(status=Job.Status.DONE)
    return {"fridge": fridge, "ac": ac, "job": job}


def test_every_factory_side_by_side_with_the_moves(network):
    figures = network_figures()
    by_code = {f.code: f for f in figures["factories"]}
    assert [f.code for f in figures["factories"]] == ["EU1", "HF1", "QD1"]
    eu, hf, qd = by_code["EU1"], by_code["HF1"], by_code["QD1"]

    # Load: Brugherio's plan holds the fridge's operations, within its lines' working week.
    planned = sum(
        (op.planned_end - op.planned_start).total_seconds() / 3600
        for op in Operation.objects.filter(job__order_line__order=network["fridge"])
    )
    assert eu.jobs == 1 and eu.scheduled_hours == pytest.approx(planned, abs=0.2)
    assert 0 < eu.scheduled_hours < eu.capacity_hours
    assert eu.load == pytest.approx(100 * eu.scheduled_hours / eu.capacity_hours, abs=0.2)
    assert {line["code"] for line in eu.lines} == {"L1", "L2"}
    assert hf.jobs == 0 and hf.scheduled_hours == 0 and hf.load == 0 and hf.capacity_hours > 0
    assert eu.on_time_rate == 100.0 and hf.on_time_rate is None
    assert eu.changeover_hours >= 0

    # Energy: the readings of the last seven days, per unit over the units whose last step ended then.
    assert eu.energy_kwh == 42.5 and eu.units == 2 and eu.kwh_per_unit == 21.25
    assert hf.energy_kwh == 0 and hf.kwh_per_unit is None

    # At risk: the air conditioners, now Qingdao's.
    assert qd.orders_at_risk == 1 and [o.number for o in qd.at_risk] == [network["ac"].number]
    assert eu.orders_at_risk == hf.orders_at_risk == 0

    [move] = figures["moves"]
    assert (move.job, move.order, move.from_factory, move.to_factory) == (
        network["job"].number, network["ac"].number, "HF1", "QD1")
    assert move.reason == "planner" and move.by == "planner" and move.note == "Hefei's compressors are short"
    assert move.time_zone == "Asia/Shanghai"


def test_the_page_and_the_api_show_the_same_figures_to_planners_only(network):
    planner = client_for(User.objects.get(username="planner"))
    page = planner.get("/planner/network/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Brugherio Appliance Factory", "Hefei Air Conditioner Factory", "Qingdao Interconnected Factory"):
        assert name in html
    assert network["job"].number in html and "moved by a planner" in html and "CST" in html
    assert "42.5 kWh" in html and "21.25 kWh per unit" in html

    answer = planner.get("/api/network/")
    assert answer.status_code == 200
    body = answer.json()
    eu = next(f for f in body["factories"] if f["code"] == "EU1")
    assert eu["energy_kwh"] == 42.5 and eu["units"] == 2 and eu["jobs"] == 1
    qd = next(f for f in body["factories"] if f["code"] == "QD1")
    assert qd["orders_at_risk"] == 1 and qd["at_risk"][0]["number"] == network["ac"].number
    assert body["moves"][0]["to_factory"] == "QD1" and body["moves"][0]["by"] == "planner"
    assert body["moves"][0]["at"].endswith("+08:00") or body["moves"][0]["at"].endswith("+00:00")

    consumer = client_for(User.objects.get(username="consumer"))
    assert consumer.get("/api/network/").status_code == 404  # a planners-only endpoint is not confirmed
    assert consumer.get("/planner/network/").status_code == 404
    assert "/api/network/" in planner.get("/api/schema/").content.decode()
    assert Client().get("/planner/network/").status_code == 302  # to the login
    assert Client().get("/api/network/").status_code in (401, 403)
