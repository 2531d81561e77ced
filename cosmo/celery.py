"""The Celery app: four queues, JSON only, late acks, time limits (settings prefixed CELERY_)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cosmo.settings")

app = Celery("cosmo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("orders", "procurement", "planning", "factory")]
app.conf.task_routes = {
    "cosmo.tasks.plan_order": {"queue": "orders"},
    "cosmo.tasks.procure_order": {"queue": "procurement"},
    "cosmo.tasks.schedule_order": {"queue": "planning"},
    "cosmo.tasks.sweep": {"queue": "orders"},
}
app.autodiscover_tasks(["cosmo"])

