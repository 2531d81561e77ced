from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    """The order's lifecycle, above the apps: its steps, tasks, sweeper, cancellation, the floor's order
    transitions, and the wiring (urls, the demo, `simulate`)."""

    name = "lifecycle"
    verbose_name = "Order lifecycle"

    def ready(self):
        # Register the tasks in every process (web, worker, `simulate --in-process`), so a task is found by
        # its name wherever it is sent or run.
        from lifecycle import tasks  # noqa: F401
