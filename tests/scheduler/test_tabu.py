import time

from hypothesis import HealthCheck, given, settings

from production.scheduler import check, dispatch
from production.scheduler.tabu import TabuSearch

from .instances import problems


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_jobs=5, max_lines=3, max_ops=4, frozen=False, shifts=False, changeovers=False, dues=False))
def test_tabu_search_returns_feasible_schedules_through_restarts_and_plateaus(problem):
    assert problem.makespan_only()
    start = dispatch(problem)
    search = TabuSearch(problem, start, seed=1)
    improvements = []
    # Long enough on these tiny problems for many stalls, restarts and kicks.
    schedule, makespan = search.run(
        time.perf_counter() + 0.15, on_improve=lambda s, value: improvements.append((s, value))
    )
    check(problem, schedule)
    assert schedule.makespan() == makespan <= start.makespan()
    assert [v for _, v in improvements] == sorted({v for _, v in improvements}, reverse=True)
    for s, value in improvements:
        check(problem, s)
        assert s.makespan() == value
    # The search state after restarts is still a valid schedule of the problem.
    check(problem, search.snapshot())
