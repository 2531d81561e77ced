"""The factory floor: the simulation advanced to the clock's now, and what it did written to the database.

`floor_advance` reads a factory's lines, shifts, changeovers and scheduled operations, runs the engine
(`production.simulation.advance`) from the stored state up to the factory clock's now, and in the same
transaction, under the factory's row lock, writes what happened: actual starts and ends of operations,
line state intervals, breakdowns, minutes and energy per line, the new state, and the jobs' statuses (in
production once an operation starts, done once every operation ended). It returns what happened so that
the order's lifecycle (`lifecycle.floor`) moves the orders on in the same transaction. A tick that finds
the state already at now does nothing, so a tick run twice changes nothing the second time, and a worker
killed mid-tick leaves the previous state and no effects.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cosmo import clock
from production import crews, planning
from production import simulation as sim
from production.models import (
    Breakdown,
    EnergyReading,
    Factory,
    FactorySimulation,
    Job,
    Line,
    LineFeed,
    LineInterval,
    LineSimulation,
    MaintenanceWindow,
    Operation,
    ScheduleRun,
    SetupGroup,
    Shift,
)
from production.scheduling import ChangeoverTable, line_windows, variant_key

OPEN_JOBS = (Job.Status.SCHEDULED, Job.Status.IN_PRODUCTION)


@dataclass(frozen=True)
class FloorTick:
    """What one tick did on the floor: the operations that started and the jobs that finished."""

    factory: Factory
    minutes: float
    started: list[Operation]
    ended: list[Operation]
    jobs_done: list[int]
    breakdowns: int
    reschedule: bool


def sim_line(line: Line, params: LineSimulation | None, windows, changeovers) -> sim.Line:
    """The engine's line from the database row, its parameters, working windows and changeover matrix."""
    p = params or LineSimulation(line=line)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, b), minutes in changeovers.items():
        table[a][b] = float(minutes)
    return sim.Line(
        id=line.code,
        shifts=None if windows is None else [tuple(w) for w in windows],
        changeovers=dict(table),
        processing=sim.Spread(p.spread, p.spread_cv),
        mtbf=p.mtbf_minutes,
        mttr=p.mttr_minutes,
        power=sim.Power(
            running=p.power_running_kw,
            changeover=p.power_changeover_kw,
            idle=p.power_idle_kw,
            down=p.power_down_kw,
        ),
        restart=p.restart_minutes,
        scrap_rate=p.scrap_rate,
        minor_stops_per_hour=p.minor_stops_per_hour,
        minor_stop_minutes=p.minor_stop_minutes,
    )


def reported_line(line: Line) -> sim.Line:
    """A line that reports its own events: in the engine it never works (no shift), so its operations wait
    for what the line reports and the jobs' next operations wait for them."""
    return sim.Line(id=line.code, shifts=[])


@dataclass
class FloorModel:
    """A factory's simulation inputs built from the database, and the maps back to the rows."""

    origin: datetime
    factory: sim.Factory
    plan: sim.Plan
    lines: dict[str, Line]
    operations: dict[str, Operation]
    reported: set[str]

    def minutes(self, moment: datetime) -> float:
        return (moment - self.origin).total_seconds() / 60

    def at(self, minutes: float) -> datetime:
        return self.origin + timedelta(seconds=round(minutes * 60))


