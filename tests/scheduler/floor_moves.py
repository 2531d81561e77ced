"""The floor moving under a plan, for the property tests: a plan made for one problem, then the problem
as the floor has it a while later (an operation started somewhere else or at another time, a maintenance
window, a pin, a new job), and the old plan pasted onto it as the optimization run's carry-over does."""

from hypothesis import strategies as st

from production.scheduler import Frozen, Job, Line, Operation, Placement, Problem, Schedule

OPEN = 10_000


def _cut(shifts, hole):
    """Working windows minus a maintenance hole (None: always open)."""
    windows = list(shifts) if shifts is not None else [(0, OPEN)]
    a, b = hole
    out = []
    for x, y in windows:
        out += [p for p in ((x, min(y, a)), (max(x, b), y)) if p[1] > p[0]]
    return tuple(out)


@st.composite
def moved_floor(draw, problem: Problem, schedule: Schedule):
    """(the new problem, the old plan pasted onto it): job indices stay, a new job may come last."""
    jobs = list(problem.jobs)
    lines = list(problem.lines)
    # A maintenance window on one line, somewhere in the plan (the first operation after it needs its
    # changeover too).
    if draw(st.booleans()):
        li = draw(st.integers(0, len(lines) - 1))
        a = draw(st.integers(0, max(1, schedule.makespan())))
        hole = (a, a + draw(st.integers(1, 40)))
        line = lines[li]
        lines[li] = Line(line.name, _cut(line.shifts, hole), line.changeovers, line.power)
    # Operations the floor started elsewhere or at another time than planned: frozen there now.
    for j in draw(st.lists(st.integers(0, len(jobs) - 1), max_size=3, unique=True)):
        job = jobs[j]
        first = job.operations[0]
        if first.frozen is not None:
            continue
        line = draw(st.sampled_from(sorted(first.alternatives)))
        planned = schedule.placements[(j, 0)].start
        start = max(0, planned + draw(st.integers(-15, 15)))
        frozen = Operation(first.alternatives, frozen=Frozen(line, start, start + first.alternatives[line]))
        jobs[j] = Job((frozen,) + job.operations[1:], job.variant, min(job.release, start), job.due, job.weight)
    # A planner pins an operation to one of its lines.
    if draw(st.booleans()):
        j = draw(st.integers(0, len(jobs) - 1))
        job = jobs[j]
        o = len(job.operations) - 1
        op = job.operations[o]
        if op.frozen is None:
            pin = draw(st.sampled_from(sorted(op.alternatives)))
            ops = job.operations[:o] + (Operation(op.alternatives, pinned_line=pin),)
            jobs[j] = Job(ops, job.variant, job.release, job.due, job.weight)
    # A new job arrives.
    if draw(st.booleans()):
        capable = draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, unique=True))
        op = Operation({li: draw(st.integers(1, 9)) for li in capable})
        jobs.append(Job((op,), draw(st.sampled_from("ab")), draw(st.integers(0, 20)), None, 1))
    new = Problem(jobs=tuple(jobs), lines=tuple(lines))
    pasted = {key: Placement(*key, p.line, p.start, p.end) for key, p in schedule.placements.items()}
    return new, Schedule(pasted)
