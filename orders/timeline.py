"""The order timeline: what happened to an order, in words the consumer reads (translated when shown)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string

from cosmo import clock
from orders.models import TimelineEntry


def orders_time_zones(orders) -> dict[int, ZoneInfo]:
    """Order id → the time zone the consumer reads the order's times in: the factory's that makes it
    (production answers through COSMO_ORDER_TIME_ZONES), like the times written in the timeline's texts."""
    path = getattr(settings, "COSMO_ORDER_TIME_ZONES", "")
    zones = import_string(path)([order.pk for order in orders]) if path else {}
    return {order.pk: ZoneInfo(zones.get(order.pk, settings.TIME_ZONE)) for order in orders}


def timeline_entry(*, order, event: str, happened_at=None, actor=None, **params) -> TimelineEntry:
    """One entry (unsaved) for the order's timeline, in the order's current stage, at the factory clock's
    now or, for what the factory reports after the fact, when it happened (``happened_at``) but never before
    the entry the order already has last, so the timeline reads in the order things happened. `actor` names
    the person who acted, when a person did."""
    at = clock.now()
    if happened_at is not None:
        last = TimelineEntry.objects.filter(order=order).order_by("-at").values_list("at", flat=True).first()
        at = min(at, max(happened_at, last or happened_at))
    person = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return TimelineEntry(order=order, at=at, stage=order.stage, event=event, params=params, actor=person)


def timeline_add(*, order, event: str, happened_at=None, actor=None, **params) -> TimelineEntry:
    """Write one entry on the order's timeline (see `timeline_entry`)."""
    entry = timeline_entry(order=order, event=event, happened_at=happened_at, actor=actor, **params)
    entry.save(force_insert=True)
    return entry


def timelines_add(entries: list[tuple]) -> None:
    """Write many entries at once: (order, event, params) each, like `timeline_add` at the clock's now, in one
    insert."""
    at = clock.now()
    TimelineEntry.objects.bulk_create(
        TimelineEntry(order=order, at=at, stage=order.stage, event=event, params=params)
        for order, event, params in entries
    )


def orders_waiting_on(orders) -> dict[int, list[str]]:
    """Order id → what the order waits for from its suppliers, in words (`COSMO_ORDERS_WAITING_ON`)."""
    path = getattr(settings, "COSMO_ORDERS_WAITING_ON", "")
    return import_string(path)([order.pk for order in orders]) if path else {}
