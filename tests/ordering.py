"""Helpers to build valid orders of the demo catalog in tests."""

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
