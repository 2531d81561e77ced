"""Lines reporting over MQTT, through a real Mosquitto broker of the test session's own (its own port,
password file, ACL and persistence): every event applied exactly once, in sequence, across duplicates,
messages out of order, a consumer away and a broker restart; a line can speak only for itself; a
malformed message is refused and logged and changes nothing."""

import json
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest

from cosmo import clock
from lifecycle.telemetry import TelemetryListener
from orders.models import Stage
from production.models import (
    Breakdown,
    EnergyReading,
    HeldMessage,
    Job,
    Line,
    LineFeed,
    LineInterval,
    Operation,
    TelemetryRefusal,
)
from production.telemetry import topic_for
from tests.broker import LineClient, listen
from tests.ordering import scheduled_orders


def _records():
    return (
        sorted(Operation.objects.values_list("pk", "started_at", "ended_at", "good", "scrap")),
        sorted(LineInterval.objects.values_list("line", "state", "reason", "start", "end", "operation")),
        sorted(Breakdown.objects.values_list("line", "start", "end", "cause")),
        sorted(EnergyReading.objects.values_list("line", "at", "kwh")),
        sorted(LineFeed.objects.values_list("line", "last_seq", "state", "meter_kwh")),
    )


def _a_day(line_client, op, t0):
    """One line's day: it starts the operation, breaks down, is repaired, finishes with a scrap, meters."""
    m = line_client.message
    return [
        m(t0, "state", state="changeover", operation=op.pk),
        m(t0 + timedelta(minutes=20), "op_started", operation=op.pk),
        m(t0 + timedelta(minutes=20), "state", state="running", operation=op.pk),
        m(t0 + timedelta(minutes=50), "state", state="down", reason="failure"),
        m(t0 + timedelta(minutes=80), "state", state="running", operation=op.pk),
        m(t0 + timedelta(minutes=81), "energy", meter_kwh=100.0),
        m(t0 + timedelta(minutes=140), "op_finished", operation=op.pk, good=1, scrap=1),
        m(t0 + timedelta(minutes=140), "state", state="idle", reason="no work"),
        m(t0 + timedelta(minutes=141), "energy", meter_kwh=160.5),
    ]


def _first_operation(consumer):
    [order] = scheduled_orders(consumer, count=1, quantity=1)
    op = Operation.objects.filter(job__order_line__order=order).order_by("sequence").first()
    return order, op


def test_a_line_reports_its_day_and_the_floor_records_it_once_whatever_the_broker_repeats(broker, consumer):
    order, op = _first_operation(consumer)
    line = op.line
    reporter = LineClient(line)
    t0 = (clock.now() - timedelta(hours=3)).replace(microsecond=0)  # a line reports what already happened
    day = _a_day(reporter, op, t0)
    # Out of order, with duplicates: the consumer holds what came early and drops what it has applied.
    reporter.send(day[3:6] + day[:4] + day[6:] + day[1:3])
    totals = listen(broker)
    assert totals.applied == len(day) and totals.refused == 0
    op.refresh_from_db()
    assert (op.started_at, op.ended_at, op.good, op.scrap) == (t0 + timedelta(minutes=20), t0 + timedelta(minutes=140), 1, 1)
    assert op.line == line
    assert list(Breakdown.objects.filter(line=line).values_list("start", "end", "cause")) == [
        (t0 + timedelta(minutes=50), t0 + timedelta(minutes=80), "failure")
    ]
    running = LineInterval.objects.filter(line=line, state="running")
    assert sum(((iv.end - iv.start) for iv in running), timedelta()) == timedelta(minutes=90)
    assert [e.kwh for e in EnergyReading.objects.filter(line=line)] == [60.5]
    assert LineFeed.objects.get(line=line).last_seq == len(day) and not HeldMessage.objects.exists()
    order.refresh_from_db()
    assert order.stage in (Stage.IN_PRODUCTION, Stage.COMPLETED)
    assert "operation_started" in set(order.timeline.values_list("event", flat=True))
    # The same messages again (a line resending after a lost acknowledgement): nothing changes.
    before = _records()
    reporter.send(day)
    again = listen(broker)
    assert again.applied == 0 and again.duplicates == len(day)
    assert _records() == before


def test_nothing_is_lost_while_the_consumer_is_away_and_the_broker_restarts(broker, consumer):
    _order, op = _first_operation(consumer)
    reporter = LineClient(op.line)
    t0 = (clock.now() - timedelta(hours=3)).replace(microsecond=0)  # a line reports what already happened
    day = _a_day(reporter, op, t0)
    reporter.send(day[:5])
    broker.restart()
    reporter.send(day[5:])
    totals = listen(broker)
    assert totals.applied == len(day)
    op.refresh_from_db()
    assert op.ended_at == t0 + timedelta(minutes=140)
    assert Breakdown.objects.filter(line=op.line).count() == 1


def test_a_line_cannot_speak_for_another_line(broker, consumer):
    _order, op = _first_operation(consumer)
    other = Line.objects.exclude(pk=op.line_id).filter(factory=op.line.factory).first()
    impostor = LineClient(other)
    t0 = clock.now().replace(microsecond=0)
    # Its own credentials on the other line's topic: the broker refuses the publication.
    topic, payload = LineClient(op.line).message(t0, "op_started", operation=op.pk)
    from production.mqtt import Refused

    with pytest.raises(Refused, match="Not authorized"):
        impostor.send([(topic, payload)])
    # A wrong password cannot connect at all.
    with pytest.raises(ConnectionError):
        LineClient(op.line, password="not-its-password").send([(topic, payload)])
    # On its own topic, a message naming the other line is refused by Cosmo and logged.
    own_topic = topic_for(other.factory.code, other.code)
    impostor.send([(own_topic, payload)])
    totals = listen(broker)
    assert totals.applied == 0 and totals.refused == 1
    op.refresh_from_db()
    assert op.started_at is None
    refusal = TelemetryRefusal.objects.get()
    assert refusal.topic == own_topic and "factory/line" in refusal.reason


