"""Planning a factory: place new jobs at once, optimize on demand or periodically, and the planner's
actions (pin a job to a line, raise a priority, take a line down for maintenance).

One schedule writer per factory at a time: every write locks the factory row, and at most one
optimization run per factory is queued or running (a partial unique constraint on `ScheduleRun`). A
write is checked by the independent feasibility checker before it reaches the rows; a bad request
raises `PlanningError` with a message for the planner and changes nothing. Rescheduling moves only
what has not started (see `production.scheduling`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.audit import record
from cosmo.queue import enqueue_on_commit
from production.kpis import schedule_kpis
from production.models import Factory, Job, Line, LineCapability, MaintenanceWindow, Operation, ScheduleRun
from production.scheduler import (
    InfeasibleSchedule,
    Placement,
    ProblemError,
    Schedule,
    batch_candidates,
    dispatch,
    fifo_insert,
    insert_jobs,
    retime,
    settle,
    solve,
    violations,
)
from production.scheduler.window import is_large
from production.scheduling import (
    FactoryProblem,
    due_from_promise,
    explain_findings,
    factory_problem,
    factory_tail_problem,
    schedule_write,
)
from production.waiting import waiting_jobs_hit

log = logging.getLogger(__name__)

# A run that has been running this much longer than its time limit is taken for dead (worker lost).
STALE_AFTER = timedelta(minutes=5)


class PlanningError(ValueError):
    """A planning request that cannot be done; the message says why, for the planner."""


def _lock(factory_id: int) -> Factory:
    return Factory.objects.select_for_update().get(pk=factory_id)


def _repair(fp: FactoryProblem, base: Schedule, jobs: list[int]) -> Schedule:
    """`base` with `jobs` (engine indices) placed again by the dispatcher, heaviest then most urgent
    first, nothing else moving; if that is not feasible (the factory changed under the old schedule),
    a fresh dispatch of everything that has not started."""
    if settings.COSMO_PLANNING_POLICY == "fifo":
        # The baseline of `simulate --policy fifo`: first come (the job's number) first served.
        order = sorted(set(jobs), key=lambda j: fp.jobs[j].pk)
        return fifo_insert(fp.problem, fp.without(base, order), order)
    order = sorted(set(jobs), key=lambda j: (-fp.problem.jobs[j].weight, fp.problem.jobs[j].due or 1 << 40, j))
    try:
        schedule = insert_jobs(fp.problem, fp.without(base, order), order)
    except ProblemError:
        schedule = None
    if schedule is None or violations(fp.problem, schedule):
        schedule = dispatch(fp.problem)
    if len(fp.jobs) <= settings.COSMO_REPLAN_JOBS and any(_late(fp, schedule, j) for j in order):
        # Appended, a job would miss its promise (its parts came late, others took its place meanwhile):
        # let the batched plans, which put urgent jobs first, compete with it. They plan the whole
        # factory in time quadratic in its jobs: a larger factory leaves that to the optimization runs.
        schedule = _best_start(fp, schedule)
    return schedule


def _late(fp: FactoryProblem, schedule: Schedule, j: int) -> bool:
    job = fp.problem.jobs[j]
    return job.due is not None and schedule.completion(j, len(job.operations)) > job.due


def _broken_jobs(fp: FactoryProblem, schedule: Schedule) -> list[int]:
    """Jobs with a placed operation that breaks a rule of its own (a new pin, a maintenance window, a
    start before its release or its previous operation); clashes between jobs are the checker's."""
    broken = set()
    for j, job in enumerate(fp.problem.jobs):
        ready = job.release
        for o, op in enumerate(job.operations):
            p = schedule.placements.get((j, o))
            if p is None:
                continue
            if op.frozen is None:
                shifts = fp.problem.lines[p.line].shifts
                outside = shifts is not None and not any(a <= p.start and p.end <= b for a, b in shifts)
                if p.line not in op.lines() or outside or p.start < ready:
                    broken.add(j)
            ready = p.end
    return sorted(broken)


def schedule_replanned(fp: FactoryProblem, *, follow: bool = False) -> Schedule:
    """The schedule in the database, with what is missing or no longer fits placed again (nothing saved).

    When the floor has fallen behind the plan (an operation planned to start before now has not started,
    one in hand overruns into the next), or always with `follow`, the plan is first retimed to now, each
    line keeping its sequence."""
    current, unplaced = fp.current()
    if follow or _stale(fp, current):
        current, dropped = retime(fp.problem, fp.without(current, unplaced))
        unplaced = sorted(set(unplaced) | set(dropped))
    todo = sorted(set(unplaced) | set(_broken_jobs(fp, current)))
    if not todo and not violations(fp.problem, current):
        return current
    return _repair(fp, current, todo)


