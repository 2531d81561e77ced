"""Intake at the speed of the web tier: `POST /api/orders/` against gunicorn on PostgreSQL and Redis.

Starts its own gunicorn (the repository's gunicorn.conf.py: 2 workers unless told otherwise) on 127.0.0.1,
on a database and a Redis database number of its own (created afresh; only that Redis database is
flushed), loads the demo world, then drives it with `wrk` (8 connections, keep-alive, token auth):

1. the reference: `GET /api/` (a trivial authenticated API endpoint) for `--reference-seconds`;
2. the orders: `POST /api/orders/` of valid configurations of the demo families, each with its own
   Idempotency-Key, for `--seconds`.

Afterwards it checks that every 201 is one order in the database and that the planning step was nudged
(no worker runs: the orders wait in accepted), and writes bench/out/intake.json: accepted orders/s,
p50/p95/p99, the reference rate, their ratio, the load average before and after. Targets: ≥ 300 orders/s,
p99 ≤ 100 ms, ratio ≥ 10 %.

Needs `wrk` (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1 (or BENCH_DATABASE_URL and
BENCH_BROKER_URL).
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cosmo_bench_intake"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/12"

def server_settings(database_url: str, broker_url: str, var: str) -> dict:
    """The environment of the web tier under test (and of a profile of it): production settings on these
    databases, quiet logs."""
    return dict(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        COSMO_VAR_DIR=var,
        DJANGO_SETTINGS_MODULE="cosmo.settings",
        DEBUG="0",
        SECRET_KEY="cosmo-bench-intake-only",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
        # One consumer places every order: the benchmark measures the intake, not its per-consumer throttle.
        COSMO_THROTTLE_ORDER="1000000/min",
    )


# wrk's script: one POST per request, a configuration drawn from the list, a fresh Idempotency-Key each
# time; counts the statuses per thread and prints one JSON line at the end.
WRK_SCRIPT = r"""
local bodies = BODIES
local token = "TOKEN"
local threads = {}
local counter = 0
local id = 0

function setup(thread)
  id = id + 1
  thread:set("tid", id)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  other = 0
  errors5 = 0
  math.randomseed(tid * 7919)
end

