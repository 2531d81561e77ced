"""Who changed what: every change a person makes to the factory's or the supply's state is one `Change`
row (who, when, what, values before and after), written in the transaction of the change. Apps call
`record`; the ground knows models only by their label, so it imports no app."""

import datetime
import decimal
import uuid

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from cosmo.models import Change


def plain(value):
    """A value as JSON keeps it: dates in ISO, decimals as text, rows by their primary key."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict:
    """The editable fields of a row (many-to-many as lists of keys), ready for `before`/`after`."""
    return plain(model_to_dict(obj))


def difference(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, on each side."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


def is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def change_row(actor, obj: models.Model, action: str, before: dict | None = None, after: dict | None = None):
    """The `Change` row (unsaved) saying that `actor` did `action` to `obj`, or None when no person acted."""
    if not is_person(actor):
        return None
    return Change(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username(),
        actor_role=getattr(actor, "role", ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        before=plain(before or {}),
        after=plain(after or {}),
    )


def record(actor, obj: models.Model, action: str, before: dict | None = None, after: dict | None = None):
    """Write who (`actor`, a user) did `action` to `obj`, with the values before and after. Nothing is
    written when no person acted (a Celery task, the autopilot). Must run inside the change's transaction,
    so that the record and the change commit or roll back together."""
    change = change_row(actor, obj, action, before, after)
    if change is None:
        return None
    # Joins the caller's transaction (no savepoint: the record and the change fail together); alone, it is its own.
    with transaction.atomic(savepoint=False):
        change.save(force_insert=True)
    return change
