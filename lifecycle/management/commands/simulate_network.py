"""`manage.py simulate_network`: the network comparison of `lifecycle.simulate_network`.

By default each run (routed by promise, then the fixed factory per family) happens on a throwaway SQLite
database in a temporary folder (a child process of itself), so the user's data is never touched; the table
compares them and the last line is the JSON of both. `--this-database --routing routed|fixed` runs one on
the configured database instead (a fresh one: the tests do, on their own test database).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lifecycle.simulate_network import FIXED, ROUTED, comparison_table
from lifecycle.throwaway import fresh_world, throwaway_env


class Command(BaseCommand):
    help = (
        "Run the same seeded demand, spread over the consumer regions, on the three demo factories routed by "
        "promise and with a fixed factory per family, and print the figures side by side and as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=60)
        parser.add_argument("--days", type=float, default=16,
                            help="the orders arrive over the first half; the run goes on until they ship")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--step-minutes", type=float, default=60, help="factory minutes per simulation step")
        parser.add_argument("--optimize-hours", type=float, default=24, help="factory hours between optimizations")
        parser.add_argument("--optimize-seconds", type=float, default=2, help="solver time limit per optimization")
        parser.add_argument("--outage", default="",
                            help="a disruption in both runs: FACTORY[/LINE]:HOURS[@AFTER_HOURS], e.g. QD1/L2:48@72 "
                                 "(that line, or the whole factory, down HOURS from AFTER_HOURS into the run; "
                                 "by default from a quarter of --days)")
        parser.add_argument("--routing", choices=[ROUTED, FIXED], help="with --this-database: the one run to make")
        parser.add_argument("--json-only", action="store_true", help="print only the JSON")
        parser.add_argument("--this-database", action="store_true", help="run one routing on the configured database")

    def handle(self, *args, **options):
        if options["orders"] < 1 or options["days"] <= 0 or options["step_minutes"] <= 0:
            raise CommandError(_("--orders must be at least 1, --days and --step-minutes positive."))
        outage = self._outage(options)
        if options["this_database"]:
            if not options["routing"]:
                raise CommandError(_("--this-database runs one routing: give --routing routed or fixed."))
            self.stdout.write(json.dumps(self._run(options), sort_keys=True))
            return
        runs = {routing: self._in_throwaway_database(options, routing) for routing in (ROUTED, FIXED)}
        if not options["json_only"]:
            self.stdout.write(f"seed: {options['seed']}  orders: {options['orders']}"
                              + (f"  outage: {outage}" if outage else ""))
            for row in comparison_table(runs[ROUTED], runs[FIXED]):
                self.stdout.write(row)
        self.stdout.write(json.dumps(runs, sort_keys=True))

    def _in_throwaway_database(self, options, routing: str) -> dict:
        with tempfile.TemporaryDirectory(prefix="cosmo-simulate-network-") as folder:
            env = throwaway_env(folder)
            argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "simulate_network",
                    "--this-database", "--routing", routing]
            for name in ("orders", "days", "seed", "step_minutes", "optimize_hours", "optimize_seconds", "outage"):
                argv += [f"--{name.replace('_', '-')}", str(options[name])]
            done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True)
            if done.returncode:
                raise CommandError(_("The %(routing)s run failed (exit status %(code)s).")
                                   % {"routing": routing, "code": done.returncode})
            return json.loads(done.stdout.strip().splitlines()[-1])

    def _outage(self, options):
        """The `--outage` read against the demo network's lines (the runs' world), or None."""
        from lifecycle.demo import FACTORIES
        from lifecycle.simulate_network import outage_parse

        if not options["outage"]:
            return None
        lines = {code: {line[0] for line in factory_lines} for code, _name, _tz, _price, factory_lines in FACTORIES}
        try:
            return outage_parse(options["outage"], days=options["days"], lines=lines)
        except ValueError as exc:
            raise CommandError(str(exc)) from None

    def _run(self, options) -> dict:
        from cosmo.models import User
        from lifecycle.simulate_network import network_run

        fresh_world(network=True, command="simulate_network")
        settings.COSMO_PLANNING_POLICY = "optimized"
        settings.COSMO_LINE_STANDBY = True
        settings.COSMO_OPTIMIZE_SECONDS = options["optimize_seconds"]
        settings.COSMO_DRIFT_MINUTES = max(settings.COSMO_DRIFT_MINUTES, options["optimize_hours"] * 60)
        customer = User.objects.filter(role=User.Role.CONSUMER).order_by("pk").first()
        return network_run(
            customer=customer, routing=options["routing"], orders=options["orders"], days=options["days"],
            seed=options["seed"], step_minutes=options["step_minutes"], optimize_hours=options["optimize_hours"],
            outage=self._outage(options),
        )
