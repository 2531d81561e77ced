"""Buy what stock and open purchase orders cannot cover: choose an offer per shortage and put it on the
supplier's open purchase order.

The choice: among the offers that can deliver by the need date (lead time in factory days, plus the days
the supplier's daily capacity needs for what it already has on order, plus a buffer for a supplier that
has been late before), the cheapest for the quantity bought (minimum-quantity round-up and price breaks
included); when none can, the earliest, and the order is at risk.

A supplier that declined a part (a rejected line, or the declined rest of a partly confirmed one) is not
asked for that part again for `COSMO_DECLINE_MEMORY_DAYS` factory days, by any order or by replenishment,
as long as another offer for the part exists; when none does, it is asked again.

Every live purchase-order line is covered exactly by its allocations: one per requirement, plus one
surplus allocation (no requirement) for what the round-up adds or an order no longer needs.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db.models import F, Sum

from cosmo.numbers import unique_number
from production.models import Requirement
from production.routing import far_supplier_days
from suppliers.models import Allocation, Offer, PurchaseOrder, PurchaseOrderLine, Supplier
from suppliers.scorecard import deliveries_counted

ZERO = Decimal("0")


@dataclass(frozen=True)
class Quote:
    offer: Offer
    quantity: Decimal  # what would be bought: the shortage rounded up to the minimum quantity
    unit_price: Decimal
    arrival: datetime
    reliability: float  # the supplier's on-time rate so far

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def safe_arrival(self) -> datetime:
        """The arrival allowing for the supplier's record: a part of the lead time per late delivery rate."""
        return self.arrival + timedelta(days=self.offer.lead_time_days * (1 - self.reliability))


@dataclass
class Bought:
    lines: list[PurchaseOrderLine] = field(default_factory=list)
    # requirement pk → (purchase-order line, quantity) it was put on
    placed: dict[int, tuple[PurchaseOrderLine, Decimal]] = field(default_factory=dict)
    late: list[tuple[Requirement, Quote]] = field(default_factory=list)  # no offer meets the need date
    unsourced: list[Requirement] = field(default_factory=list)  # no offer left at all


def consolidation_window() -> timedelta:
    """How long (factory time) a new purchase order keeps taking more lines for its supplier."""
    return timedelta(hours=settings.COSMO_CONSOLIDATION_HOURS)


def order_quantity(quantity: Decimal, offer: Offer) -> Decimal:
    """The quantity rounded up to a whole multiple of the offer's minimum quantity."""
    multiples = (quantity / offer.min_quantity).to_integral_value(rounding=ROUND_CEILING)
    return max(multiples, Decimal("1")) * offer.min_quantity


def offer_arrival(offer: Offer, *, quantity: Decimal, backlog: Decimal, now: datetime, factory_id: int | None = None) -> datetime:
    """When the parts would arrive: the lead time, plus the extra days capacity needs for the backlog, plus
    the way from a supplier far from the factory buying (`far_supplier_days`)."""
    days = offer.lead_time_days
    if factory_id is not None:
        days += far_supplier_days(offer.supplier.near_id, factory_id)
    if offer.daily_capacity:
        days += max(0, math.ceil((backlog + quantity) / offer.daily_capacity) - 1)
    return now + timedelta(days=days)


def suppliers_reliability(supplier_ids) -> dict[int, float]:
    """Supplier id → on-time rate of its deliveries so far (1.0 before its first delivery)."""
    counted = deliveries_counted(supplier_ids)
    return {pk: counted[pk][1] / counted[pk][0] if pk in counted else 1.0 for pk in supplier_ids}


def offers_backlog(offer_ids) -> dict[int, Decimal]:
    """Offer id → quantity on order from it and not shipped yet (what its capacity is busy with)."""
    rows = (
        PurchaseOrderLine.objects.filter(offer_id__in=set(offer_ids))
        .exclude(status=PurchaseOrderLine.Status.REJECTED)
        .exclude(purchase_order__status=PurchaseOrder.Status.CANCELLED)
        .values("offer_id")
        .annotate(open=Sum(F("quantity") - F("shipped_quantity")))
    )
    return defaultdict(Decimal, {row["offer_id"]: max(row["open"] or ZERO, ZERO) for row in rows})


