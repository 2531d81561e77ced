"""What each timeline event says to the consumer, in words (translated when shown).

Plain data and one function: the order models use it to render an entry, without importing the timeline's
writer."""

from django.utils.translation import gettext as _

EVENTS = {
    "placed": lambda p: _("Order placed: %(lines)s item(s), %(total)s %(currency)s.") % p,
    "planned": lambda p: _("Bill of materials and routing prepared: %(parts)s part(s), %(operations)s operation(s).")
    % p,
    "materials_reserved": lambda p: _("Materials reserved from stock: %(parts)s part(s).") % p,
    "materials_on_order": lambda p: _("Parts taken from purchase order %(po)s, already on order.") % p,
    "materials_ordered": lambda p: (
        _("Parts ordered from %(supplier)s on purchase order %(po)s, expected %(date)s.")
        if "date" in p
        else _("Parts ordered from %(supplier)s on purchase order %(po)s.")
    )
    % p,
    "line_confirmed": lambda p: _("%(supplier)s confirmed %(quantity)s %(unit)s of %(part)s (purchase order %(po)s) "
                                  "for %(date)s.") % p,
    "line_rejected": lambda p: _("%(supplier)s declined %(part)s on purchase order %(po)s: %(reason)s") % p,
    "resourced": lambda p: _("%(part)s re-sourced from %(supplier)s on purchase order %(po)s, expected %(date)s.")
    % p,
    "parts_shipped": lambda p: _("Parts on their way: %(supplier)s shipped %(parts)s (shipment %(shipment)s), "
                                 "arriving %(date)s.") % p,
    "parts_received": lambda p: _("Parts received from shipment %(shipment)s: %(parts)s.") % p,
    "materials_in": lambda p: _("All parts are in; production is being scheduled.") % p,
    "at_risk": lambda p: _("At risk: no supplier can deliver %(part)s by %(need)s; the earliest, %(supplier)s, "
                           "arrives %(date)s.") % p,
    "unsourced": lambda p: _("At risk: no supplier is left for %(part)s; a planner will step in.") % p,
    "scheduled": lambda p: _("Production scheduled on %(lines)s, finishing %(end)s.") % p,
    "po_confirmed": lambda p: _("%(supplier)s confirmed the parts of purchase order %(po)s.") % p,
    "operation_started": lambda p: _("In production: %(operation)s started on %(line)s at %(at)s.") % p,
    "expected_changed": lambda p: _("Expected delivery date is now %(date)s.") % p,
    "completed": lambda p: _("Production finished at %(end)s; the order is being packed for shipping.") % p,
    "shipped": lambda p: _("Shipped.") % p,
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
