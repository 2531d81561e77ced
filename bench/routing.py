"""The routed quote: every capable factory weighed (materials, making, shipping) for each configurator
answer, with 1,000 operations already scheduled in each of the demo's three factories. Target: the
configurator's whole htmx answer p95 ≤ 50 ms.

    .venv/bin/python bench/routing.py           # 300 quotes and 300 configurator answers
    .venv/bin/python bench/routing.py --quick   # 60 of each

Runs Django in this process on a fresh SQLite database with the demo's three factories, fills each
factory's lines with at least 1,000 operations (orders exploded and placed by the dispatcher, as the
pipeline does), then times: `delivery_route` (the routed quote alone), the same quote asked of one factory
only (the reference: what one factory's quote costs in the same run), and the configurator's htmx answer
(middleware, engine, routed quote, template). Writes bench/out/routing.json.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }


def plain(selection: dict) -> dict:
    """A selection as stored in JSON (numbers as strings, as the configurator sends them)."""
    return json.loads(json.dumps(selection, default=str))


def fill(factory, families, rng, target_ops: int) -> int:
    """Place orders made in `factory` until its lines hold `target_ops` operations; returns the count."""
    from django.db import transaction

    from cosmo import clock
    from cosmo.models import User
    from orders.models import Order, OrderLine
    from orders.configuration import family_defaults
    from production.bom import Catalog, order_lines_explode
    from production.models import Job, Operation
    from production.planning import jobs_place

    consumer = User.objects.get(username="consumer")
    made = [f for f in families if f.capabilities.filter(line__factory=factory).exists()]
    n = 0
    while Operation.objects.filter(job__factory=factory).count() < target_ops:
        with transaction.atomic():
            lines = []
            for _ in range(25):
                family = rng.choice(made)
                n += 1
                order = Order.objects.create(
                    number=f"B{factory.code}{n:05d}", customer=consumer, placed_at=clock.now(),
                    delivery_address="bench", total=0, currency="EUR",
                )
                lines.append(OrderLine.objects.create(
                    order=order, family=family, configuration=plain(family_defaults(family)), variant_code="B",
                    quantity=rng.randint(1, 3), unit_price=0, factory_code=factory.code,
                ))
            for line in lines:
                line.order = Order.objects.get(pk=line.order_id)
            catalog = Catalog(f.pk for f in made)
            order_lines_explode(lines=lines, need_dates={ln.order_id: clock.now() for ln in lines}, catalog=catalog)
            jobs = list(Job.objects.filter(order_line__in=lines).select_related("order_line__order", "order_line__family"))
            Job.objects.filter(pk__in=[j.pk for j in jobs]).update(release_date=clock.now())
            for job in jobs:
                job.release_date = clock.now()
            jobs_place(factory_id=factory.pk, jobs=jobs, not_before=clock.now())
    return Operation.objects.filter(job__factory=factory).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer quotes")
    parser.add_argument("--quotes", type=int, default=300)
    parser.add_argument("--operations", type=int, default=1000, help="scheduled operations per factory")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    count = 60 if args.quick else args.quotes

    var = tempfile.mkdtemp(prefix="cosmo-bench-")
    os.environ.update(COSMO_VAR_DIR=var, DJANGO_SETTINGS_MODULE="cosmo.settings")
    os.environ.setdefault("DEBUG", "1")  # the local demo's settings (plain HTTP, no SECRET_KEY needed)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.common import selection_step, write_result
    from cosmo.models import User
    from lifecycle.demo import demo_seed
    from orders.configuration import family_defaults
    from orders.models import ProductFamily, Region
    from production.models import Factory
    from production.promise import forget_floors
    from production.routing import delivery_route, line_candidates, region_of

    call_command("migrate", verbosity=0)
    demo_seed()
    rng = random.Random(args.seed)
    families = list(ProductFamily.objects.prefetch_related("groups__options"))
    started = time.perf_counter()
    scheduled = {f.code: fill(f, families, rng, args.operations) for f in Factory.objects.order_by("code")}
    print(f"scheduled operations per factory: {scheduled} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    forget_floors()
    regions = list(Region.objects.values_list("code", flat=True))
    qd1 = Factory.objects.get(code="QD1").pk

    def draw():
        family = rng.choice(families)
        return family, plain(family_defaults(family)), rng.randint(1, 5), rng.choice(regions)

    routed, single, chosen = [], [], {}
    for k in range(count + 10):
        family, configuration, quantity, region = draw()
        t0 = time.perf_counter()
        route = delivery_route(family, configuration, quantity, region)
        t1 = time.perf_counter()
        line_candidates(family, configuration, quantity, region_of(region), only={qd1}, recent=True)
        t2 = time.perf_counter()
        if k >= 10:  # the first quotes build the per-process caches
            routed.append((t1 - t0) * 1000)
            single.append((t2 - t1) * 1000)
            chosen[route.factory_code] = chosen.get(route.factory_code, 0) + 1

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="consumer"))
    family = ProductFamily.objects.prefetch_related("groups__options").get(code="AC-SPLIT")
    groups = [(g.code, g.kind, [o.code for o in g.options.all()]) for g in family.groups.all()]
    selection = dict(family_defaults(family))
    page = []
    for k in range(count + 10):
        data = selection_step(rng, groups, selection)
        data.update(quantity="1", region=rng.choice(regions))
        t0 = time.perf_counter()
        response = client.post(f"/shop/configure/{family.code}/", data, HTTP_HX_REQUEST="true")
        if k >= 10:
            page.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code

    figures = {
        "scheduled_operations": scheduled,
        "routed_quote": percentiles(routed),
        "one_factory_quote_reference": percentiles(single),
        "htmx_configurator": percentiles(page),
        "routed_to": chosen,
        "target_p95_ms": 50,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    figures["meets_target"] = figures["htmx_configurator"]["p95_ms"] <= 50
    path = write_result("routing", {"quotes": count, "operations_per_factory": args.operations, "seed": args.seed,
                                    "quick": args.quick}, figures)
    for key in ("routed_quote", "one_factory_quote_reference", "htmx_configurator"):
        print(f"{key:<30} " + "  ".join(f"{k} {v}" for k, v in figures[key].items()))
    print(f"routed to {chosen}; load average {figures['load_average_1min']}; wrote {path}")
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
