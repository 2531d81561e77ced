"""Enqueue a Celery task by name once the current transaction commits.

The apps use this to start the pipeline without importing it (the pipeline lives in `cosmo`, which
depends on them, not the other way round).
"""

from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    from cosmo.celery import app

    transaction.on_commit(lambda: app.send_task(task_name, args=list(args)))