def quote_choose(quotes: list[Quote], *, need_date: datetime) -> tuple[Quote, bool] | None:
    """The cheapest quote safely in time, else the earliest; and whether it is in time."""
    if not quotes:
        return None
    in_time = [q for q in quotes if q.safe_arrival <= need_date]
    if in_time:
        return min(in_time, key=lambda q: (q.cost, -q.reliability, q.arrival, q.offer.pk)), True
    return min(quotes, key=lambda q: (q.arrival, q.cost, q.offer.pk)), False


def offers_declined(part_ids, *, now: datetime) -> set[int]:
    """The offers whose supplier declined some of their part within the decline memory."""
    since = now - timedelta(days=settings.COSMO_DECLINE_MEMORY_DAYS)
    return set(
        PurchaseOrderLine.objects.filter(part_id__in=set(part_ids), rejected_quantity__gt=0, answered_at__gte=since)
        .values_list("offer_id", flat=True)
    )


class OfferBook:
    """The active offers for some parts with their price breaks, backlogs and suppliers' reliability, and
    the offers declined lately (asked only when no other offer is left)."""

    def __init__(self, part_ids, *, now: datetime):
        part_ids = set(part_ids)
        self.declined = offers_declined(part_ids, now=now)
        self.by_part = defaultdict(list)
        offers = Offer.objects.filter(part_id__in=set(part_ids), active=True).select_related("supplier", "part")
        for offer in offers.prefetch_related("price_breaks"):
            self.by_part[offer.part_id].append(offer)
        every = [o for offers in self.by_part.values() for o in offers]
        self.reliability = suppliers_reliability({o.supplier_id for o in every})
        self.backlog = offers_backlog({o.pk for o in every})

    def quotes(self, part_id: int, quantity: Decimal, *, now: datetime, excluded=frozenset(),
               factory_id: int | None = None) -> list[Quote]:
        quotes = []
        for offer in self.by_part[part_id]:
            if offer.pk in excluded:
                continue
            bought = order_quantity(quantity, offer)
            quotes.append(
                Quote(
                    offer=offer,
                    quantity=bought,
                    unit_price=offer.unit_price(bought),
                    arrival=offer_arrival(offer, quantity=bought, backlog=self.backlog[offer.pk], now=now,
                                          factory_id=factory_id),
                    reliability=self.reliability[offer.supplier_id],
                )
            )
        not_declined = [q for q in quotes if q.offer.pk not in self.declined]
        return not_declined or quotes


