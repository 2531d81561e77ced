"""Between the database and the engine: a factory as a `scheduler.Problem`, and a `Schedule` written back.

Time in the engine is whole minutes from an origin: the factory clock's now, to the minute. What the
problem holds:

- lines, in code order, each with its working windows: the line's shifts (factory-local, unrolled over
  `COSMO_PLANNING_HORIZON_DAYS`, touching shifts merged into one window) minus its maintenance windows;
  a line without shifts is always open;
- one engine job per open job (scheduled or in production, plus the jobs being placed), with the
  operations that have not ended yet (`ended_at`): an operation that started (`started_at`) is frozen
  where it is (holding its line at least until now), and so is one planned to start within the firm zone
  after now; one whose planned start has passed without it starting moves; a planner's pin restricts
  the line;
- durations: the operation's minutes over the line's speed for the family, rounded up, at least 1;
- the variant key of each job (`variant_key`) and the changeovers between the keys present;
- release (materials on hand), due date (the promise, less shipping) and weight (the job's priority).

Every schedule written goes through the feasibility checker first, under the factory's row lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cosmo import clock
from orders.delivery import arrival_date, orders_expect, shipping_time
from production.arrival import orders_arrival
from orders.models import Option, ProductFamily
from production.models import (
    Changeover,
    Factory,
    Job,
    Line,
    LineCapability,
    MaintenanceWindow,
    Operation,
    SetupGroup,
    Shift,
)
from production.scheduler import Finding, Frozen, Placement, Problem, Schedule, check
from production.scheduler import Job as EngineJob
from production.scheduler import Line as EngineLine
from production.scheduler import Operation as EngineOperation

OPEN_STATUSES = (Job.Status.SCHEDULED, Job.Status.IN_PRODUCTION)
# Due dates far in the past are clipped: the tardiness stays large without overflowing the objective.
EARLIEST_DUE = -7 * 24 * 60


def variant_key(family_code: str, configuration: dict, setup_group: str | None) -> str:
    """The product variant key that decides changeovers: the family code, and the chosen option of the
    family's setup-relevant group when it has one (`AC-SPLIT:REF_R290`). See `SetupGroup`."""
    if setup_group:
        chosen = configuration.get(setup_group)
        if isinstance(chosen, str) and chosen:
            return f"{family_code}:{chosen}"
    return family_code


def due_from_promise(promised: date, tz: ZoneInfo, shipping_days: int | None = None) -> datetime:
    """When a job must be done for its order to ship on the promised day: the end of that day, factory
    time, less the shipping time (its lane's days)."""
    end_of_day = datetime.combine(promised + timedelta(days=1), time.min, tzinfo=tz)
    return end_of_day - shipping_time(shipping_days)


