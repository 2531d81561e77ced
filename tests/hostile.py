"""Hostile values and a way to see that they changed nothing, for the tests that throw them at Cosmo."""

from django.apps import apps
from django.db import connection

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


# Cosmo's own apps: their rows are the factory's and the supply's state (a library's bookkeeping, such as
# counting failed logins, is its own business).
COSMO_APPS = {"cosmo", "orders", "production", "suppliers", "lifecycle"}


def row_counts() -> dict[str, int]:
    """The number of rows of every model of Cosmo's apps, in one query: a request that was refused leaves
    them all as they were."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in COSMO_APPS and model._meta.managed and not model._meta.proxy
    ]
    tables = sorted({model._meta.db_table for model in models})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        return dict(zip(tables, cursor.fetchone()))
