"""Fast-forward forecasts and drift against the plan."""

import dataclasses
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.simulation import FactoryState, Outage, Spread, advance, drift, to_dict, what_if
from production.simulation.synthetic import synthetic_factory, synthetic_plan

from .scenarios import scenarios


def later_or_same(a, b):
    """Whether completion ``a`` is no earlier than ``b`` (``None``: never)."""
    return (math.inf if a is None else a) >= (math.inf if b is None else b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_jobs=8), st.integers(0, 3000), st.integers(1, 600), st.integers(0, 3))
def test_an_outage_never_raises_the_chance_of_being_on_time(scenario, start, length, which):
    factory, plan = scenario
    line = factory.lines[which % len(factory.lines)].id
    state = FactoryState.fresh(factory)
    base = what_if(factory=factory, plan=plan, state=state, runs=6, seed=5)
    worse = what_if(factory=factory, plan=plan, state=state, runs=6, seed=5, outage=Outage(line, start, start + length))
    assert base.jobs.keys() == worse.jobs.keys() == {op.job for op in plan.ops}
    for job, forecast in base.jobs.items():
        other = worse.jobs[job]
        for f in (forecast, other):
            assert 0 <= f.on_time <= 1 and 0 <= f.finished <= 1 and len(f.completions) == 6
            if f.finished:
                assert f.p10 <= f.p50 <= f.p90
        assert other.on_time <= forecast.on_time
        assert all(later_or_same(a, b) for a, b in zip(other.completions, forecast.completions))


def test_a_forecast_is_reproducible_and_starts_from_the_state():
    factory = synthetic_factory(lines=4, shifts=None, changeover=5)
    plan = synthetic_plan(factory, ops=120, horizon=1500, mean_duration=10, release_share=0.3)
    state = advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=300, seed=1).state
    first, second = (what_if(factory=factory, plan=plan, state=state, runs=20, seed="x") for _ in range(2))
    assert to_dict(first) == to_dict(second)
    for job, forecast in first.jobs.items():
        ends = [e for op, (s, e) in state.done.items() if op.startswith(f"{job}.")]
        if len(ends) == sum(1 for op in plan.ops if op.job == job):
            assert forecast.completions == [max(ends)] * 20  # already done: certain
        else:
            assert all(c is None or c > 300 for c in forecast.completions)
    risky = first.at_risk(0.9)
    assert [j.on_time for j in risky] == sorted(j.on_time for j in risky) and all(j.on_time < 0.9 for j in risky)


def test_a_horizon_leaves_late_work_unfinished():
    factory = synthetic_factory(lines=2, shifts=None)
    plan = synthetic_plan(factory, ops=80, horizon=3000)
    forecast = what_if(factory=factory, plan=plan, state=FactoryState.fresh(factory), runs=5, horizon=200)
    assert any(f.finished == 0 and f.on_time == 0 and f.p50 is None for f in forecast.jobs.values())


def test_drift_is_nil_when_the_plan_is_kept_and_large_when_a_line_stops():
    factory = synthetic_factory(lines=3, shifts=None, processing=Spread("fixed", 0), mtbf=None)
    plan = synthetic_plan(factory, ops=90, horizon=2000, mean_duration=15)
    kept = advance(factory=factory, plan=plan, state=FactoryState.fresh(factory), until=600, seed=1).state
    on_plan = drift(plan=plan, state=kept, threshold=5)
    assert not on_plan.reschedule and abs(on_plan.max_lateness) < 1e-6 and on_plan.late_ops == 0

    first = min((op for op in plan.ops if op.line == "L2"), key=lambda op: op.sequence)
    stopped = dataclasses.replace(factory, outages=[Outage("L2", first.planned_start, first.planned_start + 200)])
    until = first.planned_start + 250
    late = drift(
        plan=plan,
        state=advance(factory=stopped, plan=plan, state=FactoryState.fresh(factory), until=until, seed=1).state,
        threshold=5,
    )
    assert late.reschedule and late.late_ops > 0
    assert late.max_lateness == max(late.lines.values()) == late.lines["L2"] > 5
