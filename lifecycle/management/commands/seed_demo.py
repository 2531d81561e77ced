from django.core.management.base import BaseCommand

from lifecycle.demo import DEMO_PASSWORD, DEMO_USERS, demo_is_loaded, demo_seed


class Command(BaseCommand):
    help = "Load the demo world: a factory with three lines, the demo catalog, three suppliers, a user per role."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a catalog is already loaded")

    def handle(self, *args, if_empty, **options):
        if demo_is_loaded():
            if if_empty:
                self.stdout.write("Demo data already loaded.")
                return
            self.stderr.write("The database already has a catalog; run on an empty database.")
            raise SystemExit(1)
        demo_seed()
        users = ", ".join(name for name, _, _ in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Users: {users} (password “{DEMO_PASSWORD}”)."))
