"""Line telemetry: the events a line reports over MQTT and how they become the floor's records.

Topic: ``cosmo/<factory code>/<line code>/events``, one topic per line. Payload: one JSON object per
message (UTF-8, at most 4 KiB)::

    {"v": 1, "factory": "QD1", "line": "L1", "seq": 42, "at": "2026-12-02T08:15:00+00:00",
     "type": "state", "state": "down", "reason": "failure"}

- ``seq``: the line's sequence number, 1, 2, 3... with no gaps; each number is applied once.
- ``at``: when it happened, ISO 8601 with a time zone, never before the line's previous event.
- ``type`` and its fields:
  - ``state``: ``state`` one of running, changeover, idle, stopped (a minor stop), standby, down, off;
    ``reason`` (optional, up to 24 characters: for idle material, upstream, no work or restart; for down
    failure or outage); ``operation`` (optional): the operation in hand.
  - ``op_started``: ``operation`` (its id in Cosmo).
  - ``op_finished``: ``operation``, ``good`` and ``scrap`` (whole units made well and scrapped).
  - ``energy``: ``meter_kwh``, the line's energy meter reading (never decreasing).

Applying (``message_receive``), under the line feed's row lock in one transaction: a message whose
``seq`` is the next one is applied, then any held messages that follow it; a later one is held until the
gap fills (``gaps_close`` gives up on a gap after ``COSMO_TELEMETRY_GAP_SECONDS`` and applies what
follows); an earlier one is a duplicate and dropped. A message that is malformed, names another factory or
line than its topic, or does not fit the records (an unknown operation, a time going backwards) is
refused: a ``TelemetryRefusal`` row and a log line, nothing applied (a refused message with a valid
``seq`` still uses up its number, so the line's later messages are not held behind it).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from production.models import (
    Breakdown,
    EnergyReading,
    HeldMessage,
    Job,
    Line,
    LineCapability,
    LineFeed,
    LineInterval,
    Operation,
    TelemetryRefusal,
)
from production.simulation.model import DOWN, STATES

log = logging.getLogger("cosmo.telemetry")

TOPIC_PREFIX = "cosmo"
MAX_PAYLOAD = 4096
EVENT_TYPES = ("state", "op_started", "op_finished", "energy")


def topic_for(factory_code: str, line_code: str) -> str:
    return f"{TOPIC_PREFIX}/{factory_code}/{line_code}/events"


class Refused(Exception):
    """A message Cosmo will not apply; the text says why."""


@dataclass(frozen=True)
class Event:
    factory: str
    line: str
    seq: int
    at: datetime
    type: str
    fields: dict


@dataclass
class Applied:
    """What applying messages did: operations started and ended, jobs done (for the order's lifecycle)."""

    started: list[Operation] = field(default_factory=list)
    ended: list[Operation] = field(default_factory=list)
    jobs_done: list[int] = field(default_factory=list)
    applied: int = 0
    held: int = 0
    duplicates: int = 0
    refused: int = 0

    def add(self, other: Applied) -> None:
        self.started += other.started
        self.ended += other.ended
        self.jobs_done += other.jobs_done
        self.applied += other.applied
        self.held += other.held
        self.duplicates += other.duplicates
        self.refused += other.refused


def _int(data: dict, name: str, *, minimum: int = 0) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise Refused(f"{name}: a whole number >= {minimum} is required")
    return value


def _text(data: dict, name: str, *, limit: int, required: bool = True) -> str:
    value = data.get(name, None if required else "")
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise Refused(f"{name}: {'a' if required else 'an optional'} text of at most {limit} characters is required")
    return value


def topic_parse(topic: str) -> tuple[str, str]:
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != TOPIC_PREFIX or parts[3] != "events" or not parts[1] or not parts[2]:
        raise Refused(f"topic {topic!r} is not {TOPIC_PREFIX}/<factory>/<line>/events")
    return parts[1], parts[2]


def event_parse(topic: str, payload: bytes | str | dict) -> Event:
    """The event of one message, checked against its topic; Refused with the reason otherwise."""
    factory, line = topic_parse(topic)
    if isinstance(payload, dict):
        data = payload
    else:
        if len(payload) > MAX_PAYLOAD:
            raise Refused(f"payload: larger than {MAX_PAYLOAD} bytes")
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused(f"payload: not JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise Refused("payload: a JSON object is required")
    if data.get("v") != 1:
        raise Refused("v: version 1 is required")
    if data.get("factory") != factory or data.get("line") != line:
        raise Refused(f"factory/line: the message names {data.get('factory')!r}/{data.get('line')!r}, its topic {factory}/{line}")
    seq = _int(data, "seq", minimum=1)
    try:
        at = datetime.fromisoformat(_text(data, "at", limit=40))
    except ValueError:
        raise Refused("at: an ISO 8601 date-time is required") from None
    if timezone.is_naive(at):
        raise Refused("at: a time zone is required")
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        raise Refused(f"type: one of {', '.join(EVENT_TYPES)} is required")
    fields: dict = {}
    if kind == "state":
        fields["state"] = data.get("state")
        if fields["state"] not in STATES:
            raise Refused(f"state: one of {', '.join(STATES)} is required")
        fields["reason"] = _text(data, "reason", limit=24, required=False)
        fields["operation"] = _int(data, "operation", minimum=1) if data.get("operation") is not None else None
    elif kind == "op_started":
        fields["operation"] = _int(data, "operation", minimum=1)
    elif kind == "op_finished":
        fields["operation"] = _int(data, "operation", minimum=1)
        fields["good"] = _int(data, "good")
        fields["scrap"] = _int(data, "scrap")
    else:
        meter = data.get("meter_kwh")
        if not isinstance(meter, (int, float)) or isinstance(meter, bool) or not math.isfinite(meter) or meter < 0:
            raise Refused("meter_kwh: a finite number >= 0 is required")
        fields["meter_kwh"] = float(meter)
    return Event(factory=factory, line=line, seq=seq, at=at, type=kind, fields=fields)


def refusal_log(topic: str, payload, reason: str, *, line: Line | None = None, seq: int | None = None) -> None:
    text = payload if isinstance(payload, str) else (
        json.dumps(payload) if isinstance(payload, dict) else bytes(payload).decode("utf-8", "replace")
    )
    TelemetryRefusal.objects.create(topic=topic[:200], line=line, seq=seq, payload=text[:MAX_PAYLOAD], reason=reason[:200])
    log.warning("telemetry refused on %s (seq %s): %s", topic, seq, reason)


def message_receive(topic: str, payload: bytes | str) -> Applied:
    """Take one message off the broker: apply it (and what it unblocks), hold it, drop it as a duplicate, or
    refuse it. One transaction; safe to call again with the same message."""
    result = Applied()
    with transaction.atomic():
        try:
            event = event_parse(topic, payload)
        except Refused as exc:
            refusal_log(topic, payload, str(exc))
            result.refused += 1
            return result
        line = Line.objects.filter(factory__code=event.factory, code=event.line).first()
        if line is None:
            refusal_log(topic, payload, f"line: {event.factory}/{event.line} is not a line of Cosmo")
            result.refused += 1
            return result
        LineFeed.objects.get_or_create(line=line)
        feed = LineFeed.objects.select_for_update().get(line=line)
        if event.seq <= feed.last_seq:
            result.duplicates += 1
            return result
        if event.seq > feed.last_seq + 1:
            _, created = HeldMessage.objects.get_or_create(
                line=line, seq=event.seq, defaults={"payload": json.loads(payload) if not isinstance(payload, dict) else payload}
            )
            result.held += 1 if created else 0
            result.duplicates += 0 if created else 1
            return result
        result.add(_apply_in_turn(feed, event, topic, payload))
    return result


def _apply_in_turn(feed: LineFeed, event: Event, topic: str, payload) -> Applied:
    """Apply the event whose turn it is, then every held one that follows without a gap."""
    result = Applied()
    while True:
        _apply_or_refuse(feed, event, topic, payload, result)
        held = HeldMessage.objects.filter(line=feed.line, seq=feed.last_seq + 1).first()
        if held is None:
            break
        held.delete()
        try:
            event = event_parse(topic, held.payload)
        except Refused as exc:  # held messages were parsed before; kept for safety
            refusal_log(topic, held.payload, str(exc), line=feed.line, seq=held.seq)
            feed.last_seq = held.seq
            continue
        payload = held.payload
    HeldMessage.objects.filter(line=feed.line, seq__lte=feed.last_seq).delete()
    feed.save()
    return result


def _apply_or_refuse(feed: LineFeed, event: Event, topic: str, payload, result: Applied) -> None:
    feed.last_seq = event.seq
    try:
        with transaction.atomic():
            _apply(feed, event, result)
        result.applied += 1
    except Refused as exc:
        refusal_log(topic, payload, str(exc), line=feed.line, seq=event.seq)
        result.refused += 1


def gaps_close(*, now: datetime | None = None) -> Applied:
    """Give up on gaps older than COSMO_TELEMETRY_GAP_SECONDS: log the missing numbers and apply what
    was held after them."""
    now = now or timezone.now()
    result = Applied()
    limit = now - timedelta(seconds=settings.COSMO_TELEMETRY_GAP_SECONDS)
    stale = set(HeldMessage.objects.filter(received_at__lte=limit).values_list("line_id", flat=True))
    for line_id in sorted(stale):
        with transaction.atomic():
            feed = LineFeed.objects.select_for_update().select_related("line__factory").get(line_id=line_id)
            first = HeldMessage.objects.filter(line_id=line_id, seq__gt=feed.last_seq).order_by("seq").first()
            if first is None:
                continue
            topic = topic_for(feed.line.factory.code, feed.line.code)
            refusal_log(
                topic, "", f"seq {feed.last_seq + 1}..{first.seq - 1} never arrived; applying from {first.seq}",
                line=feed.line, seq=feed.last_seq + 1,
            )
            first.delete()
            event = event_parse(topic, first.payload)
            feed.last_seq = first.seq - 1
            result.add(_apply_in_turn(feed, event, topic, first.payload))
    return result


# ---- applying one event to the floor's records -----------------------------------------------------


def _apply(feed: LineFeed, event: Event, result: Applied) -> None:
    if feed.since is not None and event.at < feed.since:
        raise Refused(f"at: {event.at.isoformat()} is before the line's previous event ({feed.since.isoformat()})")
    handler = {"state": _state, "op_started": _op_started, "op_finished": _op_finished, "energy": _energy}
    handler[event.type](feed, event, result)
    feed.applied_at = timezone.now()


def _operation(feed: LineFeed, op_id: int) -> Operation:
    op = (
        Operation.objects.select_related("job__order_line__order", "line")
        .filter(pk=op_id, job__factory_id=feed.line.factory_id)
        .first()
    )
    if op is None:
        raise Refused(f"operation: {op_id} is not an operation of factory {feed.line.factory.code}")
    return op


def _close_interval(feed: LineFeed, at: datetime) -> None:
    """The line's reported state up to `at` becomes a state interval."""
    if not feed.state or feed.since is None or at <= feed.since:
        return
    last = LineInterval.objects.filter(line=feed.line, end=feed.since).order_by("-start").first()
    same = last is not None and (last.state, last.operation_id, last.reason) == (feed.state, feed.operation_id, feed.reason)
    if same:
        last.end = at
        last.save(update_fields=["end"])
    else:
        LineInterval.objects.create(
            line=feed.line, state=feed.state, start=feed.since, end=at, operation_id=feed.operation_id, reason=feed.reason
        )
    feed.since = at


def _not_elsewhere(feed: LineFeed, op: Operation) -> Operation:
    """An operation that has started on another line is that line's to report."""
    if op.started_at is not None and op.line_id != feed.line.pk:
        raise Refused(f"operation: {op.pk} runs on another line")
    return op


def _state(feed: LineFeed, event: Event, result: Applied) -> None:
    f = event.fields
    operation = _not_elsewhere(feed, _operation(feed, f["operation"])) if f["operation"] is not None else None
    _close_interval(feed, event.at)
    if feed.state == DOWN and feed.down_since is not None and (f["state"] != DOWN or f["reason"] != feed.down_cause):
        if event.at > feed.down_since:
            Breakdown.objects.get_or_create(
                line=feed.line, start=feed.down_since, defaults={"end": event.at, "cause": feed.down_cause or "failure"}
            )
        feed.down_since, feed.down_cause = None, ""
    if f["state"] == DOWN and feed.down_since is None:
        feed.down_since, feed.down_cause = event.at, f["reason"] or "failure"
    feed.state, feed.reason, feed.operation = f["state"], f["reason"], operation
    feed.since = event.at


def _op_started(feed: LineFeed, event: Event, result: Applied) -> None:
    op = _not_elsewhere(feed, _operation(feed, event.fields["operation"]))
    if op.ended_at is not None:
        raise Refused(f"operation: {op.pk} has already ended")
    family = op.job.order_line.family_id
    if op.started_at is None and not LineCapability.objects.filter(line=feed.line, family_id=family).exists():
        raise Refused(f"operation: line {feed.line.code} cannot make {op.job.order_line.family.code}")
    if op.started_at is None:
        op.started_at = event.at
        op.line = feed.line
        op.save(update_fields=["started_at", "line"])
        Job.objects.filter(pk=op.job_id, status=Job.Status.SCHEDULED).update(status=Job.Status.IN_PRODUCTION)
        result.started.append(op)
    _close_interval(feed, event.at)
    feed.since = event.at


def _op_finished(feed: LineFeed, event: Event, result: Applied) -> None:
    op = _operation(feed, event.fields["operation"])
    if op.started_at is None:
        raise Refused(f"operation: {op.pk} has not started")
    if op.line_id != feed.line.pk:
        raise Refused(f"operation: {op.pk} runs on another line")
    if op.ended_at is not None:
        raise Refused(f"operation: {op.pk} has already ended")
    if event.at <= op.started_at:
        raise Refused("at: an operation ends after it starts")
    op.ended_at = event.at
    op.good, op.scrap = event.fields["good"], event.fields["scrap"]
    op.planned_start, op.planned_end = op.started_at, op.ended_at
    op.save(update_fields=["ended_at", "good", "scrap", "planned_start", "planned_end"])
    result.ended.append(op)
    if not Operation.objects.filter(job_id=op.job_id, ended_at__isnull=True).exists():
        if Job.objects.filter(pk=op.job_id).exclude(status=Job.Status.DONE).update(status=Job.Status.DONE):
            result.jobs_done.append(op.job_id)
    _close_interval(feed, event.at)
    feed.since = event.at


def _energy(feed: LineFeed, event: Event, result: Applied) -> None:
    meter = event.fields["meter_kwh"]
    if feed.meter_kwh is not None and meter < feed.meter_kwh:
        raise Refused(f"meter_kwh: {meter} is below the previous reading {feed.meter_kwh}")
    if feed.meter_kwh is not None and meter > feed.meter_kwh:
        EnergyReading.objects.create(line=feed.line, at=event.at, kwh=meter - feed.meter_kwh)
    feed.meter_kwh = meter
    _close_interval(feed, event.at)
    feed.since = event.at
