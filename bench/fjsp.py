"""Brandimarte MK01-MK10: the engine's solve against the plain CP-SAT baseline, gap to best known.

    .venv/bin/python bench/fjsp.py            # all ten, 10 s and 30 s per instance, ours and plain
    .venv/bin/python bench/fjsp.py --quick    # mk02, mk06, mk10 at 3 s

Every schedule goes through the feasibility checker. Writes bench/out/fjsp.json.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from production.scheduler import check, read_fjs, solve, solve_plain  # noqa: E402

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "fjsp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three instances at 3 s")
    parser.add_argument("--limits", type=float, nargs="+", help="seconds per instance")
    parser.add_argument("--instances", nargs="+", help="e.g. mk01 mk10")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-plain", action="store_true", help="do not run the baseline")
    args = parser.parse_args()
    bks = json.loads((BENCHMARKS / "bks.json").read_text())
    names = args.instances or (["mk02", "mk06", "mk10"] if args.quick else sorted(bks))
    limits = args.limits or ([3.0] if args.quick else [10.0, 30.0])
    solvers = {"ours": solve} if args.skip_plain else {"ours": solve, "plain": solve_plain}
    rows, summary = [], {}
    for limit in limits:
        gaps = {name: [] for name in solvers}
        for instance in names:
            problem = read_fjs(BENCHMARKS / f"{instance}.fjs")
            row = {"instance": instance, "limit": limit, "best_known": bks[instance]}
            for label, function in solvers.items():
                result = function(problem, time_limit=limit, workers=args.workers)
                check(problem, result.schedule)
                makespan = result.schedule.makespan()
                gap = 100.0 * (makespan - bks[instance]) / bks[instance]
                gaps[label].append(gap)
                row[label] = {
                    "makespan": makespan,
                    "gap_pct": round(gap, 2),
                    "lower_bound": result.lower_bound,
                    "status": result.status,
                    "seconds": round(result.seconds, 2),
                }
            rows.append(row)
            print(
                f"{instance} {limit:>4.0f}s  "
                + "  ".join(f"{label} {row[label]['makespan']} ({row[label]['gap_pct']:.2f}%)" for label in solvers),
                flush=True,
            )
        means = {label: sum(g) / len(g) for label, g in gaps.items()}
        summary[f"{limit:g}s"] = {
            "mean_gap_pct": {label: round(v, 3) for label, v in means.items()},
            "plain_over_ours": round(means["plain"] / means["ours"], 2) if "plain" in means and means["ours"] else None,
        }
    path = write_result(
        "fjsp",
        {"instances": names, "limits": limits, "workers": args.workers, "quick": args.quick},
        {"runs": rows, "summary": summary},
    )
    print(f"\n{'instance':<9}" + "".join(f"{f'{l:g}s ' + label:>14}" for l in limits for label in solvers))
    for instance in names:
        cells = []
        for limit in limits:
            row = next(r for r in rows if r["instance"] == instance and r["limit"] == limit)
            cells += [f"{row[label]['gap_pct']:>13.2f}%" for label in solvers]
        print(f"{instance:<9}" + "".join(cells))
    for key, s in summary.items():
        means = ", ".join(f"{label} {v:.2f}%" for label, v in s["mean_gap_pct"].items())
        ratio = f", plain/ours {s['plain_over_ours']}" if s["plain_over_ours"] is not None else ""
        print(f"mean gap at {key}: {means}{ratio}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
