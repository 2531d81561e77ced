"""Benchmark of choosing with no dead ends: what one render of the configurator page adds.

For each demo family, seeded consumers click random options from the defaults (each click is ``choose``)
and every selection they reach is rendered: ``evaluate`` (the reference, as before) and ``option_statuses``
(every option's fits / fits with changes / impossible, one ``choose`` per option that does not fit as is).
Figures: p50 / p95 milliseconds of each, per family, with the load average of the run.

    .venv/bin/python bench/choose.py [--quick]
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ortools.sat.python import cp_model  # noqa: E402, F401  (loaded up front, as in the web process)

from bench.common import write_result  # noqa: E402
from orders.configurator import choose, compile_family, default_selection, evaluate, option_statuses  # noqa: E402
from orders.demo_catalog import air_conditioner, refrigerator, washing_machine  # noqa: E402


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(samples, call, *args):
    start = time.perf_counter()
    result = call(*args)
    samples.append((time.perf_counter() - start) * 1000)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer clicks")
    args = parser.parse_args()
    params = {"seed": 2026, "consumers": 10 if args.quick else 40, "clicks": 8, "quick": args.quick}
    figures = {"load_average_1m_before": round(os.getloadavg()[0], 2)}
    for spec in (air_conditioner(), refrigerator(), washing_machine()):
        rng = random.Random(params["seed"])
        compiled = compile_family(spec)
        evaluate(compiled, {})
        codes = [o.code for g in spec.groups for o in g.options if o.active]
        evaluations, statuses, choices = [], [], []
        changed = 0
        for _ in range(params["consumers"]):
            selection, chosen = default_selection(compiled), []
            for _ in range(params["clicks"]):
                result = timed(evaluations, evaluate, compiled, selection)
                timed(statuses, option_statuses, compiled, selection, chosen, result)
                choice = timed(choices, choose, compiled, selection, rng.choice(codes), chosen)
                if choice.selection is not None:
                    changed += bool(choice.changes)
                    selection, chosen = choice.selection, list(choice.chosen)
        name = spec.code.lower().replace("-", "_")
        figures.update({
            f"{name}_renders": len(evaluations),
            f"{name}_evaluate_p50_ms": round(percentile(evaluations, 0.5), 3),
            f"{name}_evaluate_p95_ms": round(percentile(evaluations, 0.95), 3),
            f"{name}_option_statuses_p50_ms": round(percentile(statuses, 0.5), 3),
            f"{name}_option_statuses_p95_ms": round(percentile(statuses, 0.95), 3),
            f"{name}_choose_p95_ms": round(percentile(choices, 0.95), 3),
            f"{name}_clicks_with_changes": changed,
        })
    figures["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    path = write_result("choose", params, figures)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
