"""The lines' telemetry in the order's lifecycle: each message from the broker is applied to the floor's
records (`production.telemetry`) and, in the same transaction, the orders move on from what it did (in
production, completed), as the simulated floor's tick does. `TelemetryListener` is the consumer that
`manage.py telemetry_listen` runs: a persistent MQTT session (fixed client id, QoS 1, acknowledged only
after the transaction committed), so a message is applied exactly once even across restarts of either side.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction

from cosmo import clock
from lifecycle.floor import orders_complete, orders_expect_from_plan, orders_ship, orders_start
from production import planning
from production.models import Factory
from production.mqtt import CONSUMER, client_connect
from production.telemetry import TOPIC_PREFIX, Applied, gaps_close, message_receive

log = logging.getLogger("cosmo.telemetry")

SUBSCRIPTION = f"{TOPIC_PREFIX}/+/+/events"


def _orders_move(applied: Applied) -> None:
    by_zone: dict[str, list] = {}
    for op in applied.started:
        by_zone.setdefault(op.job.factory.timezone, []).append(op)
    for zone, ops in by_zone.items():
        orders_start(ops, zone)
    if applied.jobs_done:
        zone = applied.ended[0].job.factory.timezone if applied.ended else "UTC"
        orders_complete(applied.jobs_done, zone)


def _plans_follow_ends(applied: Applied) -> None:
    """An operation that ran longer than planned now overlaps what was planned after it on its line, and the
    no-overlap constraint is checked at commit: its factory's plan follows in the same transaction."""
    factory_ids = sorted({op.line.factory_id for op in applied.ended})
    if not factory_ids:
        return
    now = clock.now().replace(microsecond=0)
    for factory in Factory.objects.select_for_update().filter(pk__in=factory_ids).order_by("pk"):
        planning.schedule_follow(factory=factory, now=now)


def telemetry_receive(topic: str, payload: bytes | str) -> Applied:
    """Apply one message and move the orders on from it, in one transaction."""
    with transaction.atomic():
        applied = message_receive(topic, payload)
        _plans_follow_ends(applied)
        _orders_move(applied)
    return applied


def telemetry_gaps_close() -> Applied:
    with transaction.atomic():
        applied = gaps_close()
        _plans_follow_ends(applied)
        _orders_move(applied)
    return applied


def floor_follow(factory_codes: set[str]) -> None:
    """After messages were applied: the plan follows the floor, the expected dates the plan, and orders
    whose shipping time has passed ship."""
    now = clock.now().replace(microsecond=0)
    for factory in Factory.objects.filter(code__in=factory_codes).order_by("pk"):
        with transaction.atomic():
            Factory.objects.select_for_update().get(pk=factory.pk)
            planning.schedule_follow(factory=factory, now=now)
            orders_expect_from_plan(factory)
            orders_ship(now=now)


class TelemetryListener:
    """Cosmo's consumer of every line's events."""

    def __init__(self, *, client_id: str = CONSUMER, gap_check_seconds: float = 5.0):
        self.totals = Applied()
        self.touched: set[str] = set()
        self.gap_check_seconds = gap_check_seconds
        self.client = client_connect(CONSUMER, client_id=client_id, persistent=True)
        self.client.on_message = self._on_message
        self.client.subscribe(SUBSCRIPTION, qos=1)
        self.last_message = time.monotonic()

    def _on_message(self, client, userdata, message) -> None:
        applied = telemetry_receive(message.topic, message.payload)
        # Acknowledged only once the transaction committed: a crash before it makes the broker send it again.
        client.ack(message.mid, message.qos)
        self.totals.add(applied)
        self.last_message = time.monotonic()
        if applied.applied:
            self.touched.add(message.topic.split("/")[1])

    def run(self, *, seconds: float | None = None, idle: float | None = None) -> Applied:
        """Take messages for `seconds` (None: for ever), or until none came for `idle` seconds."""
        start = last_gap_check = time.monotonic()
        self.last_message = start
        while True:
            self.client.loop(0.1)
            now = time.monotonic()
            if now - last_gap_check >= self.gap_check_seconds:
                last_gap_check = now
                applied = telemetry_gaps_close()
                self.totals.add(applied)
                if applied.applied:
                    self.touched.update(op.job.factory.code for op in applied.started + applied.ended)
            if self.touched and now - self.last_message > 0.3:
                floor_follow(self.touched)
                self.touched = set()
            if seconds is not None and now - start >= seconds:
                break
            if idle is not None and now - self.last_message >= idle:
                break
        if self.touched:
            floor_follow(self.touched)
            self.touched = set()
        return self.totals

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop(0.1)
