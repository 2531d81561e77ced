"""Writes on the demand side: placing an order."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.numbers import new_number
from cosmo.queue import enqueue_on_commit
from orders.configuration import NoDeliveryDate, delivery_quote, selection_check
from orders.configurator import SpecError
from orders.models import Order, OrderLine, ProductFamily
from orders.timeline import timeline_add


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


def order_check(*, lines: list[LineRequest], delivery_address: str) -> list[tuple[ProductFamily, LineRequest, object]]:
    """Validate every line against its family's rules; raise OrderInvalid naming each bad field."""
    errors: dict = {}
    if not (delivery_address or "").strip():
        errors["delivery_address"] = [_("A delivery address is required.")]
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    if len(lines) > settings.COSMO_MAX_ORDER_LINES:
        limit = {"count": settings.COSMO_MAX_ORDER_LINES}
        raise OrderInvalid({"lines": [_("An order has at most %(count)s lines.") % limit]})
    families = {f.code: f for f in ProductFamily.objects.filter(code__in=[ln.family for ln in lines], active=True)}
    checked = []
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]"
        family = families.get(line.family)
        if family is None:
            errors[f"{prefix}.family"] = [_("Unknown product family “%(code)s”.") % {"code": line.family}]
            continue
        if not isinstance(line.quantity, int) or line.quantity < 1:
            errors[f"{prefix}.quantity"] = [_("The quantity must be a whole number of at least 1.")]
        elif line.quantity > settings.COSMO_MAX_LINE_QUANTITY:
            errors[f"{prefix}.quantity"] = [
                _("A line has at most %(count)s units.") % {"count": settings.COSMO_MAX_LINE_QUANTITY}
            ]
            continue
        try:
            check = selection_check(family, line.configuration)
        except SpecError:
            errors[f"{prefix}.family"] = [_("“%(code)s” cannot be configured right now.") % {"code": line.family}]
            continue
        for field, reasons in check.errors.items():
            errors[f"{prefix}.configuration.{field}"] = reasons
        if not check.errors and isinstance(line.quantity, int) and line.quantity >= 1:
            try:
                check.promised = delivery_quote(family, check.configuration, line.quantity, strict=True)
            except NoDeliveryDate as reason:
                errors[f"{prefix}.quantity"] = [
                    _("We cannot promise a delivery date for %(quantity)s of these: %(reason)s")
                    % {"quantity": line.quantity, "reason": reason}
                ]
        checked.append((family, line, check))
    if errors:
        raise OrderInvalid(errors)
    return checked


def order_place(*, customer, lines: list[LineRequest], delivery_address: str, idempotency_key: str = "") -> Order:
    """Place an order: validate and price every line, save it as accepted, start the pipeline.

    With an idempotency key, placing the same order again returns the first one. What happens before the
    answer is only this: validate, price and quote (from per-process caches of the family, see
    orders/versions.py), insert the order, its lines and its first timeline entry in one transaction, and
    enqueue one message once it commits. A new order carries its lines and first timeline entry in
    `placed_lines` and `placed_timeline`.
    """
    try:
        checked = order_check(lines=lines, delivery_address=delivery_address)
    except OrderInvalid:
        # A retry of an order placed earlier answers with it, whatever the catalog says today.
        existing = _order_with_key(customer, idempotency_key)
        if existing is not None:
            return existing
        raise
    # The date the consumer was shown while configuring is the promise.
    promised = max((c.promised for _, _, c in checked if c.promised is not None), default=None)
    currency = checked[0][0].currency
    total = sum((c.unit_price * ln.quantity for _, ln, c in checked), Decimal("0"))
    for attempt in range(NUMBER_ATTEMPTS):
        # The unique constraints decide: a number drawn twice (rare) draws again; a key used already (a
        # retry racing its first attempt, or arriving after it) answers with the first order.
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    number=new_number("CO"),
                    customer=customer,
                    placed_at=clock.now(),
                    delivery_address=delivery_address.strip(),
                    promised_date=promised,
                    total=total,
                    currency=currency,
                    idempotency_key=idempotency_key,
                )
                order_lines = OrderLine.objects.bulk_create(
                    OrderLine(
                        order=order,
                        position=position,
                        family=family,
                        configuration=check.configuration,
                        variant_code=check.variant_code,
                        quantity=line.quantity,
                        unit_price=check.unit_price,
                        price_breakdown=check.breakdown,
                    )
                    for position, (family, line, check) in enumerate(checked, start=1)
                )
                entry = timeline_add(order=order, event="placed", lines=len(checked), total=str(total), currency=currency)
                enqueue_on_commit("lifecycle.tasks.plan_order", order.pk)
        except IntegrityError:
            existing = _order_with_key(customer, idempotency_key)
            if existing is not None:
                return existing
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        # What was just written, for an answer that need not read it back.
        order.placed_lines, order.placed_timeline = order_lines, [entry]
        return order
    raise AssertionError("unreachable")


# Order numbers are drawn at random from 31^6; a collision is retried this many times in all.
NUMBER_ATTEMPTS = 5


def _order_with_key(customer, idempotency_key: str) -> Order | None:
    if not idempotency_key:
        return None
    return Order.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
