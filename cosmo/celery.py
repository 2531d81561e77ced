"""The Celery app: four queues, JSON only, late acks, time limits (settings prefixed CELERY_)."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cosmo.settings")

app = Celery("cosmo")
app.config_from_object("django.conf:settings", namespace="CELERY")
QUEUES = ("orders", "procurement", "planning", "factory")
# One direct exchange per queue, bound by the queue's name: a message lands in exactly one queue.
app.conf.task_queues = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES]
app.conf.task_routes = {
    "lifecycle.tasks.plan_order": {"queue": "orders"},
    "lifecycle.tasks.procure_order": {"queue": "procurement"},
    "lifecycle.tasks.schedule_order": {"queue": "planning"},
    "lifecycle.tasks.sweep": {"queue": "orders"},
    "lifecycle.tasks.suppliers_autopilot": {"queue": "procurement"},
    "lifecycle.tasks.shipments_arrive": {"queue": "procurement"},
    "lifecycle.tasks.stock_replenish": {"queue": "procurement"},
    "lifecycle.tasks.optimize_schedule": {"queue": "planning"},
    "lifecycle.tasks.optimize_schedules": {"queue": "planning"},
    "lifecycle.tasks.factory_tick": {"queue": "factory"},
}
app.autodiscover_tasks(["lifecycle"])

