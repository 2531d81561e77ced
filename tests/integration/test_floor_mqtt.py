"""The floor built from what arrives over MQTT: the simulated lines publish like real ones and the consumer
writes the records; a line played by hand shows on the floor page; OEE from the records, on the page and the
API, whatever the source."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cosmo import clock
from lifecycle.floor import factory_tick
from orders.models import Stage
from production.models import (
    EnergyReading,
    Factory,
    Line,
    LineFeed,
    LineInterval,
    Operation,
    TelemetryRefusal,
)
from production.oee import factory_oee
from tests.broker import listen
from tests.conftest import api_for, client_for
from tests.ordering import scheduled_orders


def _run_floor(factory, hours, step_hours, broker=None):
    start = clock.now().replace(microsecond=0)
    factory_tick(factory_id=factory.pk, now=start)
    moment = start
    while moment < start + timedelta(hours=hours):
        moment += timedelta(hours=step_hours)
        factory_tick(factory_id=factory.pk, now=moment)
        if broker is not None:
            listen(broker, idle=0.4)
    return start, moment


def test_the_simulated_lines_publish_and_the_floor_is_built_from_what_arrives(broker, consumer, settings):
    settings.COSMO_FLOOR_SOURCE = "mqtt"
    orders = scheduled_orders(consumer, count=3, quantity=1)
    factory = Factory.objects.get(code="QD1")
    last_end = max(Operation.objects.values_list("planned_end", flat=True))
    hours = (last_end - clock.now()).total_seconds() / 3600 + 72
    _run_floor(factory, hours, 8, broker)
    # Every record came through the broker: the operations' actual times, good units, states, energy.
    assert not Operation.objects.filter(ended_at__isnull=True).exists()
    assert not Operation.objects.filter(good__isnull=True).exists()
    assert LineInterval.objects.filter(state="running").exists()
    assert sum(EnergyReading.objects.values_list("kwh", flat=True)) > 0
    assert LineFeed.objects.filter(last_seq__gt=0).count() == 3
    assert not TelemetryRefusal.objects.exists()
    for order in orders:
        order.refresh_from_db()
        assert order.stage == Stage.SHIPPED, order.stage


def test_a_line_played_by_hand_shows_on_the_floor_page_and_in_the_oee(broker, consumer, planner, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    scheduled_orders(consumer, count=3, quantity=1)
    line = Line.objects.get(factory__code="QD1", code="L3")
    out = StringIO()
    call_command("line_play", "QD1/L3", "reports", "on", stdout=out)
    op = Operation.objects.filter(line=line).order_by("planned_start").first()
    t0 = clock.now().replace(microsecond=0)
    at = lambda minutes: (t0 + timedelta(minutes=minutes)).isoformat()  # noqa: E731
    call_command("line_play", "QD1/L3", "state", "changeover", "--operation", str(op.pk), "--at", at(0), stdout=out)
    call_command("line_play", "QD1/L3", "start", str(op.pk), "--at", at(30), stdout=out)
    call_command("line_play", "QD1/L3", "state", "running", "--operation", str(op.pk), "--at", at(30), stdout=out)
    call_command("line_play", "QD1/L3", "energy", "12.5", "--at", at(31), stdout=out)
    assert "published seq 4" in out.getvalue()
    listen(broker)
    page = client_for(planner).get("/planner/QD1/floor/").content.decode()
    row = page[page.index('data-line="L3"'):]
    row = row[: row.index("</tr>")]
    assert "reports over MQTT" in row and 'data-state="running"' in row and op.job.number in row
    call_command("line_play", "QD1/L3", "finish", str(op.pk), "--good", "1", "--scrap", "1", "--at", at(90), stdout=out)
    call_command("line_play", "QD1/L3", "state", "idle", "--reason", "no work", "--at", at(90), stdout=out)
    listen(broker)
    op.refresh_from_db()
    assert (op.ended_at, op.good, op.scrap) == (t0 + timedelta(minutes=90), 1, 1)
    call_command("line_play", "QD1/L3", "state", "off", "--at", at(100), stdout=out)
    listen(broker)
    total, lines = factory_oee(Factory.objects.get(code="QD1"), t0, t0 + timedelta(minutes=120))
    l3 = next(o for o in lines if o.line == "L3")
    lost = l3.losses
    assert (l3.planned_busy, l3.run, lost["changeovers"], lost["other waits"]) == (100.0, 60.0, 30.0, 10.0)
    assert l3.availability == pytest.approx(60 / 100) and l3.quality == 0.5
    # Ideal time of the two units made (one scrapped) over the hour it ran.
    ideal_unit = float(op.minutes) / float(line.capabilities.get(family=op.job.order_line.family).speed)
    assert l3.performance == pytest.approx(2 * ideal_unit / 60)
    assert lost["scrap"] == pytest.approx(ideal_unit)
    # The simulation leaves a reporting line alone: its ticks write nothing for it.
    before = list(LineInterval.objects.filter(line=line).values_list("state", "start", "end"))
    factory = Factory.objects.get(code="QD1")
    factory_tick(factory_id=factory.pk, now=t0)
    factory_tick(factory_id=factory.pk, now=t0 + timedelta(hours=12))
    assert LineInterval.objects.exclude(line=line).exists()
    assert list(LineInterval.objects.filter(line=line).values_list("state", "start", "end")) == before
    assert not Operation.objects.filter(line=line, started_at__isnull=False).exclude(pk=op.pk).exists()


def test_line_play_refuses_bad_input_without_publishing(broker, world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    for args, message in [
        (["QD1/L9", "state", "running"], "no line"),
        (["QD1/L3", "state", "dancing"], "state: one of"),
        (["QD1/L3", "finish", "12"], "--good is required"),
        (["QD1/L3", "start", "x"], "whole number"),
        (["QD1/L3", "energy", "lots"], "meter reading"),
        (["QD1/L3", "state", "idle", "--at", "2026-12-02T08:00:00"], "time zone"),
        (["QD1/L3", "state", "idle", "--password", "wrong"], "refused"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("line_play", *args, stdout=StringIO())
    assert listen(broker).applied == 0


def test_oee_from_the_simulated_floor_on_the_page_and_the_api(consumer, planner):
    scheduled_orders(consumer, count=4, quantity=2)
    factory = Factory.objects.get(code="QD1")
    start, end = _run_floor(factory, 72, 6)
    total, lines = factory_oee(factory, start, end)
    assert total.produced >= total.good > 0
    assert 0 < total.availability <= 1 and 0 < total.performance <= 1.3 and 0 < total.quality <= 1
    assert total.oee == pytest.approx(total.availability * total.performance * total.quality)
    assert total.losses["changeovers"] > 0 and total.losses["minor stops"] > 0
    running = sum(
        (min(iv.end, end) - max(iv.start, start)).total_seconds() / 60
        for iv in LineInterval.objects.filter(state__in=["running", "stopped"], end__gt=start, start__lt=end)
    )
    assert total.run == pytest.approx(running)
    api = api_for(planner)
    body = api.get(f"/api/factories/QD1/oee/?from={start.isoformat()}&to={end.isoformat()}".replace("+", "%2B")).json()
    assert body["oee"] == pytest.approx(round(total.oee, 4)) and len(body["lines"]) == 3
    assert set(body["lost_minutes"]) >= {"breakdowns", "changeovers", "waiting for material", "minor stops", "scrap"}
    page = client_for(planner).get("/planner/QD1/floor/").content.decode()
    assert "OEE, last 24 hours" in page and "data-oee" in page


def test_the_oee_api_says_what_is_wrong_with_a_period(planner, consumer):
    api = api_for(planner)
    for query, field in [("from=yesterday", "from"), ("from=2026-12-05&to=2026-12-01", "to"), ("to=2026-13-01", "to"),
                         ("from=2020-01-01&to=2026-01-01", "to"), ("to=0001-01-02", "to")]:
        response = api.get(f"/api/factories/QD1/oee/?{query}")
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["field"] == field
    assert api.get("/api/factories/NOPE/oee/").status_code == 404
    assert api_for(consumer).get("/api/factories/QD1/oee/").status_code == 404
    assert api.get("/api/factories/QD1/oee/?from=2026-12-01&to=2026-12-02").status_code == 200
