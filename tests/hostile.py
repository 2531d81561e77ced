"""Hostile values and a way to see that they changed nothing, for the tests that throw them at Cosmo."""

from django.apps import apps

# What an attacker types into a field: each must be refused or handled, never a 500.
HOSTILE_VALUES = [
    "\x00",
    "COMP_7KW\x00",
    "a\x1bb",
    "\x7f",
    "\u0085",
    "\ud800",
    "x" * 20_000,
    "-1",
    "0",
    "2.5",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "9" * 5000,
    "99999999999999999999",
    "9999-12-31",
    "0000-00-00",
    "[" * 1000,
    '{"a":' * 1000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "",
]


def row_counts() -> dict[str, int]:
    """The number of rows of every model: a request that was refused leaves them all as they were."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}