class ChangeoverTable:
    """Changeover minutes between variant keys on each line (see `Changeover` for how rows are chosen)."""

    def __init__(self, factory: Factory):
        self.rows: dict[tuple[int | None, str, str], int] = {
            (row.line_id, row.from_key, row.to_key): row.minutes for row in Changeover.objects.filter(factory=factory)
        }

    def minutes(self, line_id: int, before: str, after: str) -> int:
        fb, fa = before.split(":")[0], after.split(":")[0]
        # The same variant again needs no changeover unless a row says so for exactly that variant.
        pairs = [(before, after)] if before == after else [(before, after), (before, fa), (fb, after), (fb, fa)]
        for scope in (line_id, None):
            for a, b in pairs:
                value = self.rows.get((scope, a, b))
                if value is not None:
                    return value
        return 0

    def matrix(self, line_id: int, variants: set[str]) -> dict[tuple[str, str], int]:
        return {
            (a, b): t
            for a in variants
            for b in variants
            if (t := self.minutes(line_id, a, b)) > 0
        }


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for a, b in sorted(windows):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _subtract(windows: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in windows:
        pieces = [(a, b)]
        for ha, hb in holes:
            pieces = [p for x, y in pieces for p in ((x, min(y, ha)), (max(x, hb), y)) if p[1] > p[0]]
        out += pieces
    return out


@dataclass
class FactoryProblem:
    """A factory's scheduling problem and the mapping back to its rows."""

    factory: Factory
    origin: datetime
    horizon: int
    problem: Problem
    lines: list[Line]
    jobs: list[Job]
    # Per engine job, the database operations in routing order (only those that have not ended).
    operations: list[list[Operation]]
    windows: list[list[tuple[int, int]] | None] = field(default_factory=list)
    changeovers: ChangeoverTable | None = None

    def minutes(self, moment: datetime) -> int:
        return math.floor((moment - self.origin).total_seconds() / 60)

    def at(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)

    def job_index(self, job_id: int) -> int:
        return next(j for j, job in enumerate(self.jobs) if job.pk == job_id)

    def current(self) -> tuple[Schedule, list[int]]:
        """The placements in the database, and the jobs (engine indices) with operations not placed."""
        line_index = {line.pk: i for i, line in enumerate(self.lines)}
        placements, unplaced = {}, []
        for j, ops in enumerate(self.operations):
            if any(op.line_id is None or op.line_id not in line_index for op in ops):
                unplaced.append(j)
                for o, op in enumerate(ops):
                    frozen = self.problem.jobs[j].operations[o].frozen
                    if frozen is not None:
                        placements[(j, o)] = Placement(j, o, frozen.line, frozen.start, frozen.end)
                continue
            for o, op in enumerate(ops):
                frozen = self.problem.jobs[j].operations[o].frozen
                if frozen is not None:
                    placements[(j, o)] = Placement(j, o, frozen.line, frozen.start, frozen.end)
                    continue
                placements[(j, o)] = Placement(
                    j, o, line_index[op.line_id], self.minutes(op.planned_start), self.minutes(op.planned_end)
                )
        return Schedule(placements), unplaced

    def without(self, schedule: Schedule, jobs: list[int]) -> Schedule:
        """`schedule` with the operations of `jobs` that are not frozen taken off."""
        drop = set(jobs)
        return Schedule(
            {
                key: p
                for key, p in schedule.placements.items()
                if key[0] not in drop or self.problem.jobs[key[0]].operations[key[1]].frozen is not None
            }
        )

    def completion(self, schedule: Schedule, j: int) -> datetime:
        return self.at(schedule.placements[(j, len(self.operations[j]) - 1)].end)


def operation_alternatives(minutes, speeds: dict[int, float], line_index: dict[int, int]) -> dict[int, int]:
    """{engine line: minutes} of an operation: its routing minutes over each capable line's speed,
    rounded up, at least one."""
    return {line_index[line_id]: max(1, math.ceil(float(minutes) / speed)) for line_id, speed in speeds.items()}


def line_speeds(factory: Factory) -> dict[int, dict[int, float]]:
    """{family id: {line id: speed}} of the factory's lines."""
    speeds: dict[int, dict[int, float]] = {}
    for cap in LineCapability.objects.filter(line__factory=factory):
        speeds.setdefault(cap.family_id, {})[cap.line_id] = float(cap.speed)
    return speeds


def line_windows(
    line: Line,
    shifts: list[Shift],
    maintenance: list[tuple[datetime, datetime]],
    tz: ZoneInfo,
    origin: datetime,
    horizon: int,
) -> list[tuple[int, int]] | None:
    """The working windows of a line in minutes from `origin`, clipped to [0, horizon]; None: always open."""

    def minutes(moment: datetime) -> int:
        return math.floor((moment - origin).total_seconds() / 60)

    if shifts:
        first = origin.astimezone(tz).date() - timedelta(days=1)
        windows = []
        for d in range(horizon // 1440 + 3):
            day = first + timedelta(days=d)
            for shift in shifts:
                if shift.weekday != day.weekday():
                    continue
                start = datetime.combine(day, shift.start, tzinfo=tz)
                end_day = day if shift.end > shift.start else day + timedelta(days=1)
                end = datetime.combine(end_day, shift.end, tzinfo=tz)
                a, b = max(0, minutes(start)), min(horizon, minutes(end))
                if b > a:
                    windows.append((a, b))
        windows = _merge(windows)
    elif maintenance:
        windows = [(0, horizon)]
    else:
        return None
    holes = [(minutes(a), minutes(b)) for a, b in maintenance]
    return _subtract(windows, holes)


def factory_problem(
    factory: Factory,
    *,
    now: datetime | None = None,
    firm: timedelta = timedelta(0),
    include: list[Job] | tuple = (),
    extra_maintenance: tuple[Line, datetime, datetime] | None = None,
) -> FactoryProblem:
    """Build the factory's problem from the database (see the module docstring).

    `include`: jobs to schedule that are not open yet (being placed). `firm`: operations planned to start
    before now plus this stay where they are (a run that takes time does not move what starts meanwhile).
    `extra_maintenance`: a window not saved yet (a preview).
    """
    origin = (now or clock.now()).replace(second=0, microsecond=0)
    include_ids = [job.pk for job in include]
    jobs = list(
        Job.objects.filter(factory=factory)
        .filter(Q(status__in=OPEN_STATUSES) | Q(pk__in=include_ids))
        .select_related("order_line__family", "order_line__order")
        .order_by("pk")
    )
    ops_by_job: dict[int, list[Operation]] = {}
    for op in Operation.objects.filter(job__in=jobs).order_by("job", "sequence"):
        ops_by_job.setdefault(op.job_id, []).append(op)
    return _problem(factory, origin, jobs, ops_by_job, firm_until=origin + firm, extra_maintenance=extra_maintenance)


def factory_tail_problem(factory: Factory, *, jobs: list[Job], now: datetime | None = None) -> FactoryProblem:
    """The problem of placing `jobs` after everything already on the factory's lines, read without the
    rest of the schedule: each line is represented by its last operation (the one that ends last), frozen
    and stretched back to the origin, so that the new operations can only go after it (and its
    changeover). What it reads does not grow with the number of open jobs: one indexed query per line
    (`operation_line_tail`), the jobs' own operations and the factory's master data. The jobs' operations
    that were placed already are placed again (none are, unless a write was cut short)."""
    origin = (now or clock.now()).replace(second=0, microsecond=0)
    job_ids = [job.pk for job in jobs]
    jobs = list(
        Job.objects.filter(pk__in=job_ids).select_related("order_line__family", "order_line__order").order_by("pk")
    )
    ops_by_job: dict[int, list[Operation]] = {}
    for op in Operation.objects.filter(job__in=jobs).order_by("job", "sequence"):
        op.line_id = op.planned_start = op.planned_end = None  # to place: not frozen, not in force
        ops_by_job.setdefault(op.job_id, []).append(op)
    tails = []
    for line in Line.objects.filter(factory=factory).order_by("code"):
        last = (
            Operation.objects.filter(line=line, planned_end__isnull=False)
            .exclude(job_id__in=job_ids)
            .select_related("job__order_line__family", "job__order_line__order")
            .order_by("-planned_end")
            .first()
        )
        if last is not None:
            tails.append(last)
    return _problem(factory, origin, jobs, ops_by_job, firm_until=origin, tails=tails)


def _problem(
    factory: Factory,
    origin: datetime,
    jobs: list[Job],
    ops_by_job: dict[int, list[Operation]],
    *,
    firm_until: datetime,
    extra_maintenance: tuple[Line, datetime, datetime] | None = None,
    tails: list[Operation] = (),
) -> FactoryProblem:
    """The problem of these jobs (with their operations) on the factory's lines. Each of `tails` (a line's
    last operation) becomes a job of its own whose one operation is frozen from the origin (or its start,
    if earlier) to its end: the line is taken until then."""
    horizon = settings.COSMO_PLANNING_HORIZON_DAYS * 1440
    tz = ZoneInfo(factory.timezone)
    lines = list(Line.objects.filter(factory=factory).select_related("simulation").order_by("code"))
    line_index = {line.pk: i for i, line in enumerate(lines)}
    speeds = line_speeds(factory)
    setup_groups = dict(SetupGroup.objects.values_list("family_id", "group_code"))

    def variant(job: Job) -> str:
        family = job.order_line.family
        return variant_key(family.code, job.order_line.configuration, setup_groups.get(family.pk))

    kept_jobs, kept_ops, engine_jobs = [], [], []
    for op in tails:
        start = min(0, math.floor((op.planned_start - origin).total_seconds() / 60))
        end = math.ceil((op.planned_end - origin).total_seconds() / 60)
        if op.ended_at is None:
            end = max(end, 1)  # what is not done holds its line at least until now
        end = max(end, start + 1)
        frozen = Frozen(line_index[op.line_id], start, end)
        engine_jobs.append(EngineJob(operations=(EngineOperation(alternatives={frozen.line: end - start}, frozen=frozen),),
                                     variant=variant(op.job), name=op.job.number))
        kept_jobs.append(op.job)
        kept_ops.append([op])
    for job in jobs:
        remaining = [op for op in ops_by_job.get(job.pk, []) if op.ended_at is None]
        if not remaining:
            continue
        family = job.order_line.family
        engine_ops = []
        for op in remaining:
            alternatives = operation_alternatives(op.minutes, speeds.get(family.pk, {}), line_index)
            frozen = None
            previous_frozen = not engine_ops or engine_ops[-1].frozen is not None
            if op.line_id is not None and _frozen(op, origin, firm_until, previous_frozen=previous_frozen):
                start = math.floor((op.planned_start - origin).total_seconds() / 60)
                # It holds its line to the end of the minute it ends in, and a started one at least until
                # now, however long it overruns.
                end = max(math.ceil((op.planned_end - origin).total_seconds() / 60), start + 1, 1)
                frozen = Frozen(line_index[op.line_id], start, end)
            pinned = line_index.get(op.pinned_line_id) if op.pinned_line_id else None
            engine_ops.append(EngineOperation(alternatives=alternatives, frozen=frozen, pinned_line=pinned))
        release = 0 if job.release_date is None else max(0, math.ceil((job.release_date - origin).total_seconds() / 60))
        due = None
        if job.due_date is not None:
            due = max(EARLIEST_DUE, math.floor((job.due_date - origin).total_seconds() / 60))
        engine_jobs.append(
            EngineJob(
                operations=tuple(engine_ops),
                variant=variant(job),
                release=release,
                due=due,
                weight=job.priority,
                name=job.number,
            )
        )
        kept_jobs.append(job)
        kept_ops.append(remaining)

    maintenance: dict[int, list[tuple[datetime, datetime]]] = {}
    for window in MaintenanceWindow.objects.filter(line__factory=factory, end__gt=origin):
        maintenance.setdefault(window.line_id, []).append((window.start, window.end))
    if extra_maintenance is not None:
        line, start, end = extra_maintenance
        maintenance.setdefault(line.pk, []).append((start, end))
    shifts: dict[int, list[Shift]] = {}
    for shift in Shift.objects.filter(line__factory=factory):
        shifts.setdefault(shift.line_id, []).append(shift)
    table = ChangeoverTable(factory)
    variants = {job.variant for job in engine_jobs} | factory_variants(factory, setup_groups)
    windows, engine_lines = [], []
    for line in lines:
        w = line_windows(line, shifts.get(line.pk, []), maintenance.get(line.pk, []), tz, origin, horizon)
        windows.append(w)
        simulation = getattr(line, "simulation", None)
        engine_lines.append(
            EngineLine(
                name=line.code,
                shifts=None if w is None else tuple(w),
                changeovers=table.matrix(line.pk, variants),
                power=simulation.power_running_kw if simulation is not None else 0.0,
            )
        )
    return FactoryProblem(
        factory=factory,
        origin=origin,
        horizon=horizon,
        problem=Problem(jobs=tuple(engine_jobs), lines=tuple(engine_lines)),
        lines=lines,
        jobs=kept_jobs,
        operations=kept_ops,
        windows=windows,
        changeovers=table,
    )


def _frozen(op: Operation, origin: datetime, firm_until: datetime, *, previous_frozen: bool) -> bool:
    """Whether an operation stays where it is: it has started, or it is planned to start in the firm zone
    (from now to `firm_until`) after the job's previous operation stays too. An operation whose planned
    start has passed without it starting is late: it moves."""
    if op.started_at is not None:
        return True
    return previous_frozen and origin <= op.planned_start < firm_until


def factory_variants(factory: Factory, setup_groups: dict[int, str]) -> set[str]:
    """Every variant key the factory's lines can make (so that a quote for a new variant sees its
    changeovers too)."""
    families = dict(
        ProductFamily.objects.filter(capabilities__line__factory=factory).distinct().values_list("pk", "code")
    )
    keys = set(families.values())
    options = Option.objects.filter(group__family__in=list(families)).values_list("group__family", "group__code", "code")
    for family_id, group_code, code in options:
        if setup_groups.get(family_id) == group_code:
            keys.add(f"{families[family_id]}:{code}")
    return keys


def schedule_write(fp: FactoryProblem, schedule: Schedule) -> int:
    """Write `schedule` (checked first: raises `InfeasibleSchedule`, writing nothing) onto the rows.

    Must run in a transaction holding the factory's row lock. Frozen operations are not touched. Jobs
    become scheduled; each order's expected date and at-risk flag follow its jobs. Returns how many
    operations moved.
    """
    check(fp.problem, schedule)
    changed = []
    for j, ops in enumerate(fp.operations):
        engine_job = fp.problem.jobs[j]
        for o, op in enumerate(ops):
            if engine_job.operations[o].frozen is not None:
                continue
            p = schedule.placements[(j, o)]
            line, start, end = fp.lines[p.line], fp.at(p.start), fp.at(p.end)
            if (op.line_id, op.planned_start, op.planned_end) != (line.pk, start, end):
                op.line, op.planned_start, op.planned_end = line, start, end
                changed.append(op)
    operations_move(changed)
    Job.objects.filter(pk__in=[job.pk for job in fp.jobs], status=Job.Status.PLANNED).update(status=Job.Status.SCHEDULED)
    _orders_follow(fp, schedule, {op.job_id for op in changed})
    Factory.objects.filter(pk=fp.factory.pk).update(schedule_version=F("schedule_version") + 1)
    return len(changed)


def operations_move(operations: list[Operation]) -> None:
    """Write the line and planned times of these operations. On PostgreSQL one UPDATE ... FROM (VALUES ...)
    per thousand rows (`bulk_update` builds a CASE per field whose cost grows with the square of the rows);
    elsewhere `bulk_update`."""
    if connection.vendor != "postgresql":
        Operation.objects.bulk_update(operations, ["line", "planned_start", "planned_end"], batch_size=500)
        return
    table = connection.ops.quote_name(Operation._meta.db_table)
    with connection.cursor() as cursor:
        for i in range(0, len(operations), 1000):
            chunk = operations[i : i + 1000]
            rows = ", ".join(["(%s::bigint, %s::bigint, %s::timestamptz, %s::timestamptz)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS o SET line_id = v.line_id, planned_start = v.planned_start, "
                f"planned_end = v.planned_end FROM (VALUES {rows}) AS v(id, line_id, planned_start, planned_end) "
                "WHERE o.id = v.id",
                [value for op in chunk for value in (op.pk, op.line_id, op.planned_start, op.planned_end)],
            )


def _orders_follow(fp: FactoryProblem, schedule: Schedule, moved_jobs: set[int]) -> None:
    """Each order's expected delivery date (and so its at-risk flag) from the completion of its jobs, for
    the orders with a job that moved (the others' dates stand)."""
    moved_orders = {job.order_line.order_id for job in fp.jobs if job.pk in moved_jobs}
    arrival: dict[int, datetime] = {}
    for j, job in enumerate(fp.jobs):
        if job.order_line.order_id not in moved_orders:
            continue
        order_id = job.order_line.order_id
        at = fp.completion(schedule, j) + shipping_time(job.shipping_days)
        arrival[order_id] = max(arrival.get(order_id, at), at)
    # An order with lines made elsewhere too arrives with its last line.
    split = set(
        Job.objects.filter(order_line__order_id__in=moved_orders).exclude(factory_id=fp.factory.pk)
        .values_list("order_line__order_id", flat=True)
    ) if moved_orders else set()
    for order_id, at in orders_arrival(split, exclude_factory=fp.factory.pk).items():
        arrival[order_id] = max(arrival.get(order_id, at), at)
    orders_expect({order_id: arrival_date(at, fp.factory.timezone) for order_id, at in arrival.items()})


def aware(value: datetime, factory: Factory) -> datetime:
    """A naive date-time typed by a planner, read in the factory's time zone."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=ZoneInfo(factory.timezone))
    return value


def explain_findings(fp: FactoryProblem, found: list[Finding], limit: int = 3) -> str:
    """The checker's findings in the planner's words: which line, which jobs and orders, what rule."""

    def job(j: int) -> str:
        row = fp.jobs[j]
        return _("job %(job)s (order %(order)s)") % {"job": row.number, "order": row.order_line.order.number}

    texts = []
    for f in found[:limit]:
        line = fp.lines[f.line].name if f.line is not None and 0 <= f.line < len(fp.lines) else _("no line")
        names = {"line": line, "job": job(f.jobs[0]) if f.jobs else "?"}
        if f.rule == "changeover" and len(f.jobs) > 1:
            names["other"] = job(f.jobs[1])
            text = _("on %(line)s, %(job)s would start before %(other)s is done and the line changed over") % names
        elif f.rule == "shift":
            text = _("%(job)s would run on %(line)s outside its working hours (a break or a maintenance window)") % names
        elif f.rule == "order":
            text = _("%(job)s would start on %(line)s before its materials arrive or its previous step is done") % names
        elif f.rule in ("line", "pin"):
            text = _("%(job)s would run on %(line)s, which it may not use (capability or pin)") % names
        elif f.rule == "frozen":
            text = _("%(job)s has started on the floor but the plan moved it") % names
        else:
            text = _("%(job)s is not placed correctly on %(line)s") % names
        texts.append(text)
    more = len(found) - len(texts)
    if more > 0:
        texts.append(_("and %(count)s more") % {"count": more})
    return "; ".join(texts) + "."
