"""Hypothesis strategies for random factories and executable plans."""

from hypothesis import strategies as st

from production.simulation import Factory, Line, Outage, Plan, PlannedOp, Power, Spread

VARIANTS = ["a", "b", "c"]

spreads = st.one_of(
    st.just(Spread("fixed", 0.0)),
    st.builds(Spread, st.just("lognormal"), st.floats(0.0, 0.6)),
    st.builds(Spread, st.just("triangular"), st.floats(0.0, 0.4)),
    st.builds(Spread, st.just("uniform"), st.floats(0.0, 0.5)),
)


@st.composite
def shift_windows(draw):
    if draw(st.booleans()):
        return None
    t = draw(st.integers(0, 120))
    windows = []
    for _ in range(draw(st.integers(1, 12))):
        length = draw(st.integers(30, 600))
        windows.append((t, t + length))
        t += length + draw(st.integers(0, 400))
    return windows


@st.composite
def lines(draw, line_id):
    matrix = {a: {b: draw(st.integers(0, 40)) for b in VARIANTS if b != a} for a in VARIANTS}
    return Line(
        id=line_id,
        shifts=draw(shift_windows()),
        changeovers=matrix,
        default_changeover=draw(st.integers(0, 30)),
        processing=draw(spreads),
        mtbf=draw(st.one_of(st.none(), st.floats(20, 600))),
        mttr=draw(st.floats(0, 90)),
        failures=draw(st.sampled_from([Spread("exponential"), Spread("fixed", 0.0)])),
        repairs=draw(st.sampled_from([Spread("exponential"), Spread("lognormal", 0.5)])),
        power=Power(*(draw(st.floats(0, 100)) for _ in range(4)), off=draw(st.floats(0, 5))),
        restart=draw(st.integers(0, 30)),
    )


@st.composite
def scenarios(draw, max_jobs=12):
    """A factory and a plan whose line sequences agree with the jobs' precedence."""
    line_ids = [f"L{i}" for i in range(draw(st.integers(1, 4)))]
    factory_lines = [draw(lines(line_id)) for line_id in line_ids]
    outages = [
        Outage(draw(st.sampled_from(line_ids)), start, start + draw(st.integers(1, 300)))
        for start in draw(st.lists(st.integers(0, 2000), max_size=2))
    ]
    jobs = draw(st.lists(st.integers(1, 3), min_size=1, max_size=max_jobs))
    # Each job's operations appear in index order in this interleaving, which is the placement order.
    order = draw(st.permutations([j for j, n in enumerate(jobs) for _ in range(n)]))
    next_index = [0] * len(jobs)
    sequence = dict.fromkeys(line_ids, 0)
    ops = []
    clock = 0.0
    for j in order:
        k = next_index[j]
        next_index[j] += 1
        line = draw(st.sampled_from(line_ids))
        duration = draw(st.integers(0, 120)) / 2
        ops.append(
            PlannedOp(
                id=f"J{j}.{k}",
                job=f"J{j}",
                index=k,
                line=line,
                sequence=sequence[line],
                planned_start=clock,
                planned_duration=duration,
                variant=draw(st.sampled_from(VARIANTS)),
                release=draw(st.integers(0, 600)),
            )
        )
        sequence[line] += 1
        clock += duration
    due = {f"J{j}": draw(st.integers(100, 3000)) for j in range(len(jobs))}
    return Factory(lines=factory_lines, outages=outages, standby=draw(st.booleans())), Plan(ops=ops, due=due)
