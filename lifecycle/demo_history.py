"""A few days of history for the demo, so every portal has something to show from the first minute:
consumer orders placed over the last days through `order_place` (the portal's service), every task run
inline, the autopilot suppliers answering and shipping, arrivals received, stock replenished and the
simulated floor ticking, step by step, up to the factory's now. QCW keeps no autopilot: its purchase
orders of the first two thirds of the span are answered and shipped as a person would in the portal (the
last of them only half shipped), the later ones wait in the `supplier` user's inbox. The shelf covers most
orders, so the history ends with two orders too large for it: QCW has confirmed the first and shipped half
(its inbox has something to ship) and not yet answered the second (something to confirm), and both
consumers read that their order waits on QCW and why. Nothing is written that the pipeline would not write
itself."""

import random
from datetime import timedelta

from django.test.utils import override_settings

from cosmo import clock
from cosmo.models import User
from lifecycle import floor
from lifecycle.simulate import configuration_random, demand_generate
from orders.configuration import family_compiled, family_defaults
from orders.models import OrderLine, ProductFamily, Region
from orders.services import LineRequest, order_place
from production import planning
from production.bom import Catalog
from production.models import LineCapability, ShippingLane, Stock
from suppliers import autopilot, receiving, replenishment
from suppliers.actions import line_confirm, purchase_order_confirm, shipment_create
from suppliers.models import Offer, PurchaseOrder, PurchaseOrderLine, Supplier

DEMO_HISTORY_DAYS = 5
DEMO_HISTORY_ORDERS = 18
DEMO_FRESH_ORDERS = 5
# Where the demo's consumers live, in turn (a region the demo world does not have falls back to the default).
ADDRESSES = [
    ("CN-N", "Room 301, 1 Haier Road, Qingdao"),
    ("CN-E", "8 Huangshan Road, Hefei"),
    ("CN-N", "12 Jinan Road, Qingdao"),
    ("EU", "Via Roma 1, Milano"),
]


def _address(k: int) -> dict:
    region, address = ADDRESSES[k % len(ADDRESSES)]
    return {"delivery_address": address, "region": region if Region.objects.filter(code=region).exists() else ""}


def demo_history_seed(*, days: float = DEMO_HISTORY_DAYS, orders: int = DEMO_HISTORY_ORDERS, seed: int = 1,
                      step_minutes: float = 180) -> int:
    """Play `days` of demand up to the factory's now, then place a few orders now; return how many orders
    were placed."""
    customer = User.objects.get(username="consumer")
    now = clock.now().replace(second=0, microsecond=0)
    start = now - timedelta(days=days)
    # The demand arrives over the whole span (the generator spreads it over the first half of its period).
    arrivals = demand_generate(orders=orders, days=2 * days, seed=seed)
    speed = clock.anchor().speed
    placed = 0
    with override_settings(COSMO_TASKS_INLINE=True, COSMO_OPTIMIZE_SECONDS=2):
        t = start
        clock.reset(start=t, speed=0)
        floor.factories_tick(now=t)
        while t < now:
            t = min(now, t + timedelta(minutes=step_minutes))
            clock.reset(start=t, speed=0)
            while placed < len(arrivals) and start + timedelta(minutes=arrivals[placed].minute) <= t:
                a = arrivals[placed]
                order_place(customer=customer, lines=[LineRequest(a.family, a.configuration, a.quantity)],
                            **_address(placed))
                placed += 1
            _qcw_person_answers(created_before=start + timedelta(days=days * 2 / 3), now=t)
            autopilot.suppliers_autopilot()
            receiving.shipments_arrive()
            replenishment.stock_replenish()
            floor.factories_tick(now=t)
        # Two orders the shelf cannot cover wait on the person at QCW: the first confirmed and half shipped
        # (its inbox has something to ship), the second not answered yet (something to confirm).
        for k in range(2):
            po = _order_short_of(customer, supplier_code="QCW", seed=seed + 2 + k)
            placed += 1
            if po is not None and k == 0:
                _qcw_confirms_and_ships_half(po, now=now)
        # A few orders of this very hour: some are planned on the lines, some wait for their parts.
        for a in demand_generate(orders=DEMO_FRESH_ORDERS, days=1, seed=seed + 1):
            order_place(customer=customer, lines=[LineRequest(a.family, a.configuration, a.quantity + 4)],
                        **_address(placed))
            placed += 1
        planning.schedules_optimize_changed()
    clock.reset(start=now, speed=speed)
    return placed