def floor_model(factory: Factory, *, origin: datetime, until: datetime) -> FloorModel:
    """The engine's factory (lines with shifts from `origin` to past `until`) and the plan: every placed
    operation of an open job that has not ended, each line's in planned-start order."""
    tz = ZoneInfo(factory.timezone)
    lines = list(Line.objects.filter(factory=factory).order_by("code"))
    params = {p.line_id: p for p in LineSimulation.objects.filter(line__factory=factory)}
    shifts: dict[int, list[Shift]] = defaultdict(list)
    for shift in Shift.objects.filter(line__factory=factory):
        shifts[shift.line_id].append(shift)
    maintenance: dict[int, list] = defaultdict(list)
    for window in MaintenanceWindow.objects.filter(line__factory=factory, end__gt=origin):
        maintenance[window.line_id].append((window.start, window.end))
    horizon = math.ceil((until - origin).total_seconds() / 60) + 3 * 1440

    setup_groups = dict(SetupGroup.objects.values_list("family_id", "group_code"))
    ops = list(
        Operation.objects.filter(
            job__factory=factory, job__status__in=OPEN_JOBS, line__isnull=False, ended_at__isnull=True
        )
        .select_related("job__order_line__family", "line")
        .order_by("planned_start", "pk")
    )
    sequence: dict[int, int] = defaultdict(int)
    planned = []
    due: dict[str, float] = {}
    variants = set()
    for op in ops:
        job = op.job
        family = job.order_line.family
        variant = variant_key(family.code, job.order_line.configuration, setup_groups.get(family.pk))
        variants.add(variant)
        sequence[op.line_id] += 1
        if job.due_date is not None:
            due[str(job.pk)] = (job.due_date - origin).total_seconds() / 60
        release = 0.0 if job.release_date is None else max(0.0, (job.release_date - origin).total_seconds() / 60)
        planned.append(
            sim.PlannedOp(
                id=str(op.pk),
                job=str(job.pk),
                index=op.sequence,
                line=op.line.code,
                sequence=sequence[op.line_id],
                planned_start=(op.planned_start - origin).total_seconds() / 60,
                planned_duration=(op.planned_end - op.planned_start).total_seconds() / 60,
                variant=variant,
                release=release,
                units=job.order_line.quantity,
            )
        )
    table = ChangeoverTable(factory)
    engine_lines = [
        reported_line(line)
        if line.reports
        else sim_line(
            line,
            params.get(line.pk),
            line_windows(line, shifts.get(line.pk, []), maintenance.get(line.pk, []), tz, origin, horizon),
            table.matrix(line.pk, variants) if variants else {},
        )
        for line in lines
    ]
    return FloorModel(
        origin=origin,
        factory=sim.Factory(lines=engine_lines, standby=settings.COSMO_LINE_STANDBY),
        plan=sim.Plan(ops=planned, due=due),
        lines={line.code: line for line in lines},
        operations={str(op.pk): op for op in ops},
        reported={line.code for line in lines if line.reports},
    )


def _simulation_for(factory: Factory, now: datetime) -> FactorySimulation:
    origin = now.replace(second=0, microsecond=0)
    simulation, _created = FactorySimulation.objects.get_or_create(
        factory=factory, defaults={"origin": origin, "until": origin, "seed": factory.code}
    )
    return simulation


