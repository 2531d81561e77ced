"""Buy what stock cannot cover: choose an offer per shortage and put it on a purchase order."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from cosmo.numbers import unique_number
from production.models import Requirement
from suppliers.models import Allocation, Offer, PurchaseOrder, PurchaseOrderLine


def offer_arrival(offer: Offer, now: datetime) -> datetime:
    return now + timedelta(days=offer.lead_time_days)


def offer_choose(offers: list[Offer], *, need_date: datetime, now: datetime) -> Offer | None:
    """The cheapest offer that arrives by the need date; when none does, the earliest to arrive."""
    if not offers:
        return None
    in_time = [o for o in offers if offer_arrival(o, now) <= need_date]
    if in_time:
        return min(in_time, key=lambda o: (o.price, o.lead_time_days, o.pk))
    return min(offers, key=lambda o: (o.lead_time_days, o.price, o.pk))


def order_quantity(shortage: Decimal, offer: Offer) -> Decimal:
    """The shortage rounded up to a whole multiple of the offer's minimum quantity."""
    multiples = (shortage / offer.min_quantity).to_integral_value(rounding=ROUND_CEILING)
    return max(multiples, Decimal("1")) * offer.min_quantity


def shortages_buy(*, requirements: list[Requirement], factory, now: datetime) -> list[PurchaseOrderLine]:
    """Put every uncovered shortage on a purchase order to the chosen supplier (one per supplier).

    Idempotent: a requirement already allocated to a purchase-order line is not bought again.
    Raises LookupError naming the part when no supplier offers it.
    """
    offers_by_part = defaultdict(list)
    part_ids = {r.part_id for r in requirements}
    for offer in Offer.objects.filter(part_id__in=part_ids, active=True).select_related("supplier"):
        offers_by_part[offer.part_id].append(offer)
    already = set(Allocation.objects.filter(requirement__in=requirements).values_list("requirement_id", flat=True))

    chosen = defaultdict(list)  # offer → the requirements it will cover
    for requirement in requirements:
        if requirement.shortage <= 0 or requirement.pk in already:
            continue
        offer = offer_choose(offers_by_part[requirement.part_id], need_date=requirement.need_date, now=now)
        if offer is None:
            raise LookupError(f"no supplier offers part {requirement.part.code}")
        chosen[offer].append(requirement)

    purchase_orders: dict[int, PurchaseOrder] = {}
    lines = []
    for offer, covered in chosen.items():
        po = purchase_orders.get(offer.supplier_id)
        if po is None:
            po = purchase_orders[offer.supplier_id] = PurchaseOrder.objects.create(
                number=unique_number(PurchaseOrder, "PO"),
                supplier=offer.supplier,
                factory=factory,
                currency=offer.currency,
                created_at=now,
            )
        line = PurchaseOrderLine.objects.create(
            purchase_order=po,
            part_id=offer.part_id,
            offer=offer,
            quantity=order_quantity(sum((r.shortage for r in covered), Decimal("0")), offer),
            price=offer.price,
            expected_date=offer_arrival(offer, now),
        )
        Allocation.objects.bulk_create(
            Allocation(po_line=line, requirement=r, quantity=r.shortage) for r in covered
        )
        lines.append(line)
    return lines


def allocations_release(*, requirements: list[Requirement]) -> dict:
    """Stop buying for these requirements (their order was cancelled).

    On purchase orders the supplier has not confirmed yet, each line is reduced to what its other
    requirements still need (rounded to the offer's minimum again), or cancelled; a purchase order left
    without lines is cancelled. Confirmed quantity stays on order and becomes free stock when it arrives.
    """
    open_statuses = [PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT]
    reduced = cancelled = kept = 0
    allocations = Allocation.objects.filter(requirement__in=requirements).select_related(
        "po_line__purchase_order", "po_line__offer"
    )
    for allocation in allocations:
        line = allocation.po_line
        po = PurchaseOrder.objects.select_for_update().get(pk=line.purchase_order_id)
        allocation.delete()
        if po.status not in open_statuses:
            kept += 1
            continue
        remaining = sum((a.quantity for a in line.allocations.all()), Decimal("0"))
        if remaining > 0:
            line.quantity = order_quantity(remaining, line.offer)
            line.save(update_fields=["quantity"])
            reduced += 1
        else:
            line.delete()
            cancelled += 1
        if not po.lines.exists():
            po.status = PurchaseOrder.Status.CANCELLED
            po.save(update_fields=["status"])
    return {"reduced": reduced, "cancelled": cancelled, "kept": kept}
