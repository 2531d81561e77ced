"""Drain benchmark: how fast the steps behind intake work off a backlog, with two worker processes.

Two phases on a scratch PostgreSQL database (BENCH_DATABASE_URL, default the local `cosmo_bench_drain`;
it is migrated, flushed and filled with the demo world):

1. `buy`: N accepted orders (one line each, the demo catalog, promised three weeks out) are exploded,
   netted and bought for by two processes running the plan and procure steps in batches until none is
   left; then every requirement must be reserved from stock or on a purchase-order line.
2. `place`: every job is released (its parts taken as in) and two processes run the scheduling step in
   batches until every order is scheduled; then no line's operations may overlap.

For each phase: the wall time, the time of each thousand orders (from the moments the orders reached
the phase's stage) and the ratio of the last thousand to the first. The issue's targets: 10,000 orders
bought for in 5 minutes, 10,000 jobs placed in 2 minutes, the last thousand at most 20 % slower than the
first. Writes bench/out/drain.json.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUY_BUDGET = 300.0  # seconds for 10,000 orders
PLACE_BUDGET = 120.0
FLAT_BUDGET = 1.20  # the last thousand over the first


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # The steps enqueue their next step after commit; here the workers poll instead, so the messages go
    # to kombu's in-memory transport and are dropped with the process.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    # DEBUG stays off (with it Django keeps every query in memory); a key of the bench's own.
    os.environ.setdefault("SECRET_KEY", "cosmo-bench-drain-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cosmo.settings")
    import django

    django.setup()


def worker(phase: str) -> int:
    """One worker process: run the phase's steps in batches until nothing is left to take."""
    from orders.models import Order, Stage
    from lifecycle import steps

    stages = [Stage.ACCEPTED, Stage.PLANNED] if phase == "buy" else [Stage.MATERIALS]
    while True:
        if phase == "buy":
            moved = len(steps.orders_plan()) + len(steps.orders_procure())
        else:
            moved = len(steps.orders_schedule())
        if not moved:
            if not Order.objects.filter(stage__in=stages).exists():
                return 0
            time.sleep(0.05)  # the other worker holds what is left


def reference_seconds() -> float:
    """Seconds for 1,000 single-row reads of an order by primary key: the machine's pace at this moment."""
    from orders.models import Order

    pks = list(Order.objects.values_list("pk", flat=True)[:1000])
    started = time.perf_counter()
    for pk in pks:
        Order.objects.filter(pk=pk).values_list("stage", flat=True).first()
    return round(time.perf_counter() - started, 3)


def chunks(moments: list[float], start: float, size: int = 1000) -> list[float]:
    """Seconds taken by each successive `size` orders, from their completion moments."""
    moments = sorted(moments)
    out, previous = [], start
    for end in range(size, len(moments) + 1, size):
        out.append(round(moments[end - 1] - previous, 3))
        previous = moments[end - 1]
    return out