def floor_advance(*, factory_id: int, now: datetime | None = None) -> FloorTick | None:
    """Advance one factory's simulation to `now` (the factory clock's now, to the second) and write what
    happened, in one transaction under the factory's row lock. None when there was nothing to advance."""
    now = (now or clock.now()).replace(microsecond=0)
    with transaction.atomic():
        factory = Factory.objects.select_for_update().get(pk=factory_id)
        simulation = _simulation_for(factory, now)
        if now <= simulation.until:
            return None
        model = floor_model(factory, origin=simulation.origin, until=now)
        state = (
            sim.state_from_dict(simulation.state)
            if simulation.state
            else sim.FactoryState.fresh(model.factory, model.minutes(simulation.until))
        )
        for code in model.lines:
            state.lines.setdefault(code, sim.LineState())
        if shift_calls_on():
            model = dataclasses.replace(model, plan=plan_held(factory, model, state, simulation.until))
        publishing = settings.COSMO_FLOOR_SOURCE == "mqtt"
        # Operations done in earlier ticks are left out of the plan (their record need not be carried), but
        # when the lines publish, one done whose end the consumer has not applied yet is still in the plan.
        state.done = {k: v for k, v in state.done.items() if k in model.operations} if publishing else {}
        tick = sim.advance(
            factory=model.factory, plan=model.plan, state=state, until=model.minutes(now), seed=simulation.seed
        )
        if publishing:
            return _tick_publish(factory, simulation, model, tick, now)
        started, ended = _operations_write(model, tick)
        _plan_to_actuals(model, tick, ended)
        _intervals_write(model, tick)
        breakdowns = [
            Breakdown(line=model.lines[b.line], start=model.at(b.start), end=model.at(b.end), cause=b.cause)
            for b in tick.breakdowns
            if b.line not in model.reported
        ]
        Breakdown.objects.bulk_create(breakdowns, ignore_conflicts=True)
        EnergyReading.objects.bulk_create(
            EnergyReading(line=model.lines[code], at=model.at(tick.until), kwh=kwh)
            for code, kwh in tick.energy_kwh.items()
            if kwh > 0 and code not in model.reported
        )
        _measures_add(simulation, tick, model.reported)
        drift = sim.drift(plan=model.plan, state=tick.state, threshold=settings.COSMO_DRIFT_MINUTES)
        tick.state.done = {}
        simulation.state = sim.to_dict(tick.state)
        simulation.until = now
        _jobs_start(started)
        jobs_done = _jobs_finish(ended)
        gone_late = planning.schedule_follow(factory=factory, now=now)
        optimizing = settings.COSMO_PLANNING_POLICY != "fifo"
        reschedule = optimizing and (drift.reschedule or gone_late > 0) and _reschedule_due(simulation, now)
        if reschedule:
            simulation.rescheduled_at = now
        simulation.save()
        if reschedule:
            planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.DRIFT)
    return FloorTick(
        factory=factory,
        minutes=tick.until - tick.start,
        started=started,
        ended=ended,
        jobs_done=jobs_done,
        breakdowns=len(breakdowns),
        reschedule=reschedule,
    )


def shift_calls_on() -> bool:
    """Crews are called from the plan only by the optimized policy, on a floor whose lines stand by."""
    return settings.COSMO_SHIFT_CALLS and settings.COSMO_LINE_STANDBY and settings.COSMO_PLANNING_POLICY != "fifo"


def plan_held(factory: Factory, model: FloorModel, state: sim.FactoryState, now: datetime) -> sim.Plan:
    """The plan with each line standing by held for the coming shift its crew is called for
    (`crews.hold_until`): the first operation it has queued gets the hold."""
    tz = ZoneInfo(factory.timezone)
    lookahead = settings.COSMO_SHIFT_CALL_LOOKAHEAD_HOURS * 60
    margin = settings.COSMO_PROMISE_SAFETY_HOURS * 60
    t = model.minutes(now)
    queues: dict[str, list[sim.PlannedOp]] = defaultdict(list)
    for op in model.plan.ops:
        if op.id not in state.done:
            queues[op.line].append(op)
    engine_lines = {line.id: line for line in model.factory.lines}
    shifts: dict[int, list[Shift]] = defaultdict(list)
    for shift in Shift.objects.filter(line__factory=factory):
        shifts[shift.line_id].append(shift)
    holds: dict[str, float] = {}
    for code, ops in queues.items():
        line, engine_line, held = model.lines[code], engine_lines[code], state.lines.get(code)
        if code in model.reported or held is None or held.op is not None or engine_line.shifts is None:
            continue
        ops.sort(key=lambda o: o.sequence)
        instances = crews.shift_instances(shifts[line.pk], tz, now, now + timedelta(minutes=lookahead + 1440))
        current = [(a, b) for a, b in instances if a <= now < b]
        called = bool(current) and LineInterval.objects.filter(
            line=line, state__in=crews.STAFFED, end__gt=current[0][0], start__lt=now
        ).exists()
        queue, variant = [], held.variant
        for op in ops:
            queue.append(
                crews.Queued(
                    work=op.planned_duration + engine_line.changeover(variant, op.variant),
                    ready=op.release,
                    due=model.plan.due.get(op.job),
                )
            )
            variant = op.variant
        hold = crews.hold_until(
            now=t,
            queue=queue,
            shift_starts=[model.minutes(a) for a, _ in instances],
            windows=list(engine_line.shifts),
            called=called,
            margin=margin,
            lookahead=lookahead,
        )
        if hold is not None:
            holds[ops[0].id] = hold
    if not holds:
        return model.plan
    return dataclasses.replace(
        model.plan, ops=[dataclasses.replace(op, hold=holds[op.id]) if op.id in holds else op for op in model.plan.ops]
    )


