"""Small random problems for the scheduler tests: shifts, changeovers, releases, due dates, frozen ops."""

from hypothesis import strategies as st

from production.scheduler import Frozen, Job, Line, Operation, Problem


@st.composite
def problems(draw, max_jobs=4, max_lines=3, max_ops=3, frozen=True, shifts=True, changeovers=True, dues=True):
    n_lines = draw(st.integers(1, max_lines))
    lines = []
    for li in range(n_lines):
        windows = None
        if shifts and draw(st.booleans()):
            # Working windows with breaks, the last one long enough for anything.
            t, windows = 0, []
            for _ in range(draw(st.integers(1, 3))):
                t += draw(st.integers(0, 6))
                length = draw(st.integers(10, 25))
                windows.append((t, t + length))
                t += length
            windows.append((t + 5, t + 500))
            windows = tuple(windows)
        table = {}
        if changeovers:
            for a in "ab":
                for b in "ab":
                    if a != b:
                        table[(a, b)] = draw(st.integers(0, 5))
        lines.append(Line(name=f"L{li}", shifts=windows, changeovers=table))
    jobs = []
    for j in range(draw(st.integers(1, max_jobs))):
        ops = []
        for _ in range(draw(st.integers(1, max_ops))):
            capable = draw(st.lists(st.integers(0, n_lines - 1), min_size=1, max_size=n_lines, unique=True))
            ops.append(Operation(alternatives={li: draw(st.integers(1, 9)) for li in capable}))
        due = draw(st.one_of(st.none(), st.integers(5, 60))) if dues else None
        jobs.append(
            Job(
                operations=tuple(ops),
                variant=draw(st.sampled_from("ab")),
                release=draw(st.integers(0, 10)),
                due=due,
                weight=draw(st.integers(1, 3)),
            )
        )
    if frozen and draw(st.booleans()):
        # The first operation of job 0 already runs on one of its lines since time 0.
        first = jobs[0].operations[0]
        line, d = sorted(first.alternatives.items())[0]
        ops = (Operation(first.alternatives, frozen=Frozen(line, 0, d)),) + jobs[0].operations[1:]
        jobs[0] = Job(ops, jobs[0].variant, 0, jobs[0].due, jobs[0].weight)
    return Problem(jobs=tuple(jobs), lines=tuple(lines))
