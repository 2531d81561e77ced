"""The one lock order of procurement, receiving, the suppliers' actions and cancellation.

Every transaction that changes stock, purchase orders, allocations or requirements takes its row locks
in this order, each level in primary-key order and, as far as it can know them, all at once:

1. the orders concerned (`Order`): the step's own order; the orders whose requirements sit on the
   purchase-order lines a supplier answers or a shipment brings;
2. the stock rows of the parts concerned, in the factory (`Stock`);
3. the suppliers concerned (`Supplier`): the purchase order's own and every supplier offering one of the
   parts (re-sourcing or buying may move quantity to any of them);
4. purchase orders, only while holding their supplier's lock; then their lines, allocations,
   requirements and jobs, which are written under the locks above.

A shipment is locked before all of it, and only by receiving. The floor locks its factory and then the
orders it moves (lifecycle/floor.py): none of the transactions here locks a factory.

Every lock is FOR NO KEY UPDATE: no key of these rows changes under it, and PostgreSQL's checks of the
(deferred) foreign keys at commit take KEY SHARE locks, which such a lock does not block (a plain FOR
UPDATE on a purchase order made a netting transaction that added a line to it wait at its commit for a
supplier's confirmation that was waiting for the netting's allocations). What still meets a deadlock or
a serialization failure is retried (`cosmo.retry`).
"""

from orders.models import Order
from production.materials import stock_locked
from suppliers.models import Offer, PurchaseOrder, Supplier


def procurement_lock(*, order_ids=(), factory_id: int | None = None, part_ids=(), supplier_ids=()) -> None:
    """Take levels 1 to 3 of the lock order for these orders, parts (in the factory) and suppliers."""
    order_ids, part_ids = sorted(set(order_ids)), set(part_ids)
    if order_ids:
        list(Order.objects.select_for_update(no_key=True).filter(pk__in=order_ids).order_by("pk").values_list("pk"))
    if part_ids and factory_id is not None:
        stock_locked(factory_id=factory_id, part_ids=part_ids)
    suppliers = set(supplier_ids) | set(
        Offer.objects.filter(part_id__in=part_ids).values_list("supplier_id", flat=True).distinct()
    )
    if suppliers:
        list(Supplier.objects.select_for_update(no_key=True).filter(pk__in=suppliers).order_by("pk").values_list("pk"))


def purchase_order_locked(purchase_order_id: int) -> PurchaseOrder:
    """Level 4: the purchase order (its supplier must be locked already)."""
    return PurchaseOrder.objects.select_for_update(no_key=True, of=("self",)).select_related("supplier").get(
        pk=purchase_order_id
    )
