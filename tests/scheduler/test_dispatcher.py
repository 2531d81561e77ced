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
    capable_to_promise,
    check,
    dispatch,
    insert_jobs,
    retime,
)
from production.scheduler.dispatcher import Floor

from .instances import problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_it_dispatches_a_feasible_schedule(problem):
    check(problem, dispatch(problem))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_it_inserts_a_new_job_without_moving_the_others(problem, data):
    new = data.draw(st.integers(0, len(problem.jobs) - 1))
    if problem.jobs[new].operations[0].frozen is not None:
        return
    others = Problem(jobs=problem.jobs[:new] + problem.jobs[new + 1 :], lines=problem.lines) if len(problem.jobs) > 1 else None
    base = dispatch(others) if others else Schedule({})
    # Re-key the placements of the others to their index in the full problem.
    placements = {}
    for (j, o), p in base.placements.items():
        jj = j if j < new else j + 1
        placements[(jj, o)] = type(p)(jj, o, p.line, p.start, p.end)
    before = Schedule(placements)
    after = insert_jobs(problem, before, [new])
    check(problem, after)
    for key, p in before.placements.items():
        assert after.placements[key] == p
    quote = capable_to_promise(problem, before, problem.jobs[new])
    assert quote == after.completion(new, len(problem.jobs[new].operations))


def test_the_quote_uses_a_gap_and_respects_changeovers_and_shifts():
    lines = (Line(changeovers={("a", "b"): 3, ("b", "a"): 3}), Line(shifts=((0, 10), (20, 40))))
    busy = Problem(
        jobs=(Job((Operation({0: 5}),), variant="a"), Job((Operation({0: 5}),), variant="a", release=20)),
        lines=lines,
    )
    schedule = dispatch(busy)
    assert [(p.start, p.end) for p in schedule.by_line()[0]] == [(0, 5), (20, 25)]
    # Variant a fits in the gap [5, 20); variant b needs 3 before and 3 after: 8..18 fits 10 units? no.
    assert capable_to_promise(busy, schedule, Job((Operation({0: 10}),), variant="a")) == 15
    assert capable_to_promise(busy, schedule, Job((Operation({0: 10}),), variant="b")) == 38
    # On the calendar line, 12 units do not fit in [0, 10): the next window.
    assert capable_to_promise(busy, schedule, Job((Operation({1: 12}),), variant="a")) == 32
    # The quote changes nothing.
    floor = Floor(busy, schedule)
    floor.quote(Job((Operation({0: 10}),), variant="a"))
    assert floor.timelines[0].starts == [0, 20]


def test_it_dispatches_by_urgency_when_due_dates_differ():
    line = (Line(),)
    problem = Problem(
        jobs=(Job((Operation({0: 5}),), due=100), Job((Operation({0: 5}),), due=5)),
        lines=line,
    )
    schedule = dispatch(problem)
    assert schedule.placements[(1, 0)].start == 0


def _sequences(schedule: Schedule) -> dict[int, list[tuple[int, int]]]:
    return {line: [(p.job, p.op) for p in ps] for line, ps in schedule.by_line().items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_a_retimed_plan_keeps_every_line_s_sequence_and_stays_feasible(problem, data):
    plan = dispatch(problem)
    # The floor ran late or early: every movable operation is shifted by some amount (possibly before now).
    shift = data.draw(st.integers(-30, 30))
    moved = Schedule(
        {
            key: p if problem.jobs[key[0]].operations[key[1]].frozen else Placement(*key, p.line, p.start + shift, p.end + shift)
            for key, p in plan.placements.items()
        }
    )
    retimed, dropped = retime(problem, moved)
    assert dropped == []
    check(problem, retimed)
    assert _sequences(retimed) == _sequences(plan)


def test_a_plan_retimed_after_an_overrun_moves_what_follows_and_nothing_earlier_than_now():
    line = Line(changeovers={("a", "b"): 10})
    # Job 0 started at -30 and now holds its line until 40 (it overran); job 1 was planned at 20.
    problem = Problem(
        jobs=(
            Job((Operation({0: 50}, frozen=Frozen(0, -30, 40)),), variant="a"),
            Job((Operation({0: 15}), Operation({1: 5})), variant="b"),
            Job((Operation({1: 5}),), variant="a"),
        ),
        lines=(line, Line(shifts=((0, 60), (100, 200)))),
    )
    stale = Schedule(
        {
            (0, 0): Placement(0, 0, 0, -30, 40),
            (1, 0): Placement(1, 0, 0, 20, 35),
            (1, 1): Placement(1, 1, 1, 35, 40),
            (2, 0): Placement(2, 0, 1, -20, -15),  # planned before now, not started: it moves to now
        }
    )
    retimed, dropped = retime(problem, stale)
    check(problem, retimed)
    assert dropped == []
    assert retimed.placements[(2, 0)].start == 0
    assert retimed.placements[(1, 0)].start == 50  # after the overrun and the changeover a -> b
    assert retimed.placements[(1, 1)].start == 100  # [65, 70) is outside the second line's shifts


def test_a_retimed_plan_drops_the_jobs_on_a_line_that_may_no_longer_run_them():
    problem = Problem(jobs=(Job((Operation({0: 5, 1: 5}, pinned_line=1),)),), lines=(Line(), Line()))
    retimed, dropped = retime(problem, Schedule({(0, 0): Placement(0, 0, 0, 0, 5)}))
    assert dropped == [0] and retimed.placements == {}
