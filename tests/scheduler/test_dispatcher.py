from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.scheduler import Job, Line, Operation, Problem, Schedule, capable_to_promise, check, dispatch, insert_jobs
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
