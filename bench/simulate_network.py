"""Benchmark of `simulate` on the factory network (issue 14): the same seeded demand, spread over the
consumer regions, routed by promise against a fixed factory per family, for one or more seeds.

Runs `manage.py simulate_network --json-only` (throwaway SQLite databases, every task in process) per seed
and writes bench/out/simulate_network_seed<seeds>.json with both runs' figures, the routed run's gain on the baseline,
the wall time and the load average before and after (the machine is shared: the wall time is inflated).

    .venv/bin/python bench/simulate_network.py [--quick] [--seeds 1 2] [--orders 24] [--days 16] [--outage QD1:72@48]
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

COMPARED = ("orders_shipped", "mean_promised_days", "mean_lead_time_days", "p95_lead_time_days", "on_time_rate",
            "shipping_days_per_unit", "shipping_cost_per_unit", "energy_kwh_per_unit", "energy_cost_per_unit",
            "energy_kwh_per_unit_by_factory", "changeover_hours", "units_by_factory", "units_per_line", "jobs_moved", "moves")  # fmt: skip


def run(seed: int, args) -> tuple[dict, float]:
    argv = [
        sys.executable, str(ROOT / "manage.py"), "simulate_network", "--json-only", "--seed", str(seed),
        "--orders", str(args.orders), "--days", str(args.days), "--step-minutes", str(args.step_minutes),
        "--optimize-seconds", str(args.optimize_seconds),
    ] + (["--outage", args.outage] if args.outage else [])  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--orders", type=int, default=24)
    parser.add_argument("--days", type=float, default=16)
    parser.add_argument("--step-minutes", type=float, default=60)
    parser.add_argument("--optimize-seconds", type=float, default=2)
    parser.add_argument("--outage", default="", help="a disruption in both runs, e.g. QD1/L2:48@72")
    parser.add_argument("--quick", action="store_true", help="6 orders over 4 days, one seed")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.orders, args.days = args.seeds[:1], min(args.orders, 6), min(args.days, 4)
    figures = {}
    for seed in args.seeds:
        load_before = os.getloadavg()
        runs, seconds = run(seed, args)
        routed, fixed = runs["routed"], runs["fixed"]
        figures[f"seed_{seed}"] = {
            "routed": routed,
            "fixed": fixed,
            "lead_time_days_saved": round(fixed["mean_lead_time_days"] - routed["mean_lead_time_days"], 3),
            "seconds": round(seconds, 1),
            "load_average_before": [round(v, 1) for v in load_before],
            "load_average_after": [round(v, 1) for v in os.getloadavg()],
        }
        print(f"seed {seed}  ({seconds:.0f} s, load average {load_before[0]:.1f} → {os.getloadavg()[0]:.1f})")
        for key in COMPARED:
            print(f"  {key:<24} routed {routed.get(key)!s:>22}   fixed {fixed.get(key)!s:>22}")
    name = "simulate_network_seed" + "_".join(map(str, args.seeds))
    if args.outage:
        name += "_outage_" + "".join(c if c.isalnum() else "-" for c in args.outage)
    path = write_result(name, vars(args), figures)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