def shortages_buy(
    *, shortages: dict[Requirement, Decimal], factory, now: datetime, excluded: dict[int, set[int]] | None = None
) -> Bought:
    """Put every shortage (requirement → quantity) on an open purchase order to the chosen supplier.

    `excluded` (requirement pk → offer ids) names offers not to use again for a requirement (they declined
    it, or promised it too late). Consolidation: a purchase order to the supplier sent within the
    consolidation window and not answered on any line yet takes the new lines (or adds to its line for the
    same part); otherwise a new one is sent. Suppliers are locked in primary-key order while their open
    purchase order is found and changed, so concurrent orders consolidate into one.
    """
    bought = Bought()
    shortages = {r: q for r, q in shortages.items() if q > 0}
    if not shortages:
        return bought
    excluded = excluded or {}
    book = OfferBook((r.part_id for r in shortages), now=now)
    chosen: dict[Offer, list[tuple[Requirement, Decimal]]] = defaultdict(list)
    arrivals: dict[Offer, datetime] = {}
    for requirement in sorted(shortages, key=lambda r: (r.need_date, r.pk)):
        quantity = shortages[requirement]
        quotes = book.quotes(requirement.part_id, quantity, now=now, excluded=excluded.get(requirement.pk, ()),
                             factory_id=factory.pk)
        choice = quote_choose(quotes, need_date=requirement.need_date)
        if choice is None:
            bought.unsourced.append(requirement)
            continue
        quote, in_time = choice
        if not in_time:
            bought.late.append((requirement, quote))
        chosen[quote.offer].append((requirement, quantity))
        book.backlog[quote.offer.pk] += quantity
        arrivals[quote.offer] = max(arrivals.get(quote.offer, quote.arrival), quote.arrival)
    if not chosen:
        return bought

    open_pos = purchase_orders_open(supplier_ids={offer.supplier_id for offer in chosen}, factory=factory, now=now)
    existing = {
        (line.purchase_order_id, line.part_id): line
        for line in PurchaseOrderLine.objects.filter(purchase_order__in=list(open_pos.values()))
        .select_related("offer")
        .prefetch_related("offer__price_breaks")
    }
    for offer in sorted(chosen, key=lambda o: (o.supplier_id, o.part_id)):
        po = open_pos.get(offer.supplier_id)
        if po is None:
            po = open_pos[offer.supplier_id] = PurchaseOrder.objects.create(
                number=unique_number(PurchaseOrder, "PO"),
                supplier=offer.supplier,
                factory=factory,
                currency=offer.currency,
                created_at=now,
            )
        line = existing.get((po.pk, offer.part_id))
        if line is None:
            quantity = order_quantity(sum((q for _, q in chosen[offer]), ZERO), offer)
            line = existing[(po.pk, offer.part_id)] = PurchaseOrderLine(
                purchase_order=po, part_id=offer.part_id, offer=offer, quantity=quantity,
                price=offer.unit_price(quantity), expected_date=arrivals[offer],
            )
        line.expected_date = max(line.expected_date, arrivals[offer])
        bought.lines.append(line)
        for requirement, quantity in chosen[offer]:
            bought.placed[requirement.pk] = (line, quantity)
    PurchaseOrderLine.objects.bulk_create([line for line in bought.lines if line.pk is None])
    allocations_add(
        [(line, requirement_pk, quantity) for requirement_pk, (line, quantity) in bought.placed.items()]
    )
    return bought


def purchase_orders_open(*, supplier_ids, factory, now: datetime) -> dict[int, PurchaseOrder]:
    """Supplier id → its purchase order still taking lines (sent within the consolidation window and not
    answered on any line yet), locked. The suppliers are locked first, in primary-key order, so
    concurrent buyers consolidate into one purchase order."""
    supplier_ids = sorted(set(supplier_ids))
    list(Supplier.objects.select_for_update(no_key=True).filter(pk__in=supplier_ids).order_by("pk"))
    open_pos = {}
    candidates = (
        PurchaseOrder.objects.select_for_update(no_key=True, of=("self",))
        .filter(
            supplier_id__in=supplier_ids,
            factory=factory,
            status=PurchaseOrder.Status.SENT,
            created_at__gte=now - consolidation_window(),
        )
        .exclude(lines__status__in=[PurchaseOrderLine.Status.CONFIRMED, PurchaseOrderLine.Status.REJECTED])
        .order_by("-created_at", "-pk")
    )
    for po in candidates:
        open_pos.setdefault(po.supplier_id, po)
    return open_pos