def _reschedule_due(simulation: FactorySimulation, now: datetime) -> bool:
    gap = timedelta(minutes=settings.COSMO_DRIFT_MINUTES)
    return simulation.rescheduled_at is None or now - simulation.rescheduled_at >= gap


def _operations_write(model: FloorModel, tick: sim.Tick) -> tuple[list[Operation], list[Operation]]:
    """Actual starts and ends, and the line each operation really runs on: a line keeps the operation it
    had in hand even when a new plan gave it to another line."""
    started, ended = [], []
    for record in tick.ops:
        op = model.operations.get(record.op)
        if op is None or record.line in model.reported:
            continue
        if op.started_at is None:
            op.started_at = model.at(record.start)
            op.line = model.lines[record.line]
            started.append(op)
        if record.end is not None:
            op.ended_at = model.at(record.end)
            op.good, op.scrap = record.good, record.scrap
            ended.append(op)
    Operation.objects.bulk_update(
        {op.pk: op for op in started + ended}.values(), ["started_at", "ended_at", "line", "good", "scrap"]
    )
    return started, ended


def _plan_to_actuals(model: FloorModel, tick: sim.Tick, ended: list[Operation]) -> None:
    """What happened replaces what was planned: an operation done keeps its actual start and end, the one
    a line has in hand its actual start and when its remaining work will end (in the line's shifts, after
    a repair in progress). The plan that follows (`planning.schedule_follow`) starts from there."""
    changed = {}
    for op in ended:
        op.planned_start, op.planned_end = op.started_at, op.ended_at
        changed[op.pk] = op
    windows = {line.id: line.shifts for line in model.factory.lines}
    for code, state in tick.state.lines.items():
        op = model.operations.get(state.op) if state.op is not None else None
        phase = state.phase
        if op is None or op.started_at is None or op.ended_at is not None or phase not in (sim.model.RUNNING, sim.model.STOPPED):
            continue
        resume = max(tick.until, state.down_until or tick.until)
        end = model.at(_work_end(windows.get(code), resume, state.remaining))
        end = max(end, op.started_at + timedelta(minutes=1))
        if (op.planned_start, op.planned_end) != (op.started_at, end):
            op.planned_start, op.planned_end = op.started_at, end
            changed[op.pk] = op
    Operation.objects.bulk_update(changed.values(), ["planned_start", "planned_end"])


def _work_end(windows: list[tuple[float, float]] | None, t: float, work: float) -> float:
    """When `work` minutes begun at `t` end, working only inside the windows (None: around the clock)."""
    if windows is None:
        return t + work
    for a, b in windows:
        if b <= t:
            continue
        t = max(t, a)
        if t + work <= b:
            return t + work
        work -= b - t
        t = b
    return t + work


def _intervals_write(model: FloorModel, tick: sim.Tick) -> None:
    """Line state intervals; one that continues the line's last interval in the same state extends it."""
    last = {}
    for interval in LineInterval.objects.filter(line__in=model.lines.values(), end=model.at(tick.start)):
        last[interval.line_id] = interval
    new, extended = [], []
    for iv in tick.intervals:
        if iv.end <= iv.start or iv.line in model.reported:
            continue
        line = model.lines[iv.line]
        op_id = int(iv.op) if iv.op is not None else None
        previous = last.get(line.pk)
        start, end = model.at(iv.start), model.at(iv.end)
        same = (previous.state, previous.operation_id, previous.reason) == (iv.state, op_id, iv.reason) if previous else False
        if previous is not None and previous.end == start and same:
            previous.end = end
            if previous.pk:
                extended.append(previous)
            continue
        row = LineInterval(line=line, state=iv.state, start=start, end=end, operation_id=op_id, reason=iv.reason)
        new.append(row)
        last[line.pk] = row
    LineInterval.objects.bulk_update(extended, ["end"])
    LineInterval.objects.bulk_create(new)


