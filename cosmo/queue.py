"""Enqueue a Celery task by name once the current transaction commits.

The apps use this to ask for the next step of the lifecycle without importing it (the lifecycle lives
above them, in `lifecycle`; a task's name is a message, not an import). A broker that is down must not fail the request whose data
is already committed: the message is logged as lost, and the sweeper re-drives the order later.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def send_now(task_name: str, *args) -> bool:
    from django.conf import settings

    from cosmo.celery import app

    if settings.COSMO_TASKS_INLINE:  # one process: run the same task here, now (`simulate --in-process`)
        app.tasks[task_name].apply(args=list(args), throw=True)
        return True

    try:
        app.send_task(task_name, args=list(args))
    except Exception:  # any broker failure: the database keeps the state, the sweeper retries
        log.exception("could not enqueue %s%r; the sweeper will re-drive it", task_name, args)
        return False
    return True


def enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_now(task_name, *args))
