"""A plan pasted onto a floor that moved (what an optimization run does when it writes its answer) is
settled into one that passes the checker, moving only the jobs at fault."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.scheduler import (
    Frozen,
    Job,
    Line,
    Operation,
    Placement,
    Problem,
    Schedule,
    check,
    dispatch,
    settle,
    solve,
    violations,
)

from .floor_moves import moved_floor
from .instances import problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_plan_pasted_onto_a_moved_floor_settles_into_a_feasible_one(data):
    problem = data.draw(problems(max_jobs=5))
    plan = dispatch(problem)
    new, pasted = data.draw(moved_floor(problem, plan))
    settled, moved = settle(new, pasted)
    check(new, settled)
    if not violations(new, pasted) and len(new.jobs) == len(problem.jobs):
        assert settled.placements == pasted.placements and moved == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_solved_plan_pasted_onto_a_moved_floor_settles_too(data):
    problem = data.draw(problems(max_jobs=4))
    # Time enough to prove the tiny optimum: a plan cut off by the clock differs from run to run, and so
    # would the floor moves drawn from it (hypothesis refuses such a test as flaky).
    plan = solve(problem, time_limit=5, workers=1).schedule
    new, pasted = data.draw(moved_floor(problem, plan))
    settled, _ = settle(new, pasted)
    check(new, settled)


def test_the_job_before_a_late_start_moves_for_its_changeover():
    # The failure a planner saw after a maintenance window: the floor started job 1 later than planned;
    # pasted as solved, job 0 would start inside job 1's run plus the changeover from its variant.
    line = Line("L0", shifts=((0, 20), (60, 400)), changeovers={("b", "a"): 6, ("a", "b"): 6})
    problem = Problem(
        jobs=(Job((Operation({0: 5}),), variant="a"), Job((Operation({0: 5}),), variant="b")), lines=(line,)
    )
    old = Schedule({(0, 0): Placement(0, 0, 0, 11, 16), (1, 0): Placement(1, 0, 0, 0, 5)})
    check(problem, old)
    late = Problem(
        jobs=(problem.jobs[0], Job((Operation({0: 5}, frozen=Frozen(0, 8, 13)),), variant="b")), lines=(line,)
    )
    pasted = Schedule({(0, 0): old.placements[(0, 0)], (1, 0): Placement(1, 0, 0, 8, 13)})
    assert violations(late, pasted) == [
        "line 0: job 0 operation 0 starts at 11, before job 1 operation 0 ends at 13 plus changeover 6"
    ]
    settled, moved = settle(late, pasted)
    check(late, settled)
    assert moved == [0]
    # After the frozen run and its changeover there is no room left in the shift: the first window
    # after the break takes it.
    assert settled.placements[(0, 0)].start == 60


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_solve_warm_started_from_a_pasted_plan_returns_a_checked_one_no_worse_than_the_dispatcher(data):
    # The optimization run's path: its warm start is the plan in force, which may no longer fit the floor.
    problem = data.draw(problems(max_jobs=4))
    new, pasted = data.draw(moved_floor(problem, dispatch(problem)))
    result = solve(new, time_limit=0.5, workers=2, hint=pasted)
    check(new, result.schedule)
    t, d = result.schedule.objective(new), dispatch(new).objective(new)
    assert (t.weighted_tardiness, t.changeover, t.makespan) <= (d.weighted_tardiness, d.changeover, d.makespan)
    if violations(new, pasted):
        assert any("warm start was set aside" in note for note in result.notes)
