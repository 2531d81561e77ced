"""A few days of history for the demo, so every portal has something to show from the first minute:
consumer orders placed over the last days through `order_place` (the portal's service), every task run
inline, the autopilot suppliers answering and shipping, arrivals received, stock replenished and the
simulated floor ticking, step by step, up to the factory's now. QCW keeps no autopilot: its purchase
orders of the first two thirds of the span are answered and shipped as a person would in the portal (the
last of them only half shipped), the later ones wait in the `supplier` user's inbox, so some orders wait on
QCW and say so. Nothing is written that the pipeline would not write itself."""

from datetime import timedelta

from django.test.utils import override_settings

from cosmo import clock
from cosmo.models import User
from lifecycle import floor
from lifecycle.simulate import demand_generate
from orders.models import Region
from orders.services import LineRequest, order_place
from production import planning
from suppliers import autopilot, receiving, replenishment
from suppliers.actions import line_confirm, shipment_create
from suppliers.models import PurchaseOrder, PurchaseOrderLine

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
