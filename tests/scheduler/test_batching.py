"""The batching dispatcher: always feasible; keeps a line on one variant while the due dates allow; sends
jobs to their most efficient line and only the overflow elsewhere."""

from hypothesis import HealthCheck, given, settings

from production.scheduler import Job, Line, Operation, Problem, batch_candidates, batch_dispatch, check, dispatch

from .instances import problems


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_candidate_is_feasible(problem):
    for schedule in batch_candidates(problem):
        check(problem, schedule)


def alternating(n=12, due=None, lines=None):
    """n one-operation jobs alternating between variants a and b, all released at 0."""
    changeovers = {("a", "b"): 30, ("b", "a"): 30}
    lines = lines or (Line(changeovers=changeovers),)
    jobs = tuple(
        Job(operations=(Operation({li: 10 for li in range(len(lines))}),), variant="ab"[j % 2], due=due)
        for j in range(n)
    )
    return Problem(jobs=jobs, lines=lines)


def test_it_batches_the_variants_when_there_is_slack_where_the_dispatcher_alternates():
    problem = alternating(due=10_000)
    assert dispatch(problem).objective(problem).changeover == 11 * 30
    batched = batch_dispatch(problem, k1=2.0, k2=0.3)
    check(problem, batched)
    assert batched.objective(problem).changeover == 30  # one changeover: all a, then all b
    assert batched.objective(problem).weighted_tardiness == 0


def test_urgent_jobs_go_first_even_at_the_cost_of_a_changeover():
    changeovers = {("a", "b"): 30, ("b", "a"): 30}
    jobs = (
        Job(operations=(Operation({0: 10}),), variant="a", due=10_000),
        Job(operations=(Operation({0: 10}),), variant="a", due=10_000),
        Job(operations=(Operation({0: 10}),), variant="b", due=45),  # must be done first to be on time
    )
    problem = Problem(jobs=jobs, lines=(Line(changeovers=changeovers),))
    best = min(batch_candidates(problem), key=lambda s: s.objective(problem).key())
    assert best.objective(problem).weighted_tardiness == 0
    assert best.completion(2, 1) <= 45


def test_with_an_energy_preference_jobs_wait_for_their_efficient_line_and_the_thirsty_line_takes_the_overflow():
    # Line 0 draws 40 kW, line 1 draws 80 kW; both run every job in 10 minutes.
    lines = (Line(power=40.0), Line(power=80.0))
    few = Problem(
        jobs=tuple(Job(operations=(Operation({0: 10, 1: 10}),), due=1000, release=20 * j) for j in range(4)),
        lines=lines,
    )
    schedule = batch_dispatch(few, overflow=1.0)
    assert {p.line for p in schedule.placements.values()} == {0}  # spaced out: the efficient line copes
    assert schedule.objective(few).energy < batch_dispatch(few).objective(few).energy or all(
        p.line == 0 for p in batch_dispatch(few).placements.values()
    )
    rush = Problem(jobs=tuple(Job(operations=(Operation({0: 10, 1: 10}),), due=60) for _ in range(10)), lines=lines)
    schedule = batch_dispatch(rush, overflow=1.0)
    check(rush, schedule)
    assert {p.line for p in schedule.placements.values()} == {0, 1}  # a rush: the thirsty line helps
