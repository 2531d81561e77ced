"""The dispatcher on a factory-sized problem: 5,000 operations (target: at most 1 s).

    .venv/bin/python bench/dispatch.py           # 5,000 operations, 5 runs
    .venv/bin/python bench/dispatch.py --quick   # 1,000 operations, 3 runs

The problem has 20 lines with shift calendars (two shifts a day) and changeovers between 6 variants,
staggered releases, due dates and weights; every schedule goes through the feasibility checker.
Writes bench/out/dispatch.json.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from production.scheduler import Job, Line, Operation, Problem, check, dispatch  # noqa: E402

DAY = 24 * 60
VARIANTS = [f"v{k}" for k in range(6)]


def factory(n_ops: int, n_lines: int, seed: int = 1, ops_per_job: int = 5, days: int = 120) -> Problem:
    """A random factory: lines with two 8-hour shifts a day and changeovers, jobs of `ops_per_job` steps."""
    rng = random.Random(seed)
    lines = []
    for li in range(n_lines):
        shifts = tuple((d * DAY + 6 * 60, d * DAY + 22 * 60) for d in range(days))
        changeovers = {(a, b): rng.randint(10, 45) for a in VARIANTS for b in VARIANTS if a != b}
        lines.append(Line(name=f"line {li}", shifts=shifts, changeovers=changeovers))
    jobs = []
    n_jobs = n_ops // ops_per_job
    span = max(1, n_ops * 60 // n_lines)
    for j in range(n_jobs):
        ops = []
        for _ in range(ops_per_job):
            capable = rng.sample(range(n_lines), rng.randint(1, 3))
            ops.append(Operation({li: rng.randint(15, 180) for li in capable}))
        release = rng.randrange(0, span // 2)
        jobs.append(
            Job(
                tuple(ops),
                variant=rng.choice(VARIANTS),
                release=release,
                due=release + rng.randint(2, 10) * DAY,
                weight=rng.randint(1, 5),
                name=f"order {j}",
            )
        )
    return Problem(jobs=tuple(jobs), lines=tuple(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_ops, runs = (1000, 3) if args.quick else (5000, 5)
    problem = factory(n_ops, 20)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        schedule = dispatch(problem)
        times.append(time.perf_counter() - t0)
        check(problem, schedule)
    terms = schedule.objective(problem)
    figures = {
        "operations": problem.n_operations(),
        "lines": len(problem.lines),
        "seconds_median": round(statistics.median(times), 4),
        "seconds_max": round(max(times), 4),
        "makespan": terms.makespan,
        "changeover": terms.changeover,
        "weighted_tardiness": terms.weighted_tardiness,
        "target_seconds": 1.0,
    }
    path = write_result("dispatch", {"operations": n_ops, "lines": 20, "runs": runs, "quick": args.quick}, figures)
    print(f"{'operations':<12}{'lines':>6}{'median s':>10}{'max s':>8}{'target s':>10}")
    print(f"{figures['operations']:<12}{20:>6}{figures['seconds_median']:>10.3f}{figures['seconds_max']:>8.3f}{1.0:>10.1f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
