"""Idempotency keys move from the order to their own rows, with a hash of the request and a time to expire."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def keys_copy(apps, schema_editor):
    # Keys placed before the hash was kept match any body (an empty hash) until they expire.
    Order = apps.get_model("orders", "Order")
    IdempotencyKey = apps.get_model("orders", "IdempotencyKey")
    IdempotencyKey.objects.bulk_create(
        IdempotencyKey(customer_id=customer_id, key=key, request_hash="", order_id=pk)
        for pk, customer_id, key in Order.objects.exclude(idempotency_key="").values_list(
            "pk", "customer_id", "idempotency_key"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_saved_configuration"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=255)),
                ("request_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orders.order"
                    ),
                ),
            ],
            options={"verbose_name": "idempotency key"},
        ),
        migrations.RunPython(keys_copy, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(fields=("customer", "key"), name="unique_idempotency_key_per_consumer"),
        ),
    ]
