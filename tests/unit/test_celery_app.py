"""The Celery app: JSON only, late acks, time limits, and each task routed to exactly one queue."""

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
