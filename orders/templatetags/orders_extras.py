from decimal import Decimal, InvalidOperation

from django import template

from cosmo.numbers import plain

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def is_selected(option, chosen) -> bool:
    """Whether an option is among the chosen values of its group in a submitted configuration."""
    value = chosen.get(option.group.code) if chosen else None
    if isinstance(value, list):
        return option.code in value
    return value == option.code


@register.filter
def plain_number(value) -> str:
    """A decimal without trailing zeros or exponent: 4.500 → 4.5, 30 → 30."""
    if value is None or value == "":
        return ""
    try:
        return plain(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
