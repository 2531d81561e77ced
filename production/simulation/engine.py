"""The SimPy model of a factory's lines, advanced in ticks.

One SimPy process per line walks the line's planned sequence. Each step of the process is one stretch of a
single state whose end is computed in advance (the end of the work, of the shift, of the running time
before the next failure, or the start of an outage), so a tick costs a few events per operation. Lines
share nothing but the precedence between a job's operations, so the history does not depend on the order
in which simultaneous events are handled; with keyed random draws (see ``draws``) and integer time, it is
the same whether simulated in one call or split into any number of ticks.

Semantics:

- A line takes its next operation as soon as it is free, changes over to its variant (ahead of the
  material), then waits until the operation is released and the job's previous operation has ended.
- Work (changeover and processing) is done only inside shift windows: at the end of a window it pauses and
  resumes at the next window with the work it had left.
- The failure clock counts running and changeover time. When it reaches the drawn time before the next
  failure, the line goes down for the drawn repair time, on the wall clock, and the work in hand resumes
  after the repair. A clock that runs out exactly as an operation ends fails the line when it next works.
- In an outage the line is down whatever it was doing; the work in hand resumes after it.
- In a factory whose lines stand by, a line that runs out of planned operations switches off (standby in
  its shifts, off outside them); when the plan gives it work again it first restarts, drawing idle power,
  for its restart time (inside shifts, like a changeover). Otherwise a line without work idles in its shifts.
  So does a line whose next operation is held (``PlannedOp.hold``: the planner calls its crew for a coming
  shift) until the hold ends.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import replace

import simpy

from .draws import sample, uniforms
from .model import (
    CHANGEOVER,
    DOWN,
    IDLE,
    OFF,
    RESTART,
    RUNNING,
    STANDBY,
    STATES,
    STOPPED,
    Breakdown,
    Factory,
    FactoryState,
    Interval,
    LineState,
    OpRecord,
    Plan,
    Tick,
)

RES = 60  # engine time steps per minute: the engine counts whole seconds
_BIG = 1 << 62  # "never", in engine time
_BUSY = "busy"
_WAIT = "wait"


def _ticks(minutes: float) -> int:
    return round(minutes * RES)


def _minutes(ticks: int) -> float:
    return ticks / RES


def _windows(pairs) -> tuple[list[int], list[int]]:
    """Sorted, merged windows in engine time as (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted((_ticks(a), _ticks(b)) for a, b in pairs):
        if b <= a:
            continue
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


class _Op:
    """An operation to do, in engine time; ``pred`` is the id of the job's previous operation."""

    __slots__ = ("id", "release", "duration", "variant", "pred", "units", "hold")

    def __init__(
        self,
        op_id: str,
        release: int,
        duration: float,
        variant: str | None,
        pred: str | None,
        units: int = 1,
        hold: int = 0,
    ):
        self.id = op_id
        self.units = units
        self.hold = hold
        self.release = release
        self.duration = duration
        self.variant = variant
        self.pred = pred


class _LineSpec:
    """A line compiled to engine time, with its planned sequence."""

    def __init__(self, line, outages):
        self.line = line
        self.id = line.id
        if line.shifts is None:
            self.starts, self.ends = [-_BIG], [_BIG]
        else:
            self.starts, self.ends = _windows(line.shifts)
        self.ostarts, self.oends = _windows((o.start, o.end) for o in outages if o.line == line.id)
        self.power = line.power
        self.restart = _ticks(line.restart)
        self.seq: list[_Op] = []

    def changeover(self, before, after) -> int:
        return _ticks(self.line.changeover(before, after))


class Compiled:
    """A factory, a plan and a starting state compiled once, to be run under any number of seeds."""

    def __init__(self, factory: Factory, plan: Plan, state: FactoryState):
        self.factory = factory
        self.plan = plan
        self.state = state
        self.t0 = _ticks(state.time)
        self.standby = factory.standby
        self.lines = {line.id: _LineSpec(line, factory.outages) for line in factory.lines}
        if len(self.lines) != len(factory.lines):
            raise ValueError("two lines share an id")
        unknown = set(state.lines) - set(self.lines)
        if unknown:
            raise ValueError(f"the state names lines the factory does not have: {sorted(unknown)}")
        for o in factory.outages:
            if o.line not in self.lines:
                raise ValueError(f"outage on unknown line {o.line!r}")
        done = state.done
        in_hand = _kept_in_hand(plan, state)
        self.kept = set(in_hand)

        by_job: dict[str, list] = {}
        seen = set()
        for op in plan.ops:
            if op.id in seen:
                raise ValueError(f"operation {op.id!r} is planned twice")
            seen.add(op.id)
            if op.line not in self.lines:
                raise ValueError(f"operation {op.id!r} is planned on unknown line {op.line!r}")
            by_job.setdefault(op.job, []).append(op)
        # Only operations still to do are compiled, and only the ends of done ones that gate them.
        self.ops: dict[str, _Op] = {}
        self.jobs: dict[str, list[str]] = {}
        self.done_end: dict[str, int] = {}
        for job, ops in by_job.items():
            ops.sort(key=lambda o: o.index)
            self.jobs[job] = [o.id for o in ops]
            pred = None
            for op in ops:
                if pred is not None and pred.index == op.index:
                    raise ValueError(f"job {job!r} has two operations with index {op.index}")
                if op.id not in done:
                    self.ops[op.id] = _Op(
                        op.id,
                        _ticks(op.release),
                        op.planned_duration,
                        op.variant,
                        None if pred is None else pred.id,
                        op.units,
                        _ticks(op.hold),
                    )
                    if pred is not None and pred.id in done:
                        self.done_end[pred.id] = _ticks(done[pred.id][1])
                pred = op
        per_line: dict[str, list] = {}
        for op in plan.ops:
            if op.id not in done and op.id not in in_hand:
                per_line.setdefault(op.line, []).append(op)
        for line, ops in per_line.items():
            ops.sort(key=lambda o: o.sequence)
            for a, b in zip(ops, ops[1:]):
                if a.sequence == b.sequence:
                    raise ValueError(f"operations {a.id!r} and {b.id!r} share sequence {a.sequence} on line {line!r}")
            self.lines[line].seq = [self.ops[o.id] for o in ops]

    def run(self, *, seed, until: float | None, record: bool = True, fresh_failure_clocks: bool = False):
        """Simulate from the starting state up to ``until`` (``None``: until nothing is left to do)."""
        return _Run(self, seed, None if until is None else _ticks(until), record, fresh_failure_clocks)


def _kept_in_hand(plan: Plan, state: FactoryState) -> dict[str, str]:
    """The operations the lines keep in hand under a new plan: {op: line}. One being processed is always
    kept. One the line is restarting or changing over for, or waits for (changed over, its material or its
    predecessor not there yet), is kept only if the plan still has it first on that line; otherwise the line
    puts it down and takes its sequence afresh. Keeping it would hold the line for an operation planned
    elsewhere, or ahead of its own predecessor on the same line: a deadlock."""
    first: dict[str, tuple[float, str]] = {}
    for op in plan.ops:
        if op.id not in state.done and (op.line not in first or op.sequence < first[op.line][0]):
            first[op.line] = (op.sequence, op.id)
    kept = {}
    for line, ls in state.lines.items():
        if ls.op is None:
            continue
        if (ls.phase in (RUNNING, STOPPED) and ls.op_start is not None) or first.get(line, (None, None))[1] == ls.op:
            kept[ls.op] = line
    return kept


class _LineRun:
    """The mutable state of one line during a run. ``remaining`` and ``busy`` are as of ``seg_start``."""

    __slots__ = (
        "spec", "variant", "op", "phase", "remaining", "op_start", "down_until", "down_cause", "busy", "k",
        "tbf", "pos", "seg_kind", "seg_start", "intervals", "spent", "run", "powered", "wait_reason",
    )  # fmt: skip

    def __init__(self, run, spec: _LineSpec, ls: LineState, fresh_clock: bool):
        self.run = run
        self.spec = spec
        self.variant = ls.variant
        self.op = run.c.ops.get(ls.op) if ls.op in run.c.kept else None
        self.phase = ls.phase
        self.remaining = _ticks(ls.remaining)
        if ls.op is not None and self.op is None:
            # The plan no longer gives the line this operation first: what is being processed is finished,
            # a restart or a changeover is abandoned (the line keeps the variant it is set up for), and
            # an operation waiting for its material or its predecessor is put down for the plan to place.
            if ls.phase in (RUNNING, STOPPED) and ls.op_start is not None:
                self.op = _Op(ls.op, 0, 0.0, ls.variant, None)
            else:
                self.phase, self.remaining = None, 0
        self.op_start = None if ls.op_start is None else _ticks(ls.op_start)
        self.down_until = None if ls.down_until is None else _ticks(ls.down_until)
        self.down_cause = ls.down_cause
        self.busy = 0 if fresh_clock else _ticks(ls.busy)
        self.powered = ls.powered
        self.k = ls.failures
        self.tbf = run.time_between_failures(spec, self.k)
        self.pos = 0
        self.seg_kind = _WAIT
        self.seg_start = run.t0
        self.wait_reason = ""
        self.intervals: list[list] = []
        self.spent = dict.fromkeys(STATES, 0)

    def emit(self, state, a, b, op, reason=""):
        if b <= a:
            return
        self.spent[state] += b - a
        if not self.run.record:
            return
        last = self.intervals[-1] if self.intervals else None
        if last is not None and last[0] == state and last[2] == a and last[3] == op and last[4] == reason:
            last[2] = b
        else:
            self.intervals.append([state, a, b, op, reason])

    def emit_wait(self, a, b, in_shift=IDLE, reason=""):
        """A stretch without work: down in an outage, `in_shift` (idle, or standby when nothing is planned
        for the line) in a shift, off outside. `reason` says why an idle line waits."""
        spec = self.spec
        ostarts, oends, starts, ends = spec.ostarts, spec.oends, spec.starts, spec.ends
        t = a
        while t < b:
            j = bisect_right(ostarts, t) - 1
            if j >= 0 and t < oends[j]:
                e = min(b, oends[j])
                self.emit(DOWN, t, e, None, "outage")
                t = e
                continue
            limit = min(b, ostarts[j + 1]) if j + 1 < len(ostarts) else b
            while t < limit:
                i = bisect_right(starts, t) - 1
                if i >= 0 and t < ends[i]:
                    e = min(limit, ends[i])
                    self.emit(in_shift, t, e, None, reason if in_shift == IDLE else "")
                else:
                    e = min(limit, starts[i + 1]) if i + 1 < len(starts) else limit
                    self.emit(OFF, t, e, None)
                t = e

    def status_at(self, t) -> str:
        if self.seg_kind == _BUSY:
            return _state_of(self.phase)
        if self.seg_kind == DOWN:
            return DOWN
        j = bisect_right(self.spec.ostarts, t) - 1
        if j >= 0 and t < self.spec.oends[j]:
            return DOWN
        i = bisect_right(self.spec.starts, t) - 1
        return self.waiting_state() if i >= 0 and t < self.spec.ends[i] else OFF

    def waiting_state(self) -> str:
        """Idle while an operation is in hand or planned next; standby when the plan holds nothing more (in a
        factory whose lines stand by)."""
        if self.run.c.standby and self.op is None and (not self.powered or self.pos == len(self.spec.seq)):
            return STANDBY
        return IDLE


def _state_of(phase: str) -> str:
    """The state a line is in during a phase of work: a restart draws idle power."""
    return IDLE if phase == RESTART else phase


def _reason_of(phase: str) -> str:
    return {RESTART: "restart", STOPPED: "minor stop"}.get(phase, "")


def _line_process(env, run, lr: _LineRun):
    spec = lr.spec
    starts, ends, ostarts, oends = spec.starts, spec.ends, spec.ostarts, spec.oends
    seq = spec.seq
    done_end = run.done_end
    timeout = env.timeout
    while True:
        now = env.now
        if lr.down_until is not None:
            if now < lr.down_until:
                lr.seg_kind, lr.seg_start = DOWN, now
                yield timeout(lr.down_until - now)
                lr.emit(DOWN, now, env.now, None, lr.down_cause or "")
            lr.down_until = lr.down_cause = None
            continue
        if ostarts:
            j = bisect_right(ostarts, now) - 1
            if j >= 0 and now < oends[j]:
                lr.down_until, lr.down_cause = oends[j], "outage"
                continue
        op = lr.op
        if op is None:
            if lr.pos == len(seq):
                lr.seg_kind, lr.seg_start, lr.wait_reason = _WAIT, now, "no work"
                if run.c.standby:
                    lr.powered = False
                return
            held = seq[lr.pos].hold
            if held > now:
                lr.seg_kind, lr.seg_start, lr.wait_reason = _WAIT, now, "held"
                if run.c.standby:
                    lr.powered = False
                yield timeout(held - now)
                lr.emit_wait(now, env.now, lr.waiting_state(), reason="held")
                continue
            op = lr.op = seq[lr.pos]
            lr.pos += 1
            lr.op_start = None
            if lr.powered:
                lr.phase, lr.remaining = CHANGEOVER, spec.changeover(lr.variant, op.variant)
            else:
                lr.phase, lr.remaining = RESTART, spec.restart
        if lr.phase == RUNNING and lr.op_start is None:
            pred = op.pred
            if pred is not None and pred not in done_end:
                lr.seg_kind, lr.seg_start, lr.wait_reason = _WAIT, now, "upstream"
                yield run.waiter(pred)
                lr.emit_wait(now, env.now, reason="upstream")
                continue
            ready = op.release if pred is None else max(op.release, done_end[pred])
            if ready > now:
                why = "material" if ready == op.release else "upstream"
                lr.seg_kind, lr.seg_start, lr.wait_reason = _WAIT, now, why
                yield timeout(ready - now)
                lr.emit_wait(now, env.now, reason=why)
                continue
        if lr.remaining > 0:
            i = bisect_right(starts, now) - 1
            if i < 0 or now >= ends[i]:
                lr.seg_kind, lr.seg_start, lr.wait_reason = _WAIT, now, ""
                if i + 1 == len(starts):
                    return  # no shift ever again
                yield timeout(starts[i + 1] - now)
                lr.emit_wait(now, env.now)
                continue
            if lr.busy >= lr.tbf:
                run.fail(lr, now)
                continue
            step = min(lr.remaining, ends[i] - now, lr.tbf - lr.busy)
            if ostarts:
                j = bisect_right(ostarts, now)
                if j < len(ostarts):
                    step = min(step, ostarts[j] - now)
            if lr.phase == RUNNING and lr.op_start is None:
                lr.op_start = now
                run.started(lr, now)
            lr.seg_kind, lr.seg_start = _BUSY, now
            yield timeout(step)
            lr.remaining -= step
            lr.busy += step
            lr.emit(_state_of(lr.phase), now, env.now, op.id, _reason_of(lr.phase))
            continue
        if lr.phase == RESTART:
            lr.powered = True
            lr.phase, lr.remaining = CHANGEOVER, spec.changeover(lr.variant, op.variant)
            continue
        if lr.phase == CHANGEOVER:
            lr.variant = op.variant
            lr.phase = RUNNING
            lr.remaining = run.work(lr)
            continue
        if lr.phase == RUNNING and lr.op_start is not None:
            stops = run.minor_stops(lr)
            if stops > 0:
                lr.phase, lr.remaining = STOPPED, stops
                continue
        if lr.op_start is None:
            lr.op_start = now
            run.started(lr, now)
        run.finished(lr, now)
        lr.op = lr.phase = lr.op_start = None
        lr.remaining = 0


class _Run:
    """One simulation of a compiled factory under one seed."""

    def __init__(self, c: Compiled, seed, until: int | None, record: bool, fresh_clocks: bool):
        self.c = c
        self.seed = seed
        self.record = record
        self.t0 = c.t0
        if until is not None and until < self.t0:
            raise ValueError(f"cannot advance to {until / RES} before the state's time {c.state.time}")
        self.done_end = dict(c.done_end)
        self.done_start: dict[str, int] = {}
        self.done_units: dict[str, tuple[int, int]] = {}
        self.started_ops: dict[str, int] = {}
        self.op_line: dict[str, str] = {}
        self.waiters: dict[str, simpy.Event] = {}
        self.breakdowns: list[tuple] = []
        self.env = env = simpy.Environment(initial_time=self.t0)
        self.lines = [
            _LineRun(self, spec, c.state.lines.get(lid) or LineState(), fresh_clocks) for lid, spec in c.lines.items()
        ]
        if until is None or until > self.t0:
            for lr in self.lines:
                env.process(_line_process(env, self, lr))
            env.run(until=until)
        self.until = env.now if until is None else until

    def work(self, lr: _LineRun) -> int:
        """Processing time: drawn around the plan, longer by the units scrapped and made again."""
        op = lr.op
        if op.duration <= 0:
            return 0
        drawn = sample(lr.spec.line.processing, op.duration, self.seed, "work", op.id)
        units = max(1, op.units)
        return max(1, _ticks(drawn * (units + self.scrap(lr.spec, op)) / units))

    def scrap(self, spec: _LineSpec, op: _Op) -> int:
        """How many of the operation's units are scrapped (each with the line's scrap rate)."""
        rate = spec.line.scrap_rate
        if rate <= 0:
            return 0
        return sum(1 for i in range(max(1, op.units)) if uniforms(self.seed, "scrap", op.id, i)[0] < rate)

    def minor_stops(self, lr: _LineRun) -> int:
        """The minor stops of the operation in hand, in engine time: a Poisson count in its planned processing
        hours, each of the line's minor-stop minutes."""
        line, op = lr.spec.line, lr.op
        mean = line.minor_stops_per_hour * op.duration / 60
        if mean <= 0 or line.minor_stop_minutes <= 0:
            return 0
        u = uniforms(self.seed, "stops", op.id)[0]
        count, p = 0, math.exp(-mean)
        cumulative = p
        while u > cumulative and count < 1000:
            count += 1
            p *= mean / count
            cumulative += p
        return _ticks(count * line.minor_stop_minutes)

    def time_between_failures(self, spec: _LineSpec, k: int) -> int:
        line = spec.line
        if line.mtbf is None:
            return _BIG
        return max(1, _ticks(sample(line.failures, line.mtbf, self.seed, "tbf", line.id, k)))

    def fail(self, lr: _LineRun, now: int):
        line = lr.spec.line
        repair = max(0, _ticks(sample(line.repairs, line.mttr, self.seed, "ttr", line.id, lr.k)))
        lr.down_until, lr.down_cause = now + repair, "failure"
        self.breakdowns.append((line.id, now, now + repair))
        lr.k += 1
        lr.busy = 0
        lr.tbf = self.time_between_failures(lr.spec, lr.k)

    def waiter(self, op_id: str) -> simpy.Event:
        event = self.waiters.get(op_id)
        if event is None:
            event = self.waiters[op_id] = self.env.event()
        return event

    def started(self, lr: _LineRun, now: int):
        if self.record:
            self.started_ops[lr.op.id] = now
            self.op_line[lr.op.id] = lr.spec.id

    def finished(self, lr: _LineRun, now: int):
        op_id = lr.op.id
        self.done_end[op_id] = now
        self.done_start[op_id] = lr.op_start
        scrap = self.scrap(lr.spec, lr.op)
        self.done_units[op_id] = (max(1, lr.op.units), scrap)
        if self.record:
            self.op_line[op_id] = lr.spec.id
        event = self.waiters.pop(op_id, None)
        if event is not None:
            event.succeed()

    def close(self) -> tuple[dict[str, LineState], int]:
        """Bring every line to ``until``: emit the stretch in progress and snapshot its state."""
        until = self.until
        if until == self.t0:  # nothing ran: the state stands as it was given
            return {lid: replace(self.c.state.lines.get(lid) or LineState()) for lid in self.c.lines}, until
        states = {}
        for lr in self.lines:
            progress = until - lr.seg_start
            if lr.seg_kind == _BUSY:
                lr.emit(_state_of(lr.phase), lr.seg_start, until, lr.op.id, _reason_of(lr.phase))
                lr.remaining -= progress
                lr.busy += progress
            elif lr.seg_kind == DOWN:
                lr.emit(DOWN, lr.seg_start, until, None, lr.down_cause or "")
            else:
                state = lr.waiting_state()
                reason = "no work" if state == IDLE and lr.op is None else lr.wait_reason
                lr.emit_wait(lr.seg_start, until, state, reason)
            states[lr.spec.id] = LineState(
                variant=lr.variant,
                op=None if lr.op is None else lr.op.id,
                phase=lr.phase,
                remaining=_minutes(lr.remaining) if lr.op is not None else 0.0,
                op_start=None if lr.op_start is None else _minutes(lr.op_start),
                down_until=None if lr.down_until is None else _minutes(lr.down_until),
                down_cause=lr.down_cause,
                busy=_minutes(lr.busy),
                failures=lr.k,
                status=lr.status_at(until),
                powered=lr.powered,
            )
        return states, until


def advance(*, factory: Factory, plan: Plan, state: FactoryState, until: float, seed) -> Tick:
    """Simulate ``factory`` executing ``plan`` from ``state`` up to ``until`` minutes.

    ``seed`` (an int or a string) keys every random draw, so advancing to T in one call or in several
    ticks gives the same history, and the same tick from the same state gives the same result. The plan
    may change between ticks: each line finishes the operation it is processing, then takes the plan's
    operations on it that are not done, in sequence order (an operation it was only restarting or
    changing over for, or waiting for, stays in hand only if the plan still has it first on that line). Returns a ``Tick`` whose ``state`` is the next tick's start.
    """
    return _tick(Compiled(factory, plan, state).run(seed=seed, until=until))


def _tick(run: _Run) -> Tick:
    line_states, until = run.close()
    c = run.c
    t0 = run.t0
    ops = {op_id: OpRecord(op_id, run.op_line[op_id], _minutes(s), None) for op_id, s in run.started_ops.items()}
    done = dict(c.state.done)
    for op_id, start in run.done_start.items():
        done[op_id] = [_minutes(start), _minutes(run.done_end[op_id])]
        units, scrap = run.done_units[op_id]
        ops[op_id] = OpRecord(op_id, run.op_line[op_id], *done[op_id], good=units, scrap=scrap)
    intervals = []
    minutes = {}
    energy = {}
    for lr in run.lines:
        lid = lr.spec.id
        intervals.extend(Interval(lid, s, _minutes(a), _minutes(b), op, why) for s, a, b, op, why in lr.intervals)
        minutes[lid] = {s: _minutes(v) for s, v in lr.spent.items()}
        energy[lid] = sum(lr.spec.power.kw(s) * v for s, v in lr.spent.items()) / (RES * 60)
    breakdowns = [Breakdown(line, _minutes(a), _minutes(b), "failure") for line, a, b in run.breakdowns]
    breakdowns.extend(
        Breakdown(o.line, o.start, o.end, "outage")
        for o in c.factory.outages
        if t0 <= _ticks(o.start) < until and o.end > o.start
    )
    breakdowns.sort(key=lambda b: (b.start, b.line))
    return Tick(
        start=_minutes(t0),
        until=_minutes(until),
        ops=sorted(ops.values(), key=lambda r: (r.start, r.op)),
        intervals=intervals,
        breakdowns=breakdowns,
        minutes=minutes,
        energy_kwh=energy,
        total_energy_kwh=sum(energy.values()),
        state=FactoryState(time=_minutes(until), lines=line_states, done=done),
    )