def _measures_add(simulation: FactorySimulation, tick: sim.Tick, reported: set[str]) -> None:
    for line, spent in tick.minutes.items():
        if line in reported:
            continue
        totals = simulation.minutes.setdefault(line, {})
        for state, minutes in spent.items():
            totals[state] = totals.get(state, 0.0) + minutes
    for line, kwh in tick.energy_kwh.items():
        if line not in reported:
            simulation.energy_kwh[line] = simulation.energy_kwh.get(line, 0.0) + kwh


def _tick_publish(
    factory: Factory, simulation: FactorySimulation, model: FloorModel, tick: sim.Tick, now: datetime
) -> FloorTick:
    """The simulated lines publish what they did over MQTT, each with its own credentials, like real lines;
    the consumer (`telemetry_listen`) writes the floor's records from it. The engine's state is saved only
    once the broker acknowledged every message: a tick that fails is run again and publishes the same
    messages with the same numbers, which the consumer drops as duplicates."""
    from production.floor_publish import tick_publish  # paho is needed only when the lines publish

    feeds = simulation.state.get("feeds", {})
    _measures_add(simulation, tick, model.reported)
    tick_publish(factory=factory, model=model, tick=tick, feeds=feeds, meters=simulation.energy_kwh)
    simulation.state = sim.to_dict(tick.state) | {"feeds": feeds}
    simulation.until = now
    simulation.save()
    return FloorTick(factory=factory, minutes=tick.until - tick.start, started=[], ended=[], jobs_done=[], breakdowns=0, reschedule=False)


def _jobs_start(started: list[Operation]) -> None:
    """Jobs with a started operation are in production."""
    if started:
        Job.objects.filter(pk__in={op.job_id for op in started}, status=Job.Status.SCHEDULED).update(
            status=Job.Status.IN_PRODUCTION
        )


def _jobs_finish(ended: list[Operation]) -> list[int]:
    """Jobs whose operations have all ended are done; their ids."""
    if not ended:
        return []
    finished = list(
        Job.objects.filter(pk__in={op.job_id for op in ended})
        .exclude(operations__ended_at__isnull=True)
        .exclude(status=Job.Status.DONE)
        .values_list("pk", flat=True)
    )
    Job.objects.filter(pk__in=finished).update(status=Job.Status.DONE)
    return finished


# ---- what the planner sees: the floor now, utilization over time, orders at risk ---------------------


@dataclass(frozen=True)
class OrderRisk:
    """An open job's chance of being done by its due date (the what-if), with its order."""

    job: Job
    on_time: float
    p50: datetime | None
    p90: datetime | None


def _state_now(simulation: FactorySimulation, model: FloorModel) -> sim.FactoryState:
    state = sim.state_from_dict(simulation.state) if simulation.state else sim.FactoryState.fresh(
        model.factory, model.minutes(simulation.until)
    )
    for code in model.lines:
        state.lines.setdefault(code, sim.LineState())
    state.done = {}
    return state