def _qcw_person_answers(*, created_before, now) -> None:
    """The person at QCW confirms its purchase orders sent before `created_before` as ordered and ships
    them (the latest of them only in part), through the portal's own functions."""
    pos = list(PurchaseOrder.objects.filter(supplier__code="QCW", created_at__lt=created_before, created_at__lte=now - timedelta(hours=3))
               .exclude(status__in=[PurchaseOrder.Status.CANCELLED, PurchaseOrder.Status.REJECTED])
               .order_by("created_at", "pk"))
    for k, po in enumerate(pos):
        for line in po.lines.filter(status=PurchaseOrderLine.Status.OPEN):
            line_confirm(po_line_id=line.pk)
        last = k == len(pos) - 1 and now >= created_before
        lines = []
        for line in po.lines.filter(status=PurchaseOrderLine.Status.CONFIRMED).select_related("part"):
            if line.to_ship > 0:
                quantity = (line.to_ship // 2) if last else line.to_ship
                if quantity > 0:
                    lines.append((line.part.code, quantity))
        if lines and not (last and po.shipments.exists()):
            shipment_create(purchase_order_id=po.pk, expected_arrival=(now + timedelta(days=1)).date(), lines=lines)


def _order_short_of(customer, *, supplier_code: str, seed: int) -> PurchaseOrder | None:
    """Place the smallest order that the factory's shelf and the surplus on order cannot cover, of a part that
    `supplier_code` offers (the cheapest and quickest in the demo, so the order buys it there): among the
    defaults and a few seeded configurations of each family, the one short after the fewest units. Return
    the supplier's purchase order the order waits on."""
    rng = random.Random(seed)
    offered = set(Offer.objects.filter(supplier__code=supplier_code).values_list("part_id", flat=True))
    # The shelf of the factory the supplier sits next to, and the families no other factory delivers to the
    # default region within days (routing sends the order there, where it buys from this supplier).
    near = Supplier.objects.get(code=supplier_code).near_id
    region = Region.default()
    close = set(ShippingLane.objects.filter(region=region, days__lt=10).exclude(factory_id=near)
                .values_list("factory_id", flat=True)) if near else set()
    rivals = set(LineCapability.objects.filter(line__factory_id__in=close).values_list("family_id", flat=True))
    stocks = list(Stock.objects.filter(part_id__in=offered, **({"factory_id": near} if near else {})))
    on_order = replenishment.stock_on_order(stocks)
    position = {s.part_id: replenishment.stock_position(s, on_order) for s in stocks}
    best = None
    for family in ProductFamily.objects.filter(capabilities__isnull=False).exclude(pk__in=rivals).distinct().order_by("code"):
        catalog, compiled = Catalog([family.pk]), family_compiled(family)
        for configuration in [family_defaults(family)] + [configuration_random(compiled, rng) for _ in range(12)]:
            per_unit = catalog.needs(OrderLine(family=family, configuration=configuration, quantity=1))
            for part_id in offered & set(per_unit):
                units = max(1, int(max(position.get(part_id, 0), 0) // per_unit[part_id]) + 1)
                if best is None or units < best[0]:
                    best = (units, family.code, configuration)
    if best is None:
        return None
    units, family_code, configuration = best
    order = order_place(customer=customer, lines=[LineRequest(family_code, configuration, units)],
                        delivery_address="Room 301, 1 Haier Road, Qingdao")
    return (PurchaseOrder.objects.filter(supplier__code=supplier_code,
                                         lines__allocations__requirement__order_line__order=order)
            .distinct().order_by("-created_at", "-pk").first())


def _qcw_confirms_and_ships_half(po: PurchaseOrder, *, now) -> None:
    """The person at QCW confirms the whole purchase order and ships half of each line: the rest waits in
    the inbox's "To ship"."""
    purchase_order_confirm(purchase_order_id=po.pk)
    lines = [(line.part.code, line.to_ship // 2)
             for line in po.lines.filter(status=PurchaseOrderLine.Status.CONFIRMED).select_related("part")
             if line.to_ship // 2 > 0]
    if lines:
        shipment_create(purchase_order_id=po.pk, expected_arrival=(now + timedelta(days=1)).date(), lines=lines)
