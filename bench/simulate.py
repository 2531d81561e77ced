"""Benchmark of the headless main job (issue 6): the same seeded demand, optimized against fifo.

Runs `manage.py simulate --in-process` on throwaway databases (the command makes its own) and reports the
KPI sets and the ratios against the targets: at least 20 % shorter mean lead time, 30 % fewer changeover
hours, 15 % less energy per unit shipped, and at least 95 % of orders on time (optimized).

The fifo floor keeps its lines on through their shifts (it does not know what comes next); Cosmo switches
a line with nothing planned off. So that the energy figure can be read both ways, fifo runs a second time
with its lines standing by too, and the reduction against that run is reported as well.

    .venv/bin/python bench/simulate.py [--quick] [--orders 500] [--days 40] [--seed 1]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402


def simulate(policy: str, args, *extra: str) -> tuple[dict, float]:
    argv = [
        sys.executable, str(ROOT / "manage.py"), "simulate", "--in-process", "--json-only",
        "--orders", str(args.orders), "--days", str(args.days), "--seed", str(args.seed), "--policy", policy,
        "--step-minutes", str(args.step_minutes), "--optimize-hours", str(args.optimize_hours),
        "--optimize-seconds", str(args.optimize_seconds), *extra,
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def reduction(optimized, fifo):
    """The share by which optimized is below fifo (0.2: 20 % less); None when it cannot be told."""
    if optimized is None or not fifo:
        return None
    return round(1 - optimized / fifo, 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 orders instead of 500")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--days", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step-minutes", type=float, default=60)
    parser.add_argument("--optimize-hours", type=float, default=24)
    parser.add_argument("--optimize-seconds", type=float, default=3)
    args = parser.parse_args()
    if args.quick:
        args.orders, args.days = min(args.orders, 100), min(args.days, 12)
    optimized, optimized_seconds = simulate("optimized", args)
    fifo, fifo_seconds = simulate("fifo", args)
    fifo_standby, _ = simulate("fifo", args, "--standby")
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
    path = write_result("simulate_quick" if args.quick else "simulate", vars(args), figures)
    for key in ("orders_shipped", "on_time_rate", "mean_lead_time_days", "p95_lead_time_days", "line_utilization",
                "changeover_hours", "energy_kwh_per_unit", "purchase_orders", "supplier_on_time_rate"):  # fmt: skip
        print(f"{key:<24} optimized {optimized.get(key)!s:>10}   fifo {fifo.get(key)!s:>10}")
    print(f"{'energy_kwh_per_unit':<24} fifo with standby {fifo_standby.get('energy_kwh_per_unit')!s:>10}")
    for key in ("lead_time_reduction", "changeover_reduction", "energy_per_unit_reduction",
                "energy_per_unit_reduction_against_fifo_with_standby", "targets_met"):  # fmt: skip
        print(f"{key:<24} {figures[key]}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
