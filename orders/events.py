"""What each timeline event says to the consumer, in words (translated when shown).

Plain data and one function: the order models use it to render an entry, without importing the timeline's
writer."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

EVENTS = {
    "placed": lambda p: ngettext(
        "Order placed: %(lines)s item, %(total)s %(currency)s.", "Order placed: %(lines)s items, %(total)s %(currency)s.",
        int(p["lines"]),
    ) % p,
    "planned": lambda p: _("Your order is planned: the parts and the production steps are worked out.") % p,
    "materials_reserved": lambda p: _("Parts set aside for you from our stock.") % p,
    "materials_on_order": lambda p: _("Parts we have already ordered from our suppliers are kept for you.") % p,
    "materials_ordered": lambda p: (
        _("Parts ordered from %(supplier)s, expected %(date)s.") if "date" in p else _("Parts ordered from %(supplier)s.")
    )
    % p,
    "line_confirmed": lambda p: _("%(supplier)s confirmed the %(part_name)s for %(date)s.") % p,
    "line_rejected": lambda p: _("%(supplier)s cannot supply the %(part_name)s: %(reason)s") % p,
    "resourced": lambda p: _("The %(part_name)s now comes from %(supplier)s, expected %(date)s.") % p,
    # Read later, when the date may be past: "shipped … due", never "arriving" a day gone.
    "parts_shipped": lambda p: _("Parts shipped by %(supplier)s, due %(date)s.") % p,
    "parts_received": lambda p: _("Parts arrived at the factory.") % p,
    "materials_in": lambda p: _("All parts are in; production is being scheduled.") % p,
    "at_risk": lambda p: _("Your date is at risk: the %(part_name)s arrives %(date)s at the earliest, later than we need it.")
    % p,
    "unsourced": lambda p: _("Your date is at risk: no supplier is left for the %(part_name)s; a planner is on it.") % p,
    "made_in": lambda p: _("%(product)s × %(quantity)s: made in %(factory)s.") % p,
    "made_in_split": lambda p: _(
        "%(product)s × %(quantity)s: made in %(factory)s. Your items come from more than one factory; the order "
        "ships when the last of them arrives."
    ) % p,
    "moved": lambda p: _("%(product)s now made in %(factory)s instead of %(from_factory)s: %(reason)s; expected %(date)s.")
    % p,
    "scheduled": lambda p: _("Production scheduled, finishing %(end)s.") % p,
    "po_confirmed": lambda p: _("%(supplier)s confirmed the parts.") % p,
    "operation_started": lambda p: _("In production: %(operation)s started at %(at)s.") % p,
    "expected_changed": lambda p: _("Expected delivery date is now %(date)s.") % p,
    "completed": lambda p: _("Production finished at %(end)s; the order is being packed for shipping.") % p,
    "shipped": lambda p: _("Shipped.") % p,
    "cancelled": lambda p: _("Order cancelled.") % p,
}


def describe(event: str, params: dict) -> str:
    maker = EVENTS.get(event)
    if "part" in params and "part_name" not in params:  # entries written before part names were kept
        params = {**params, "part_name": params["part"]}
    if maker is None:
        return _("Your order moved on.")
    try:
        return maker(params)
    except (KeyError, TypeError, ValueError):
        return _("Your order moved on.")
