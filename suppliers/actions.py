"""What a supplier does with its purchase orders: confirm a line (perhaps for part of it, with a promised
date), reject a line with a reason, ship confirmed lines. Each is one function, used by the portal, the
API and the autopilot alike: it checks everything first (bad input changes nothing), then changes the
rows under a lock on the purchase order, re-sources what the supplier declined or promised too late, and
tells the orders concerned on their timeline.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.audit import record
from cosmo.numbers import plain, unique_number
from cosmo.retry import conflict_retried
from orders.models import Order
from orders.timeline import timeline_add
from production.materials import jobs_release
from production.models import Part, Requirement
from suppliers.locks import procurement_lock, purchase_order_locked
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine, Resourcing, Shipment, ShipmentLine
from suppliers.netting import netted_tell, offers_excluded, requirements_net
from suppliers.sourcing import OfferBook, lines_reshape, quote_choose

ZERO = Decimal("0")


class ActionRefused(Exception):
    """The action cannot be done as asked; `errors` maps each field to the reasons (nothing changed)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return " ".join(reason for reasons in self.errors.values() for reason in reasons)


# A quantity of a part counted in pieces is whole; one measured (metres, kilograms, litres) keeps this many
# decimals, as the quantities are stored.
QUANTITY_PLACES = 3