def stock_buy(*, part_id: int, quantity: Decimal, factory, now: datetime) -> PurchaseOrderLine | None:
    """Buy `quantity` of a part for stock (for no order): the cheapest offer, the earliest arrival breaking
    ties, on the supplier's open purchase order (consolidated like order purchases). The line's surplus
    holds it until orders take it or it arrives as free stock. None when no supplier offers the part."""
    book = OfferBook([part_id], now=now)
    quotes = book.quotes(part_id, quantity, now=now, factory_id=factory.pk)
    if not quotes:
        return None
    quote = min(quotes, key=lambda q: (q.unit_price, q.safe_arrival, q.offer.pk))
    offer = quote.offer
    po = purchase_orders_open(supplier_ids=[offer.supplier_id], factory=factory, now=now).get(offer.supplier_id)
    if po is None:
        po = PurchaseOrder.objects.create(
            number=unique_number(PurchaseOrder, "PO"),
            supplier=offer.supplier,
            factory=factory,
            currency=offer.currency,
            created_at=now,
        )
    line = PurchaseOrderLine.objects.filter(purchase_order=po, part_id=part_id).first()
    if line is None:
        line = PurchaseOrderLine.objects.create(
            purchase_order=po, part_id=part_id, offer=offer, quantity=quote.quantity,
            price=offer.unit_price(quote.quantity), expected_date=quote.arrival, stock_quantity=quantity,
        )  # fmt: skip
    else:
        line.stock_quantity += quantity
        line.expected_date = max(line.expected_date, quote.arrival)
        line.save(update_fields=["stock_quantity", "expected_date"])
    lines_reshape([(line, list(line.allocations.all()))])
    return line


def allocations_add(additions: list[tuple[PurchaseOrderLine, int, Decimal]]) -> None:
    """Add quantity for requirements to purchase-order lines, then size each line to cover them exactly.

    A line may carry the allocations of many requirements (all those bought within the consolidation
    window): only those the additions touch and the lines' surpluses are read, and the database sums what
    the others hold."""
    if not additions:
        return
    lines = {line.pk: line for line, _, _ in additions}
    requirement_pks = {requirement_pk for _, requirement_pk, _ in additions}
    touched = Allocation.objects.filter(po_line__in=list(lines))
    current = {
        (a.po_line_id, a.requirement_id): a
        for query in (touched.filter(requirement_id__in=requirement_pks), touched.filter(requirement__isnull=True))
        for a in query
    }
    held = defaultdict(Decimal, (
        Allocation.objects.filter(po_line__in=list(lines), requirement__isnull=False)
        .values("po_line_id").annotate(held=Sum("quantity")).values_list("po_line_id", "held")
    ))  # fmt: skip
    new, changed = [], []
    for line, requirement_pk, quantity in additions:
        allocation = current.get((line.pk, requirement_pk))
        if allocation is None:
            allocation = current[(line.pk, requirement_pk)] = Allocation(
                po_line=line, requirement_id=requirement_pk, quantity=ZERO
            )
            new.append(allocation)
        elif allocation not in changed:
            changed.append(allocation)
        allocation.quantity += quantity
        held[line.pk] += quantity
    Allocation.objects.bulk_create(new)
    Allocation.objects.bulk_update(changed, ["quantity"])
    lines_resize([(line, held[pk], current.get((pk, None))) for pk, line in lines.items()])


def lines_reshape(lines: list[tuple[PurchaseOrderLine, list[Allocation]]]) -> None:
    """Make each line's allocations (all of them, given) add up to its quantity again after its
    requirements changed (see `lines_resize`)."""
    lines_resize([
        (line, sum((a.quantity for a in allocations if not a.is_surplus), ZERO),
         next((a for a in allocations if a.is_surplus), None))
        for line, allocations in lines
    ])  # fmt: skip


