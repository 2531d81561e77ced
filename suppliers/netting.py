"""Netting: cover each requirement first from free stock (on hand less reservations), then from quantity
already on order that nobody is waiting for (the surplus of open purchase-order lines), then by buying.

The stock rows of the parts and the suppliers offering them are locked first (suppliers/locks.py, the
one lock order), so concurrent orders wait for each other instead of taking the same unit twice (the
database constraints stand behind the locks). Must run inside a transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Sum

from orders.delivery import orders_delay, orders_unexpectable
from orders.models import Order
from orders.timeline import timelines_add
from production.materials import requirements_reserve
from production.models import Requirement
from suppliers.locks import procurement_lock
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine, Resourcing
from suppliers.sourcing import Bought, allocations_add, shortages_buy

ZERO = Decimal("0")


@dataclass
class Netted:
    requirements: list[Requirement]
    reserved: dict[int, Decimal] = field(default_factory=dict)  # requirement pk → reserved from stock now
    from_open: list[tuple[Requirement, PurchaseOrderLine, Decimal]] = field(default_factory=list)
    bought: Bought = field(default_factory=Bought)


def requirements_uncovered(requirements: list[Requirement]) -> dict[int, Decimal]:
    """Requirement pk → quantity neither reserved from stock nor on order for it."""
    on_order = dict(
        Allocation.objects.filter(requirement__in=requirements)
        .values("requirement_id")
        .annotate(open=Sum(F("quantity") - F("received")))
        .values_list("requirement_id", "open")
    )
    return {r.pk: r.quantity - r.reserved - on_order.get(r.pk, ZERO) for r in requirements}


def offers_excluded(requirements: list[Requirement]) -> dict[int, set[int]]:
    """Requirement pk → the offers that declined it or promised it too late."""
    excluded = defaultdict(set)
    for requirement_id, offer_id in Resourcing.objects.filter(requirement__in=requirements).values_list(
        "requirement_id", "from_offer_id"
    ):
        excluded[requirement_id].add(offer_id)
    return excluded


def open_surplus_take(
    *, wants: dict[Requirement, Decimal], factory, excluded: dict[int, set[int]]
) -> list[tuple[Requirement, PurchaseOrderLine, Decimal]]:
    """Give the requirements quantity already on order that nobody is waiting for, earliest arrival first."""
    wants = {r: q for r, q in wants.items() if q > 0}
    if not wants:
        return []
    surpluses = list(
        Allocation.objects.select_for_update(no_key=True, of=("self",))
        .filter(
            requirement__isnull=True,
            quantity__gt=F("received"),
            po_line__part_id__in={r.part_id for r in wants},
            po_line__purchase_order__factory=factory,
        )
        .exclude(po_line__status=PurchaseOrderLine.Status.REJECTED)
        .exclude(po_line__purchase_order__status=PurchaseOrder.Status.CANCELLED)
        .select_related("po_line__offer", "po_line__purchase_order")
        .prefetch_related("po_line__offer__price_breaks")
        .order_by("pk")
    )
    by_part = defaultdict(list)
    for surplus in sorted(surpluses, key=lambda a: (a.po_line.promised_date or a.po_line.expected_date, a.pk)):
        by_part[surplus.po_line.part_id].append(surplus)
    taken = []
    for requirement in sorted(wants, key=lambda r: (r.need_date, r.pk)):
        want = wants[requirement]
        for surplus in by_part[requirement.part_id]:
            free = surplus.quantity - surplus.received
            if want <= 0 or free <= 0 or surplus.po_line.offer_id in excluded.get(requirement.pk, ()):
                continue
            take = min(want, free)
            surplus.quantity -= take
            want -= take
            line = surplus.po_line
            line.stock_quantity = max(ZERO, line.stock_quantity - take)  # bought for stock, now for an order
            taken.append((requirement, line, take))
    PurchaseOrderLine.objects.bulk_update({line.pk: line for _, line, _ in taken}.values(), ["stock_quantity"])
    allocations_add([(line, requirement.pk, quantity) for requirement, line, quantity in taken])
    return taken


def requirements_net(*, requirements: list[Requirement], factory, now: datetime) -> Netted:
    """Cover the requirements (of one factory): stock, then open purchase orders, then buying.

    Idempotent: only what is neither reserved nor on order is covered, so nothing is bought twice.
    """
    requirements = sorted(requirements, key=lambda r: (r.need_date, r.pk))
    netted = Netted(requirements=requirements)
    if not requirements:
        return netted
    # The lock order of suppliers/locks.py: the stock of these parts and every supplier offering one,
    # before any surplus, purchase order or line is touched (the caller holds the order).
    procurement_lock(factory_id=factory.pk, part_ids={r.part_id for r in requirements})
    uncovered = requirements_uncovered(requirements)
    before = {r.pk: r.reserved for r in requirements}
    requirements_reserve(requirements=requirements, factory=factory, uncovered=uncovered)
    for requirement in requirements:
        if requirement.reserved > before[requirement.pk]:
            netted.reserved[requirement.pk] = requirement.reserved - before[requirement.pk]
            uncovered[requirement.pk] -= netted.reserved[requirement.pk]
    excluded = offers_excluded(requirements)
    netted.from_open = open_surplus_take(wants={r: uncovered[r.pk] for r in requirements}, factory=factory,
                                         excluded=excluded)
    for requirement, _, quantity in netted.from_open:
        uncovered[requirement.pk] -= quantity
    netted.bought = shortages_buy(
        shortages={r: uncovered[r.pk] for r in requirements}, factory=factory, now=now, excluded=excluded
    )
    return netted


def netted_tell(netted: Netted, *, resourced: bool = False) -> None:
    """Say on each order's timeline how its parts were covered; flag the orders at risk.

    With `resourced`, the entries say the parts were sourced again (after a rejection or a late promise).
    The entries are written in one insert, whatever the number of orders.
    """
    entries = []  # (order, event, params), in the order they are said
    order_of = {r.pk: r.order_line.order_id for r in netted.requirements}
    orders = {o.pk: o for o in Order.objects.filter(pk__in=set(order_of.values()))}
    part_of = {r.pk: r.part for r in netted.requirements}
    reserved_parts = defaultdict(int)
    for requirement_pk in netted.reserved:
        reserved_parts[order_of[requirement_pk]] += 1
    for order_id, parts in reserved_parts.items():
        entries.append((orders[order_id], "materials_reserved", {"parts": parts}))
    said = set()
    for requirement, line, quantity in netted.from_open:
        key = (order_of[requirement.pk], line.purchase_order_id)
        if key not in said:
            said.add(key)
            entries.append((orders[key[0]], "materials_on_order", {"po": line.purchase_order.number}))
    per_order_po = defaultdict(dict)
    for requirement_pk, (line, quantity) in netted.bought.placed.items():
        per_order_po[order_of[requirement_pk]].setdefault(line.purchase_order_id, []).append((requirement_pk, line))
    for order_id, pos in per_order_po.items():
        for placed in pos.values():
            line = placed[0][1]
            po = line.purchase_order
            arrival = max(ln.expected_date for _, ln in placed)
            if resourced:
                for requirement_pk, ln in placed:
                    part = part_of[requirement_pk]
                    entries.append((orders[order_id], "resourced", {
                        "part": part.code, "part_name": part.name, "supplier": po.supplier.name, "po": po.number,
                        "date": arrival.strftime("%Y-%m-%d"),
                    }))
            else:
                entries.append((orders[order_id], "materials_ordered", {
                    "supplier": po.supplier.name, "po": po.number, "date": arrival.strftime("%Y-%m-%d"),
                }))
    late_by = {}
    for requirement, quote in netted.bought.late:
        order_id = order_of[requirement.pk]
        delay = quote.arrival - requirement.need_date
        late_by[order_id] = max(late_by[order_id], delay) if order_id in late_by else delay
        entries.append((orders[order_id], "at_risk", {
            "part": requirement.part.code, "part_name": requirement.part.name,
            "need": requirement.need_date.strftime("%Y-%m-%d"), "supplier": quote.offer.supplier.name,
            "date": quote.arrival.strftime("%Y-%m-%d"),
        }))
    unsourced = set()
    for requirement in netted.bought.unsourced:
        unsourced.add(order_of[requirement.pk])
        entries.append((orders[order_of[requirement.pk]], "unsourced", {
            "part": requirement.part.code, "part_name": requirement.part.name,
        }))
    timelines_add(entries)
    orders_delay(late_by)
    orders_unexpectable(unsourced)
