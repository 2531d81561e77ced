"""Receiving: a shipment arrives at the factory. Its parts go into stock, the requirements waiting for
them are fulfilled in need-date order (their stock is reserved for them), and every job whose parts are
now all in is released, which asks the planner to schedule its order.

A short delivery is recorded on the shipment line and the shortfall is owed again (the supplier ships
it later); an over delivery is recorded too, and the extra is free stock.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.numbers import plain
from cosmo.retry import conflict_retried
from orders.models import Order
from orders.timeline import timeline_add
from production.materials import jobs_release, stock_locked, stock_receive
from suppliers.actions import ActionRefused, purchase_order_refresh, quantity_parse
from suppliers.locks import procurement_lock, purchase_order_locked
from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine, Shipment

ZERO = Decimal("0")


@conflict_retried
def shipment_receive(*, shipment_id: int, received: dict[str, object] | None = None, at=None) -> Shipment:
    """Take a shipment in: `received` maps part code → quantity counted (default: what was shipped);
    `at` is when it arrived (default: now on the factory clock)."""
    received = received or {}
    with transaction.atomic():
        # The shipment (only receiving locks it), then the lock order of suppliers/locks.py: the orders its
        # parts are for, the stock of its parts, its supplier, its purchase order.
        shipment = Shipment.objects.select_for_update(no_key=True).get(pk=shipment_id)
        po_lines = PurchaseOrderLine.objects.filter(shipment_lines__shipment=shipment)
        procurement_lock(
            order_ids=Allocation.objects.filter(po_line__in=po_lines, requirement__isnull=False).values_list(
                "requirement__order_line__order_id", flat=True
            ),
            factory_id=PurchaseOrder.objects.values_list("factory_id", flat=True).get(pk=shipment.purchase_order_id),
            part_ids=po_lines.values_list("part_id", flat=True),
            supplier_ids=PurchaseOrder.objects.filter(pk=shipment.purchase_order_id).values_list("supplier_id", flat=True),
        )
        po = purchase_order_locked(shipment.purchase_order_id)
        now = min(at, clock.now()) if at is not None else clock.now()
        lines = list(shipment.lines.select_related("po_line__part"))
        errors: dict = {}
        if shipment.status != Shipment.Status.IN_TRANSIT:
            errors["status"] = [_("Shipment %(number)s has been received already.") % {"number": shipment.number}]
        counted = {}
        units = {line.po_line.part.code: line.po_line.part.unit for line in lines}
        for code, raw in received.items():
            if code not in units:
                errors[f"received.{code}"] = [_("%(part)s is not in this shipment.") % {"part": code}]
                continue
            quantity = quantity_parse(raw, f"received.{code}", errors, unit=units[code])
            if quantity is not None and quantity < 0:
                errors[f"received.{code}"] = [_("A received quantity cannot be negative.")]
            counted[code] = quantity
        if errors:
            raise ActionRefused(errors)

        stock_locked(factory_id=po.factory_id, part_ids={line.po_line.part_id for line in lines}, create=True)
        parts_by_order = defaultdict(list)
        for shipment_line in sorted(lines, key=lambda sl: sl.po_line.part_id):
            po_line: PurchaseOrderLine = shipment_line.po_line
            quantity = counted.get(po_line.part.code, shipment_line.quantity)
            shipment_line.received_quantity = quantity
            shipment_line.save(update_fields=["received_quantity"])
            po_line.received_quantity += quantity
            po_line.shipped_quantity += quantity - shipment_line.quantity  # a shortfall is owed again
            po_line.save(update_fields=["received_quantity", "shipped_quantity"])
            allocations = sorted(
                po_line.allocations.select_related("requirement__order_line"),
                key=lambda a: (a.is_surplus, a.requirement.need_date if a.requirement else None, a.pk),
            )
            left, fulfil = quantity, []
            for allocation in allocations:
                take = min(left, allocation.outstanding)
                if take <= 0:
                    continue
                allocation.received += take
                left -= take
                if allocation.requirement is not None:
                    fulfil.append((allocation.requirement, take))
                    parts_by_order[allocation.requirement.order_line.order_id].append(
                        _("%(quantity)s %(unit)s of %(part)s")
                        % {"quantity": plain(take), "unit": po_line.part.unit, "part": po_line.part.name}
                    )
            Allocation.objects.bulk_update(allocations, ["received"])
            stock_receive(factory_id=po.factory_id, part_id=po_line.part_id, quantity=quantity, fulfil=fulfil)
        shipment.status = Shipment.Status.RECEIVED
        shipment.received_at = now
        shipment.save(update_fields=["status", "received_at"])
        purchase_order_refresh(po, now=now)
        for order in Order.objects.filter(pk__in=list(parts_by_order)):
            timeline_add(order=order, event="parts_received", shipment=shipment.number,
                         parts=", ".join(parts_by_order[order.pk]))
        jobs_release(order_ids=list(parts_by_order), now=now)
    return shipment


def shipments_arrive() -> int:
    """Receive every shipment due by now on the factory clock, as shipped; returns how many."""
    due = list(
        Shipment.objects.filter(status=Shipment.Status.IN_TRANSIT, expected_arrival__lte=clock.now())
        .order_by("expected_arrival", "pk")
        .values_list("pk", "expected_arrival")
    )
    done = 0
    for pk, arrival in due:
        try:
            # It arrived when expected: the beat only notices it a little later.
            shipment_receive(shipment_id=pk, at=arrival)
        except ActionRefused:  # received meanwhile by another run
            continue
        done += 1
    return done
