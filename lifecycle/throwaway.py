"""What `simulate` and `simulate_network` share: a throwaway world to run on.

By default each command re-runs itself as a child process on a fresh SQLite database in a temporary folder
(`throwaway_env`), so the user's data is never touched; with `--this-database` it prepares the configured
database (`fresh_world`), which must hold no orders yet.
"""

import os

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def throwaway_env(folder: str) -> dict:
    """The child process's environment: SQLite and the filesystem broker in `folder`, real-time clock."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder}/simulate.sqlite3",
        "CELERY_BROKER_URL": "filesystem://",
        "COSMO_VAR_DIR": folder,
        "COSMO_CLOCK_SPEED": "1",
        "COSMO_CLOCK_START": "",
    }


def fresh_world(*, network: bool, command: str) -> None:
    """Migrate, load the demo (the three factories when `network`, else Qingdao alone) unless it is there,
    and refuse a database that already has orders."""
    from lifecycle.demo import demo_is_loaded, demo_seed
    from orders.models import Order

    call_command("migrate", verbosity=0)
    if not demo_is_loaded():
        demo_seed(network=network)
    if Order.objects.exists():
        raise CommandError(_("The database already has orders; %(command)s runs on a fresh database.")
                           % {"command": command})
