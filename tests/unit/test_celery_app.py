"""The Celery app: JSON only, late acks, time limits, each task routed to exactly one queue, periodic tasks
that expire."""

from cosmo.celery import app

EXPECTED_QUEUES = {
    "lifecycle.tasks.plan_order": "orders",
    "lifecycle.tasks.procure_order": "procurement",
    "lifecycle.tasks.schedule_order": "planning",
    "lifecycle.tasks.sweep": "orders",
    "lifecycle.tasks.optimize_schedule": "planning",
    "lifecycle.tasks.optimize_schedules": "planning",
    "lifecycle.tasks.factory_tick": "factory",
}


def test_it_routes_each_pipeline_task_to_its_own_queue_only():
    queues = {q.name: q for q in app.conf.task_queues}
    assert set(queues) == {"orders", "procurement", "planning", "factory"}
    for task, queue in EXPECTED_QUEUES.items():
        route = app.amqp.router.route({}, task)
        assert route["queue"].name == queue
        # A message published for this queue matches no other queue's binding.
        others = [q for q in queues.values() if q.name != queue]
        target = queues[queue]
        assert all((q.exchange.name, q.routing_key) != (target.exchange.name, target.routing_key) for q in others)


def test_it_speaks_json_acks_late_and_limits_time():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True and conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert {"lifecycle.tasks.sweep", "lifecycle.tasks.optimize_schedules"} <= {entry["task"] for entry in conf.beat_schedule.values()}


def test_a_periodic_task_not_started_before_the_next_is_sent_is_dropped():
    # Each periodic task acts on the state as it then is: one left waiting behind a busy worker is replaced by
    # the next rather than queued with it (the fault soak saw the ticks pile up by the hundred).
    for name, entry in app.conf.beat_schedule.items():
        assert 0 < entry["options"]["expires"] <= entry["schedule"], name
