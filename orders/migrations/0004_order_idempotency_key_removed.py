"""The order's own idempotency key is gone (its own migration: PostgreSQL will not alter a table in the
transaction that just wrote rows pointing to it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_idempotency_keys")]

    operations = [
        migrations.RemoveConstraint(model_name="order", name="unique_idempotency_key_per_customer"),
        migrations.RemoveField(model_name="order", name="idempotency_key"),
    ]
