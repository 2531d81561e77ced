"""Jobs waiting for material in the planner's what-ifs: they are not on the lines yet, so a plan of the
lines alone would leave them out. A line going down touches a waiting job that the line can make and
whose parts may be in before the line is back; it goes late when no other line can make it and the
line is back only after its due date (or its parts arrive after it anyway)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from production.materials import jobs_expected_release, jobs_waiting
from production.models import Job, Line, LineCapability
from production.scheduling import due_from_promise


@dataclass(frozen=True)
class WaitingJob:
    job: Job
    arrival: datetime | None  # when its parts are expected in (None: no supplier has it on order)
    due: datetime | None
    other_lines: list[str]  # the other lines of the factory that can make it
    goes_late: bool


def waiting_jobs_hit(*, line: Line, start: datetime, end: datetime, now: datetime) -> list[WaitingJob]:
    """The jobs waiting for material that `line` down from `start` to `end` touches, those that go late first."""
    waiting = [job for job in jobs_waiting(line.factory) if job.order_line.family_id]
    capable: dict[int, set[str]] = {}
    for family_id, code in LineCapability.objects.filter(line__factory=line.factory).values_list(
        "family_id", "line__code"
    ):
        capable.setdefault(family_id, set()).add(code)
    arrivals = jobs_expected_release(waiting, now)
    zone = ZoneInfo(line.factory.timezone)
    hit = []
    for job in waiting:
        lines = capable.get(job.order_line.family_id, set())
        arrival = arrivals.get(job.pk)
        if line.code not in lines or (arrival is not None and arrival >= end):
            continue
        others = sorted(lines - {line.code})
        promised = job.order_line.quoted_date or job.order_line.order.promised_date
        due = job.due_date or (due_from_promise(promised, zone, job.shipping_days) if promised else None)
        goes_late = due is not None and (
            (not others and end > due) or (arrival is not None and arrival > due)
        )
        hit.append(WaitingJob(job, arrival, due, others, goes_late))
    hit.sort(key=lambda w: (not w.goes_late, w.due is None, w.due or now, w.job.pk))
    return hit
