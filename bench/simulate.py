"""Benchmark of the headless main job (issue 6): the same seeded demand, optimized against fifo.

Runs `manage.py simulate --in-process` on throwaway databases (the command makes its own) and reports the
KPI sets and the ratios against the targets: at least 20 % shorter mean lead time, 30 % fewer changeover
hours, 15 % less energy per unit shipped, and at least 95 % of orders on time (optimized).

The fifo floor keeps its lines on through their shifts (it does not know what comes next); Cosmo switches
a line with nothing planned off. So that the energy figure can be read both ways, fifo runs a second time
with its lines standing by too, and the reduction against that run is reported as well.

The seed's three figures (good units per kWh, per crew hour, unit cost) are written for optimized against
fifo on its own rules and on equal floor rules, and for optimized without crews called from the plan
(`--no-shift-calls`) against fifo on equal rules, so that what calling crews from the plan earns shows.

    .venv/bin/python bench/simulate.py [--quick] [--orders 500] [--days 40] [--seed 1] [--parallel]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402


def simulate(policy: str, args, *extra: str) -> tuple[dict, float]:
    return _finish(_start(policy, args, *extra))


def _start(policy: str, args, *extra: str):
    argv = [
        sys.executable, str(ROOT / "manage.py"), "simulate", "--in-process", "--json-only",
        "--orders", str(args.orders), "--days", str(args.days), "--seed", str(args.seed), "--policy", policy,
        "--step-minutes", str(args.step_minutes), "--optimize-hours", str(args.optimize_hours),
        "--optimize-seconds", str(args.optimize_seconds), *extra,
    ]  # fmt: skip
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True), time.perf_counter()


def _finish(started) -> tuple[dict, float]:
    process, start = started
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"simulate failed with exit status {process.returncode}")
    return json.loads(out.strip().splitlines()[-1]), time.perf_counter() - start


def reduction(optimized, fifo):
    """The share by which optimized is below fifo (0.2: 20 % less); None when it cannot be told."""
    if optimized is None or not fifo:
        return None
    return round(1 - optimized / fifo, 4)


def gain(optimized, fifo):
    """The share by which optimized is above fifo (0.33: 33 % more); None when it cannot be told."""
    if optimized is None or not fifo:
        return None
    return round(optimized / fifo - 1, 4)


def seed_figures(optimized: dict, fifo: dict) -> dict:
    """The seed's three figures of `optimized` against `fifo`, beside their goals."""
    return {
        "good_units_per_kwh_gain": gain(optimized["good_units_per_kwh"], fifo["good_units_per_kwh"]),
        "good_units_per_crew_hour_gain": gain(optimized["good_units_per_crew_hour"], fifo["good_units_per_crew_hour"]),
        "unit_cost_reduction": reduction(optimized["unit_cost"], fifo["unit_cost"]),
        "energy_cost_per_unit_reduction": reduction(optimized["energy_cost_per_unit"], fifo["energy_cost_per_unit"]),
        "goals": {"good_units_per_kwh_gain": 0.33, "good_units_per_crew_hour_gain": 0.49, "unit_cost_reduction": 0.22},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 orders instead of 500")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--days", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step-minutes", type=float, default=60)
    parser.add_argument("--optimize-hours", type=float, default=24)
    parser.add_argument("--optimize-seconds", type=float, default=3)
    parser.add_argument("--parallel", action="store_true", help="run the four simulations at once")
    parser.add_argument("--name", help="the JSON's name under bench/out/ (default simulate, simulate_quick)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    if args.quick:
        args.orders, args.days = min(args.orders, 100), min(args.days, 12)
    runs = {
        "optimized": ("optimized",),
        "fifo": ("fifo",),
        "fifo_standby": ("fifo", "--standby"),
        "optimized_no_shift_calls": ("optimized", "--no-shift-calls"),
    }
    if args.parallel:
        started = {name: _start(policy, args, *extra) for name, (policy, *extra) in runs.items()}
        done = {name: _finish(run) for name, run in started.items()}
    else:
        done = {name: simulate(policy, args, *extra) for name, (policy, *extra) in runs.items()}
    (optimized, optimized_seconds), (fifo, fifo_seconds) = done["optimized"], done["fifo"]
    fifo_standby, without_calls = done["fifo_standby"][0], done["optimized_no_shift_calls"][0]
    figures = {
        "optimized": optimized,
        "fifo": fifo,
        "lead_time_reduction": reduction(optimized["mean_lead_time_days"], fifo["mean_lead_time_days"]),
        "changeover_reduction": reduction(optimized["changeover_hours"], fifo["changeover_hours"]),
        "energy_per_unit_reduction": reduction(optimized["energy_kwh_per_unit"], fifo["energy_kwh_per_unit"]),
        "fifo_with_standby": fifo_standby,
        "energy_per_unit_reduction_against_fifo_with_standby": reduction(
            optimized["energy_kwh_per_unit"], fifo_standby["energy_kwh_per_unit"]
        ),
        "optimized_without_shift_calls": without_calls,
        # The seed's three figures: against the fifo floor on its own rules (lines and crews on through every
        # shift), and on equal floor rules (fifo's lines standing by, its crews only on shifts it works).
        "own_rules": seed_figures(optimized, fifo),
        "equal_rules": seed_figures(optimized, fifo_standby),
        "equal_rules_without_shift_calls": seed_figures(without_calls, fifo_standby),
        "load_average": os.getloadavg(),
        "optimized_on_time_rate": optimized["on_time_rate"],
        "seconds_optimized": round(optimized_seconds, 1),
        "seconds_fifo": round(fifo_seconds, 1),
    }
    figures["targets_met"] = {
        "lead_time_20pct": (figures["lead_time_reduction"] or 0) >= 0.20,
        "changeover_30pct": (figures["changeover_reduction"] or 0) >= 0.30,
        "energy_15pct": (figures["energy_per_unit_reduction"] or 0) >= 0.15,
        "on_time_95pct": (optimized["on_time_rate"] or 0) >= 0.95,
    }
    figures["load_average_before"] = load_before
    path = write_result(args.name or ("simulate_quick" if args.quick else "simulate"), vars(args), figures)
    for key in ("orders_shipped", "on_time_rate", "mean_lead_time_days", "p95_lead_time_days", "line_utilization",
                "changeover_hours", "energy_kwh_per_unit", "purchase_orders", "supplier_on_time_rate"):  # fmt: skip
        print(f"{key:<24} optimized {optimized.get(key)!s:>10}   fifo {fifo.get(key)!s:>10}")
    print(f"{'energy_kwh_per_unit':<24} fifo with standby {fifo_standby.get('energy_kwh_per_unit')!s:>10}")
    for key in ("lead_time_reduction", "changeover_reduction", "energy_per_unit_reduction",
                "energy_per_unit_reduction_against_fifo_with_standby", "targets_met", "own_rules", "equal_rules",
                "equal_rules_without_shift_calls", "load_average_before", "load_average"):  # fmt: skip
        print(f"{key:<24} {figures[key]}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