def lines_resize(lines: list[tuple[PurchaseOrderLine, Decimal, Allocation | None]]) -> None:
    """Make each line's allocations add up to its quantity again, given (line, what its requirements'
    allocations hold in all, its surplus allocation or None).

    A line awaiting the supplier's answer is resized to what its requirements need plus what it buys for
    stock, rounded up to the offer's minimum (and repriced for the new quantity), or deleted when nothing
    needs it; a confirmed line keeps its quantity. Either way the difference is the line's surplus.
    """
    resized, surplus_new, surplus_changed, surplus_gone, lines_gone = [], [], [], [], []
    for line, held, surplus in lines:
        needed = held + line.stock_quantity
        if line.status == PurchaseOrderLine.Status.OPEN:
            if needed <= 0:
                lines_gone.append(line.pk)
                continue
            line.quantity = order_quantity(needed, line.offer)
            line.price = line.offer.unit_price(line.quantity)
            resized.append(line)
        rest = line.quantity - needed + line.stock_quantity
        if rest <= 0 and surplus is not None:
            surplus_gone.append(surplus.pk)
        elif rest > 0 and surplus is None:
            surplus_new.append(Allocation(po_line=line, requirement=None, quantity=rest))
        elif rest > 0 and surplus.quantity != rest:
            surplus.quantity = rest
            surplus_changed.append(surplus)
    PurchaseOrderLine.objects.bulk_update(resized, ["quantity", "price", "expected_date", "stock_quantity"])
    Allocation.objects.filter(pk__in=surplus_gone).delete()
    Allocation.objects.bulk_create(surplus_new)
    Allocation.objects.bulk_update(surplus_changed, ["quantity"])
    if lines_gone:
        po_ids = set(PurchaseOrderLine.objects.filter(pk__in=lines_gone).values_list("purchase_order_id", flat=True))
        PurchaseOrderLine.objects.filter(pk__in=lines_gone).delete()
        PurchaseOrder.objects.filter(pk__in=po_ids).exclude(lines__isnull=False).update(
            status=PurchaseOrder.Status.CANCELLED
        )


def allocations_release(*, requirements: list[Requirement]) -> dict:
    """Stop buying for these requirements (their order was cancelled).

    Lines the supplier has not answered yet shrink to what their other requirements still need (rounded
    to the offer's minimum again) or go; a purchase order left without lines is cancelled. Confirmed
    quantity stays on order as the line's surplus, and becomes free stock when it arrives (what has
    arrived already is counted as received surplus).
    """
    allocations = list(
        Allocation.objects.filter(requirement__in=requirements)
        .select_related("po_line__offer")
        .prefetch_related("po_line__offer__price_breaks")
    )
    if not allocations:
        return {"reduced": 0, "cancelled": 0, "kept": 0}
    po_ids = sorted({a.po_line.purchase_order_id for a in allocations})
    # The lock order of suppliers/locks.py: the suppliers, then their purchase orders.
    suppliers = PurchaseOrder.objects.filter(pk__in=po_ids).values_list("supplier_id", flat=True)
    list(Supplier.objects.select_for_update(no_key=True).filter(pk__in=suppliers).order_by("pk").values_list("pk"))
    list(PurchaseOrder.objects.select_for_update(no_key=True).filter(pk__in=po_ids).order_by("pk"))
    lines = {a.po_line_id: a.po_line for a in allocations}
    every = defaultdict(list)
    for allocation in Allocation.objects.filter(po_line__in=list(lines)):
        every[allocation.po_line_id].append(allocation)
    released = {a.pk for a in allocations}
    counts = {"reduced": 0, "cancelled": 0, "kept": 0}
    received_freed = defaultdict(Decimal)
    for allocation in allocations:
        received_freed[allocation.po_line_id] += allocation.received
    Allocation.objects.filter(pk__in=released).delete()
    reshaped = []
    for pk, line in lines.items():
        left = [a for a in every[pk] if a.pk not in released]
        if line.status != PurchaseOrderLine.Status.OPEN:
            counts["kept"] += 1
        elif any(not a.is_surplus for a in left):
            counts["reduced"] += 1
        else:
            counts["cancelled"] += 1
        reshaped.append((line, left))
    lines_reshape(reshaped)
    for pk, received in received_freed.items():
        if received > 0:
            for surplus in Allocation.objects.select_for_update(no_key=True).filter(po_line_id=pk, requirement__isnull=True):
                surplus.received += received  # in Decimal, not in SQL (SQLite adds decimals as floats)
                surplus.save(update_fields=["received"])
    return counts
