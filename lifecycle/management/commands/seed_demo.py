from django.core.management.base import BaseCommand

from lifecycle.demo import DEMO_PASSWORD, DEMO_USERS, demo_is_loaded, demo_seed
from lifecycle.demo_history import DEMO_HISTORY_DAYS, DEMO_HISTORY_ORDERS, demo_history_seed


class Command(BaseCommand):
    help = "Load the demo world: a factory with three lines, the demo catalog, three suppliers, a user per role."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a catalog is already loaded")
        parser.add_argument("--no-history", action="store_true",
                            help=f"only the world: no {DEMO_HISTORY_DAYS} days of orders played up to now")

    def handle(self, *args, if_empty, no_history, **options):
        if demo_is_loaded():
            if if_empty:
                self.stdout.write("Demo data already loaded.")
                return
            self.stderr.write("The database already has a catalog; run on an empty database.")
            raise SystemExit(1)
        demo_seed()
        if not no_history:
            self.stdout.write(f"Playing {DEMO_HISTORY_DAYS} days of orders up to now (a minute or so)…")
            placed = demo_history_seed()
            self.stdout.write(f"{placed} orders placed; they are at every stage from waiting for parts to shipped.")
        users = ", ".join(name for name, _, _ in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Users: {users} (password “{DEMO_PASSWORD}”)."))
