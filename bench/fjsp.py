"""Flexible job shops: the engine's solve against the plain CP-SAT model in the same run, gap to best known.

    .venv/bin/python bench/fjsp.py                          # Brandimarte MK01-10, 10 s and 30 s, ours and plain
    .venv/bin/python bench/fjsp.py --quick                  # mk02, mk06, mk10 at 3 s
    .venv/bin/python bench/fjsp.py --set dauzere --limits 30
    .venv/bin/python bench/fjsp.py --set rdata --sample 8 --limits 30   # every 8th instance of the set
    .venv/bin/python bench/fjsp.py --set generated --limits 30          # seeded 50-100 jobs, 20-60 machines

Sets: brandimarte (`../shared/benchmarks/fjsp/`, table `bks.json` there), edata, rdata, vdata (Hurink) and
dauzere (Dauzère-Pérès & Paulli) from `../shared/benchmarks/fjsp-more/` (table `bks.json` there: the
best-known makespan `upper_bound` and the best `lower_bound`), generated (no table: the gap is to the best
lower bound either solver proved). `--sample K` keeps every K-th instance of the set in name order (the
full set without it). Every schedule goes through the feasibility checker. Writes bench/out/fjsp.json
(Brandimarte) or bench/out/fjsp-<set>.json.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from production.scheduler import check, read_fjs, solve, solve_plain  # noqa: E402
from production.scheduler.generate import flexible_job_shop  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
GENERATED = [(seed, jobs, machines) for seed, (jobs, machines) in enumerate([(50, 20), (60, 30), (80, 40), (100, 60)], 1)]


def instances(name: str) -> dict:
    """{instance: (loader, best known or None, best lower bound or None)} of a set."""
    if name == "brandimarte":
        bks = json.loads((SHARED / "fjsp" / "bks.json").read_text())
        return {k: (lambda k=k: read_fjs(SHARED / "fjsp" / f"{k}.fjs"), v, None) for k, v in sorted(bks.items())}
    if name == "generated":
        return {
            f"gen{seed}_{jobs}x{machines}": (lambda s=seed, j=jobs, m=machines: flexible_job_shop(s, j, m), None, None)
            for seed, jobs, machines in GENERATED
        }
    table = json.loads((SHARED / "fjsp-more" / "bks.json").read_text())
    folder = "dauzere" if name == "dauzere" else f"hurink-{name}"
    return {
        k: (lambda f=v["file"]: read_fjs(SHARED / "fjsp-more" / f), v["upper_bound"], v["lower_bound"])
        for k, v in sorted(table.items())
        if v["file"].startswith(folder + "/")
    }


def classical(problem) -> bool:
    """A job shop: one machine per operation."""
    return all(len(op.alternatives) == 1 for job in problem.jobs for op in job.operations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="brandimarte", choices=["brandimarte", "edata", "rdata", "vdata", "dauzere", "generated"])
    parser.add_argument("--quick", action="store_true", help="three Brandimarte instances at 3 s")
    parser.add_argument("--limits", type=float, nargs="+", help="seconds per instance")
    parser.add_argument("--instances", nargs="+", help="e.g. mk01 mk10")
    parser.add_argument("--sample", type=int, default=1, help="every K-th instance of the set")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-plain", action="store_true", help="do not run the baseline")
    args = parser.parse_args()
    table = instances(args.set)
    names = args.instances or (["mk02", "mk06", "mk10"] if args.quick else sorted(table)[:: args.sample])
    limits = args.limits or ([3.0] if args.quick else [10.0, 30.0])
    solvers = {"ours": solve} if args.skip_plain else {"ours": solve, "plain": solve_plain}
    rows, summary = [], {}
    for limit in limits:
        gaps = {name: [] for name in solvers}
        for instance in names:
            load, best_known, lower = table[instance]
            problem = load()
            row = {"instance": instance, "limit": limit, "best_known": best_known, "classical": classical(problem)}
            results = {}
            for label, function in solvers.items():
                result = function(problem, time_limit=limit, workers=args.workers)
                if result.schedule is not None:
                    check(problem, result.schedule)
                results[label] = result
            bound = max([lower or 0] + [r.lower_bound or 0 for r in results.values()])
            reference = best_known or bound
            if not reference:  # no table and no bound: the best makespan found in the run
                reference = min(r.schedule.makespan() for r in results.values() if r.schedule is not None)
            for label, result in results.items():
                if result.schedule is None:  # no schedule within the limit: counted apart, not in the mean
                    row[label] = {"makespan": None, "gap_pct": None, "status": result.status, "optimal": False}
                    continue
                makespan = result.schedule.makespan()
                gap = 100.0 * (makespan - reference) / reference
                gaps[label].append(gap)
                row[label] = {
                    "makespan": makespan,
                    "gap_pct": round(gap, 2),
                    "lower_bound": result.lower_bound,
                    "optimal": result.status == "OPTIMAL",
                    "status": result.status,
                    "method": getattr(result, "method", ""),
                    "seconds": round(result.seconds, 2),
                }
            rows.append(row)
            print(
                f"{instance} {limit:>4.0f}s  "
                + "  ".join(
                    f"{label} {row[label]['makespan']} ({row[label]['gap_pct']}%{', proven' if row[label]['optimal'] else ''})"
                    for label in solvers
                ),
                flush=True,
            )
        means = {label: sum(g) / len(g) if g else float("nan") for label, g in gaps.items()}
        limit_rows = [r for r in rows if r["limit"] == limit]
        summary[f"{limit:g}s"] = {
            "mean_gap_pct": {label: round(v, 3) for label, v in means.items()},
            "proven_optimal": {label: sum(r[label]["optimal"] for r in limit_rows) for label in solvers},
            "no_schedule": {label: [r["instance"] for r in limit_rows if r[label]["makespan"] is None] for label in solvers},
            "ours_worse_than_plain": (
                [
                    r["instance"]
                    for r in limit_rows
                    if r["ours"]["makespan"] is None
                    or (r["plain"]["makespan"] is not None and r["ours"]["makespan"] > r["plain"]["makespan"])
                ]
                if "plain" in solvers
                else None
            ),
        }
    path = write_result(
        "fjsp" if args.set == "brandimarte" else f"fjsp-{args.set}",
        {
            "set": args.set,
            "instances": names,
            "limits": limits,
            "workers": args.workers,
            "quick": args.quick,
            "sample": args.sample,
            "load_average": os.getloadavg(),
            "reference": "upper_bound of bks.json" if args.set != "generated" else "best lower bound proved in the run",
        },
        {"runs": rows, "summary": summary},
    )
    print(f"\n{'instance':<14}" + "".join(f"{f'{l:g}s ' + label:>14}" for l in limits for label in solvers))
    for instance in names:
        cells = []
        for limit in limits:
            row = next(r for r in rows if r["instance"] == instance and r["limit"] == limit)
            cells += [f"{str(row[label]['gap_pct']):>13}%" for label in solvers]
        print(f"{instance:<14}" + "".join(cells))
    for key, s in summary.items():
        means = ", ".join(f"{label} {v:.2f}%" for label, v in s["mean_gap_pct"].items())
        proven = ", ".join(f"{label} {v}" for label, v in s["proven_optimal"].items())
        print(
            f"mean gap at {key}: {means}; proven optimal: {proven}; no schedule: {s['no_schedule']}; "
            f"ours worse than plain on: {s['ours_worse_than_plain']}"
        )
    print(f"wrote {path} (load average {os.getloadavg()})")


if __name__ == "__main__":
    main()
