"""Place a job's operations on the factory's lines: a simple forward placement on the earliest free line.

One schedule writer per factory at a time: the factory row is locked for the placement.
"""

from datetime import datetime, timedelta

from django.db.models import Max

from production.models import Factory, Job, LineCapability, Operation


def job_place(*, job: Job, not_before: datetime) -> datetime:
    """Put each operation of the job, in sequence, on the capable line where it ends earliest.

    Must run inside a transaction. Returns when the job's last operation ends. Idempotent: operations
    already placed keep their place.
    """
    Factory.objects.select_for_update().get(pk=job.factory_id)
    capabilities = list(
        LineCapability.objects.filter(line__factory=job.factory_id, family=job.order_line.family_id).select_related(
            "line"
        )
    )
    if not capabilities:
        raise LookupError(f"no line of {job.factory} can make {job.order_line.family}")
    ready = max(not_before, job.release_date or not_before)
    for operation in job.operations.order_by("sequence"):
        if operation.line_id is not None:
            ready = operation.planned_end
            continue
        best = None
        for capability in capabilities:
            line_free = Operation.objects.filter(line=capability.line).aggregate(end=Max("planned_end"))["end"]
            start = max(ready, line_free or ready)
            end = start + timedelta(minutes=max(1.0, float(operation.minutes / capability.speed)))
            if best is None or end < best[2]:
                best = (capability.line, start, end)
        operation.line, operation.planned_start, operation.planned_end = best
        operation.save(update_fields=["line", "planned_start", "planned_end"])
        ready = best[2]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SCHEDULED)
    return ready


def job_unschedule(*, job: Job) -> None:
    """Take a job off the lines (its order was cancelled): its operations free their slots."""
    job.operations.update(line=None, planned_start=None, planned_end=None)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