def orders_at_risk(
    *,
    factory: Factory,
    runs: int = 60,
    below: float = 0.9,
    outage: tuple[Line, datetime, datetime] | None = None,
    seed: str = "what-if",
) -> list[OrderRisk]:
    """From the simulation's current state and the schedule, run the floor ahead `runs` times and return
    the open jobs whose probability of being done by their due date is under `below`, least likely first.
    `outage`: what if this line goes down from one moment to another."""
    simulation = FactorySimulation.objects.filter(factory=factory).first()
    origin = simulation.origin if simulation else clock.now().replace(second=0, microsecond=0)
    until = simulation.until if simulation else origin
    model = floor_model(factory, origin=origin, until=until + timedelta(days=30))
    if not model.plan.ops:
        return []
    state = _state_now(simulation, model) if simulation else sim.FactoryState.fresh(model.factory, 0.0)
    down = None
    if outage is not None:
        line, start, end = outage
        down = sim.Outage(line=line.code, start=model.minutes(start), end=model.minutes(end))
    forecast = sim.what_if(
        factory=model.factory, plan=model.plan, state=state, runs=runs, seed=seed, horizon=30 * 1440, outage=down
    )
    risky = forecast.at_risk(below)
    jobs = Job.objects.select_related("order_line__order", "order_line__family").in_bulk([int(j.job) for j in risky])
    return [
        OrderRisk(
            job=jobs[int(j.job)],
            on_time=j.on_time,
            p50=None if j.p50 is None else model.at(j.p50),
            p90=None if j.p90 is None else model.at(j.p90),
        )
        for j in risky
    ]


@dataclass(frozen=True)
class LineNow:
    line: Line
    status: str
    operation: Operation | None
    utilization: list[float | None]


def floor_now(*, factory: Factory, hours: int = 48, bucket_hours: int = 2) -> tuple[datetime | None, list[LineNow]]:
    """Each line's state at the simulation's latest tick, the operation in hand, and its utilization
    (running share of the time it was on) in buckets over the last `hours`."""
    simulation = FactorySimulation.objects.filter(factory=factory).first()
    lines = list(Line.objects.filter(factory=factory).order_by("code"))
    if simulation is None:
        simulation = FactorySimulation(factory=factory, origin=clock.now(), until=clock.now().replace(microsecond=0))
        if not LineFeed.objects.filter(line__factory=factory).exclude(state="").exists():
            return None, [LineNow(line, sim.model.IDLE, None, []) for line in lines]
    until = simulation.until
    since = until - timedelta(hours=hours)
    buckets = hours // bucket_hours
    spent = {line.pk: [[0.0, 0.0] for _ in range(buckets)] for line in lines}
    for iv in LineInterval.objects.filter(line__in=lines, end__gt=since, start__lt=until):
        for b in range(buckets):
            a = since + timedelta(hours=b * bucket_hours)
            z = a + timedelta(hours=bucket_hours)
            overlap = (min(z, iv.end) - max(a, iv.start)).total_seconds()
            if overlap <= 0 or iv.state == sim.model.OFF:
                continue
            spent[iv.line_id][b][1] += overlap
            if iv.state == sim.model.RUNNING:
                spent[iv.line_id][b][0] += overlap
    states = simulation.state.get("lines", {})
    in_hand = {
        code: s["op"] for code, s in states.items() if s.get("op") is not None
    }
    # A line whose events come over MQTT shows what it reported last.
    feeds = {
        f.line_id: f for f in LineFeed.objects.filter(line__in=lines).exclude(state="")
        if settings.COSMO_FLOOR_SOURCE == "mqtt" or f.line.reports
    }
    for line in lines:
        if line.pk in feeds:
            in_hand.pop(line.code, None)
            if feeds[line.pk].operation_id:
                in_hand[line.code] = feeds[line.pk].operation_id
    ops = Operation.objects.select_related("job").in_bulk([int(v) for v in in_hand.values()])
    result = []
    for line in lines:
        status = states.get(line.code, {}).get("status", sim.model.IDLE)
        if line.pk in feeds:
            status = feeds[line.pk].state
        op = ops.get(int(in_hand[line.code])) if line.code in in_hand else None
        result.append(
            LineNow(line, status, op, [round(r / on, 3) if on else None for r, on in spent[line.pk]])
        )
    return until, result
