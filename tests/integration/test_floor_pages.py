"""The planner's floor page: live line states, utilization chart, breakdowns, orders at risk and the
what-if of a line going down; planners only."""

import re
from datetime import timedelta

import pytest

from cosmo import clock
from lifecycle.floor import factory_tick
from production.models import Factory, Operation
from tests.conftest import client_for
from tests.ordering import scheduled_orders


@pytest.fixture
def running_floor(consumer):
    scheduled_orders(consumer, count=4, quantity=2)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    for hours in (0, 2, 4, 6):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours))
    return factory


def test_it_shows_the_floor_to_a_planner(planner, running_floor):
    response = client_for(planner).get("/planner/QD1/floor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-line="') == 3 and "data-state=" in html
    assert "<polyline" in html and "Orders at risk" in html


def test_the_live_part_polls_without_the_what_if(planner, running_floor):
    response = client_for(planner).get("/planner/QD1/floor/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="floor-live"' in html and "Orders at risk" not in html


def test_a_line_down_for_days_puts_orders_at_risk(planner, running_floor):
    now = clock.now() + timedelta(hours=6)
    # A line with work still to do after the last tick.
    line = Operation.objects.filter(ended_at__isnull=True).order_by("planned_start").first().line
    params = {
        "line": line.code,
        "start": now.strftime("%Y-%m-%d %H:%M"),
        "end": (now + timedelta(days=6)).strftime("%Y-%m-%d %H:%M"),
    }
    html = client_for(planner).get("/planner/QD1/floor/", params).content.decode()
    assert f"if {line.name}" in html
    assert 'id="risks"' in html


def test_a_what_if_reads_the_times_typed_as_the_factory_s_time(planner, running_floor):
    params = {"line": "L1", "start": "2030-01-01 10:00", "end": "2030-01-02 10:00"}
    html = client_for(planner).get("/planner/QD1/floor/", params).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "is down from 2030-01-01 10:00 CST to 2030-01-02 10:00 CST" in text


def test_a_bad_what_if_says_why_and_changes_nothing(planner, running_floor):
    html = client_for(planner).get("/planner/QD1/floor/", {"line": "L1", "start": "2030-01-02 10:00", "end": "2030-01-01 10:00"}).content.decode()
    assert "must end after it starts" in html


@pytest.mark.parametrize("who", ["consumer", "supplier_member"])
def test_it_is_not_found_for_everyone_else(who, request, world):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/planner/QD1/floor/").status_code == 404
