"""The model's invariants on random plans, and hand-checked cases of its semantics."""

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.simulation import (
    STATES,
    Factory,
    FactoryState,
    Line,
    Outage,
    Plan,
    PlannedOp,
    Power,
    Spread,
    advance,
    to_dict,
)
from production.simulation.draws import sample
from production.simulation.engine import RES
from production.simulation.synthetic import synthetic_factory, synthetic_plan

from .scenarios import scenarios

UNTIL = 20_000
EPS = 1e-6
random_plans = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(factory, plan, seed=7, until=UNTIL):
    return advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=until, seed=seed)


def in_windows(a, b, windows):
    """Whether [a, b] lies inside one window, windows that touch counting as one."""
    if windows is None:
        return True
    merged = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return any(s - EPS <= a and b <= e + EPS for s, e in merged)


@random_plans
@given(scenarios(), st.integers(0, 3))
def test_invariants_hold_on_random_plans(scenario, seed):
    factory, plan = scenario
    tick = run(factory, plan, seed)
    ops = {op.id: op for op in plan.ops}
    lines = {line.id: line for line in factory.lines}
    records = {r.op: r for r in tick.ops}

    for r in tick.ops:
        op = ops[r.op]
        assert r.line == op.line
        assert r.start >= op.release - EPS, "started before its release"
        if r.end is not None:
            assert r.end >= r.start
            if op.planned_duration > 0:
                assert r.end > r.start
        if op.index > 0:
            pred = next(p for p in plan.ops if p.job == op.job and p.index == op.index - 1)
            assert pred.id in records and records[pred.id].end is not None
            assert r.start >= records[pred.id].end - EPS, "started before its predecessor ended"

    for line_id, line in lines.items():
        planned = sorted((op for op in plan.ops if op.line == line_id), key=lambda op: op.sequence)
        done = [records[op.id] for op in planned if op.id in records]
        assert [r.op for r in done] == [op.id for op in planned[: len(done)]], "ran out of planned order"
        for a, b in zip(done, done[1:]):
            assert a.end is not None and a.end <= b.start + EPS, "two operations at once"

        intervals = [i for i in tick.intervals if i.line == line_id]
        assert intervals[0].start == 0 and intervals[-1].end == UNTIL
        for a, b in zip(intervals, intervals[1:]):
            assert a.end == b.start, "states overlap or leave a gap"
        for i in intervals:
            assert i.state in STATES and i.end > i.start
            if i.state in ("running", "changeover"):
                assert in_windows(i.start, i.end, line.shifts), "work outside shifts"
                assert not any(
                    o.line == line_id and o.start < i.end - EPS and i.start < o.end - EPS for o in factory.outages
                ), "work during an outage"

        # Work is conserved across pauses: each operation runs exactly its drawn time.
        for op in planned:
            ran = sum(i.end - i.start for i in intervals if i.op == op.id and i.state == "running")
            if op.id in records and records[op.id].end is not None:
                drawn = sample(line.processing, op.planned_duration, seed, "work", op.id)
                expected = max(1, round(drawn * RES)) / RES if op.planned_duration > 0 else 0
                assert ran == pytest.approx(expected, abs=EPS)

        spent = {s: sum(i.end - i.start for i in intervals if i.state == s) for s in STATES}
        assert tick.minutes[line_id] == pytest.approx(spent, abs=EPS)
        energy = sum(line.power.kw(s) * minutes / 60 for s, minutes in spent.items())
        assert tick.energy_kwh[line_id] == pytest.approx(energy, rel=1e-9, abs=1e-9)
    assert tick.total_energy_kwh == pytest.approx(sum(tick.energy_kwh.values()))

    for b in tick.breakdowns:
        assert b.end >= b.start and b.line in lines
    json.dumps(to_dict(tick))


@random_plans
@given(scenarios(), st.integers(0, 3))
def test_breakdowns_only_delay(scenario, seed):
    factory, plan = scenario
    without = dataclasses.replace(
        factory, lines=[dataclasses.replace(line, mtbf=None) for line in factory.lines], outages=[]
    )
    with_failures = {r.op: r.end for r in run(factory, plan, seed).ops}
    without_failures = {r.op: r.end for r in run(without, plan, seed).ops}
    for op, end in with_failures.items():
        if end is not None:
            assert without_failures[op] is not None and without_failures[op] <= end


def test_a_plan_is_executed_exactly_when_nothing_varies():
    factory = synthetic_factory(lines=4, shifts=None, processing=Spread("fixed", 0), mtbf=None)
    plan = synthetic_plan(factory, ops=300, horizon=3000, mean_duration=15)
    tick = run(factory, plan)
    actual = {r.op: (r.start, r.end) for r in tick.ops}
    assert actual == {op.id: pytest.approx((op.planned_start, op.planned_end)) for op in plan.ops}


def one_line(**kwargs):
    line = Line(id="L", processing=Spread("fixed", 0), power=Power(running=60, changeover=30, idle=6, down=3))
    return dataclasses.replace(line, **kwargs)


def one_op(duration=100.0, **kwargs):
    return PlannedOp(id="o", job="j", index=0, line="L", sequence=0, planned_start=0, planned_duration=duration, **kwargs)