def number_parse(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite():
        errors[field] = [_("Enter a number.")]
        return None
    return number


def quantity_parse(value, field: str, errors: dict, *, unit: str) -> Decimal | None:
    """A quantity of a part in the part's unit: whole for pieces, at most three decimals otherwise."""
    number = number_parse(value, field, errors)
    if number is None:
        return None
    if unit == Part.Unit.PIECE and number != number.to_integral_value():
        errors[field] = [
            _("%(quantity)s is not a whole number; this part is counted in pieces.") % {"quantity": plain(number)}
        ]
        return None
    if number.normalize().as_tuple().exponent < -QUANTITY_PLACES:
        errors[field] = [_("Enter at most %(places)s decimals.") % {"places": QUANTITY_PLACES}]
        return None
    return number


def date_parse(value, field: str, errors: dict, *, now: datetime) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            errors[field] = [_("Enter a date as YYYY-MM-DD.")]
            return None
    if value < now.date():
        errors[field] = [_("The date %(date)s is in the past.") % {"date": value.isoformat()}]
        return None
    horizon = settings.COSMO_SUPPLIER_HORIZON_DAYS
    if value > now.date() + timedelta(days=horizon):
        errors[field] = [
            _("The date %(date)s is more than %(days)s days ahead; give a date up to %(last)s.")
            % {"date": value.isoformat(), "days": horizon, "last": (now.date() + timedelta(days=horizon)).isoformat()}
        ]
        return None
    return value


def _at(day: date, like: datetime, now: datetime) -> datetime:
    """The date as a moment: at the time of day of `like` (the lead-time arrival), never before now; a
    shipment for today of parts already due (`like` has passed) arrives now, not later in the day."""
    if like <= now and day <= now.date():
        return now
    return max(datetime.combine(day, like.astimezone(dt_timezone.utc).time(), tzinfo=dt_timezone.utc), now)


def _orders_on(po_lines) -> set[int]:
    """The orders whose requirements sit on these purchase-order lines."""
    return set(
        Allocation.objects.filter(po_line__in=po_lines, requirement__isnull=False).values_list(
            "requirement__order_line__order_id", flat=True
        )
    )


def _po_locked(po_id: int, po_lines) -> PurchaseOrder:
    """The purchase order, locked in the one lock order (suppliers/locks.py): the orders on these lines,
    the stock of their parts, the supplier and every supplier offering one of the parts, then the order."""
    supplier_id, factory_id = PurchaseOrder.objects.values_list("supplier_id", "factory_id").get(pk=po_id)
    lines = PurchaseOrderLine.objects.filter(pk__in=po_lines)
    procurement_lock(
        order_ids=_orders_on(lines),
        factory_id=factory_id,
        part_ids=set(lines.values_list("part_id", flat=True)),
        supplier_ids=[supplier_id],
    )
    return purchase_order_locked(po_id)


def _locked_line(po_line_id: int) -> tuple[PurchaseOrder, PurchaseOrderLine]:
    po_id = PurchaseOrderLine.objects.values_list("purchase_order_id", flat=True).get(pk=po_line_id)
    po = _po_locked(po_id, [po_line_id])
    line = PurchaseOrderLine.objects.select_related("part", "offer").prefetch_related("offer__price_breaks").get(
        pk=po_line_id
    )
    return po, line


def purchase_order_refresh(po: PurchaseOrder, *, now: datetime) -> None:
    """Store the status the purchase order's lines give it (`PurchaseOrder.status_of`)."""
    lines = list(po.lines.all())
    status = PurchaseOrder.status_of(lines)
    po.status = status
    answered = status not in (PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_CONFIRMED)
    if answered and po.confirmed_at is None and lines:
        po.confirmed_at = now
    po.save(update_fields=["status", "confirmed_at"])


def _orders_of(requirement_ids) -> dict[int, Order]:
    return {o.pk: o for o in Order.objects.filter(lines__requirements__in=list(requirement_ids)).distinct()}


def requirements_resource(*, requirement_ids, factory, now: datetime):
    """Cover again what a supplier declined or will deliver too late: stock, open orders, the next offer.

    Returns the netting (None when there was nothing to cover)."""
    requirements = list(
        Requirement.objects.filter(pk__in=list(requirement_ids)).select_related("order_line", "part")
    )
    if not requirements:
        return None
    netted = requirements_net(requirements=requirements, factory=factory, now=now)
    netted_tell(netted, resourced=True)
    jobs_release(order_ids={r.order_line.order_id for r in requirements}, now=now)
    return netted


@dataclass
class Declined:
    """What became of the quantity a supplier declined, told back to the supplier in words."""

    part: str
    unit: str
    quantity: Decimal
    elsewhere: Decimal = ZERO  # put on order with another supplier
    covered: Decimal = ZERO  # taken from stock or from quantity already on order
    uncovered: Decimal = ZERO  # no other offer: the orders wait and are flagged at risk
    for_stock: Decimal = ZERO  # for no order (stock, or a minimum-quantity round-up)

    @classmethod
    def of(cls, line, *, for_orders: Decimal, netted) -> "Declined":
        declined = cls(part=line.part.code, unit=line.part.unit, quantity=line.rejected_quantity)
        if netted is not None:
            declined.covered = sum(netted.reserved.values(), ZERO) + sum((q for _r, _l, q in netted.from_open), ZERO)
            declined.elsewhere = sum((q for _line, q in netted.bought.placed.values()), ZERO)
        declined.uncovered = max(ZERO, for_orders - declined.covered - declined.elsewhere)
        declined.for_stock = max(ZERO, declined.quantity - for_orders)
        return declined

    def __str__(self) -> str:
        said = [_("You declined %(q)s %(unit)s of %(part)s.") % {"q": plain(self.quantity), "unit": self.unit,
                                                                 "part": self.part}]
        if self.elsewhere:
            said.append(_("Cosmo ordered %(q)s %(unit)s from another supplier instead.")
                        % {"q": plain(self.elsewhere), "unit": self.unit})
        if self.covered:
            said.append(_("%(q)s %(unit)s came from the factory's stock or parts already on order.")
                        % {"q": plain(self.covered), "unit": self.unit})
        if self.uncovered:
            said.append(_("No other supplier offers it: %(q)s %(unit)s stay uncovered and the orders that need "
                          "them wait for the planner.") % {"q": plain(self.uncovered), "unit": self.unit})
        if self.for_stock:
            said.append(_("%(q)s %(unit)s were not promised to any order yet (stock or a minimum quantity).")
                        % {"q": plain(self.for_stock), "unit": self.unit})
        if not self.uncovered:
            said.append(_("You will not be asked for %(part)s again for %(days)s days while another supplier "
                          "offers it.") % {"part": self.part, "days": plain(Decimal(str(settings.COSMO_DECLINE_MEMORY_DAYS)))})
        return " ".join(said)


@conflict_retried
def line_confirm(*, po_line_id: int, quantity=None, promised_date=None, actor=None) -> PurchaseOrderLine:
    """The supplier confirms a line: all of it or part (the rest counts as declined and is re-sourced),
    by a promised date (default: the expected date). Requirements that the promise comes too late for
    are moved to an offer that can deliver earlier, when there is one; the confirmed quantity stays on
    order and becomes free stock when it arrives."""
    with transaction.atomic():
        po, line = _locked_line(po_line_id)
        now = clock.now()
        errors: dict = {}
        if line.status != PurchaseOrderLine.Status.OPEN:
            errors["status"] = [
                _("The line for %(part)s is %(status)s; only a line awaiting an answer can be confirmed.")
                % {"part": line.part.code, "status": line.get_status_display().lower()}
            ]
        confirmed = (
            line.quantity
            if quantity in (None, "")
            else quantity_parse(quantity, "quantity", errors, unit=line.part.unit)
        )
        if confirmed is not None and "quantity" not in errors:
            if confirmed <= 0:
                errors["quantity"] = [_("Confirm a quantity above zero, or reject the line.")]
            elif confirmed > line.quantity:
                errors["quantity"] = [
                    _("%(confirmed)s is more than the %(ordered)s %(unit)s ordered.")
                    % {"confirmed": plain(confirmed), "ordered": plain(line.quantity), "unit": line.part.unit}
                ]
        day = line.expected_date.date() if promised_date in (None, "") else date_parse(
            promised_date, "promised_date", errors, now=now
        )
        if errors:
            raise ActionRefused(errors)
        promised = _at(day, line.expected_date, now)
        before = {"status": line.status, "quantity": line.quantity, "promised_date": line.promised_date}

        allocations = list(line.allocations.select_related("requirement"))
        declined = _trim(allocations, keep=confirmed)
        late = _late_to_move(line, allocations, promised=promised, now=now)
        for allocation in late:
            declined[allocation.requirement] = declined.get(allocation.requirement, ZERO) + allocation.quantity
            allocation.quantity = ZERO
        gone = [a.pk for a in allocations if a.quantity <= 0]
        Allocation.objects.filter(pk__in=gone).delete()
        kept = [a for a in allocations if a.quantity > 0]
        Allocation.objects.bulk_update(kept, ["quantity"])
        line.rejected_quantity += line.quantity - confirmed
        line.quantity = confirmed
        # What was bought for stock is cut first: no more of it stays than the surplus confirmed.
        line.stock_quantity = min(line.stock_quantity, sum((a.quantity for a in kept if a.is_surplus), ZERO))
        line.status = PurchaseOrderLine.Status.CONFIRMED
        line.promised_date = promised
        line.answered_at = now
        line.save(
            update_fields=["rejected_quantity", "quantity", "stock_quantity", "status", "promised_date", "answered_at"]
        )
        lines_reshape([(line, kept)])
        record(actor, line, "confirm", before, {"status": line.status, "quantity": confirmed, "promised_date": promised})
        late_ids = {a.requirement_id for a in late}
        Resourcing.objects.bulk_create(
            Resourcing(
                requirement=requirement,
                from_offer=line.offer,
                quantity=moved,
                reason=Resourcing.Reason.LATE if requirement.pk in late_ids else Resourcing.Reason.REJECTED,
                at=now,
            )
            for requirement, moved in declined.items()
        )
        purchase_order_refresh(po, now=now)
        for order in _orders_of(a.requirement_id for a in allocations if a.requirement_id).values():
            timeline_add(
                order=order, event="line_confirmed", supplier=po.supplier.name, po=po.number, part=line.part.code, part_name=line.part.name,
                quantity=plain(confirmed), unit=line.part.unit, date=promised.strftime("%Y-%m-%d"), actor=actor,
            )
        requirements_resource(requirement_ids={r.pk for r in declined}, factory=po.factory, now=now)
    return line


def _trim(allocations: list[Allocation], *, keep: Decimal) -> dict[Requirement, Decimal]:
    """Cut a line's allocations down to `keep`: the surplus first, then the requirements needed last.

    Returns what each requirement lost.
    """
    total = sum((a.quantity for a in allocations), ZERO)
    cut = total - keep
    lost: dict[Requirement, Decimal] = {}
    def cut_first(allocation):
        # The surplus, then the requirement needed last; between equal dates, the one that came last.
        if allocation.is_surplus:
            return (0, 0, 0)
        return (1, -allocation.requirement.need_date.timestamp(), -allocation.requirement_id)

    order = sorted(allocations, key=cut_first)
    for allocation in order:
        if cut <= 0:
            break
        take = min(cut, allocation.quantity)
        allocation.quantity -= take
        cut -= take
        if not allocation.is_surplus:
            lost[allocation.requirement] = take
    return lost


def _late_to_move(line, allocations, *, promised: datetime, now: datetime) -> list[Allocation]:
    """The requirements the promise is too late for and that another offer can bring earlier."""
    late = [a for a in allocations if not a.is_surplus and a.quantity > 0 and a.requirement.need_date < promised]
    if not late:
        return []
    book = OfferBook([line.part_id], now=now)
    # Offers that already declined a requirement (or promised it too late) are no way out for it.
    declined = offers_excluded([a.requirement for a in late])
    moving = []
    for allocation in late:
        excluded = {line.offer_id} | declined.get(allocation.requirement_id, set())
        quotes = book.quotes(line.part_id, allocation.quantity, now=now, excluded=excluded,
                             factory_id=line.purchase_order.factory_id)
        choice = quote_choose(quotes, need_date=allocation.requirement.need_date)
        if choice is not None and choice[0].arrival < promised:
            moving.append(allocation)
    return moving


@conflict_retried
def line_reject(*, po_line_id: int, reason: str, actor=None) -> Declined:
    """The supplier declines a line, saying why; its quantity is re-sourced to the next best offer.

    Returns what became of it."""
    with transaction.atomic():
        po, line = _locked_line(po_line_id)
        now = clock.now()
        errors: dict = {}
        if line.status != PurchaseOrderLine.Status.OPEN:
            errors["status"] = [
                _("The line for %(part)s is %(status)s; only a line awaiting an answer can be rejected.")
                % {"part": line.part.code, "status": line.get_status_display().lower()}
            ]
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = [_("Say why the line is rejected.")]
        elif len(reason) > 240:
            errors["reason"] = [_("Keep the reason under 240 characters.")]
        if errors:
            raise ActionRefused(errors)
        record(actor, line, "reject", {"status": line.status}, {"status": PurchaseOrderLine.Status.REJECTED, "reason": reason})
        allocations = list(line.allocations.select_related("requirement"))
        declined = {a.requirement: a.quantity for a in allocations if not a.is_surplus}
        line.allocations.all().delete()
        line.status = PurchaseOrderLine.Status.REJECTED
        line.rejected_quantity = line.quantity
        line.reject_reason = reason
        line.answered_at = now
        line.save(update_fields=["status", "rejected_quantity", "reject_reason", "answered_at"])
        Resourcing.objects.bulk_create(
            Resourcing(requirement=r, from_offer=line.offer, quantity=q, reason=Resourcing.Reason.REJECTED, at=now)
            for r, q in declined.items()
        )
        purchase_order_refresh(po, now=now)
        for order in _orders_of(r.pk for r in declined).values():
            timeline_add(
                order=order, event="line_rejected", supplier=po.supplier.name, po=po.number, part=line.part.code, part_name=line.part.name,
                reason=reason, actor=actor,
            )
        netted = requirements_resource(requirement_ids={r.pk for r in declined}, factory=po.factory, now=now)
    return Declined.of(line, for_orders=sum(declined.values(), ZERO), netted=netted)


@conflict_retried
def purchase_order_confirm(*, purchase_order_id: int, actor=None) -> PurchaseOrder:
    """Confirm every line still awaiting an answer, whole, by its expected date."""
    with transaction.atomic():
        po = _po_locked(
            purchase_order_id,
            PurchaseOrderLine.objects.filter(purchase_order=purchase_order_id, status=PurchaseOrderLine.Status.OPEN)
            .values_list("pk", flat=True),
        )
        open_lines = list(po.lines.filter(status=PurchaseOrderLine.Status.OPEN).values_list("pk", flat=True))
        if not open_lines:
            raise ActionRefused(
                {"status": [_("Purchase order %(number)s is %(status)s; no line awaits an answer.")
                            % {"number": po.number, "status": po.get_status_display().lower()}]}
            )
        for pk in open_lines:
            line_confirm(po_line_id=pk, actor=actor)
        po.refresh_from_db()
    return po


@conflict_retried
def shipment_create(
    *, purchase_order_id: int, expected_arrival, lines: list[tuple[str, object]], actor=None
) -> Shipment:
    """The supplier ships confirmed quantity: (part code, quantity) per line, arriving on a date."""
    with transaction.atomic():
        # Shipping writes only the purchase order and its lines: its supplier, then it (suppliers/locks.py).
        procurement_lock(
            supplier_ids=PurchaseOrder.objects.filter(pk=purchase_order_id).values_list("supplier_id", flat=True)
        )
        po = purchase_order_locked(purchase_order_id)
        now = clock.now()
        errors: dict = {}
        if expected_arrival in (None, ""):
            errors["expected_arrival"] = [_("Say when the shipment will arrive.")]
        else:
            day = date_parse(expected_arrival, "expected_arrival", errors, now=now)
        by_part = {line.part.code: line for line in po.lines.select_related("part")}
        wanted: dict[str, Decimal] = {}
        for index, (part_code, raw) in enumerate(lines):
            field = f"lines[{index}]"
            line = by_part.get(part_code)
            if line is None:
                errors[f"{field}.part"] = [_("%(part)s is not on purchase order %(po)s.") % {"part": part_code, "po": po.number}]
                continue
            if part_code in wanted:
                errors[f"{field}.part"] = [_("%(part)s is listed twice.") % {"part": part_code}]
                continue
            quantity = quantity_parse(raw, f"{field}.quantity", errors, unit=line.part.unit)
            if quantity is None:
                continue
            if line.status != PurchaseOrderLine.Status.CONFIRMED:
                errors[f"{field}.part"] = [
                    _("The line for %(part)s is %(status)s; only confirmed lines can be shipped.")
                    % {"part": part_code, "status": line.get_status_display().lower()}
                ]
            elif quantity <= 0:
                errors[f"{field}.quantity"] = [_("Ship a quantity above zero.")]
            elif quantity > line.to_ship:
                errors[f"{field}.quantity"] = [
                    _("%(quantity)s is more than the %(left)s %(unit)s confirmed and not shipped yet.")
                    % {"quantity": plain(quantity), "left": plain(line.to_ship), "unit": line.part.unit}
                ]
            wanted[part_code] = quantity
        if not lines:
            errors["lines"] = [_("A shipment needs at least one line.")]
        if errors:
            raise ActionRefused(errors)
        first = next(iter(wanted))
        shipment = Shipment.objects.create(
            number=unique_number(Shipment, "SH"),
            purchase_order=po,
            shipped_at=now,
            expected_arrival=_at(day, by_part[first].promised_date or by_part[first].expected_date, now),
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, po_line=by_part[code], quantity=q) for code, q in wanted.items()
        )
        for code, quantity in wanted.items():
            by_part[code].shipped_quantity += quantity
        PurchaseOrderLine.objects.bulk_update([by_part[code] for code in wanted], ["shipped_quantity"])
        record(
            actor, shipment, "ship", {},
            {"purchase_order": po.number, "expected_arrival": shipment.expected_arrival,
             "lines": {code: plain(q) for code, q in wanted.items()}},
        )
        purchase_order_refresh(po, now=now)
        parts_by_order = defaultdict(set)
        for order_id, part_code in Allocation.objects.filter(
            po_line__in=[by_part[code] for code in wanted], requirement__isnull=False
        ).values_list("requirement__order_line__order_id", "po_line__part__name"):
            parts_by_order[order_id].add(part_code)
        for order in Order.objects.filter(pk__in=list(parts_by_order)):
            timeline_add(
                order=order, event="parts_shipped", supplier=po.supplier.name, shipment=shipment.number,
                parts=", ".join(sorted(parts_by_order[order.pk])), date=shipment.expected_arrival.strftime("%Y-%m-%d"),
                actor=actor,
            )
    return shipment
