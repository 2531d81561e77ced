"""`manage.py simulate_network`: the same seeded demand over the regions, routed by promise and with a fixed
factory per family; the routed run is no later on average and every order ships in both."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifecycle.simulate_network import Outage, fixed_route, outage_parse, regions_draw
from production.promise import forget_floors
from production.routing import delivery_route
from tests.ordering import default_configuration


@pytest.mark.django_db
def test_the_baseline_keeps_the_first_factory_by_code_and_routing_does_not(network_world):
    forget_floors()
    fridge = default_configuration("FRIDGE")
    # Brugherio is first by code: the baseline makes North China's fridge there, 30 days away by sea.
    assert fixed_route("FRIDGE", fridge, 1, "CN-N").factory_code == "EU1"
    assert delivery_route("FRIDGE", fridge, 1, "CN-N").factory_code == "QD1"
    assert fixed_route("AC-SPLIT", default_configuration("AC-SPLIT"), 1, "CN-N").factory_code == "HF1"
    assert fixed_route("FRIDGE", fridge, 1, "CN-N").date > delivery_route("FRIDGE", fridge, 1, "CN-N").date
    # The same seed draws the same regions, spread over all three.
    assert regions_draw(30, seed=4) == regions_draw(30, seed=4)
    assert set(regions_draw(30, seed=4)) == {"CN-N", "CN-E", "EU"}


@pytest.mark.django_db
def test_it_refuses_a_nonsense_size_or_a_missing_routing():
    with pytest.raises(CommandError):
        call_command("simulate_network", "--orders", "0")
    with pytest.raises(CommandError):
        call_command("simulate_network", "--this-database")


@pytest.mark.parametrize(
    "outage, said",
    [
        ("QD1", "expected FACTORY[/LINE]:HOURS"),
        ("XX1:48", "no factory 'XX1' (there are EU1, HF1, QD1)"),
        ("QD1/L9:48", "QD1 has no line 'L9' (it has L1, L2, L3)"),
        ("QD1/L2:two days", "the hours are numbers"),
        ("QD1/L2:0", "HOURS must be positive"),
        ("QD1/L2:48@-1", "AFTER_HOURS zero or more"),
        ("QD1/L2:48@400", "after the run's 16 days"),
    ],
)
def test_a_bad_outage_is_refused_before_anything_runs(outage, said):
    with pytest.raises(CommandError) as refused:
        call_command("simulate_network", "--outage", outage, "--days", "16")
    assert said in str(refused.value)


def test_an_outage_reads_a_line_or_a_whole_factory_from_a_quarter_of_the_run_by_default():
    lines = {"QD1": {"L1", "L2", "L3"}, "HF1": {"L1", "L2"}}
    assert outage_parse("qd1/l2:48@72", days=16, lines=lines) == Outage("QD1", "L2", 48.0, 72.0)
    assert outage_parse("HF1:24", days=16, lines=lines) == Outage("HF1", "", 24.0, 96.0)
    assert str(outage_parse("HF1:24", days=16, lines=lines)) == "HF1 down 24 h from hour 96"


@pytest.mark.slow
@pytest.mark.long
def test_routed_by_promise_is_no_later_than_a_fixed_factory_and_everything_ships():
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate_network", "--orders", "6", "--days", "4", "--seed", "11"],
        capture_output=True, text=True, timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout.strip().splitlines()
    runs = json.loads(printed[-1])
    routed, fixed = runs["routed"], runs["fixed"]
    assert routed["orders_shipped"] == fixed["orders_shipped"] == 6
    assert routed["mean_lead_time_days"] <= fixed["mean_lead_time_days"]
    assert routed["shipping_days_per_unit"] <= fixed["shipping_days_per_unit"]
    assert set(fixed["units_by_factory"]) <= {"EU1", "HF1"}  # Qingdao is nobody's first factory
    assert routed["energy_kwh_per_unit"] > 0 and fixed["energy_kwh_per_unit"] > 0
    assert any(row.startswith("mean lead time (days)") for row in printed)
