"""`manage.py simulate`: the headless main job (see `lifecycle.simulate`).

By default it runs on a throwaway SQLite database in a temporary folder (a child process of itself), so the
user's data is never touched; `--this-database` runs on the configured database instead (the tests do, on
their own fresh test database).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from lifecycle.throwaway import fresh_world, throwaway_env

KPI_LABELS = [
    ("orders", "orders"),
    ("orders_shipped", "orders shipped"),
    ("on_time_rate", "on-time rate"),
    ("mean_lead_time_days", "mean lead time (days)"),
    ("p95_lead_time_days", "p95 lead time (days)"),
    ("line_utilization", "line utilization"),
    ("changeover_hours", "changeover hours"),
    ("energy_kwh_per_unit", "energy per unit shipped (kWh)"),
    ("production_days", "production days (start to the last operation's end)"),
    ("production_kwh", "energy in production (kWh)"),
    ("good_units_per_kwh", "good units per kWh"),
    ("energy_cost_per_unit", "energy cost per good unit (tariff)"),
    ("energy_price_mean", "mean price paid per kWh"),
    ("crew_rule", "crew rule"),
    ("crew_hours", "crew hours"),
    ("crew_hours_fixed", "crew hours, a crew on every shift"),
    ("crew_hours_called", "crew hours, crews only on shifts worked"),
    ("good_units_per_crew_hour", "good units per crew hour"),
    ("unit_cost", "unit manufacturing cost"),
    ("unit_conversion_cost", "unit conversion cost (without materials)"),
    ("unit_cost_parts", "unit cost parts"),
    ("purchase_orders", "purchase orders placed"),
    ("supplier_on_time_rate", "supplier on-time rate"),
    ("simulated_days", "factory days simulated"),
]


class Command(BaseCommand):
    help = (
        "Generate N seeded consumer orders, run the whole pipeline and the simulated factory until every order "
        "ships or D days pass, and print the KPIs as a table and JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100)
        parser.add_argument("--days", type=float, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--policy", choices=["optimized", "fifo"], default="optimized")
        parser.add_argument(
            "--standby",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "switch a line with nothing planned off until work is planned for it (default: with the "
                "optimized policy; a fifo floor keeps its lines on through their shifts)"
            ),
        )
        parser.add_argument(
            "--shift-calls",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "call each line's crew from the plan: a line standing by waits for a coming shift at the cheapest "
                "tariff when no order goes late by it (default: with the optimized policy on lines that stand by)"
            ),
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run every task in this process, in pipeline order, instead of on real Celery workers",
        )
        parser.add_argument("--step-minutes", type=float, default=30, help="factory minutes per simulation step")
        parser.add_argument("--optimize-hours", type=float, default=24, help="factory hours between optimizations")
        parser.add_argument("--optimize-seconds", type=float, default=3, help="solver time limit per optimization")
        parser.add_argument("--json-only", action="store_true", help="print only the JSON")
        parser.add_argument("--this-database", action="store_true", help="run on the configured database")

    def handle(self, *args, **options):
        if options["orders"] < 1 or options["days"] <= 0:
            raise CommandError(_("--orders must be at least 1 and --days positive."))
        if not options["this_database"]:
            return self._in_throwaway_database(options)
        kpis = self._run(options)
        kpis["policy"], kpis["line_standby"] = options["policy"], settings.COSMO_LINE_STANDBY
        kpis["shift_calls"] = settings.COSMO_SHIFT_CALLS and settings.COSMO_LINE_STANDBY and options["policy"] != "fifo"
        if not options["json_only"]:
            width = max(len(label) for _, label in KPI_LABELS)
            standby = _("lines stand by when idle") if settings.COSMO_LINE_STANDBY else _("lines on through shifts")
            calls = _("crews called from the plan") if kpis["shift_calls"] else _("crews for every shift worked")
            calls = calls if settings.COSMO_LINE_STANDBY else _("crews on every shift")
            self.stdout.write(f"policy: {options['policy']}  seed: {options['seed']}  {standby}  {calls}")
            for key, label in KPI_LABELS:
                self.stdout.write(f"{label:<{width}}  {kpis.get(key)}")
        self.stdout.write(json.dumps(kpis, sort_keys=True))

    def _in_throwaway_database(self, options):
        with tempfile.TemporaryDirectory(prefix="cosmo-simulate-") as folder:
            env = throwaway_env(folder)
            argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "simulate", "--this-database"]
            for name in ("orders", "days", "seed", "policy", "step_minutes", "optimize_hours", "optimize_seconds"):
                argv += [f"--{name.replace('_', '-')}", str(options[name])]
            argv += ["--in-process"] if options["in_process"] else []
            argv += [] if options["standby"] is None else ["--standby" if options["standby"] else "--no-standby"]
            calls = options["shift_calls"]
            argv += [] if calls is None else ["--shift-calls" if calls else "--no-shift-calls"]
            argv += ["--json-only"] if options["json_only"] else []
            done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True)
            self.stdout.write(done.stdout.rstrip("\n"))
            if done.returncode:
                raise CommandError(_("The simulation failed (exit status %(code)s).") % {"code": done.returncode})

    def _run(self, options) -> dict:
        from lifecycle.simulate import simulation_run

        fresh_world(network=False, command="simulate")
        settings.COSMO_PLANNING_POLICY = options["policy"]
        standby = options["standby"]
        settings.COSMO_LINE_STANDBY = options["policy"] == "optimized" if standby is None else standby
        calls = options["shift_calls"]
        settings.COSMO_SHIFT_CALLS = options["policy"] == "optimized" if calls is None else calls
        settings.COSMO_OPTIMIZE_SECONDS = options["optimize_seconds"]
        # Drift asks for a reschedule at most once per optimization interval (each is a solver run).
        settings.COSMO_DRIFT_MINUTES = max(settings.COSMO_DRIFT_MINUTES, options["optimize_hours"] * 60)
        settings.COSMO_TASKS_INLINE = options["in_process"]
        from cosmo.models import User

        customer = User.objects.filter(role=User.Role.CONSUMER).order_by("pk").first()
        bar = tqdm(total=options["orders"], desc=_("orders shipped"), unit="order", file=sys.stderr, leave=False)

        def progress(finished, total, at):
            bar.set_postfix_str(at.strftime("%Y-%m-%d %H:%M"), refresh=False)
            bar.update(finished - bar.n)

        run = dict(
            customer=customer,
            orders=options["orders"],
            days=options["days"],
            seed=options["seed"],
            step_minutes=options["step_minutes"],
            optimize_hours=options["optimize_hours"],
            progress=progress,
        )
        try:
            if options["in_process"]:
                return simulation_run(**run)
            with _workers() as wait:
                return simulation_run(**run, wait=wait)
        finally:
            bar.close()


class _InFlight:
    """Tasks sent and not finished yet, counted from Celery's signals (the workers run in this process)."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def sent(self, **_):
        with self.changed:
            self.count += 1

    def finished(self, **_):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait(self):
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout=300)


class _workers:
    """Real Celery workers (threads of this process, every queue) on the configured broker; `wait` returns
    once every task sent has finished."""

    def __enter__(self):
        from celery.contrib.testing.worker import start_worker
        from celery.signals import after_task_publish, task_postrun

        from cosmo.celery import app

        self.flight = _InFlight()
        after_task_publish.connect(self.flight.sent, weak=False)
        task_postrun.connect(self.flight.finished, weak=False)
        self.context = start_worker(
            app,
            pool="threads",
            concurrency=1,
            perform_ping_check=False,
            queues=["orders", "procurement", "planning", "factory"],
            shutdown_timeout=60,
        )
        self.context.__enter__()
        return self.flight.wait

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)
