"""Replenishment: keep the factory's stock of common parts, so most orders take their parts from the shelf
instead of waiting for a supplier.

A stock row with a reorder point is replenished: when its position (free stock plus what is on order for
no one) is at or below the reorder point, the difference up to `order_up_to` is bought from the cheapest
offer (`sourcing.stock_buy`), on the supplier's open purchase order. What arrives for no order becomes free
stock; an order placed meanwhile takes it from the line's surplus (see `netting`). Parts without a reorder
point are bought only for orders. Runs on the beat (`procurement` queue); a run that finds every position
above its reorder point buys nothing, so running it twice buys once.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from cosmo import clock
from production.models import Stock
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine
from suppliers.sourcing import stock_buy

ZERO = Decimal("0")


def stock_on_order(stocks: list[Stock]) -> dict[tuple[int, int], Decimal]:
    """(factory id, part id) → quantity on order and promised to no order (the lines' surpluses)."""
    rows = (
        Allocation.objects.filter(
            requirement__isnull=True,
            quantity__gt=F("received"),
            po_line__part_id__in={s.part_id for s in stocks},
            po_line__purchase_order__factory_id__in={s.factory_id for s in stocks},
        )
        .exclude(po_line__status=PurchaseOrderLine.Status.REJECTED)
        .exclude(po_line__purchase_order__status=PurchaseOrder.Status.CANCELLED)
        .values("po_line__purchase_order__factory_id", "po_line__part_id")
        .annotate(open=Sum(F("quantity") - F("received")))
    )
    on_order = defaultdict(lambda: ZERO)
    for row in rows:
        on_order[(row["po_line__purchase_order__factory_id"], row["po_line__part_id"])] = Decimal(row["open"])
    return on_order


def stock_position(stock: Stock, on_order: dict[tuple[int, int], Decimal]) -> Decimal:
    return stock.on_hand - stock.reserved + on_order[(stock.factory_id, stock.part_id)]


def stock_replenish(*, now: datetime | None = None) -> list[PurchaseOrderLine]:
    """Buy for every stocked part at or below its reorder point; return the purchase-order lines bought on."""
    now = now or clock.now()
    bought = []
    candidates = list(Stock.objects.filter(reorder_point__isnull=False).order_by("pk"))
    on_order = stock_on_order(candidates)
    for stock in candidates:
        if stock_position(stock, on_order) > stock.reorder_point:
            continue
        with transaction.atomic():
            locked = Stock.objects.select_for_update(no_key=True, of=("self",)).select_related("factory").get(pk=stock.pk)
            position = stock_position(locked, stock_on_order([locked]))  # again, under the lock
            if locked.reorder_point is None or position > locked.reorder_point:
                continue
            line = stock_buy(
                part_id=locked.part_id, quantity=locked.order_up_to - position, factory=locked.factory, now=now
            )
            if line is not None:
                bought.append(line)
    return bought