def _stale(fp: FactoryProblem, schedule: Schedule) -> bool:
    """Whether an operation that may move is planned before now, or a line's next operation starts before
    the one in hand (which overran) and the changeover between them are done."""
    jobs = fp.problem.jobs
    for (j, o), p in schedule.placements.items():
        if p.start < 0 and jobs[j].operations[o].frozen is None:
            return True
    return any(
        b.start < a.end + fp.problem.lines[line].changeover(jobs[a.job].variant, jobs[b.job].variant)
        for line, ps in schedule.by_line().items()
        for a, b in zip(ps, ps[1:])
    )


def schedule_follow(*, factory: Factory, now: datetime) -> int:
    """The plan follows the floor: after a tick wrote what happened, every line's operations still to do
    are retimed from now in their planned sequence (later when the floor fell behind, earlier when it ran
    ahead), so that the lines, the promises quoted on them and the expected dates show what will happen.
    Must run inside the tick's transaction. Returns how many jobs the move made late that were not."""
    fp = factory_problem(factory, now=now)
    if not fp.jobs:
        return 0
    current, _ = fp.current()
    try:
        schedule = schedule_replanned(fp, follow=True)
        if schedule.placements == current.placements:
            return 0
        schedule_write(fp, schedule)
    except (ProblemError, InfeasibleSchedule):
        # The floor must go on whatever the plan's trouble: this tick leaves the plan as it was.
        log.exception("the plan of %s could not follow the floor", factory.code)
        return 0
    return sum(
        1
        for j, job in enumerate(fp.problem.jobs)
        if job.due is not None
        and _late(fp, schedule, j)
        and not ((j, len(job.operations) - 1) in current.placements and _late(fp, current, j))
    )


def _bump(factory_id: int) -> None:
    Factory.objects.filter(pk=factory_id).update(schedule_version=F("schedule_version") + 1)


# ---- placing new jobs -------------------------------------------------------------------------------


def jobs_place(*, factory_id: int, jobs: list[Job], not_before: datetime | None = None) -> dict[int, datetime]:
    """Place new (or released) jobs of one factory at once with the dispatcher: nothing already placed
    moves.

    A factory with up to `COSMO_REPLAN_JOBS` open jobs, the new ones counted, is read whole: they may fill
    gaps, and whatever no longer fits (the floor fell behind the plan) is placed again with them. A larger
    one gets the new jobs after the last operation of each line (`factory_tail_problem`): the batch reads
    and writes only what it places, so its cost does not grow with the backlog; closing the gaps is the
    optimization runs' work, and following the floor the floor tick's (`schedule_follow`).

    Must run inside a transaction; locks the factory (one schedule writer per factory). Returns job pk →
    when its last operation ends. Idempotent: a job already on the lines keeps its place. `not_before` is
    the factory clock's now.
    """
    factory = _lock(factory_id)
    tz = ZoneInfo(factory.timezone)
    dated = defaultdict(list)  # due date → the jobs that get it: one update each
    for job in jobs:
        # The line's own quote when it has one (a line of a split order is due when its factory promised).
        promised = job.order_line.quoted_date or job.order_line.order.promised_date
        if job.due_date is None and promised is not None:
            job.due_date = due_from_promise(promised, tz, job.shipping_days)
            dated[job.due_date].append(job.pk)
    for due_date, job_ids in dated.items():
        Job.objects.filter(pk__in=job_ids).update(due_date=due_date)
    origin = not_before or clock.now()
    if _open_jobs_exceed(factory, settings.COSMO_REPLAN_JOBS - len(jobs)):
        unplaced = _jobs_unplaced(jobs)
        todo = [job for job in jobs if job.pk in unplaced]
        if todo:
            fp = factory_tail_problem(factory, jobs=todo, now=origin)
            schedule_write(fp, _append(fp))
    else:
        fp = factory_problem(factory, now=origin, include=jobs)
        _, unplaced = fp.current()
        if unplaced:
            schedule_write(fp, schedule_replanned(fp))
    Job.objects.filter(pk__in=[job.pk for job in jobs], status=Job.Status.PLANNED).update(status=Job.Status.SCHEDULED)
    ends = dict(
        Operation.objects.filter(job__in=jobs, planned_end__isnull=False)
        .values("job_id")
        .annotate(end=Max("planned_end"))
        .values_list("job_id", "end")
    )
    start = origin.replace(second=0, microsecond=0)
    return {job.pk: ends.get(job.pk, start) for job in jobs}


