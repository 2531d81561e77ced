"""Where an order POST spends its time: the bench's requests, in one process, through Django's whole stack.

Drives `POST /api/orders/` (the same bodies and token as bench/intake.py) through the WSGI handler with
every middleware, on the database bench/intake.py left seeded (BENCH_DATABASE_URL, default
cosmo_bench_intake; `--fresh` recreates and seeds it first). Prints the queries of one request, the
wall time per request (p50, p95) without the profiler, and then, under cProfile, the share of the time
of each part of the answer (the parts below, cumulative, so they nest) and the top functions.

    .venv/bin/python bench/intake_profile.py --orders 300
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import DEFAULT_BROKER_URL, DEFAULT_DATABASE_URL, database_recreate, server_settings  # noqa: E402

# The parts of an order POST, by the function that does each (file suffix, function name).
PARTS = [
    ("the whole request (handler)", "django/core/handlers/base.py", "get_response"),
    ("middleware before/after the view", "django/core/handlers/base.py", "_get_response"),
    ("token authentication", "rest_framework/authentication.py", "authenticate_credentials"),
    ("throttle", "rest_framework/throttling.py", "allow_request"),
    ("DRF parse (hostile JSON gate)", "cosmo/hostile.py", "parse"),
    ("DRF input serializer", "orders/api.py", "order_in"),
    ("order_place", "orders/services.py", "order_place"),
    ("  idempotency key lookup", "orders/services.py", "_order_for_key"),
    ("  order_check (families, lines)", "orders/services.py", "order_check"),
    ("    configurator check", "orders/configuration.py", "selection_check"),
    ("    delivery quote", "orders/configuration.py", "delivery_quote"),
    ("  transaction commit + on_commit", "django/db/transaction.py", "__exit__"),
    ("    enqueue (send_now)", "cosmo/queue.py", "send_now"),
    ("  timeline entry", "orders/timeline.py", "timeline_add"),
    ("  audit record", "cosmo/audit.py", "record"),
    ("answer (OrderSerializer)", "rest_framework/serializers.py", "to_representation"),
    ("JSON rendering", "rest_framework/renderers.py", "render"),
    ("database execute (all)", "django/db/backends/utils.py", "_execute"),
]


def setup_env(database_url: str, broker_url: str, cache_url: str | None) -> None:
    os.environ.update(server_settings(database_url, broker_url, os.environ.get("COSMO_VAR_DIR", "/tmp/cosmo-intake-profile")))
    if cache_url:
        os.environ["COSMO_CACHE_URL"] = cache_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="recreate and seed the database first")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--callees", default=r"services.py.*\(order_place\)", help="a regex of functions to break down")
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL"))
    parser.add_argument("--dump", help="also write the raw profile here (for pstats: callers, callees)")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    setup_env(database_url, broker_url, args.cache_url)
    if args.fresh:
        import subprocess

        database_recreate(database_url)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, check=True, capture_output=True)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.intake import order_bodies

    token, bodies = order_bodies(seed=3)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    counter = iter(range(10**9))
    run = int(time.time())

    def post():
        response = client.post(
            "/api/orders/", bodies[next(counter) % len(bodies)], content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"profile-{run}-{next(counter)}",
        )
        assert response.status_code == 201, (response.status_code, response.content[:300])

    for _ in range(30):  # warm: imports, the compiled families, the quote's caches, the connection
        post()
    with CaptureQueriesContext(connection) as queries:
        post()
    print(f"queries of one order POST: {len(queries)}")
    for query in queries:  # now: the next request (request_started) empties Django's query log
        print("  ", query["sql"][:150])
    reference = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    for _ in range(30):
        reference.get("/api/")
    started_cpu = time.process_time()
    for _ in range(200):
        assert reference.get("/api/").status_code == 200
    print(f"CPU of this process per GET /api/ (the reference): {(time.process_time() - started_cpu) * 5:.2f} ms")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (on this machine, from /proc)."""
        try:
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    times, cpu = [], []
    backend_before = backend_cpu()
    for _ in range(args.orders):
        started, started_cpu = time.perf_counter(), time.process_time()
        post()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    backend_ms = (backend_cpu() - backend_before) * 1000 / args.orders
    times.sort()
    print(f"PostgreSQL's CPU per order POST (this connection's backend): {backend_ms:.2f} ms")
    print(f"\nthis process's CPU per order POST (the web tier's share, without PostgreSQL's and Redis's): "
          f"mean {statistics.fmean(cpu):.2f} ms, p50 {statistics.median(cpu):.2f} ms")
    print(f"\nwall time per order POST, {args.orders} in a row, one thread: p50 {statistics.median(times):.2f} ms, "
          f"p95 {times[int(0.95 * len(times))]:.2f} ms, mean {statistics.fmean(times):.2f} ms; "
          f"load average {os.getloadavg()[0]:.2f}")

    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on the database and Redis drop out
    profiler.enable()
    for _ in range(args.orders):
        post()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    total = None
    print(f"\nunder cProfile, CPU ms of this process per order POST, cumulative (parts nest; {args.orders} requests):")
    for label, suffix, name in PARTS:
        cumulative = sum(
            value[3] for (filename, _, function), value in stats.stats.items()
            if filename.endswith(suffix) and function == name
        )
        per = 1000 * cumulative / args.orders
        total = total or per
        print(f"  {label:<36} {per:7.2f} ms  {100 * per / total:5.1f} %")
    out = io.StringIO()
    callees = pstats.Stats(profiler, stream=out)
    callees.sort_stats("cumulative").print_callees(args.callees)
    print("\n".join(line for line in out.getvalue().splitlines() if "->" in line or "  " in line)[:6000])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\n" + "\n".join(out.getvalue().splitlines()[:args.top + 12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
