"""When an order will reach the consumer: the one definition of its expected delivery date and of
"at risk".

- The expected delivery date is the day, in the time zone of the factory that makes it, on which the
  order arrives when its last job finishes at `finish`: that finish plus the shipping time.
- An order is at risk when the date Cosmo now expects is later than the date it promised.

Every workflow that learns something about when an order will be done (the first placement, a new plan,
the floor, a part arriving late) writes it through `orders_expect`, so the date and the flag never disagree.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from orders.models import Order


def shipping_time(days: int | None = None) -> timedelta:
    """The time on the way: a shipping lane's days, or COSMO_SHIPPING_DAYS when there is none."""
    return timedelta(days=settings.COSMO_SHIPPING_DAYS if days is None else days)


def expected_date(finish: datetime, time_zone: str, shipping_days: int | None = None) -> date:
    """The delivery date of an order whose last job finishes at `finish`, in the factory's time zone."""
    return arrival_date(finish + shipping_time(shipping_days), time_zone)


def arrival_date(arrival: datetime, time_zone: str) -> date:
    """The day, in the factory's time zone, of an arrival."""
    return arrival.astimezone(ZoneInfo(time_zone)).date()


def is_at_risk(expected: date | None, promised: date | None) -> bool:
    return expected is not None and promised is not None and expected > promised


def orders_expect(expected: dict[int, date]) -> list[int]:
    """Write each order's expected delivery date and its at-risk flag; return the ids that changed.

    Only rows whose values move are written (an unchanged row rewritten is a dead row to vacuum)."""
    changed = defaultdict(list)  # (date, at risk) → the orders that move to it: one update each
    rows = Order.objects.filter(pk__in=list(expected)).values_list("pk", "promised_date", "expected_date", "at_risk")
    for order_id, promised, was_expected, was_at_risk in rows:
        new = expected[order_id]
        risk = is_at_risk(new, promised)
        if (new, risk) != (was_expected, was_at_risk):
            changed[(new, risk)].append(order_id)
    for (new, risk), order_ids in changed.items():
        Order.objects.filter(pk__in=order_ids).update(expected_date=new, at_risk=risk)
    return sorted(order_id for order_ids in changed.values() for order_id in order_ids)


def orders_delay(delays: dict[int, timedelta]) -> list[int]:
    """Orders that will be at least `delay` later than promised (a part arrives that much after it is
    needed): each expects its delivery no earlier than the promise moved by the delay, in whole days."""
    expected = {}
    for order_id, promised, was_expected in Order.objects.filter(pk__in=list(delays)).values_list(
        "pk", "promised_date", "expected_date"
    ):
        if promised is None:
            continue  # nothing was promised yet: the first placement will say when
        days = -(-delays[order_id] // timedelta(days=1))
        expected[order_id] = max(was_expected or promised, promised + timedelta(days=max(days, 1)))
    return orders_expect(expected)


def orders_unexpectable(order_ids: set[int]) -> None:
    """Orders for which no delivery date can be expected at all (a part no supplier offers): at risk."""
    Order.objects.filter(pk__in=order_ids, at_risk=False).update(at_risk=True)
