"""`python manage.py schedule_fjsp FILE --time-limit SECONDS --json`: solve a Brandimarte `.fjs` file.

Runs the factory's solver (`production.scheduler.solve`) on the file and prints one JSON object on
stdout: makespan, status, seconds, lower_bound (a proven lower bound on the makespan), optimal (true when
the makespan is proven optimal: it meets the bound) and operations ({job, op, machine, start, end},
0-based).
The progress bar goes to stderr.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from production.scheduler import ProblemError, check, read_fjs, solve


class Command(BaseCommand):
    help = "Schedule a Brandimarte .fjs flexible-job-shop file and print the schedule."
    # Pure computation on a file: no database or URL configuration is needed to run it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .fjs file")
        parser.add_argument("--time-limit", type=float, default=10.0, help="seconds of search (default 10)")
        parser.add_argument("--workers", type=int, default=2, help="solver threads (default 2)")
        parser.add_argument("--json", action="store_true", help="print the schedule as one JSON object")

    def handle(self, *args, **options):
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit must be positive")
        try:
            problem = read_fjs(options["file"])
        except ProblemError as exc:
            raise CommandError(str(exc)) from None
        limit = options["time_limit"]
        with tqdm(total=round(limit, 1), unit="s", file=sys.stderr, leave=False, desc="scheduling") as bar:

            def progress(objective: int, bound: int, elapsed: float) -> None:
                bar.n = round(min(elapsed, limit), 1)
                bar.set_postfix(makespan=objective, bound=bound)

            result = solve(problem, time_limit=limit, workers=options["workers"], progress=progress)
        if result.schedule is None:
            raise CommandError(f"no schedule found ({result.status})")
        check(problem, result.schedule)
        payload = {
            "makespan": result.schedule.makespan(),
            "status": result.status,
            "seconds": round(result.seconds, 3),
            "lower_bound": result.lower_bound,
            "optimal": result.status == "OPTIMAL",
            "operations": result.schedule.as_rows(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(
                f"makespan {payload['makespan']} ({'proven optimal' if payload['optimal'] else result.status}, "
                f"lower bound {result.lower_bound}) "
                f"in {payload['seconds']} s, {len(payload['operations'])} operations"
            )