def _open_jobs_exceed(factory: Factory, limit: int) -> bool:
    """Whether the factory has more than `limit` open jobs (counting no further than that)."""
    if limit < 0:
        return True
    open_jobs = Job.objects.filter(factory=factory, status__in=[Job.Status.SCHEDULED, Job.Status.IN_PRODUCTION])
    return open_jobs.values("pk")[: limit + 1].count() > limit


def _jobs_unplaced(jobs: list[Job]) -> set[int]:
    """The jobs with an operation still to do that is on no line."""
    return set(
        Operation.objects.filter(job__in=jobs, line__isnull=True, ended_at__isnull=True).values_list("job_id", flat=True)
    )


def _append(fp: FactoryProblem) -> Schedule:
    """The tail problem's new jobs placed after the lines' last operations (see `factory_tail_problem`):
    heaviest then most urgent first, the jobs of one variant together among those equally urgent (a
    changeover less between each two), or first come first served under the fifo baseline."""
    base, new = fp.current()
    jobs = fp.problem.jobs
    if settings.COSMO_PLANNING_POLICY == "fifo":
        order = sorted(new, key=lambda j: fp.jobs[j].pk)
        return fifo_insert(fp.problem, base, order)
    order = sorted(new, key=lambda j: (-jobs[j].weight, jobs[j].due or 1 << 40, jobs[j].variant, j))
    return insert_jobs(fp.problem, base, order)


def job_unschedule(*, job: Job) -> None:
    """Take a job off the lines (its order was cancelled): its operations free their slots."""
    job.operations.update(line=None, planned_start=None, planned_end=None)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
    _bump(job.factory_id)


# ---- optimization runs ------------------------------------------------------------------------------


def run_request(*, factory: Factory, trigger: str, user=None, time_limit: float | None = None) -> ScheduleRun:
    """Ask for an optimization of the factory's schedule. If one is already queued or running, that one
    is returned: it will take in whatever arrived meanwhile (batching). The run starts after commit."""
    with transaction.atomic():
        _lock(factory.pk)
        _expire_stale(factory)
        active = ScheduleRun.objects.filter(factory=factory, status__in=ScheduleRun.ACTIVE).first()
        if active is not None:
            if trigger == ScheduleRun.Trigger.ON_DEMAND:
                record(user, active, "reschedule", {}, {"factory": factory.code, "run": active.number})
            return active
        count = ScheduleRun.objects.filter(factory=factory).count()
        run = ScheduleRun.objects.create(
            factory=factory,
            number=f"{factory.code}-{count + 1:05d}",
            trigger=trigger,
            requested_by=user if user is not None and user.is_authenticated else None,
            time_limit=time_limit or settings.COSMO_OPTIMIZE_SECONDS,
        )
        if trigger == ScheduleRun.Trigger.ON_DEMAND:
            record(user, run, "reschedule", {}, {"factory": factory.code, "run": run.number})
        enqueue_on_commit("lifecycle.tasks.optimize_schedule", run.pk)
    return run


def _expire_stale(factory: Factory) -> None:
    now = timezone.now()
    for run in ScheduleRun.objects.filter(factory=factory, status=ScheduleRun.Status.RUNNING):
        if run.started_at + timedelta(seconds=run.time_limit) + STALE_AFTER < now:
            run.status, run.finished_at = ScheduleRun.Status.FAILED, now
            run.message = _("The run did not finish (its worker was lost).")
            run.save(update_fields=["status", "finished_at", "message"])


def runs_redrive() -> int:
    """Replace every run queued longer than COSMO_STUCK_AFTER (its message was lost: a flushed broker, a
    worker killed before it started it) by a new run with the same trigger and a message of its own, and
    mark dead running runs failed. The old message, should it turn up, finds its run no longer queued.
    Returns how many runs were replaced."""
    cutoff = timezone.now() - timedelta(seconds=settings.COSMO_STUCK_AFTER)
    replaced = 0
    for run in ScheduleRun.objects.filter(status=ScheduleRun.Status.QUEUED, requested_at__lt=cutoff).select_related("factory"):
        with transaction.atomic():
            _lock(run.factory_id)
            if not ScheduleRun.objects.filter(pk=run.pk, status=ScheduleRun.Status.QUEUED).update(
                status=ScheduleRun.Status.FAILED,
                finished_at=timezone.now(),
                message=_("The run never started (its message was lost); a new run replaced it."),
            ):
                continue  # it started meanwhile
            run_request(factory=run.factory, trigger=run.trigger, user=run.requested_by, time_limit=run.time_limit)
            replaced += 1
    for factory in Factory.objects.filter(schedule_runs__status=ScheduleRun.Status.RUNNING).distinct():
        with transaction.atomic():
            _lock(factory.pk)
            _expire_stale(factory)
    return replaced


