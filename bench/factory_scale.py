"""A factory of thousands of open jobs: the optimizing solve against the dispatcher it starts from.

    .venv/bin/python bench/factory_scale.py                      # 2,000 jobs on 10 lines, 60 s, seed 1
    .venv/bin/python bench/factory_scale.py --jobs 300 --limit 20 --seed 2
    .venv/bin/python bench/factory_scale.py --quick              # 300 jobs, 10 s

The factory is `production.scheduler.generate.factory(seed, jobs, lines)` (shifts, a maintenance window
per line, changeovers between eight variants, releases, due dates, weights, jobs running now). Writes
bench/out/factory_scale.json: the seconds the dispatcher took, the seconds the solve took against its
limit, the terms (weighted tardiness, changeover, makespan) before and after, the solver's status and
method, and how long placing one more job into the optimized plan takes (`insert_jobs`, the instant
placement). Both schedules go through the checker.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from production.scheduler import Job, Problem, check, dispatch, insert_jobs, solve  # noqa: E402
from production.scheduler.generate import factory  # noqa: E402


def terms(problem, schedule) -> dict:
    t = schedule.objective(problem)
    return {"weighted_tardiness": t.weighted_tardiness, "changeover": t.changeover, "makespan": t.makespan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds of the solve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="300 jobs, 10 s")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.limit = 300, 10.0
    load_before = os.getloadavg()
    problem = factory(args.seed, jobs=args.jobs, lines=args.lines)
    t0 = time.perf_counter()
    start = dispatch(problem)
    dispatch_seconds = time.perf_counter() - t0
    check(problem, start)
    # The run's warm start is the plan in force: here the dispatcher's, timed above.
    result = solve(problem, time_limit=args.limit, workers=args.workers, seed=args.seed, hint=start)
    check(problem, result.schedule)
    before, after = terms(problem, start), terms(problem, result.schedule)
    order = ("weighted_tardiness", "changeover", "makespan")
    never_worse = tuple(after[k] for k in order) <= tuple(before[k] for k in order)
    # One more job placed into the optimized plan at once, nothing else moving.
    new_job = Job(problem.jobs[-1].operations, variant=problem.jobs[-1].variant, release=0, due=None, name="new")
    bigger = Problem(jobs=problem.jobs + (new_job,), lines=problem.lines)
    t0 = time.perf_counter()
    placed = insert_jobs(bigger, result.schedule, [len(problem.jobs)])
    insert_seconds = time.perf_counter() - t0
    check(bigger, placed)
    figures = {
        "operations": problem.n_operations(),
        "dispatch_seconds": round(dispatch_seconds, 2),
        "solve_seconds": round(result.seconds, 2),
        "time_limit": args.limit,
        "status": result.status,
        "method": result.method,
        "notes": result.notes,
        "before": before,
        "after": after,
        "never_worse_than_dispatcher": never_worse,
        "insert_one_job_seconds": round(insert_seconds, 3),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    path = write_result("factory_scale", vars(args), figures)
    print(
        f"{args.jobs} jobs, {figures['operations']} operations on {args.lines} lines: dispatch {dispatch_seconds:.1f} s; "
        f"solve {result.seconds:.1f} s of {args.limit:g} ({result.status}, {result.method}, {'; '.join(result.notes)})\n"
        f"before {before}\nafter  {after}\nnever worse than the dispatcher: {never_worse}; "
        f"one more job placed in {insert_seconds * 1000:.0f} ms; load {load_before} -> {os.getloadavg()}\nwrote {path}"
    )


if __name__ == "__main__":
    main()
