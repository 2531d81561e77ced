"""`manage.py simulate`: a seeded run on a throwaway database, in one process, gives the same KPIs twice; on
real Celery workers it ships every order too."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.slow

# Enough orders in a few days that the shelves run low and replenishment buys. The demand arrives over the
# first half of the days; the rest leaves room to make and ship (two days) the last order, fifo's too.
ARGS = ["--orders", "24", "--days", "8", "--seed", "7", "--step-minutes", "60", "--in-process", "--json-only"]


def _run(*args) -> str:
    done = subprocess.run([sys.executable, "manage.py", "simulate", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _simulate(*extra) -> dict:
    return json.loads(_run(*ARGS, *extra).strip().splitlines()[-1])


@pytest.mark.long
def test_a_seeded_run_ships_the_orders_and_repeats_exactly():
    first = _simulate()
    assert first == _simulate()
    assert first["orders"] == 24 and first["orders_shipped"] == 24
    assert first["energy_kwh_per_unit"] > 0 and first["purchase_orders"] > 0
    assert 0 < first["line_utilization"] < 1
    fifo = _simulate("--policy", "fifo")
    assert fifo["orders_shipped"] == 24
    # Without Cosmo the lines stay on through their shifts, unless told to stand by too.
    assert first["line_standby"] is True and fifo["line_standby"] is False
    assert _simulate("--policy", "fifo", "--standby")["line_standby"] is True


def test_on_real_workers_a_small_run_ships_every_order_and_prints_the_kpis():
    # Eight days, as in-process: a line standing by may wait for a coming shift (up to a day), so the last
    # order can need more than six.
    printed = _run("--orders", "24", "--days", "8", "--seed", "7", "--step-minutes", "60").strip().splitlines()
    kpis = json.loads(printed[-1])
    table = dict(line.rsplit(None, 1) for line in printed[1:-1])
    assert printed[0].split()[:4] == ["policy:", "optimized", "seed:", "7"] and "stand by" in printed[0]
    assert table["orders shipped"] == "24" and kpis["orders"] == kpis["orders_shipped"] == 24
    assert kpis["units_shipped"] >= 24 and kpis["purchase_orders"] > 0
    assert 0 <= kpis["on_time_rate"] <= 1 and 0 <= kpis["supplier_on_time_rate"] <= 1
    assert 0 < kpis["mean_lead_time_days"] <= kpis["p95_lead_time_days"] < kpis["simulated_days"] <= 8
    assert 0 < kpis["line_utilization"] < 1 and all(0 <= u < 1 for u in kpis["utilization_per_line"].values())
    assert kpis["energy_kwh_per_unit"] > 0 and kpis["changeover_hours"] >= 0
    # Line by line, the crew hours and the energy add up to the run's, and no crew is called for less
    # than it worked.
    lines = kpis["lines"].values()
    assert sum(line["crew_hours_called"] for line in lines) == pytest.approx(kpis["crew_hours"], abs=0.5)
    assert sum(sum(line["kwh"].values()) for line in lines) == pytest.approx(kpis["production_kwh"], abs=1)
    assert all(line["crew_hours_worked"] <= line["crew_hours_called"] + 0.1 for line in lines)


def test_it_refuses_a_nonsense_size(db):
    with pytest.raises(CommandError):
        call_command("simulate", "--orders", "0", "--this-database")
