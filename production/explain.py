"""Why a job is late or tight, in words a planner reads: the part it waits for and from whom, or the
line that is its bottleneck and what is queued ahead of it there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cosmo import clock
from production.models import Requirement
from production.scheduler import Schedule
from production.scheduling import FactoryProblem

# A job that finishes less than this before its due date is tight: on time, with little to spare. (An
# order is "at risk" only by `orders.delivery`: the date now expected is after the promise; a late job is
# that, seen from the plan.)
TIGHT_SLACK = timedelta(hours=24)
QUEUE_SHOWN = 4


@dataclass(frozen=True)
class JobState:
    late: bool
    tight: bool
    reason: str


def _when(fp: FactoryProblem, minutes: int) -> str:
    return date_format(localtime(fp.at(minutes), ZoneInfo(fp.factory.timezone)), "Y-m-d H:i")


def material_arrival(order_line_id: int):
    """(requirement values, arrival) of the part whose purchase arrives last for an order line, preferring
    the parts still missing; None when nothing is on order. Supplier data is read through the relation:
    production does not import the suppliers app."""
    requirements = Requirement.objects.filter(order_line=order_line_id, allocations__isnull=False)
    missing = requirements.filter(reserved__lt=F("quantity"))
    latest = (
        (missing if missing.exists() else requirements)
        .values(
            "part__code",
            "part__name",
            "allocations__po_line__purchase_order__supplier__name",
            "allocations__po_line__expected_date",
            "allocations__po_line__promised_date",
        )
        .order_by("-allocations__po_line__expected_date")
        .first()
    )
    if latest is None:
        return None
    return latest, latest["allocations__po_line__promised_date"] or latest["allocations__po_line__expected_date"]


def material_reason(order_line_id: int, tz: ZoneInfo) -> str | None:
    """The part whose purchase arrives last, its supplier and the date, in words."""
    found = material_arrival(order_line_id)
    if found is None:
        return None
    latest, arrival = found
    # A day gone is not "expected": the supplier is late, and the planner should read so.
    text = (_("Waits for %(part)s (%(code)s) from %(supplier)s, overdue since %(date)s.") if arrival < clock.now()
            else _("Waits for %(part)s (%(code)s) from %(supplier)s, expected %(date)s."))
    return text % {
        "part": latest["part__name"],
        "code": latest["part__code"],
        "supplier": latest["allocations__po_line__purchase_order__supplier__name"],
        "date": date_format(localtime(arrival, tz), "Y-m-d H:i"),
    }


def waiting_state(job, tz: ZoneInfo) -> JobState:
    """A job not yet released (its parts are on their way): late when its last part arrives after its due
    date (or when sourcing found no offer in time for the promise), tight within a day of it."""
    found = material_arrival(job.order_line_id)
    arrival = found[1] if found else None
    due = job.due_date
    late = job.order_line.order.at_risk or bool(arrival and due and arrival > due)
    tight = not late and bool(arrival and due and arrival > due - TIGHT_SLACK)
    return JobState(late, tight, material_reason(job.order_line_id, tz) or "")


def _bottleneck_reason(fp: FactoryProblem, schedule: Schedule, j: int) -> str | None:
    """The operation of the job that waits longest for its line, and the jobs placed ahead of it there."""
    job = fp.problem.jobs[j]
    ready, worst = job.release, None
    for o in range(len(job.operations)):
        p = schedule.placements[(j, o)]
        wait = p.start - max(ready, 0)
        if job.operations[o].frozen is None and wait > 0 and (worst is None or wait > worst[0]):
            worst = (wait, p, max(ready, 0))
        ready = p.end
    if worst is None:
        return None
    wait, p, since = worst
    ahead = sorted(
        (q for q in schedule.placements.values() if q.line == p.line and q.job != j and since <= q.start < p.start),
        key=lambda q: q.start,
    )
    names = []
    for q in ahead:
        name = fp.jobs[q.job].number
        if name not in names:
            names.append(name)
    shown = ", ".join(names[:QUEUE_SHOWN]) + ("…" if len(names) > QUEUE_SHOWN else "")
    hours = round(wait / 60, 1)
    if not names:
        return _("%(line)s is its bottleneck: it waits %(hours)s h there for a shift.") % {
            "line": fp.lines[p.line].name,
            "hours": hours,
        }
    return ngettext(
        "%(line)s is its bottleneck: it waits %(hours)s h there behind %(count)d job (%(jobs)s).",
        "%(line)s is its bottleneck: it waits %(hours)s h there behind %(count)d jobs (%(jobs)s).",
        len(names),
    ) % {"line": fp.lines[p.line].name, "hours": hours, "count": len(names), "jobs": shown}


def job_states(fp: FactoryProblem, schedule: Schedule) -> dict[int, JobState]:
    """{job id: JobState} for every job of the problem; the reason is given for late and tight jobs."""
    states = {}
    slack = int(TIGHT_SLACK.total_seconds() // 60)
    for j, job in enumerate(fp.problem.jobs):
        end = schedule.placements[(j, len(job.operations) - 1)].end
        late = job.due is not None and end > job.due
        tight = not late and job.due is not None and end > job.due - slack
        reason = ""
        if late or tight:
            line_wait = _bottleneck_reason(fp, schedule, j)
            if job.release > 0:
                first = schedule.placements[(j, 0)]
                # Material decides when the job cannot start before the parts arrive and the lines wait less.
                waited_for_lines = first.start - job.release
                if waited_for_lines < job.release:
                    reason = material_reason(fp.jobs[j].order_line_id, ZoneInfo(fp.factory.timezone)) or ""
            if not reason:
                reason = line_wait or _("Its own work takes longer than the time left before its due date.")
        states[fp.jobs[j].pk] = JobState(late, tight, reason)
    return states
