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


def timeline_add(*, order, event: str, **params):
    """Write one entry on the order's timeline, at the factory clock's now, in the order's current stage."""
    return TimelineEntry.objects.create(order=order, at=clock.now(), stage=order.stage, event=event, params=params)


def orders_waiting_on(orders) -> dict[int, list[str]]:
    """Order id → what the order waits for from its suppliers, in words (`COSMO_ORDERS_WAITING_ON`)."""
    path = getattr(settings, "COSMO_ORDERS_WAITING_ON", "")
    return import_string(path)([order.pk for order in orders]) if path else {}
