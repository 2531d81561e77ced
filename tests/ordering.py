"""Helpers to build valid orders of the demo catalog in tests."""

import time

from orders.models import OptionGroup, ProductFamily


def default_configuration(family_code: str) -> dict:
    """Every group answered with its defaults (the demo catalog's defaults form a valid configuration)."""
    family = ProductFamily.objects.get(code=family_code)
    configuration = {}
    for group in family.groups.all():
        if group.kind == OptionGroup.Kind.NUMERIC:
            if group.default_value is not None:
                configuration[group.code] = format(group.default_value.normalize(), "f")
            continue
        defaults = [o.code for o in group.options.all() if o.is_default and o.active]
        if group.kind == OptionGroup.Kind.MULTI:
            if defaults:
                configuration[group.code] = defaults
        elif defaults:
            configuration[group.code] = defaults[0]
    return configuration


def order_payload(family_code: str, quantity: int = 1) -> dict:
    return {
        "delivery_address": "Room 301, 1 Haier Road, Qingdao",
        "lines": [{"family": family_code, "configuration": default_configuration(family_code), "quantity": quantity}],
    }


# Configurations that differ in their setup-relevant option, so that changeovers matter.
VARIANTS = [
    ("AC-SPLIT", {}),
    ("AC-SPLIT", {"REFRIGERANT": "REF_R290"}),
    ("FRIDGE", {"SIZE": "FR_SIZE_203"}),
    ("WASHER", {"DRUM": "WM_DRUM_10KG"}),
    ("FRIDGE", {}),
    ("WASHER", {}),
]


def scheduled_orders(consumer, count: int = 6, quantity: int = 2) -> list:
    """`count` orders of varied variants carried through the pipeline to scheduled (no worker): each is
    planned and bought, its suppliers deliver at once, and it is scheduled."""
    from lifecycle import steps
    from orders.services import LineRequest, order_place
    from tests.procurement import deliver_everything

    orders = []
    for k in range(count):
        family, changes = VARIANTS[k % len(VARIANTS)]
        configuration = {**default_configuration(family), **changes}
        order = order_place(
            customer=consumer, lines=[LineRequest(family, configuration, quantity)], delivery_address="1 Test Street"
        )
        assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
        deliver_everything()
        # With a live worker the receipt's own scheduling task may get there first (holding the order's row,
        # which this step then skips): either way it is done, once that task commits.
        steps.order_schedule(order.pk)
        deadline = time.monotonic() + 30
        order.refresh_from_db()
        while order.stage != "scheduled" and time.monotonic() < deadline:
            time.sleep(0.2)
            steps.order_schedule(order.pk)
            order.refresh_from_db()
        assert order.stage == "scheduled", order.stage
        orders.append(order)
    return orders