def run_phase(phase: str, workers: int, database_url: str, stage: str) -> dict:
    from orders.models import Order

    env = dict(os.environ, DATABASE_URL=database_url)
    started_wall = time.time()
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--worker", phase], env=env, cwd=ROOT) for _ in range(workers)
    ]
    codes = [p.wait() for p in procs]
    seconds = time.perf_counter() - started
    moments = [m.timestamp() for m in Order.objects.filter(stage=stage).values_list("stage_changed_at", flat=True)]
    per_thousand = chunks(moments, started_wall)
    return {
        "orders": len(moments),
        "seconds": round(seconds, 2),
        "orders_per_second": round(len(moments) / seconds, 1) if seconds else None,
        "per_thousand_seconds": per_thousand,
        "last_over_first": round(per_thousand[-1] / per_thousand[0], 2) if len(per_thousand) > 1 else None,
        "worker_exit_codes": codes,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=None, help="COSMO_STEP_BATCH (default: the setting)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2,000 orders, for a quick look")
    parser.add_argument("--worker", choices=["buy", "place"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cosmo_bench_drain")
    # Two thirds of the orders (fridges and washers) can only run on the demo factory's two lines of two
    # shifts: 10,000 orders take them about 500 days. Plan far enough ahead for the backlog.
    os.environ.setdefault("COSMO_PLANNING_HORIZON_DAYS", str(max(400, args.orders // 10)))
    if args.batch:
        os.environ["COSMO_STEP_BATCH"] = str(args.batch)
    setup_django(database_url)
    if args.worker:
        return worker(args.worker)
    if args.quick:
        args.orders = 2000

    import random

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F, Sum

    from cosmo import clock
    from cosmo.models import User
    from lifecycle.demo import demo_seed
    from orders.models import OptionGroup, Order, OrderLine, ProductFamily, Stage
    from production.models import Factory, Job, Operation, Requirement
    from production.scheduler import violations
    from production.scheduling import factory_problem
    from suppliers.models import Allocation, PurchaseOrder, PurchaseOrderLine

    if connection.vendor != "postgresql":
        print("the drain benchmark needs PostgreSQL (BENCH_DATABASE_URL)", file=sys.stderr)
        return 2
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database_url.rsplit("/", 1)[1]],
                   capture_output=True)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    demo_seed(network=False)
    # The factory clock stands still: no floor runs here, so nothing would start while the plan is written
    # (a moving clock would make the plan stale at every batch and retime it whole).
    clock.reset(speed=0.0)
    consumer = User.objects.get(username="consumer")
    rng = random.Random(args.seed)
    families = list(ProductFamily.objects.prefetch_related("groups__options"))

    def configuration(family) -> dict:
        chosen = {}
        for group in family.groups.all():
            if group.kind == OptionGroup.Kind.NUMERIC:
                chosen[group.code] = format(group.minimum, "f")
                continue
            options = [o.code for o in group.options.all() if o.active]
            defaults = [o.code for o in group.options.all() if o.is_default and o.active]
            if group.kind == OptionGroup.Kind.MULTI:
                chosen[group.code] = defaults
            elif options:
                chosen[group.code] = defaults[0] if defaults else options[0]
        return chosen

    now = clock.now()
    promised = (now + timedelta(days=21)).date()
    orders = Order.objects.bulk_create(
        Order(number=f"CO-D{i:06d}", customer=consumer, placed_at=now, delivery_address="Bench Road",
              promised_date=promised, total=0, currency="EUR")
        for i in range(args.orders)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, position=1, family=(family := families[i % len(families)]),
                  configuration=configuration(family), variant_code="bench", quantity=1, unit_price=0)
        for i, order in enumerate(orders)
    )

    load_before = os.getloadavg()
    reference = reference_seconds()
    buy = run_phase("buy", args.workers, database_url, Stage.MATERIALS)
    on_order = dict(
        Allocation.objects.filter(requirement__isnull=False)
        .values("requirement_id").annotate(q=Sum("quantity")).values_list("requirement_id", "q")
    )
    uncovered = sum(
        1 for pk, quantity, reserved in Requirement.objects.values_list("pk", "quantity", "reserved")
        if reserved + on_order.get(pk, Decimal("0")) < quantity
    )
    buy.update(
        requirements=Requirement.objects.count(),
        requirements_uncovered=uncovered,
        purchase_orders=PurchaseOrder.objects.count(),
        purchase_order_lines=PurchaseOrderLine.objects.count(),
    )

    # The parts are in: reserve every requirement and release every job (what receipts would do).
    Requirement.objects.update(reserved=F("quantity"))
    Job.objects.update(release_date=clock.now())
    place = run_phase("place", args.workers, database_url, Stage.SCHEDULED)
    factory = Factory.objects.get()
    fp = factory_problem(factory)
    current, unplaced = fp.current()
    place.update(
        operations_placed=Operation.objects.filter(line__isnull=False).count(),
        operations_unplaced=Operation.objects.filter(line__isnull=True).count(),
        violations=len(violations(fp.problem, current)) if not unplaced else None,
    )
    load_after = os.getloadavg()

    scale = args.orders / 10000
    figures = {
        "buy": buy,
        "place": place,
        "buy_within_budget": buy["seconds"] <= BUY_BUDGET * scale and buy["requirements_uncovered"] == 0,
        "place_within_budget": place["seconds"] <= PLACE_BUDGET * scale and place["operations_unplaced"] == 0,
        "buy_flat": (buy["last_over_first"] or 1) <= FLAT_BUDGET,
        "place_flat": (place["last_over_first"] or 1) <= FLAT_BUDGET,
        # The same fixed work timed in this run, to read the figures against the machine's state.
        "reference_1000_queries_seconds": reference,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    params = {"orders": args.orders, "workers": args.workers, "batch": settings.COSMO_STEP_BATCH,
              "horizon_days": settings.COSMO_PLANNING_HORIZON_DAYS, "database": connection.vendor}
    from bench.common import write_result

    path = write_result("drain", params, figures)
    for key, value in figures.items():
        print(f"{key:<24} {value}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
