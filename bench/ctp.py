"""Capable-to-promise quotes: 1,000 operations already on 10 lines (target: p95 at most 50 ms).

    .venv/bin/python bench/ctp.py           # 500 quotes
    .venv/bin/python bench/ctp.py --quick   # 100 quotes

Each quote is the one-shot `capable_to_promise(problem, schedule, job)` (it builds the line timelines
from the schedule every time, as a web request would). A sample of quotes is checked by inserting the
job for real and running the feasibility checker. Writes bench/out/ctp.json.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result  # noqa: E402
from bench.dispatch import VARIANTS, factory  # noqa: E402
from production.scheduler import Job, Operation, Problem, capable_to_promise, check, dispatch, insert_jobs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_quotes = 100 if args.quick else 500
    problem = factory(1000, 10, seed=2)
    schedule = dispatch(problem)
    check(problem, schedule)
    rng = random.Random(3)
    horizon = schedule.makespan()
    times, checked = [], 0
    for q in range(n_quotes):
        ops = tuple(
            Operation({li: rng.randint(15, 180) for li in rng.sample(range(10), rng.randint(1, 3))})
            for _ in range(rng.randint(2, 6))
        )
        job = Job(ops, variant=rng.choice(VARIANTS), release=rng.randrange(0, horizon))
        t0 = time.perf_counter()
        quote = capable_to_promise(problem, schedule, job)
        times.append(time.perf_counter() - t0)
        if q % 25 == 0:
            extended = Problem(jobs=problem.jobs + (job,), lines=problem.lines)
            placed = insert_jobs(extended, schedule, [len(problem.jobs)])
            check(extended, placed)
            assert placed.completion(len(problem.jobs), len(ops)) == quote
            checked += 1
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    figures = {
        "scheduled_operations": problem.n_operations(),
        "lines": 10,
        "quotes": n_quotes,
        "ms_p50": round(1000 * statistics.median(times), 3),
        "ms_p95": round(1000 * p95, 3),
        "ms_max": round(1000 * times[-1], 3),
        "quotes_checked_by_insertion": checked,
        "target_ms_p95": 50,
    }
    path = write_result("ctp", {"operations": 1000, "lines": 10, "quotes": n_quotes, "quick": args.quick}, figures)
    print(f"{'ops on lines':<14}{'quotes':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target p95':>12}")
    print(
        f"{1000:<14}{n_quotes:>7}{figures['ms_p50']:>9.2f}{figures['ms_p95']:>9.2f}{figures['ms_max']:>9.2f}{50:>12}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
