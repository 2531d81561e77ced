"""Writes on the demand side: placing an order."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.audit import change_row
from cosmo.hostile import text_problem
from cosmo.numbers import new_number
from cosmo.queue import nudge_on_commit
from cosmo.rows import row_id, rows_insert
from orders.catalog import families_active
from orders.configuration import NoDeliveryDate, delivery_route, no_date_reason, quantity_error, selection_check
from orders.configurator import SpecError
from orders.models import IdempotencyKey, Order, OrderLine, ProductFamily, Region
from orders.regions import region_recent
from orders.timeline import timeline_entry


class OrderInvalid(Exception):
    """The order cannot be placed; `errors` maps each field path to the reasons."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass
class LineRequest:
    family: str
    configuration: dict
    quantity: int


def region_check(region) -> Region | None:
    """The region named by its code (empty: the default region), as this process read it at most
    COSMO_QUOTE_RECHECK_SECONDS ago; OrderInvalid when there is no such region."""
    try:
        return region_recent(region)
    except Region.DoesNotExist:
        raise OrderInvalid({"region": [_("Unknown region “%(code)s”.") % {"code": region}]}) from None


def order_check(*, lines: list[LineRequest], delivery_address: str,
                region: Region | None = None) -> list[tuple[ProductFamily, LineRequest, object]]:
    """Validate every line against its family's rules and route it (its factory and the date it promises
    to the region: `check.route`); raise OrderInvalid naming each bad field."""
    errors: dict = {}
    address = (delivery_address or "").strip()
    address_problem = text_problem(address, max_length=settings.COSMO_ORDER_MAX_ADDRESS)
    if not address:
        errors["delivery_address"] = [_("A delivery address is required.")]
    elif address_problem:
        errors["delivery_address"] = [address_problem]
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    elif len(lines) > settings.COSMO_ORDER_MAX_LINES:
        # Refused before any line is looked at: a huge order must not cost a huge amount of work.
        raise OrderInvalid(
            {"lines": [_("An order has at most %(limit)s lines.") % {"limit": settings.COSMO_ORDER_MAX_LINES}]}
        )
    families = families_active(ln.family for ln in lines)
    checked = []
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]"
        family = families.get(line.family)
        if family is None:
            errors[f"{prefix}.family"] = [_("Unknown product family “%(code)s”.") % {"code": line.family}]
            continue
        quantity_problem = quantity_error(line.quantity)
        if quantity_problem:
            errors[f"{prefix}.quantity"] = [quantity_problem]
        try:
            check = selection_check(family, line.configuration)
        except SpecError:
            errors[f"{prefix}.family"] = [_("“%(code)s” cannot be configured right now.") % {"code": line.family}]
            continue
        for field, reasons in check.errors.items():
            errors[f"{prefix}.configuration.{field}"] = reasons
        if not check.errors and not quantity_problem:
            try:
                check.route = delivery_route(family, check.configuration, line.quantity, region, strict=True)
                check.promised = check.route.date if check.route is not None else None
            except NoDeliveryDate:
                errors[f"{prefix}.quantity"] = [no_date_reason(line.quantity)]
        checked.append((family, line, check))
    if errors:
        raise OrderInvalid(errors)
    return checked


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different order: nothing is placed."""


def request_hash(*, lines: list[LineRequest], delivery_address: str, region: str = "") -> str:
    """A hash of what an order asks for, whatever the order of keys or the spacing of the request."""
    asked = {
        "delivery_address": delivery_address,
        **({"region": region} if region else {}),
        "lines": [{"family": ln.family, "configuration": ln.configuration, "quantity": ln.quantity} for ln in lines],
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def idempotency_key_problem(key: str) -> str | None:
    """Why an Idempotency-Key is refused (too long, or not printable ASCII), or None. A key is never cut."""
    limit = settings.COSMO_IDEMPOTENCY_KEY_MAX
    if len(key) > limit:
        return _("An Idempotency-Key has at most %(limit)s characters (this one has %(length)s).") % {
            "limit": limit,
            "length": len(key),
        }
    if not all(" " <= c <= "~" for c in key):
        return _("An Idempotency-Key is made of printable ASCII characters.")
    return None


def _order_for_key(*, customer, key: str, fingerprint: str) -> Order | None:
    """The order an unexpired key placed, None when the key is new (an expired key is forgotten), or
    IdempotencyConflict when the key placed a different order."""
    earlier = IdempotencyKey.objects.select_related("order").filter(customer=customer, key=key).first()
    if earlier is None:
        return None
    if earlier.created_at < timezone.now() - timedelta(hours=settings.COSMO_IDEMPOTENCY_HOURS):
        IdempotencyKey.objects.filter(pk=earlier.pk).delete()
        return None
    if earlier.request_hash and earlier.request_hash != fingerprint:
        raise IdempotencyConflict(
            _("This Idempotency-Key was used for a different order (%(number)s); use a new key for a new order.")
            % {"number": earlier.order.number}
        )
    return earlier.order


def order_place(
    *, customer, lines: list[LineRequest], delivery_address: str, idempotency_key: str = "", region: str = ""
) -> Order:
    """Place an order: validate and price every line, save it as accepted, start the pipeline.

    With an idempotency key, placing the same order again within COSMO_IDEMPOTENCY_HOURS returns the first
    one; the same key with a different order raises IdempotencyConflict. What happens before the answer is
    only this: validate, price and quote (from per-process caches of the family, see orders/versions.py),
    insert the order, its key, lines, first timeline entry and audit record in one round trip and one
    transaction (cosmo/rows.py), and nudge the planning step once it commits (cosmo/queue.py: at most a few
    messages a second per process). A new order carries its lines and first timeline entry in
    `placed_lines` and `placed_timeline`.
    """
    fingerprint = ""
    if idempotency_key:
        problem = idempotency_key_problem(idempotency_key)
        if problem:
            raise OrderInvalid({"Idempotency-Key": [problem]})
        fingerprint = request_hash(lines=lines, delivery_address=delivery_address, region=region)
    # A new key (nearly every request) is not looked up first: its unique constraint decides at insert. A
    # retry is found there, or here when the order no longer validates (it answers as the key says).
    try:
        region_row = region_check(region)
        checked = order_check(lines=lines, delivery_address=delivery_address, region=region_row)
    except OrderInvalid:
        existing = idempotency_key and _order_for_key(customer=customer, key=idempotency_key, fingerprint=fingerprint)
        if existing:
            return existing
        raise
    # The date the consumer was shown while configuring is the promise.
    promised = max((c.promised for _, _, c in checked if c.promised is not None), default=None)
    currency = checked[0][0].currency
    total = sum((c.unit_price * ln.quantity for _, ln, c in checked), Decimal("0"))
    address = delivery_address.strip()
    for attempt in range(NUMBER_ATTEMPTS):
        # The unique constraints decide: a number drawn twice (rare) draws again; a key used already (a
        # retry racing its first attempt) answers with the first order, or refuses a different one.
        order = Order(
            number=new_number("CO"), customer=customer, placed_at=clock.now(), delivery_address=address,
            region=region_row, promised_date=promised, total=total, currency=currency,
        )
        # The rows below refer to the order by its number until the insert gives it an id.
        order_ref = row_id(Order, number=order.number)
        key_rows = [
            IdempotencyKey(customer=customer, key=idempotency_key, request_hash=fingerprint, order_id=order_ref)
        ] if idempotency_key else []
        order_lines = [
            OrderLine(
                order_id=order_ref,
                position=position,
                family=family,
                configuration=check.configuration,
                variant_code=check.variant_code,
                quantity=line.quantity,
                unit_price=check.unit_price,
                price_breakdown=check.breakdown,
                # The route the consumer was quoted: the factory and its date.
                factory_code=check.route.factory_code if check.route is not None else "",
                quoted_date=check.promised,
            )
            for position, (family, line, check) in enumerate(checked, start=1)
        ]
        entry = timeline_entry(
            order=order, event="placed", lines=len(checked), total=str(total), currency=currency, actor=customer
        )
        change = change_row(
            customer, order, "order", {},
            {
                "lines": [{"family": f.code, "variant": c.variant_code, "quantity": ln.quantity} for f, ln, c in checked],
                "total": total,
                "delivery_address": address,
            },
        )
        entry.order_id = order_ref
        if change is not None:
            change.object_id = row_id(Order, as_text=True, number=order.number)
        try:
            # One round trip on PostgreSQL, all or nothing (cosmo/rows.py).
            order.pk = rows_insert([[order], key_rows, order_lines, [entry], [change] if change else []])
        except IntegrityError:
            if idempotency_key:
                existing = _order_for_key(customer=customer, key=idempotency_key, fingerprint=fingerprint)
                if existing is not None:
                    return existing
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        order._state.adding = False
        for row in (*order_lines, entry):
            row.order = order
        # The accepted order rows are the planning step's queue: a nudge, not a message per order.
        nudge_on_commit("lifecycle.tasks.plan_order", order.pk)
        # What was just written, for an answer that need not read it back.
        order.placed_lines, order.placed_timeline = order_lines, [entry]
        return order
    raise AssertionError("unreachable")


# Order numbers are drawn at random from 31^6; a collision is retried this many times in all.
NUMBER_ATTEMPTS = 5