def schedules_optimize_changed() -> list[ScheduleRun]:
    """The periodic optimization: one run for every factory whose schedule changed since its last run
    (none under the fifo baseline policy)."""
    runs = []
    if settings.COSMO_PLANNING_POLICY == "fifo":
        return runs
    for factory in Factory.objects.all():
        last = ScheduleRun.objects.filter(factory=factory, status=ScheduleRun.Status.DONE).first()
        has_jobs = Job.objects.filter(factory=factory, status__in=[Job.Status.SCHEDULED, Job.Status.IN_PRODUCTION]).exists()
        if has_jobs and (last is None or (last.schedule_version or 0) < factory.schedule_version):
            runs.append(run_request(factory=factory, trigger=ScheduleRun.Trigger.PERIODIC))
    runs_redrive()
    return runs


class _Progress:
    """Feeds the run's progress bar: the solver's callback gives the best objective; a ticker writes the
    share of the time limit spent (and the best objective) every half second."""

    def __init__(self, run_id: int, time_limit: float):
        self.run_id, self.time_limit = run_id, time_limit
        self.best: int | None = None
        self.elapsed = 0.0
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def on_solution(self, objective: int, bound: int, elapsed: float) -> None:
        self.best, self.elapsed = objective, elapsed

    def _loop(self) -> None:
        try:
            while not self._stop.wait(0.5):
                elapsed = max(self.elapsed, time.perf_counter() - self.t0)
                ScheduleRun.objects.filter(pk=self.run_id, status=ScheduleRun.Status.RUNNING).update(
                    progress=min(0.99, elapsed / max(0.1, self.time_limit)), best_objective=self.best
                )
        except Exception:  # the bar is a nicety: never let it break a run
            log.exception("could not report the progress of run %s", self.run_id)
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_execute(run_id: int) -> bool:
    """Carry out a queued run (the `planning` queue's task). Idempotent: a run that is not queued any
    more (done, running elsewhere) is left alone and False is returned."""
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().filter(pk=run_id, status=ScheduleRun.Status.QUEUED).first()
        if run is None:
            return False
        run.status, run.started_at = ScheduleRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    t0 = time.perf_counter()
    try:
        _optimize(run, t0)
    except Exception as exc:
        log.exception("schedule run %s failed", run.number)
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.FAILED,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - t0,
            message=_("The schedule was not changed: %(error)s") % {"error": exc},
        )
        return False
    return True


def _optimize(run: ScheduleRun, t0: float) -> None:
    factory = run.factory
    # What starts while the solver thinks stays where it is.
    firm = clock.factory_duration(timedelta(seconds=run.time_limit + 5))
    fp = factory_problem(factory, firm=firm)
    start = _best_start(fp, schedule_replanned(fp))
    before = schedule_kpis(fp, start)
    status, terms = "EMPTY", None
    solved = start
    if fp.jobs:
        with _Progress(run.pk, run.time_limit) as progress:
            result = solve(
                fp.problem,
                time_limit=run.time_limit,
                workers=settings.COSMO_OPTIMIZE_WORKERS,
                progress=progress.on_solution,
                hint=start,
            )
        status, terms, solved = result.status, result.terms, result.schedule
        if terms.key() > start.objective(fp.problem).key():
            # The solver's model weighs no energy: its answer may trade energy for makespan. Keep the start.
            terms, solved = start.objective(fp.problem), start
    with transaction.atomic():
        _lock(factory.pk)
        now_fp = factory_problem(factory)
        try:
            schedule = _carry_over(fp, solved, now_fp)
            moved = schedule_write(now_fp, schedule)
        except InfeasibleSchedule as exc:
            # Nothing was written: the plan in force stays. Say what broke in the planner's words.
            raise PlanningError(explain_findings(now_fp, exc.findings)) from exc
        after = schedule_kpis(now_fp, schedule)
        run.status, run.finished_at = ScheduleRun.Status.DONE, timezone.now()
        run.seconds, run.solver_status = time.perf_counter() - t0, status
        run.objective = {} if terms is None else {
            "weighted_tardiness": terms.weighted_tardiness,
            "changeover": terms.changeover,
            "makespan": terms.makespan,
        }
        run.kpis_before, run.kpis_after, run.progress = before, after, 1.0
        run.operations, run.jobs = moved, len(now_fp.jobs)
        run.schedule_version = Factory.objects.get(pk=factory.pk).schedule_version
        run.save()