function request()
  counter = counter + 1
  local body = bodies[math.random(#bodies)]
  return wrk.format("POST", "/api/orders/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["Idempotency-Key"] = "bench-" .. RUN .. "-" .. tid .. "-" .. counter,
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status >= 500 then
    errors5 = errors5 + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, o, e = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    e = e + t:get("errors5")
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "created": %d, "other": %d, "server_errors": %d, '
    .. '"socket_errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, c, o, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""

REFERENCE_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0 end
function response(status, headers, body) if status == 200 then ok = ok + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("ok") end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "ok": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, n, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def redis_flush_own(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # this benchmark's own database number only


def queue_length(url: str, queue: str) -> int:
    import redis

    return redis.Redis.from_url(url).llen(queue)


def wrk(script: str, url: str, *, seconds: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
             "--latency", "-s", handle.name, url],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON "):])


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system, all threads) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(gunicorn_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by the web tier (gunicorn's master and workers) and by the PostgreSQL
    backends connected to the benchmark's database: what one request costs, whatever else the machine
    runs meanwhile (the rate and the latencies depend on that load; the CPU per request much less)."""
    from django.db import connection

    children = Path(f"/proc/{gunicorn_pid}/task/{gunicorn_pid}/children").read_text().split()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        backends = [row[0] for row in cursor.fetchall()]
    return {
        "web": sum(process_cpu(int(pid)) for pid in [gunicorn_pid, *children]),
        "database": {pid: process_cpu(pid) for pid in backends},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Web and database CPU seconds between two `server_cpu` readings (backends that came and went between
    them are missed: the web tier keeps its connections open, CONN_MAX_AGE)."""
    return {
        "web": after["web"] - before["web"],
        "database": sum(cpu - before["database"].get(pid, 0.0) for pid, cpu in after["database"].items()),
    }


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def order_bodies(seed: int) -> tuple[str, list[str]]:
    """The consumer's API token and the JSON bodies of valid one-line orders (random variations of each
    demo family's defaults that its rules accept)."""
    from rest_framework.authtoken.models import Token

    from cosmo.models import User
    from orders.configuration import family_defaults, selection_check
    from orders.models import ProductFamily

    token = Token.objects.get_or_create(user=User.objects.get(username="consumer"))[0].key
    rng = random.Random(seed)
    bodies = []
    for family in ProductFamily.objects.filter(active=True).prefetch_related("groups__options"):
        defaults = family_defaults(family)
        singles = [(g.code, [o.code for o in g.options.all() if o.active]) for g in family.groups.all()
                   if g.kind == "single"]
        for _ in range(60):  # random variations of the defaults that the rules accept
            selection = dict(defaults)
            for code, options in rng.sample(singles, min(2, len(singles))):
                selection[code] = rng.choice(options)
            check = selection_check(family, selection)
            if not check.errors:
                body = {"delivery_address": "Bench Street 1, Qingdao",
                        "lines": [{"family": family.code, "configuration": check.configuration, "quantity": 1}]}
                bodies.append(json.dumps(body))
    return token, sorted(set(bodies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="15 s of orders, 5 s of reference")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--reference-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")))
    parser.add_argument("--worker-class", default=os.environ.get("GUNICORN_WORKER_CLASS", "cosmo.web_worker.SpreadThreadWorker"))
    parser.add_argument("--seed", type=int, default=3)
    args, _ = parser.parse_known_args()
    seconds = 15 if args.quick else args.seconds
    reference_seconds = 5 if args.quick else args.reference_seconds
    if shutil.which("wrk") is None:
        print("intake: needs wrk (apt-get install wrk)", file=sys.stderr)
        return 1

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    database_recreate(database_url)
    redis_flush_own(broker_url)
    var = tempfile.mkdtemp(prefix="cosmo-bench-intake-")
    settings = server_settings(database_url, broker_url, var)
    env = dict(os.environ, **settings)
    os.environ.update({k: v for k, v in settings.items() if k != "LOG_LEVEL"})  # this process logs as usual
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    import django

    django.setup()
    from orders.models import Order

    token, bodies = order_bodies(args.seed)
    from django.db import connections

    connections.close_all()

    port = free_port()
    gunicorn = subprocess.Popen(
        [python, "-m", "gunicorn", "cosmo.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.web_workers),
         "--threads", str(args.threads), "--worker-class", args.worker_class],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), 0.2):
                    break
            except OSError:
                time.sleep(0.2)
        # Warm both workers (imports, caches, connections) before measuring.
        warm = WRK_SCRIPT.replace("BODIES", "{" + ",".join(lua_string(b) for b in bodies) + "}").replace(
            "TOKEN", token).replace("RUN", '"warm"')
        wrk(warm, base, seconds=3, connections=args.connections, threads=2)
        reference_script = REFERENCE_SCRIPT.replace("function init(args) ok = 0 end", (
            "function init(args) ok = 0; wrk.headers['Authorization'] = 'Token " + token + "' end"))
        database = urlparse(database_url).path.lstrip("/")
        load_before = os.getloadavg()
        cpu_start = server_cpu(gunicorn.pid, database)
        reference = wrk(reference_script, base + "/api/", seconds=reference_seconds, connections=args.connections,
                        threads=2)
        cpu_reference = cpu_used(cpu_start, cpu_middle := server_cpu(gunicorn.pid, database))
        orders_before = Order.objects.count()
        queue_before = queue_length(broker_url, "orders")
        script = WRK_SCRIPT.replace("BODIES", "{" + ",".join(lua_string(b) for b in bodies) + "}").replace(
            "TOKEN", token).replace("RUN", f'"{int(time.time())}"')
        intake = wrk(script, base, seconds=seconds, connections=args.connections, threads=2)
        load_after = os.getloadavg()
        time.sleep(2)  # the requests wrk left in flight when it stopped finish on the server
        cpu_intake = cpu_used(cpu_middle, server_cpu(gunicorn.pid, database))
        placed = Order.objects.count() - orders_before
        enqueued = queue_length(broker_url, "orders") - queue_before
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)

    from bench.common import write_result

    rate = intake["created"] / intake["seconds"]
    reference_rate = reference["ok"] / reference["seconds"]
    per_order = {part: 1000 * cpu / max(1, intake["requests"]) for part, cpu in cpu_intake.items()}
    per_reference = {part: 1000 * cpu / max(1, reference["requests"]) for part, cpu in cpu_reference.items()}
    order_cpu_ms, reference_cpu_ms = sum(per_order.values()), sum(per_reference.values())
    figures = {
        "accepted_orders_per_s": round(rate, 1),
        "order_p50_ms": intake["p50_ms"],
        "order_p95_ms": intake["p95_ms"],
        "order_p99_ms": intake["p99_ms"],
        "order_max_ms": intake["max_ms"],
        "orders_accepted": intake["created"],
        "orders_refused": intake["other"],
        "server_errors": intake["server_errors"],
        "socket_errors": intake["socket_errors"],
        "orders_in_database": placed,
        "messages_enqueued": enqueued,  # nudges of the planning step, not one per order
        "reference_get_api_per_s": round(reference_rate, 1),
        "reference_p50_ms": reference["p50_ms"],
        "ratio_percent": round(100 * rate / reference_rate, 1) if reference_rate else None,
        # Server CPU (gunicorn and PostgreSQL) per request, and what it allows on this machine's cores with
        # nothing else running (wrk, Redis and the kernel's network work not counted).
        "order_cpu_ms": {"web": round(per_order["web"], 2), "database": round(per_order["database"], 2),
                         "total": round(order_cpu_ms, 2)},
        "reference_cpu_ms": {"web": round(per_reference["web"], 2), "database": round(per_reference["database"], 2),
                             "total": round(reference_cpu_ms, 2)},
        "cpu_bound_orders_per_s": round(1000 * (os.cpu_count() or 1) / order_cpu_ms, 1) if order_cpu_ms else None,
        "cpu_ratio_percent": round(100 * reference_cpu_ms / order_cpu_ms, 1) if order_cpu_ms else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "target": {"orders_per_s": 300, "p99_ms": 100, "ratio_percent": 10},
        "meets_target": rate >= 300 and intake["p99_ms"] <= 100 and reference_rate > 0
        and rate / reference_rate >= 0.10,
    }
    params = {
        "seconds": seconds, "reference_seconds": reference_seconds, "connections": args.connections,
        "web_workers": args.web_workers, "worker_class": args.worker_class, "threads": args.threads,
        "configurations": len(bodies), "database": urlparse(database_url).path.lstrip("/"), "broker": broker_url,
    }
    path = write_result("intake", params, figures)
    for key, value in figures.items():
        print(f"{key:<28} {value}")
    print(f"wrote {path}")
    # wrk stops with up to one request per connection in flight: those orders exist but were not counted.
    in_flight = placed - intake["created"]
    # The accepted orders are the planning step's queue: a few nudges a second per web process, not one
    # message per order (cosmo/queue.py).
    waiting = Order.objects.filter(stage="accepted").count()
    ok = (intake["server_errors"] == 0 and 0 <= in_flight <= args.connections and waiting >= placed
          and 1 <= enqueued <= placed)
    if not ok:
        print("intake: server errors, accepted orders not in the database, or no nudge", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
