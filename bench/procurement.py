"""Procurement benchmark: BOM explosion, netting and sourcing for 1,000 order lines of the demo catalog.

Runs on a fresh SQLite database in a temporary folder (or on BENCH_DATABASE_URL, e.g. a scratch
PostgreSQL database, which it migrates and fills). Writes bench/out/procurement.json and prints a table.
The issue's budget: explosion + netting + sourcing of 1,000 lines in at most 5 seconds.
"""

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import demo_django, figures_show, write_result  # noqa: E402
BUDGET_SECONDS = 5.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--lines-per-order", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="200 lines, for a quick look")
    args = parser.parse_args(argv)
    if args.quick:
        args.lines = 200

    demo_django(os.environ.get("BENCH_DATABASE_URL"))
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cosmo import clock
    from cosmo.models import User
    from orders.models import OptionGroup, Order, OrderLine, ProductFamily
    from production.bom import need_date_estimate, order_lines_explode
    from production.models import Factory, Requirement
    from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine
    from suppliers.netting import requirements_net

    consumer = User.objects.get(username="consumer")
    rng = random.Random(args.seed)

    def configuration(family) -> dict:
        """The family's defaults, with its numeric options drawn within their range (the demo's rules allow)."""
        chosen = {}
        for group in family.groups.all():
            if group.kind == OptionGroup.Kind.NUMERIC:
                low, high = group.minimum, min(group.maximum, max(group.minimum, Decimal("10")))
                steps = int((high - low) / group.step)
                chosen[group.code] = format(low + group.step * rng.randint(0, steps), "f")
                continue
            defaults = [o.code for o in group.options.all() if o.is_default and o.active]
            if defaults:
                chosen[group.code] = defaults if group.kind == OptionGroup.Kind.MULTI else defaults[0]
        return chosen

    families = list(ProductFamily.objects.prefetch_related("groups__options"))
    now = clock.now()
    lines = []
    for start in range(0, args.lines, args.lines_per_order):
        order = Order.objects.create(
            number=f"CO-B{start:05d}", customer=consumer, placed_at=now, delivery_address="Bench Road",
            total=0, currency="EUR",
        )
        for position in range(start, min(start + args.lines_per_order, args.lines)):
            family = families[position % len(families)]
            lines.append(OrderLine(order=order, position=position - start + 1, family=family,
                                   configuration=configuration(family), variant_code="bench",
                                   quantity=rng.randint(1, 4), unit_price=0))
    lines = OrderLine.objects.bulk_create(lines)
    lines = list(OrderLine.objects.filter(pk__in=[ln.pk for ln in lines]).select_related("order", "family"))
    need_dates = {line.order_id: need_date_estimate(line.order) for line in lines}
    factory = Factory.objects.get()

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        with transaction.atomic():
            exploded = order_lines_explode(lines=lines, need_dates=need_dates)
        explosion = time.perf_counter() - started
        explosion_queries = len(captured)
        started = time.perf_counter()
        with transaction.atomic():
            requirements = list(
                Requirement.objects.filter(order_line__in=lines).select_related("order_line", "part")
            )
            netted = requirements_net(requirements=requirements, factory=factory, now=now)
        netting = time.perf_counter() - started
    total = explosion + netting
    figures = {
        "order_lines": len(lines),
        "requirements": exploded["parts"],
        "operations": exploded["operations"],
        "explosion_seconds": round(explosion, 3),
        "netting_and_sourcing_seconds": round(netting, 3),
        "total_seconds": round(total, 3),
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": total <= BUDGET_SECONDS,
        "queries": len(captured),
        "explosion_queries": explosion_queries,
        "queries_per_order_line": round(len(captured) / len(lines), 3),
        "reserved_from_stock": len(netted.reserved),
        "purchase_orders": PurchaseOrder.objects.count(),
        "purchase_order_lines": PurchaseOrderLine.objects.count(),
        "allocations": Allocation.objects.count(),
        "at_risk_requirements": len(netted.bought.late),
    }
    params = {"lines": args.lines, "lines_per_order": args.lines_per_order, "seed": args.seed,
              "database": connection.vendor}
    path = write_result("procurement", params, figures)
    figures_show(figures, path)
    return 0 if figures["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
