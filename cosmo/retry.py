"""Deadlocks and serialization failures: the database chose this transaction to give way. Its work is
intact to redo, so it is redone (a few times, waiting a little longer each time, with jitter); what still
fails is a conflict the caller reports as "busy, try again" (HTTP 503 with Retry-After), never a 500.

Tasks retry through Celery instead (lifecycle/tasks.py: autoretry on OperationalError, with backoff).
"""

import functools
import random
import time

from django.db import OperationalError, transaction

# PostgreSQL's deadlock_detected and serialization_failure; SQLite's "database is locked".
CONFLICT_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4
FIRST_WAIT = 0.05  # seconds, doubled at each attempt


def is_conflict(error: BaseException) -> bool:
    cause = error.__cause__ or error
    if getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def conflict_retried(function):
    """Run `function` (which opens its own transaction) again when the database picks it as the loser of
    a deadlock or a serialization failure. Inside a caller's transaction nothing can be redone alone:
    the error goes up to the caller's own retry."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        for attempt in range(ATTEMPTS):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if not is_conflict(error) or attempt == ATTEMPTS - 1 or transaction.get_connection().in_atomic_block:
                    raise
                time.sleep(FIRST_WAIT * 2**attempt * (1 + random.random()))
        raise AssertionError("unreachable")

    return run
