"""Fixtures shared by the whole suite: the demo world, people of each role, a real Celery worker."""

import os

import pytest
from django.test import Client

from cosmo import clock
from cosmo.models import User
from lifecycle.demo import DEMO_PASSWORD, demo_seed
from suppliers.models import Supplier, SupplierMember
from tests.broker import Broker, listen


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo users are made in every test that needs the world: a slow hash would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login failures and throttles live in the cache, which outlives each test's rollback: forget Cosmo's
    # keys (only those: the Redis db may carry a broker's queues too).
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        client = backend.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*")))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _quotes_see_every_schedule_write(settings):
    # The web tier's quote may lag the schedule by a second; a test reads the schedule it just wrote.
    settings.COSMO_QUOTE_RECHECK_SECONDS = 0


@pytest.fixture
def fresh_quotes():
    """The quotes' per-process copies of each factory's lines, and of the families, regions, stock and offers they
    read, forgotten before and after the test (its rows are rolled back, or written by another process,
    behind their version check)."""
    from orders.catalog import families_forget
    from orders.regions import regions_forget
    from production.promise import forget_floors
    from production.routing import forget_recent

    def forget():
        forget_floors()
        forget_recent()
        regions_forget()
        families_forget()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _fresh_clock():
    # The clock anchor lives in the database, which each test rolls back: forget the cached copy.
    clock.forget_anchor()
    yield
    clock.forget_anchor()


@pytest.fixture
def world(db):
    """The demo world of `make run` with its Qingdao factory alone: lines, catalog, BOMs, routings, its
    suppliers, regions and lanes, demo users. Most tests ask about one factory's lines and stock."""
    demo_seed(network=False)


@pytest.fixture
def network_world(db):
    """The whole demo world of `make run`: three factories (Qingdao, Hefei, Brugherio), their suppliers."""
    demo_seed()


def make_user(username: str, role: str, supplier: Supplier | None = None) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, role=role)
    if supplier is not None:
        SupplierMember.objects.create(user=user, supplier=supplier)
    return user


@pytest.fixture
def consumer(world):
    return User.objects.get(username="consumer")


@pytest.fixture
def other_consumer(world):
    return make_user("alice", User.Role.CONSUMER)


@pytest.fixture
def planner(world):
    return User.objects.get(username="planner")


@pytest.fixture
def supplier_member(world):
    return User.objects.get(username="supplier")


def api_for(user):
    """A DRF API client acting as `user`."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Factory seconds per real second in the tests with a real worker: a factory day passes in two seconds.
FAST_FACTORY = 43200.0


@pytest.fixture
def fast_factory(transactional_db):
    """The factory clock sped up, so that suppliers' lead times pass in seconds."""
    clock.reset(speed=FAST_FACTORY)
    yield
    clock.forget_anchor()


@pytest.fixture
def factory_floor(celery_worker_live):
    """The live worker with the simulated factory floor ticking too (beat's factory tick)."""
    celery_worker_live.floor_running.set()
    yield celery_worker_live


@pytest.fixture
def celery_worker_live(transactional_db, settings):
    """A real Celery worker (threaded, in this process) on the suite's broker, serving every queue, and a
    small stand-in for beat that sends the periodic tasks (suppliers' autopilot, arrivals, sweeper) often."""
    import threading
    import time

    from celery.contrib.testing.worker import start_worker

    from cosmo.celery import app
    from cosmo.queue import send_now

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.skip("the real-worker tests run on Redis (make test sets CELERY_BROKER_URL)")
    app.conf.broker_url = broker
    with app.connection_for_write() as connection:
        for queue in ("orders", "procurement", "planning", "factory"):
            connection.default_channel.queue_purge(queue)
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["orders", "procurement", "planning", "factory"],
        shutdown_timeout=30,
    ) as worker:
        stop = threading.Event()
        worker.floor_running = floor_running = threading.Event()

        def beat():
            # Tasks that run every minute or more often are sent every 0.3 s; slower ones (the periodic
            # optimization) keep their own period, so they stay out of a test's few seconds.
            # The factory tick runs only in the tests that ask for it (`factory_floor`), so that the others
            # see their orders stop at scheduled.
            due = {name: 0.0 for name in settings.CELERY_BEAT_SCHEDULE}
            started = time.monotonic()
            while not stop.wait(0.3):
                elapsed = time.monotonic() - started
                for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
                    if name == "factory-tick" and not floor_running.is_set():
                        continue
                    if name == "stock-replenish":
                        continue  # buying for stock would mix into what the tests see bought for orders
                    period = entry["schedule"]
                    if period > 60:
                        if elapsed >= due[name] + period:
                            due[name] += period
                            send_now(entry["task"])
                    else:
                        send_now(entry["task"])

        ticker = threading.Thread(target=beat, name="test-beat", daemon=True)
        ticker.start()
        try:
            yield worker
        finally:
            stop.set()
            ticker.join()


# ---- a private Mosquitto broker for the telemetry tests ----


@pytest.fixture(scope="session")
def mqtt_broker(tmp_path_factory):
    broker = Broker(tmp_path_factory.mktemp("mosquitto"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def broker(mqtt_broker, world, settings, request):
    """The session's broker with the world's accounts, and a consumer client id of this test's own."""
    from production.mqtt import broker_files_write

    settings.COSMO_MQTT_PORT = mqtt_broker.port
    settings.COSMO_TELEMETRY_GAP_SECONDS = 3600
    broker_files_write(mqtt_broker.folder)
    mqtt_broker.reload()
    mqtt_broker.client_id = f"cosmo-floor-{request.node.name[:40]}"
    # The consumer's persistent session exists from here on: the broker keeps its messages while it is away.
    listen(mqtt_broker, seconds=0.2)
    return mqtt_broker


