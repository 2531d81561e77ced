"""The embedded topology of `make run`: SQLite (WAL) and the filesystem broker, a real worker process."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PLACE_AND_WAIT = textwrap.dedent(
    """
    import time, django
    django.setup()
    from cosmo.models import User
    from orders.models import Order
    from orders.services import LineRequest, order_place
    from tests.ordering import default_configuration

    consumer = User.objects.get(username="consumer")
    order = order_place(customer=consumer, delivery_address="1 Embedded Way",
                        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.stage == "scheduled":
            break
        time.sleep(0.3)
    ops = order.lines.get().job.operations.filter(line__isnull=False).count()
    print(order.stage, ops, order.timeline.count())
    """
)


def test_it_carries_an_order_to_scheduled_on_sqlite_and_the_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    # A factory day in two seconds, and beat ticking often: the suppliers on autopilot deliver in seconds.
    env.update(COSMO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="cosmo.settings", PYTHONPATH=str(ROOT),
               COSMO_CLOCK_SPEED="43200", COSMO_PROCUREMENT_TICK="0.5")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "seed_demo", "--if-empty"], cwd=ROOT, env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cosmo", "worker", "-Q", "orders,procurement,planning,factory",
         "--pool", "solo", "--loglevel", "WARNING", "--beat", "--schedule", str(tmp_path / "celerybeat-schedule")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", PLACE_AND_WAIT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=150
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        log = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert result.returncode == 0, result.stderr
    stage, operations, timeline = result.stdout.split()
    assert stage == "scheduled", log[-3000:]
    assert int(operations) > 0 and int(timeline) >= 3
    assert (tmp_path / "cosmo.sqlite3").exists()