def test_work_pauses_at_the_end_of_a_shift_and_resumes():
    tick = run(Factory([one_line(shifts=[(0, 60), (120, 200)])]), Plan([one_op()]), until=300)
    assert [(r.start, r.end) for r in tick.ops] == [(0, 160)]
    assert [(i.state, i.start, i.end) for i in tick.intervals] == [
        ("running", 0, 60),
        ("off", 60, 120),
        ("running", 120, 160),
        ("standby", 160, 200),  # nothing more planned: switched off for the rest of the shift
        ("off", 200, 300),
    ]
    assert tick.energy_kwh["L"] == pytest.approx(60 * 100 / 60)


def test_failures_count_running_time_and_repairs_resume_the_work():
    line = one_line(mtbf=30, mttr=10, failures=Spread("fixed", 0), repairs=Spread("fixed", 0))
    tick = run(Factory([line]), Plan([one_op()]), until=200)
    assert [(b.start, b.end, b.cause) for b in tick.breakdowns] == [
        (30, 40, "failure"),
        (70, 80, "failure"),
        (110, 120, "failure"),
    ]
    assert [(r.start, r.end) for r in tick.ops] == [(0, 130)]
    assert tick.state.lines["L"].failures == 3 and tick.state.lines["L"].busy == 10


def test_changeover_is_done_ahead_and_processing_waits_for_the_release():
    line = one_line(changeovers={"a": {"b": 15}})
    ops = [
        one_op(10, variant="a"),
        PlannedOp("p", "k", 0, "L", 1, planned_start=50, planned_duration=10, variant="b", release=50),
    ]
    tick = run(Factory([line]), Plan(ops), until=100)
    assert [(r.op, r.start, r.end) for r in tick.ops] == [("o", 0, 10), ("p", 50, 60)]
    assert [(i.state, i.start, i.end, i.op) for i in tick.intervals][:3] == [
        ("running", 0, 10, "o"),
        ("changeover", 10, 25, "p"),
        ("idle", 25, 50, None),
    ]


def test_an_outage_stops_the_line_and_is_reported():
    factory = Factory([one_line()], outages=[Outage("L", 20, 50)])
    tick = run(factory, Plan([one_op()]), until=200)
    assert [(r.start, r.end) for r in tick.ops] == [(0, 130)]
    assert [(b.start, b.end, b.cause) for b in tick.breakdowns] == [(20, 50, "outage")]


@pytest.mark.parametrize(
    "problem, message",
    [
        (lambda f, p: (f, Plan([*p.ops, p.ops[0]])), "planned twice"),
        (lambda f, p: (f, Plan([dataclasses.replace(p.ops[0], line="X")])), "unknown line"),
        (lambda f, p: (Factory(f.lines, [Outage("X", 0, 1)]), p), "unknown line"),
    ],
)
def test_bad_input_is_refused_with_a_reason(problem, message):
    factory, plan = problem(Factory([one_line()]), Plan([one_op()]))
    with pytest.raises(ValueError, match=message):
        run(factory, plan)


def test_spread_refuses_an_impossible_cv():
    with pytest.raises(ValueError, match="cv"):
        Spread("triangular", 0.5)


def test_a_line_waiting_for_its_next_operation_idles_and_with_nothing_planned_stands_by():
    tick = run(Factory([one_line()]), Plan([one_op(duration=30, release=50)]), until=100)
    assert [(i.state, i.start, i.end) for i in tick.intervals] == [
        ("idle", 0, 50),  # on, waiting for the parts of the planned operation
        ("running", 50, 80),
        ("standby", 80, 100),
    ]
    assert tick.energy_kwh["L"] == pytest.approx(6 * 50 / 60 + 60 * 30 / 60)


def test_a_line_that_stood_by_restarts_before_its_next_work():
    line = one_line(restart=20, changeovers={"a": {"b": 15}})
    first = advance(
        factory=Factory([line]), plan=Plan([one_op(30, variant="a")]), state=FactoryState.fresh(Factory([line])),
        until=60, seed=1,
    )  # fmt: skip
    assert [(i.state, i.start, i.end) for i in first.intervals][-1] == ("standby", 30, 60)
    assert first.state.lines["L"].powered is False
    # Work is planned for it again: 20 minutes coming back on (idle power), then the changeover, then the work.
    more = PlannedOp("p", "k", 0, "L", 1, planned_start=60, planned_duration=10, variant="b")
    second = advance(factory=Factory([line]), plan=Plan([more]), state=first.state, until=200, seed=1)
    assert [(i.state, i.start, i.end) for i in second.intervals][:3] == [
        ("idle", 60, 80),
        ("changeover", 80, 95),
        ("running", 95, 105),
    ]
    assert second.state.lines["L"].powered is False  # and it stands by again


def test_without_standby_a_line_stays_on_through_its_shift():
    tick = run(Factory([one_line(restart=20)], standby=False), Plan([one_op(duration=30)]), until=100)
    assert [(i.state, i.start, i.end) for i in tick.intervals] == [("running", 0, 30), ("idle", 30, 100)]
    assert tick.energy_kwh["L"] == pytest.approx(60 * 30 / 60 + 6 * 70 / 60)
