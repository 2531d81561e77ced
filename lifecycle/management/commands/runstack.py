"""Start web, worker and beat together (the embedded topology of `make run`); Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from cosmo import clock
from lifecycle.demo import DEMO_PASSWORD, DEMO_USERS

QUEUES = "orders,procurement,planning,factory"


class Command(BaseCommand):
    help = "Serve the portals with a Celery worker and beat, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port of the web server")

    def handle(self, *args, addr, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # The clock keeps its factory time and takes the configured speed (a demo runs it fast).
        if clock.anchor().speed != settings.COSMO_CLOCK_SPEED:
            clock.reset(speed=settings.COSMO_CLOCK_SPEED)
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "cosmo", "worker", "-Q", QUEUES, "--loglevel", "INFO",
                       "--concurrency", "2"],
            "beat": [python, "-m", "celery", "-A", "cosmo", "beat", "--loglevel", "INFO",
                     "--schedule", str(settings.CELERY_BEAT_SCHEDULE_FILENAME)],
        }
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy(), start_new_session=True)
            for name, command in commands.items()
        }
        self.stdout.write(self.style.SUCCESS(f"\nCosmo is running at http://{addr}/"))
        if settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG is on (the local demo): errors show Django's debug pages."))
        speed = settings.COSMO_CLOCK_SPEED
        self.stdout.write(
            f"Factory clock: {clock.now():%Y-%m-%d %H:%M} UTC, running {speed:g}× real time"
            + (f" (a factory day every {24 * 60 / speed:.1f} real minutes)" if speed > 1 else "")
        )
        self.stdout.write(f"Demo logins (password “{DEMO_PASSWORD}” for each):")
        for username, role, portal in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role:<16} {portal}")
        self.stdout.write("Press Ctrl-C to stop web, worker and beat.\n")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with code {process.returncode}; stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            # The main processes stop their own children (the worker's pool) when asked politely.
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            self.stdout.write("Stopped web, worker and beat.")
