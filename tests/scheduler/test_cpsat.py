import itertools

import pytest
from hypothesis import HealthCheck, given, settings

from production.scheduler import Job, Line, Operation, Placement, Problem, Schedule, check, dispatch, solve, solve_plain
from production.scheduler.dispatcher import Timeline
from production.scheduler.fjsp import parse_fjs

from .instances import problems


def brute_force(problem: Problem):
    """The lexicographic optimum (tardiness, changeover, makespan) over every line choice and sequence.

    For fixed sequences the earliest (semi-active) times are optimal, since all three terms only grow
    with completion times; times come from the same earliest-fit rule as placement in a line timeline.
    """
    keys = [(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))]
    options = [sorted(problem.jobs[j].operations[o].lines()) for j, o in keys]
    best = None
    for lines in itertools.product(*options):
        per_line = {}
        for key, line in zip(keys, lines):
            per_line.setdefault(line, []).append(key)
        for orders in itertools.product(*(itertools.permutations(ops) for ops in per_line.values())):
            schedule = _semi_active(problem, dict(zip(keys, lines)), dict(zip(per_line, orders)))
            if schedule is None:
                continue
            terms = schedule.objective(problem)
            value = (terms.weighted_tardiness, terms.changeover, terms.makespan)
            if best is None or value < best:
                best = value
    return best


def _semi_active(problem, line_of, orders):
    placements = {}
    position = {key: (line, k) for line, order in orders.items() for k, key in enumerate(order)}
    timelines = {line: Timeline(problem.lines[line]) for line in orders}
    pending = set(line_of)
    while pending:
        ready = [
            key
            for key in pending
            if (key[1] == 0 or (key[0], key[1] - 1) in placements)
            and (position[key][1] == 0 or orders[position[key][0]][position[key][1] - 1] in placements)
        ]
        if not ready:
            return None  # the sequences contradict the routings
        for j, o in ready:
            job = problem.jobs[j]
            op = job.operations[o]
            line = line_of[(j, o)]
            if op.frozen is not None:
                start, end = op.frozen.start, op.frozen.end
            else:
                t = job.release if o == 0 else placements[(j, o - 1)].end
                line_pos = position[(j, o)][1]
                if line_pos:
                    t = max(t, placements[orders[line][line_pos - 1]].end)
                start = timelines[line].earliest_fit(t, op.lines()[line], job.variant)
                if start is None:
                    return None
                end = start + op.lines()[line]
            timelines[line].insert(start, end, job.variant)
            placements[(j, o)] = Placement(j, o, line, start, end)
            pending.discard((j, o))
    schedule = Schedule(placements)
    # Earliest fit can only place into gaps; keep the sequence exactly as enumerated.
    for line, order in orders.items():
        if [(p.job, p.op) for p in schedule.by_line().get(line, [])] != list(order):
            return None
    return schedule if not _violates(problem, schedule) else None


def _violates(problem, schedule):
    from production.scheduler import violations

    return bool(violations(problem, schedule))


def terms_of(problem, schedule):
    t = schedule.objective(problem)
    return (t.weighted_tardiness, t.changeover, t.makespan)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_jobs=3, max_lines=2, max_ops=2))
def test_it_finds_the_brute_force_optimum_on_tiny_problems(problem):
    if problem.n_operations() > 5:
        return
    result = solve(problem, time_limit=5, workers=2)
    check(problem, result.schedule)
    assert result.status == "OPTIMAL"
    assert terms_of(problem, result.schedule) == brute_force(problem)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_solve_returns_a_feasible_schedule_no_worse_than_the_dispatcher(problem):
    result = solve(problem, time_limit=1, workers=2)
    check(problem, result.schedule)
    assert terms_of(problem, result.schedule) <= terms_of(problem, dispatch(problem))


def test_it_reports_progress_and_the_plain_baseline_agrees():
    problem = parse_fjs("3 2\n2 2 1 3 2 4 1 2 2\n2 1 1 2 2 1 2 2 3\n1 2 1 4 2 4\n")
    seen = []
    result = solve(problem, time_limit=3, workers=2, progress=lambda value, bound, elapsed: seen.append(value))
    plain = solve_plain(problem, time_limit=3, workers=2)
    check(problem, result.schedule)
    check(problem, plain.schedule)
    assert result.objective == plain.objective == result.lower_bound
    assert seen and seen[-1] == result.objective and seen == sorted(seen, reverse=True)


def test_a_tiny_problem_is_proven_although_the_solver_reports_its_objective_one_ulp_short():
    # Found by the property above: the solver reported 213 as 212.99999999999997; truncated to 212 it was
    # a bound the schedule's 213 never met, so the solve ran to its limit and ended unproven.
    problem = Problem(
        jobs=(Job(operations=(Operation({0: 1}), Operation({0: 1})), variant="a", due=5),),
        lines=(Line(name="L0", shifts=((4, 14), (14, 24), (24, 34), (39, 534)), changeovers={("b", "a"): 4}),),
    )
    result = solve(problem, time_limit=5, workers=2)
    check(problem, result.schedule)
    assert result.status == "OPTIMAL" and result.seconds < 2
    assert result.objective == result.lower_bound
    assert terms_of(problem, result.schedule) == brute_force(problem) == (1, 0, 6)


def test_it_waits_for_a_later_shift_when_that_saves_a_changeover():
    # Found by the property above: the horizon once ignored shift breaks and cut this optimum off.
    problem = Problem(
        jobs=(
            Job(operations=(Operation({0: 1}), Operation({0: 1})), variant="a"),
            Job(operations=(Operation({0: 9}),), variant="b"),
        ),
        lines=(Line(name="L0", shifts=((0, 10), (15, 510)), changeovers={("a", "b"): 0, ("b", "a"): 1}),),
    )
    result = solve(problem, time_limit=5, workers=2)
    check(problem, result.schedule)
    assert terms_of(problem, result.schedule) == brute_force(problem) == (0, 0, 24)


FT06 = """2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1"""


def test_a_classical_job_shop_goes_to_the_full_model_and_is_proven_optimal():
    # Fisher and Thompson's 6 x 6 job shop (machine, duration pairs): optimum 55.
    jobs = []
    for row in FT06.splitlines():
        numbers = [int(x) for x in row.split()]
        ops = tuple(Operation({m: d}) for m, d in zip(numbers[::2], numbers[1::2]))
        jobs.append(Job(ops))
    problem = Problem(jobs=tuple(jobs), lines=tuple(Line(name=f"M{m}") for m in range(6)))
    result = solve(problem, time_limit=20, workers=2)
    check(problem, result.schedule)
    assert result.method == "model (job shop)"
    assert result.status == "OPTIMAL" and result.schedule.makespan() == result.lower_bound == 55


def test_a_warm_start_that_breaks_a_rule_is_set_aside():
    problem = parse_fjs("2 2\n1 1 1 5\n1 1 1 5\n")
    overlapping = Schedule({(0, 0): Placement(0, 0, 0, 0, 5), (1, 0): Placement(1, 0, 0, 0, 5)})
    result = solve(problem, time_limit=2, workers=2, hint=overlapping)
    check(problem, result.schedule)
    assert result.schedule.makespan() == 10
    assert any("warm start was set aside" in note for note in result.notes)
