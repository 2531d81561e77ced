"""The catalog between the database and the configurator: rows to a family spec, and a spec to rows."""

import dataclasses
import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from orders.configurator import spec as cs
from orders.models import Option, OptionGroup, ProductFamily, Rule


# Family code → (when read, monotonic seconds; the active family or None), per process.
_families_read: dict[str, tuple[float, ProductFamily | None]] = {}
_families_lock = threading.Lock()
_FAMILIES_KEEP = 1024


def families_active(codes) -> dict[str, ProductFamily]:
    """Code → the active family, for those of `codes` that name one, as this process read them at most
    COSMO_QUOTE_RECHECK_SECONDS ago: the web tier checks an order against the catalog as it last saw it, as
    its delivery quote reads the lines (a family changed is seen with its new stamp once read again)."""
    now = time.monotonic()
    fresh_for = settings.COSMO_QUOTE_RECHECK_SECONDS
    found, missing = {}, []
    for code in set(codes):
        read = _families_read.get(code)
        if read is None or now - read[0] >= fresh_for:
            missing.append(code)
        elif read[1] is not None:
            found[code] = read[1]
    if missing:
        rows = {family.code: family for family in ProductFamily.objects.filter(code__in=missing, active=True)}
        with _families_lock:
            if len(_families_read) >= _FAMILIES_KEEP:
                _families_read.clear()
            for code in missing:
                _families_read[code] = (now, rows.get(code))
        found.update(rows)
    return found


def families_forget() -> None:
    """Drop the families this process read (tests: their rows are rolled back behind this copy)."""
    with _families_lock:
        _families_read.clear()


def options_uncovered(family: ProductFamily) -> dict[str, str]:
    """Option code → why the factory cannot make it yet (no BOM line or routing step for it), read
    through `COSMO_OPTIONS_UNCOVERED` (`orders` does not import `production`)."""
    path = getattr(settings, "COSMO_OPTIONS_UNCOVERED", "")
    return import_string(path)([family.pk]).get(family.pk, {}) if path and family.pk else {}


def family_spec(family: ProductFamily) -> cs.Family:
    """The configurator's plain-data spec of a family, as stored now. An option the factory cannot make
    yet (`options_uncovered`) is inactive: it cannot be ordered until its BOM line or routing step exists."""
    uncovered = options_uncovered(family)
    groups = []
    for group in family.groups.all():
        groups.append(
            cs.Group(
                code=group.code,
                name=group.name,
                kind=group.kind,
                required=group.required,
                min_count=group.min_count,
                max_count=group.max_count,
                minimum=group.minimum,
                maximum=group.maximum,
                step=group.step,
                unit=group.unit,
                default=group.default_value,
                options=tuple(
                    cs.Option(
                        code=o.code, name=o.name, price=o.price, is_default=o.is_default,
                        active=o.active and o.code not in uncovered, layer=o.layer,
                    )
                    for o in group.options.all()
                ),
            )
        )
    rules = tuple(
        cs.Rule(
            code=rule.code,
            kind=rule.kind,
            condition=cs.Condition(all=rule.condition_all, any=rule.condition_any, none=rule.condition_none),
            targets=tuple(rule.targets),
            group=rule.group_code or None,
            minimum=rule.minimum,
            maximum=rule.maximum,
            amount=rule.amount,
            message=rule.message,
        )
        for rule in family.rules.all()
    )
    spec = cs.Family(
        code=family.code,
        name=family.name,
        base_price=family.base_price,
        currency=family.currency,
        groups=tuple(groups),
        rules=rules,
    )
    # The fingerprint changes with any edit of the family, so the compiled cache never serves a stale one.
    return dataclasses.replace(spec, version=spec.fingerprint())


@transaction.atomic
def family_load(spec: cs.Family, *, description: str = "") -> ProductFamily:
    """Create (or replace the groups, options and rules of) the family described by `spec`."""
    family, _ = ProductFamily.objects.update_or_create(
        code=spec.code,
        defaults={"name": spec.name, "base_price": spec.base_price, "currency": spec.currency, "description": description},
    )
    family.groups.all().delete()
    family.rules.all().delete()
    for position, g in enumerate(spec.groups):
        group = OptionGroup.objects.create(
            family=family,
            code=g.code,
            name=g.name,
            kind=g.kind,
            required=g.required,
            position=position,
            min_count=g.min_count,
            max_count=g.max_count,
            minimum=g.minimum,
            maximum=g.maximum,
            step=g.step,
            default_value=g.default,
            unit=g.unit,
        )
        Option.objects.bulk_create(
            Option(
                group=group,
                code=o.code,
                name=o.name,
                price=o.price,
                is_default=o.is_default,
                active=o.active,
                position=index,
                layer=o.layer,
            )
            for index, o in enumerate(g.options)
        )
    Rule.objects.bulk_create(
        Rule(
            family=family,
            code=r.code,
            kind=r.kind,
            condition_all=list(r.condition.all),
            condition_any=list(r.condition.any),
            condition_none=list(r.condition.none),
            targets=list(r.targets),
            group_code=r.group or "",
            minimum=r.minimum,
            maximum=r.maximum,
            amount=r.amount,
            message=r.message,
        )
        for r in spec.rules
    )
    return family
