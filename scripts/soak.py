"""The fault soak: the production topology under faults, then a check that nothing was lost or done twice.

    make soak                       # 5,000 orders
    make soak SOAK_ARGS="--orders 500 --until scheduled"

It creates its own PostgreSQL database (`--database`, default cosmo_soak, dropped and made again) and uses
its own Redis database number (`--redis-db`, default 13; the only one it ever flushes), seeds the demo
world with every supplier on autopilot, and starts real gunicorn (2 workers), a real Celery worker
(concurrency 2, every queue) and beat, each in its own process group. Eight clients place the orders over
HTTP, retrying a failed or unanswered request with the same Idempotency-Key. Meanwhile it kills the worker
with SIGKILL twice (and starts it again), flushes its Redis database once, restarts beat and kills a
gunicorn worker with SIGKILL. It then waits (at most `--drain-timeout` seconds) for every order to reach
`--until` and checks: each accepted key has exactly one order, every order reached the stage, every live
purchase-order line's allocations add up to its quantity, no stock is negative or over-reserved, no line's
operations overlap, no step ran twice (one job per order line, one "planned" entry per order and one
"scheduled" entry more than its moves to another factory). It prints a JSON summary (and writes
var/soak.json) and ends only the processes it started.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV = ROOT / ".venv" / "bin"
STAGES = ["accepted", "planned", "materials", "scheduled", "in_production", "completed", "shipped"]
QUEUES = ("orders", "procurement", "planning", "factory")


class Stack:
    """The processes this soak started, each the leader of its own process group, ended by that id."""

    def __init__(self, env: dict, workdir: Path, port: int):
        self.env, self.workdir, self.port = env, workdir, port
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        commands = {
            "web": [str(VENV / "gunicorn"), "cosmo.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                    "--timeout", "60", "--graceful-timeout", "5"],
            "worker": [str(VENV / "celery"), "-A", "cosmo", "worker", "--concurrency", "2", "--loglevel", "WARNING",
                       "-Q", ",".join(QUEUES), "-n", f"soak-{uuid.uuid4().hex[:6]}@%h"],
            "beat": [str(VENV / "celery"), "-A", "cosmo", "beat", "--loglevel", "WARNING",
                     "-s", str(self.workdir / "celerybeat-schedule")],
        }
        log = open(self.workdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(commands[name], cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                            start_new_session=True)

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def web_worker_kill(self) -> int | None:
        """SIGKILL one of gunicorn's workers (a child of the master this soak started); the master
        starts another."""
        master = self.procs["web"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)


class Clients:
    """Places orders over HTTP from several threads, retrying each with its Idempotency-Key."""

    def __init__(self, base: str, token: str, body: bytes, attempts: int = 8):
        self.base, self.token, self.body, self.attempts = base, token, body, attempts
        self.accepted: dict[str, str] = {}  # key → order number
        self.failed: list[str] = []
        self.server_errors = 0
        self.retries = 0
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def place(self, key: str) -> None:
        for attempt in range(self.attempts):
            request = urllib.request.Request(
                f"{self.base}/api/orders/", data=self.body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}",
                         "Idempotency-Key": key},
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    number = json.loads(response.read())["number"]
                with self.lock:
                    self.accepted[key] = number
                    self.latencies.append(time.perf_counter() - started)
                return
            except urllib.error.HTTPError as error:
                with self.lock:
                    self.server_errors += error.code >= 500
                if error.code < 500:
                    break  # refused: retrying the same request changes nothing
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass  # no answer (a web worker killed, a restart): the same key again
            with self.lock:
                self.retries += 1
            time.sleep(min(5.0, 0.2 * 2 ** attempt))
        with self.lock:
            self.failed.append(key)


def wait_http(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/schema/", timeout=5).read()
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", default="cosmo_soak")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--until", choices=STAGES[1:], default="shipped", help="the stage every order must reach")
    parser.add_argument("--drain-timeout", type=float, default=1800)
    parser.add_argument("--clock-speed", type=float, default=3600, help="factory seconds per real second")
    args = parser.parse_args(argv)

    workdir = ROOT / "var" / "soak"
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    broker_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    env = dict(
        os.environ, DATABASE_URL=database_url, CELERY_BROKER_URL=broker_url, DEBUG="1", COSMO_VAR_DIR=str(workdir),
        COSMO_CLOCK_SPEED=str(args.clock_speed), COSMO_SWEEP_INTERVAL="10", COSMO_STUCK_AFTER="30",
        COSMO_OPTIMIZE_INTERVAL="120", COSMO_OPTIMIZE_SECONDS="5", DJANGO_SETTINGS_MODULE="cosmo.settings",
        # One consumer places every order: its per-consumer throttle would be the soak's bottleneck.
        COSMO_THROTTLE_ORDER=os.environ.get("COSMO_THROTTLE_ORDER", "1000000/min"),
    )
    os.environ.update(env)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database], check=True)
    (workdir / "celerybeat-schedule").unlink(missing_ok=True)

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db.models import Count, F, Q

    from cosmo.models import User
    from orders.models import IdempotencyKey, Order, OrderLine, ProductFamily, TimelineEntry
    from production.models import JobMove, Operation, Stock
    from suppliers.models import AutopilotProfile, PurchaseOrderLine, Supplier

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # Every supplier answers on its own, so every order can get its parts without a person.
    for supplier in Supplier.objects.filter(autopilot=False):
        AutopilotProfile.objects.get_or_create(supplier=supplier)
    Supplier.objects.update(autopilot=True)
    family = ProductFamily.objects.get(code="AC-SPLIT")
    configuration = {}
    for group in family.groups.all():
        defaults = [o.code for o in group.options.all() if o.is_default and o.active]
        if group.kind == "multi":
            configuration[group.code] = defaults
        elif group.kind == "numeric":
            configuration[group.code] = str(group.minimum)
        elif defaults:
            configuration[group.code] = defaults[0]
    body = json.dumps({"lines": [{"family": "AC-SPLIT", "configuration": configuration, "quantity": 1}],
                       "delivery_address": "1 Soak Street"}).encode()
    consumer = User.objects.get(username="consumer")
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=consumer)[0].key

    seeded = set(Order.objects.values_list("pk", flat=True))  # the demo's own orders, placed before the clients
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()  # its own database number only
    stack = Stack(env, workdir, args.port)
    base = f"http://127.0.0.1:{args.port}"
    faults: list[dict] = []
    peak = {"messages": 0}
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.5):
            try:
                peak["messages"] = max(peak["messages"], sum(broker.llen(q) for q in QUEUES))
            except redis.RedisError:
                pass

    summary: dict = {}
    try:
        for name in ("web", "worker", "beat"):
            stack.start(name)
        wait_http(base)
        threading.Thread(target=sample, daemon=True).start()
        clients = Clients(base, token, body)
        keys = [str(uuid.uuid4()) for _ in range(args.orders)]
        # The faults, each when this share of the orders has been sent.
        plan = [(0.15, "worker killed"), (0.3, "redis flushed"), (0.45, "beat restarted"), (0.6, "web worker killed"),
                (0.75, "worker killed")]
        started = time.monotonic()
        sent = 0
        lock = threading.Lock()
        placed_at = [started]  # when the last client finished: the faults left may happen after it

        def client() -> None:
            nonlocal sent
            while True:
                with lock:
                    if sent >= len(keys):
                        placed_at[0] = max(placed_at[0], time.monotonic())
                        return
                    key = keys[sent]
                    sent += 1
                clients.place(key)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        # Every fault happens: once all orders are sent (a small run sends them before the later shares come
        # round), those left happen one after another before the drain.
        while plan:
            share, fault = plan[0]
            if sent >= share * len(keys):
                plan.pop(0)
                at = round(time.monotonic() - started, 1)
                if fault == "worker killed":
                    stack.kill("worker")
                    time.sleep(2)
                    stack.start("worker")
                elif fault == "redis flushed":
                    broker.flushdb()
                elif fault == "beat restarted":
                    stack.kill("beat", signal.SIGTERM)
                    stack.start("beat")
                elif fault == "web worker killed" and stack.web_worker_kill() is None:
                    fault = "web worker killed: gunicorn had no worker to kill"
                faults.append({"fault": fault, "at_seconds": at, "orders_sent": sent})
            time.sleep(0.2)
        for t in threads:
            t.join()
        placed_in = placed_at[0] - started

        # The drain: every accepted order at the stage (or beyond), or the time is up.
        target = STAGES.index(args.until)
        numbers = set(clients.accepted.values())
        drain_started = time.monotonic()
        while True:
            stages = dict(Order.objects.filter(number__in=numbers).values_list("number", "stage"))
            behind = [n for n in numbers if stages.get(n) not in STAGES or STAGES.index(stages[n]) < target]
            if not behind or time.monotonic() - drain_started > args.drain_timeout:
                break
            time.sleep(2)
        drain = time.monotonic() - drain_started

        # A key is one row (`IdempotencyKey`, unique per consumer) naming the order it placed: an order the
        # clients placed that no key names was placed twice for a key, or for none.
        kept = IdempotencyKey.objects.filter(customer=consumer, key__in=keys)
        orders_per_key = dict(kept.values_list("key").annotate(n=Count("order", distinct=True)).values_list("key", "n"))
        lost = [k for k in clients.accepted if orders_per_key.get(k, 0) == 0]
        unkeyed = Order.objects.exclude(pk__in=seeded).exclude(pk__in=kept.values("order_id")).count()
        duplicated = sum(n - 1 for n in orders_per_key.values() if n > 1)
        unknown = unkeyed  # orders nobody asked for (or a second order for a key)
        stuck = {}
        for n in behind:
            stuck[stages.get(n, "missing")] = stuck.get(stages.get(n, "missing"), 0) + 1

        bad_lines = 0
        for line in PurchaseOrderLine.objects.exclude(status="rejected").exclude(purchase_order__status="cancelled") \
                .prefetch_related("allocations"):
            if sum(a.quantity for a in line.allocations.all()) != line.quantity:
                bad_lines += 1
        bad_stock = Stock.objects.filter(Q(reserved__lt=0) | Q(reserved__gt=F("on_hand"))).count()
        overlaps = 0
        last_end = {}
        for line_id, start, end in (Operation.objects.filter(line__isnull=False, planned_start__isnull=False)
                                    .exclude(job__status="cancelled").order_by("line_id", "planned_start")
                                    .values_list("line_id", "planned_start", "planned_end")):
            if line_id in last_end and start < last_end[line_id]:
                overlaps += 1
            last_end[line_id] = max(end, last_end.get(line_id, end))
        twice = {
            "jobs": OrderLine.objects.annotate(n=Count("job")).filter(n__gt=1).count(),
            "planned": TimelineEntry.objects.filter(event="planned").values("order").annotate(n=Count("pk")).filter(n__gt=1).count(),
            # A job moved to another factory is scheduled there again: one entry per move is expected.
            "scheduled": TimelineEntry.objects.filter(event__in=["scheduled", "moved"]).values("order")
            .annotate(n=Count("pk", filter=Q(event="scheduled")), moves=Count("pk", filter=Q(event="moved")))
            .filter(n__gt=1 + F("moves")).count(),
        }
        moves = JobMove.objects.values("job").annotate(n=Count("pk"))
        latencies = sorted(clients.latencies)
        summary = {
            "orders_sent": len(keys),
            "placed": len(clients.accepted),
            "refused_or_gave_up": len(clients.failed),
            "lost": len(lost),
            "duplicated": duplicated,
            "orders_without_a_key_sent": unknown,
            "stuck": sum(stuck.values()),
            "stuck_by_stage": stuck,
            "until": args.until,
            "server_errors": clients.server_errors,
            "retries": clients.retries,
            "placing_seconds": round(placed_in, 1),
            "accepted_per_second": round(len(clients.accepted) / placed_in, 1) if placed_in else None,
            "post_p50_seconds": round(latencies[len(latencies) // 2], 3) if latencies else None,
            "post_p99_seconds": round(latencies[int(len(latencies) * 0.99)], 3) if latencies else None,
            "drain_seconds": round(drain, 1),
            "drained": not behind,
            "queue_peak_messages": peak["messages"],
            "purchase_order_lines_not_adding_up": bad_lines,
            "stock_rows_negative_or_over_reserved": bad_stock,
            "overlapping_operations": overlaps,
            "steps_run_twice": twice,
            "jobs_moved": moves.count(),
            "moves_most_for_one_job": max(moves.values_list("n", flat=True), default=0),
            "faults": faults,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        sampling.set()
        stack.stop()
    ok = (summary.get("lost") == 0 and summary.get("duplicated") == 0 and summary.get("stuck") == 0
          and summary.get("server_errors") == 0 and summary.get("purchase_order_lines_not_adding_up") == 0
          and summary.get("stock_rows_negative_or_over_reserved") == 0 and summary.get("overlapping_operations") == 0
          and not any(summary.get("steps_run_twice", {"x": 1}).values()))
    summary["ok"] = ok
    text = json.dumps(summary, indent=2)
    (ROOT / "var" / "soak.json").write_text(text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
