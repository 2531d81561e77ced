"""Enqueue a Celery task by name once the current transaction commits.

The apps use this to ask for the next step of the lifecycle without importing it (the lifecycle lives
above them, in `lifecycle`; a task's name is a message, not an import). A broker that is down must not fail the request whose data
is already committed: the message is logged as lost, and the sweeper re-drives the order later.

A step that takes its work in batches from the database (the order rows are the queue) needs no message
per row, only a nudge that there is work: `nudge_on_commit` sends at most one per `COSMO_NUDGE_SECONDS` and
process, and a nudge asked for within that time is sent when it ends (never dropped), so intake at hundreds
of orders a second costs the broker a few messages a second.
"""

import logging
import threading
import time

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


_nudge_lock = threading.Lock()
_nudge_sent: dict[str, float] = {}  # task name → when this process last sent it (monotonic seconds)
_nudge_due: set[str] = set()  # task names a timer will send


def nudge(task_name: str, *args) -> None:
    """Send `task_name(*args)` (a batched step: it takes the row asked for and the oldest others waiting)
    at most once per COSMO_NUDGE_SECONDS in this process; asked again sooner, `task_name()` (no row in
    particular) is sent once when that time is up. Inline (`COSMO_TASKS_INLINE`) the step runs now."""
    from django.conf import settings

    if settings.COSMO_TASKS_INLINE:
        send_now(task_name, *args)
        return
    interval = settings.COSMO_NUDGE_SECONDS
    with _nudge_lock:
        if task_name in _nudge_due:
            return  # the timer's message comes after this commit: it covers this row too
        wait = _nudge_sent.get(task_name, float("-inf")) + interval - time.monotonic()
        if wait > 0:
            _nudge_due.add(task_name)
            timer = threading.Timer(wait, _nudge_send_due, args=(task_name,))
            timer.daemon = True
            timer.start()
            return
        _nudge_sent[task_name] = time.monotonic()
    send_now(task_name, *args)


def _nudge_send_due(task_name: str) -> None:
    with _nudge_lock:
        _nudge_due.discard(task_name)
        _nudge_sent[task_name] = time.monotonic()
    send_now(task_name)


def nudge_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: nudge(task_name, *args))


def task_queue(task_name: str) -> str:
    """The queue `task_name` is routed to."""
    from cosmo.celery import app

    return (app.conf.task_routes.get(task_name) or {}).get("queue", app.conf.task_default_queue)


def queue_lengths(queues) -> dict[str, int]:
    """How many messages wait in each of `queues`, read over one broker connection; a queue the broker does
    not know holds none (Redis forgets an empty one). Any other broker failure raises."""
    from cosmo.celery import app

    lengths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for queue in queues:
            try:
                lengths[queue] = channel.queue_declare(queue, passive=True).message_count
            except connection.channel_errors:
                lengths[queue] = 0
    return lengths
