"""The order timeline: what happened to an order, in words the consumer reads (translated when shown)."""

from django.utils.translation import gettext as _

from cosmo import clock

EVENTS = {
    "placed": lambda p: _("Order placed: %(lines)s item(s), %(total)s %(currency)s.") % p,
    "planned": lambda p: _("Bill of materials and routing prepared: %(parts)s part(s), %(operations)s operation(s).")
    % p,
    "materials_reserved": lambda p: _("Materials reserved from stock: %(parts)s part(s).") % p,
    "materials_ordered": lambda p: _("Parts ordered from %(supplier)s on purchase order %(po)s.") % p,
    "scheduled": lambda p: _("Production scheduled on %(lines)s, finishing %(end)s.") % p,
    "po_confirmed": lambda p: _("%(supplier)s confirmed the parts of purchase order %(po)s.") % p,
    "cancelled": lambda p: _("Order cancelled.") % p,
}


def describe(event: str, params: dict) -> str:
    maker = EVENTS.get(event)
    if maker is None:
        return event
    try:
        return maker(params)
    except (KeyError, TypeError, ValueError):
        return event


def timeline_add(*, order, event: str, **params):
    """Write one entry on the order's timeline, at the factory clock's now, in the order's current stage."""
    from orders.models import TimelineEntry

    return TimelineEntry.objects.create(order=order, at=clock.now(), stage=order.stage, event=event, params=params)
