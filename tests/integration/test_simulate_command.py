"""`manage.py simulate`: a seeded run on a throwaway database, in one process, gives the same KPIs twice."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.slow

ARGS = ["--orders", "10", "--days", "12", "--seed", "7", "--step-minutes", "60", "--in-process", "--json-only"]


def _simulate(*extra) -> dict:
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate", *ARGS, *extra], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_seeded_run_ships_the_orders_and_repeats_exactly():
    first = _simulate()
    assert first == _simulate()
    assert first["orders"] == 10 and first["orders_shipped"] == 10
    assert first["energy_kwh_per_unit"] > 0 and first["purchase_orders"] > 0
    assert 0 < first["line_utilization"] < 1
    fifo = _simulate("--policy", "fifo")
    assert fifo["orders_shipped"] == 10


def test_it_refuses_a_nonsense_size(db):
    with pytest.raises(CommandError):
        call_command("simulate", "--orders", "0", "--this-database")