def _best_start(fp: FactoryProblem, current: Schedule) -> Schedule:
    """The solver's warm start: the current schedule or a batched one (`batch_candidates`), whichever is
    best by the objective (tardiness, then changeover time, then energy, then makespan)."""
    if not fp.jobs or is_large(fp.problem):
        # A large factory: each batched plan takes seconds; the solve tries them within its time limit.
        return current
    best, best_terms = current, current.objective(fp.problem)
    try:
        candidates = batch_candidates(fp.problem)
    except ProblemError:
        return current
    for candidate in candidates:
        terms = candidate.objective(fp.problem)
        if terms.key() < best_terms.key() and not violations(fp.problem, candidate):
            best, best_terms = candidate, terms
    return best


def _carry_over(old: FactoryProblem, solved: Schedule, new: FactoryProblem) -> Schedule:
    """The solved schedule on the factory as it is now: operations keep their solved line and time;
    what the floor changed during the run (an operation started elsewhere or at another time and is
    frozen there now, a new job, a pin, a maintenance window) is settled by placing again every job the
    checker finds at fault, around the rest (`settle`)."""
    where: dict[int, tuple[int, datetime, datetime]] = {}
    for j, ops in enumerate(old.operations):
        for o, op in enumerate(ops):
            p = solved.placements[(j, o)]
            where[op.pk] = (old.lines[p.line].pk, old.at(p.start), old.at(p.end))
    line_index = {line.pk: i for i, line in enumerate(new.lines)}
    placements = {}
    for j, ops in enumerate(new.operations):
        for o, op in enumerate(ops):
            if op.pk in where and where[op.pk][0] in line_index:
                line, start, end = where[op.pk]
                placements[(j, o)] = Placement(j, o, line_index[line], new.minutes(start), new.minutes(end))
    schedule, _ = settle(new.problem, Schedule(placements))
    return schedule


# ---- the planner's actions --------------------------------------------------------------------------


def _movable_operations(job: Job):
    return job.operations.filter(started_at__isnull=True).exclude(planned_start__lt=clock.now())


def job_pin(*, job: Job, line: Line, user=None) -> int:
    """Pin the job's operations that have not started to `line`, place them there at once, and ask for
    an optimization. Raises PlanningError if the line cannot make the job's family."""
    family = job.order_line.family
    if line.factory_id != job.factory_id or not LineCapability.objects.filter(line=line, family=family).exists():
        raise PlanningError(
            _("%(line)s cannot make %(family)s: pin job %(job)s to a line that can.")
            % {"line": line.name, "family": family.name, "job": job.number}
        )
    if job.status not in (Job.Status.SCHEDULED, Job.Status.IN_PRODUCTION):
        raise PlanningError(_("Job %(job)s is not on the schedule.") % {"job": job.number})
    with transaction.atomic():
        _lock(job.factory_id)
        if not _movable_operations(job).exists():
            raise PlanningError(_("Job %(job)s has started everywhere: nothing is left to pin.") % {"job": job.number})
        before = _pinned_lines(job)
        _movable_operations(job).update(pinned_line=line)
        record(user, job, "pin", {"pinned_line": before}, {"pinned_line": line.code})
        fp = factory_problem(job.factory)
        moved = schedule_write(fp, schedule_replanned(fp))
    run_request(factory=job.factory, trigger=ScheduleRun.Trigger.PIN, user=user)
    return moved


def _pinned_lines(job: Job) -> str | None:
    codes = sorted(set(job.operations.filter(pinned_line__isnull=False).values_list("pinned_line__code", flat=True)))
    return ", ".join(codes) or None


def job_unpin(*, job: Job, user=None) -> int:
    """Free the job's operations that have not started from their pin and ask for an optimization: any
    capable line may take them again. Returns how many operations were unpinned (0: it was not pinned)."""
    with transaction.atomic():
        _lock(job.factory_id)
        before = _pinned_lines(job)
        freed = job.operations.filter(started_at__isnull=True, pinned_line__isnull=False).update(pinned_line=None)
        if freed:
            record(user, job, "unpin", {"pinned_line": before}, {"pinned_line": _pinned_lines(job)})
    if freed:
        _bump(job.factory_id)
        run_request(factory=job.factory, trigger=ScheduleRun.Trigger.PIN, user=user)
    return freed