def test_an_operation_running_on_one_line_cannot_be_reported_by_another(broker, consumer):
    _order, op = _first_operation(consumer)
    other = Line.objects.exclude(pk=op.line_id).filter(factory=op.line.factory).first()
    t0 = clock.now().replace(microsecond=0)
    LineClient(op.line).send([LineClient(op.line).message(t0, "op_started", operation=op.pk)])
    assert listen(broker).applied == 1
    m = LineClient(other).message
    LineClient(other).send([
        m(t0 + timedelta(minutes=5), "op_started", operation=op.pk),
        m(t0 + timedelta(minutes=6), "state", state="running", operation=op.pk),
        m(t0 + timedelta(minutes=30), "op_finished", operation=op.pk, good=1, scrap=0),
    ])  # fmt: skip
    totals = listen(broker)
    assert totals.applied == 0 and totals.refused == 3
    op.refresh_from_db()
    assert (op.line_id, op.started_at, op.ended_at) == (op.line_id, t0, None)
    assert not LineInterval.objects.filter(line=other).exists()
    assert set(TelemetryRefusal.objects.values_list("reason", flat=True)) == {f"operation: {op.pk} runs on another line"}


MALFORMED = [
    b"not json",
    b"[1, 2]",
    b"\xff\xfe",
    json.dumps({"v": 2}).encode(),
    b"{}",
]


def test_malformed_messages_are_refused_and_logged_and_change_nothing(broker, consumer):
    _order, op = _first_operation(consumer)
    reporter = LineClient(op.line)
    t0 = clock.now().replace(microsecond=0)
    topic = topic_for(op.line.factory.code, op.line.code)

    def bad(**changes):
        payload = json.loads(reporter.message(t0, "op_started", seq=1, operation=op.pk)[1])
        payload.update(changes)
        return topic, json.dumps({k: v for k, v in payload.items() if v is not ...}).encode()

    messages = [(topic, raw) for raw in MALFORMED] + [
        bad(seq=0),
        bad(seq="1"),
        bad(seq=...),
        bad(at="yesterday"),
        bad(at="2026-12-02T08:00:00"),  # no time zone
        bad(type="explode"),
        bad(operation=-3),
        bad(type="state", state="dancing"),
        bad(type="state", state="down", reason="x" * 200),
        bad(type="op_finished", good=-1, scrap=0),
        bad(type="energy", meter_kwh="lots"),
        bad(type="energy", meter_kwh=float("nan")) if False else bad(type="energy", meter_kwh=-1),
    ]
    before = _records()
    reporter.send(messages)
    totals = listen(broker)
    assert totals.refused == len(messages) and totals.applied == 0
    assert TelemetryRefusal.objects.count() == len(messages)
    assert _records() == before
    # A well-formed message that does not fit the records (an operation not yet started cannot finish)
    # is refused too, uses up its number, and the line's next message applies.
    reporter.send([
        reporter.message(t0, "op_finished", operation=op.pk, good=1, scrap=0),
        reporter.message(t0 + timedelta(minutes=1), "op_started", operation=op.pk),
    ])
    totals = listen(broker)
    assert (totals.refused, totals.applied) == (1, 1)
    op.refresh_from_db()
    assert op.started_at == t0 + timedelta(minutes=1) and op.ended_at is None


def test_a_gap_that_never_fills_is_given_up_after_the_wait(broker, consumer, settings):
    _order, op = _first_operation(consumer)
    reporter = LineClient(op.line)
    t0 = clock.now().replace(microsecond=0)
    lost = reporter.message(t0, "state", state="idle", reason="material")
    started = reporter.message(t0 + timedelta(minutes=5), "op_started", operation=op.pk)
    reporter.send([started])
    listen(broker)
    op.refresh_from_db()
    assert op.started_at is None and HeldMessage.objects.count() == 1
    settings.COSMO_TELEMETRY_GAP_SECONDS = 0
    listener = TelemetryListener(client_id=broker.client_id, gap_check_seconds=0.1)
    try:
        listener.run(seconds=0.5)
    finally:
        listener.close()
    op.refresh_from_db()
    assert op.started_at == t0 + timedelta(minutes=5)
    assert "never arrived" in TelemetryRefusal.objects.get().reason
    # The lost one turning up late is a duplicate now.
    reporter.send([lost])
    assert listen(broker).duplicates == 1


def test_job_done_and_order_completed_from_reported_ends(broker, consumer):
    order, _op = _first_operation(consumer)
    t0 = clock.now().replace(microsecond=0)
    clients: dict[int, LineClient] = {}
    messages = []
    t = t0
    for op in Operation.objects.filter(job__order_line__order=order).order_by("sequence"):
        c = clients.setdefault(op.line_id, LineClient(op.line))
        messages.append((c, c.message(t, "op_started", operation=op.pk)))
        t += timedelta(minutes=30)
        messages.append((c, c.message(t, "op_finished", operation=op.pk, good=1, scrap=0)))
    for c in clients.values():
        c.send([m for owner, m in messages if owner is c])
    listen(broker)
    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert Job.objects.get(order_line__order=order).status == Job.Status.DONE


def test_the_mqtt_client_really_is_paho_2():
    assert mqtt.CallbackAPIVersion.VERSION2
