"""Any size: a backlog whose folded objective would overflow 64 bits is still optimized, by windows, and
the answer is never worse than the dispatcher's by the objective's order."""

import pytest

from production.scheduler import ProblemError, check, dispatch, solve
from production.scheduler.cpsat import lexicographic_weights, loose_horizon
from production.scheduler.generate import factory
from production.scheduler.window import WindowModel, is_large


def key(problem, schedule):
    t = schedule.objective(problem)
    return t.weighted_tardiness, t.changeover, t.makespan


def test_a_backlog_that_overflowed_the_folded_objective_is_optimized_by_windows():
    problem = factory(3, jobs=150, lines=4)
    with pytest.raises(ProblemError):
        lexicographic_weights(problem, loose_horizon(problem))
    start = dispatch(problem)
    result = solve(problem, time_limit=6, workers=2)
    check(problem, result.schedule)
    assert result.method == "windows" and result.status == "FEASIBLE"
    assert key(problem, result.schedule) <= key(problem, start)
    assert result.terms == result.schedule.objective(problem)
    # The batched plans reorder whole lines by urgency and variant: far fewer weighted minutes late.
    assert any("batched plans tried" in note for note in result.notes)
    assert result.terms.weighted_tardiness < start.objective(problem).weighted_tardiness / 2


def test_a_window_keeps_everything_outside_it_and_never_gets_worse():
    problem = factory(5, jobs=60, lines=3)
    start = dispatch(problem)
    movable = sorted(
        (p.start, k) for k, p in start.placements.items() if problem.jobs[k[0]].operations[k[1]].frozen is None
    )
    free = {k for _, k in movable[40:60]}
    status, schedule = WindowModel(problem, start, free).solve(3, 2, 0)
    assert schedule is not None
    check(problem, schedule)
    assert {k: p for k, p in schedule.placements.items() if k not in free} == {
        k: p for k, p in start.placements.items() if k not in free
    }
    assert key(problem, schedule) <= key(problem, start)


def test_the_large_path_is_chosen_by_size():
    assert is_large(factory(1, jobs=600, lines=10))
    assert not is_large(factory(1, jobs=20, lines=4))