PRIORITIES = range(1, 10)


def job_prioritize(*, job: Job, priority: int, user=None) -> ScheduleRun:
    """Set the job's priority (1 normal … 9 most urgent: the weight of its lateness) and ask for an
    optimization that takes it into account."""
    if priority not in PRIORITIES:
        raise PlanningError(_("A priority is a whole number from 1 (normal) to 9 (most urgent)."))
    with transaction.atomic():
        before = Job.objects.select_for_update().values_list("priority", flat=True).get(pk=job.pk)
        Job.objects.filter(pk=job.pk).update(priority=priority)
        record(user, job, "priority", {"priority": before}, {"priority": priority})
    _bump(job.factory_id)
    return run_request(factory=job.factory, trigger=ScheduleRun.Trigger.PRIORITY, user=user)


@dataclass(frozen=True)
class LateOrder:
    order: str
    job: str
    due: datetime
    before: datetime
    after: datetime
    late_before: bool


@dataclass(frozen=True)
class MaintenancePreview:
    """What a maintenance window would do: the orders that finish later (and which of them go late)."""

    line: Line
    start: datetime
    end: datetime
    delayed: list[LateOrder]
    moved_jobs: int
    waiting: list  # jobs waiting for material that the window touches (production.waiting.WaitingJob)

    @property
    def going_late(self) -> list[LateOrder]:
        return [d for d in self.delayed if d.due is not None and d.after > d.due and not d.late_before]

    @property
    def waiting_late(self) -> list:
        return [w for w in self.waiting if w.goes_late]


def maintenance_check(*, line: Line, start: datetime, end: datetime) -> None:
    if end <= start:
        raise PlanningError(
            _("The maintenance window ends (%(end)s) before it starts (%(start)s).")
            % {"start": date_format(start, "Y-m-d H:i"), "end": date_format(end, "Y-m-d H:i")}
        )
    if end <= clock.now():
        raise PlanningError(_("The maintenance window is over already: it ends before the factory's now."))


def _with_window(factory: Factory, line: Line, start: datetime, end: datetime):
    before = factory_problem(factory)
    current = schedule_replanned(before)
    try:
        after = factory_problem(factory, now=before.origin, extra_maintenance=(line, start, end))
        broken = _broken_jobs(after, current)
        schedule = _repair(after, current, broken) if broken else current
    except ProblemError:
        raise PlanningError(
            _("With %(line)s down until %(end)s, some job has no line left to run on within the planning horizon: "
              "shorten the window or let another line make its product.")
            % {"line": line.name, "end": date_format(timezone.localtime(end, ZoneInfo(factory.timezone)), "Y-m-d H:i")}
        ) from None
    return before, current, after, schedule, broken


def maintenance_preview(*, line: Line, start: datetime, end: datetime) -> MaintenancePreview:
    """The consequences of taking `line` down from `start` to `end`, nothing saved."""
    maintenance_check(line=line, start=start, end=end)
    before, current, after, schedule, broken = _with_window(line.factory, line, start, end)
    delayed = []
    for j, job in enumerate(after.jobs):
        was, will = before.completion(current, j), after.completion(schedule, j)
        if will > was:
            late_before = job.due_date is not None and was > job.due_date
            delayed.append(LateOrder(job.order_line.order.number, job.number, job.due_date, was, will, late_before))
    delayed.sort(key=lambda d: (d.due is None or d.after <= d.due, d.order))
    waiting = waiting_jobs_hit(line=line, start=start, end=end, now=before.origin)
    return MaintenancePreview(line, start, end, delayed, len(broken), waiting)


def maintenance_apply(*, line: Line, start: datetime, end: datetime, reason: str = "", user=None) -> MaintenanceWindow:
    """Take `line` down from `start` to `end`: save the window, move what ran there at once (the
    dispatcher), then ask for an optimization."""
    maintenance_check(line=line, start=start, end=end)
    with transaction.atomic():
        _lock(line.factory_id)
        window = MaintenanceWindow.objects.create(line=line, start=start, end=end, reason=reason)
        record(user, window, "maintenance", {}, {"line": line.code, "start": start, "end": end, "reason": reason})
        fp = factory_problem(line.factory)
        schedule_write(fp, schedule_replanned(fp))
    run_request(factory=line.factory, trigger=ScheduleRun.Trigger.MAINTENANCE, user=user)
    return window

