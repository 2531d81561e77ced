"""Ticks: the same tick twice gives the same result, and any split into ticks gives the same history."""

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.simulation import (
    Factory,
    FactoryState,
    Line,
    LineState,
    Plan,
    PlannedOp,
    advance,
    state_from_dict,
    to_dict,
)
from production.simulation.synthetic import synthetic_factory, synthetic_plan

from .scenarios import scenarios

UNTIL = 6_000


def merged(intervals):
    """Join each line's adjacent stretches of the same state, as a caller persisting ticks would."""
    result = []
    for i in sorted(intervals, key=lambda i: (i.line, i.start)):
        last = result[-1] if result else None
        if last and (last.line, last.state, last.op, last.end) == (i.line, i.state, i.op, i.start):
            result[-1] = dataclasses.replace(last, end=i.end)
        else:
            result.append(i)
    return result


def in_ticks(factory, plan, cuts, seed, prune=False):
    """Advance through ``cuts``, storing the state as JSON in between, and gather what the ticks report.
    With ``prune``, each tick gets only the operations not done yet and a state without its ``done``."""
    state = FactoryState.fresh(factory)
    ops, intervals, breakdowns, ticks = {}, [], [], []
    for until in cuts:
        if prune:
            left = Plan([op for op in plan.ops if op.id not in ops or ops[op.id].end is None], plan.due)
            state = dataclasses.replace(state, done={})
        tick = advance(factory=factory, plan=left if prune else plan, state=state, until=until, seed=seed)
        ops.update({r.op: r for r in tick.ops})
        intervals += tick.intervals
        breakdowns += tick.breakdowns
        ticks.append(tick)
        state = state_from_dict(json.loads(json.dumps(to_dict(tick.state))))
    return ops, merged(intervals), sorted(breakdowns, key=lambda b: (b.start, b.line)), ticks, state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(),
    st.lists(st.integers(1, UNTIL - 1), max_size=8, unique=True),
    st.integers(0, 3),
    st.booleans(),
)
def test_splitting_into_ticks_gives_the_same_history(scenario, cuts, seed, prune):
    factory, plan = scenario
    one_ops, one_intervals, one_breakdowns, (one,), one_state = in_ticks(factory, plan, [UNTIL], seed)
    ops, intervals, breakdowns, ticks, state = in_ticks(factory, plan, [*sorted(cuts), UNTIL], seed, prune)

    assert ops == one_ops
    assert intervals == one_intervals
    assert breakdowns == one_breakdowns
    if prune:
        state = dataclasses.replace(state, done=one_state.done)
    assert to_dict(state) == to_dict(one_state)
    for line in one.minutes:
        for s, minutes in one.minutes[line].items():
            assert sum(t.minutes[line][s] for t in ticks) == pytest.approx(minutes, abs=1e-6)
    assert sum(t.total_energy_kwh for t in ticks) == pytest.approx(one.total_energy_kwh, rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.integers(1, UNTIL), st.integers(1, UNTIL))
def test_the_same_tick_twice_gives_the_same_result(scenario, first, second):
    factory, plan = scenario
    state = advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=first, seed=1).state
    again = [advance(factory=factory, plan=plan, state=state, until=first + second, seed=1) for _ in range(2)]
    assert to_dict(again[0]) == to_dict(again[1])


def test_a_tick_to_the_state_time_changes_nothing():
    factory = synthetic_factory(lines=3)
    plan = synthetic_plan(factory, ops=60, horizon=2000)
    state = advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=900, seed=1).state
    tick = advance(factory=factory, plan=plan, state=state, until=900, seed=1)
    assert (tick.ops, tick.intervals, tick.breakdowns, tick.total_energy_kwh) == ([], [], [], 0)
    assert to_dict(tick.state) == to_dict(state)


def test_a_tick_before_the_state_time_is_refused():
    factory = synthetic_factory(lines=1)
    with pytest.raises(ValueError, match="before"):
        advance(factory=factory, plan=Plan([]), state=FactoryState.fresh(factory, 100), until=50, seed=1)


def test_a_new_plan_between_ticks_lets_the_operation_in_hand_finish():
    factory = synthetic_factory(lines=2, shifts=None, mtbf=None)
    plan = synthetic_plan(factory, ops=40, horizon=600, max_ops_per_job=1)
    state = advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=100, seed=1).state
    in_hand = {ls.op for ls in state.lines.values() if ls.op_start is not None}
    # The new plan reverses what is left on each line.
    replanned = Plan([dataclasses.replace(op, sequence=-op.sequence) for op in plan.ops], plan.due)
    tick = advance(factory=factory, plan=replanned, state=state, until=5000, seed=1)
    finished = [r.op for r in tick.ops]
    assert in_hand and set(finished[: len(in_hand)]) == in_hand
    assert set(tick.state.done) == {op.id for op in plan.ops}
    for line in factory.lines:
        left = [r.op for r in tick.ops if r.line == line.id and r.op not in in_hand]
        expected = sorted((op for op in replanned.ops if op.id in left), key=lambda op: op.sequence)
        assert left == [op.id for op in expected]


@pytest.mark.parametrize(
    "phase, op_start, finished", [("running", 0.0, True), ("running", None, False), ("changeover", None, False)]
)
def test_an_operation_in_hand_dropped_from_the_plan(phase, op_start, finished):
    factory = synthetic_factory(lines=1, shifts=None, mtbf=None)
    state = FactoryState.fresh(factory)
    state.lines["L1"] = LineState(variant="v0", op="gone", phase=phase, remaining=10, op_start=op_start)
    tick = advance(factory=factory, plan=Plan([]), state=state, until=100, seed=1)
    assert ("gone" in tick.state.done) is finished
    assert tick.state.lines["L1"].op is None and tick.state.lines["L1"].variant == "v0"


def test_a_line_puts_down_an_operation_it_waits_for_when_the_plan_moves_it_elsewhere():
    # Job j: a on L1, then b. L2 changed over to b and waits for a; the new plan puts b on L1 after a.
    factory = Factory([Line(id="L1"), Line(id="L2")])
    a = PlannedOp("a", "j", 0, "L1", 0, planned_start=0, planned_duration=30)
    b = PlannedOp("b", "j", 1, "L2", 0, planned_start=30, planned_duration=30)
    state = advance(factory=factory, plan=Plan([a, b]), state=FactoryState.fresh(factory), until=10, seed=1).state
    assert state.lines["L2"].op == "b" and state.lines["L2"].op_start is None
    moved = Plan([a, dataclasses.replace(b, line="L1", sequence=1)])
    tick = advance(factory=factory, plan=moved, state=state, until=200, seed=1)
    assert [(r.op, r.line) for r in tick.ops] == [("a", "L1"), ("b", "L1")]
    assert tick.state.lines["L2"].op is None
