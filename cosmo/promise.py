"""The delivery date promised while the consumer configures: materials, then the line, then shipping.

It reads all three apps (offers, stock, lines), so it lives in `cosmo`, which wires them.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min

from cosmo import clock
from orders.models import OrderLine, ProductFamily
from production.bom import Catalog
from production.models import LineCapability, Operation, Stock
from suppliers.models import Offer

SHIPPING_TIME = timedelta(days=2)


def delivery_quote(family: ProductFamily, selection: dict, quantity: int) -> date:
    """The earliest ship date: parts from free stock or the fastest offer, then the routing on the capable
    line that frees up first, then shipping."""
    now = clock.now()
    line = OrderLine(family=family, configuration=selection, quantity=max(1, quantity))
    catalog = Catalog([family.pk])
    ready = now
    needs = catalog.needs(line)  # part id → quantity
    free = {s.part_id: s.on_hand - s.reserved for s in Stock.objects.filter(part_id__in=list(needs))}
    lead_days = dict(
        Offer.objects.filter(part_id__in=list(needs), active=True).values_list("part").annotate(Min("lead_time_days"))
    )
    for part_id, quantity_needed in needs.items():
        if free.get(part_id, Decimal("0")) < quantity_needed and part_id in lead_days:
            ready = max(ready, now + timedelta(days=lead_days[part_id]))
    minutes = sum(m for _, _, m in catalog.operations(line))
    capabilities = LineCapability.objects.filter(family=family).select_related("line")
    best = None
    for capability in capabilities:
        free_from = Operation.objects.filter(line=capability.line).aggregate(end=Max("planned_end"))["end"] or now
        end = max(ready, free_from) + timedelta(minutes=float(minutes / capability.speed))
        best = end if best is None else min(best, end)
    return ((best or ready) + SHIPPING_TIME).date()
