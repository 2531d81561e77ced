"""Property tests for ``choose``: the fewest changes, in the priority order, against brute force."""

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.configurator import FITS, FITS_WITH_CHANGES, IMPOSSIBLE, compile_family, choose, engine, evaluate, option_statuses
from orders.configurator.random_family import random_family, random_selection

from . import reference as ref

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def targets(family):
    """Every (group, option, value) that can be chosen: each active option, each grid value."""
    for g in family.groups:
        if g.kind == "numeric":
            for value in ref.grid(g):
                yield g, None, value
        else:
            for code in ref.active(g):
                yield g, code, None


def contains(g, config, option, value):
    answer = config[g.code]
    if g.kind == "numeric":
        return answer == value
    if g.kind == "single":
        return answer == option
    return option in answer


def key(family, states, config, target, ranks):
    """The priority order of the module docstring: changes, then the consumer's, then newest first."""
    changed = []
    for g in family.groups:
        if g.code == target:
            continue
        status, value = states[g.code]
        answer = config[g.code]
        if status == ref.EXACT:
            if answer != value:
                changed.append(g.code)
        elif status == ref.ABSENT and not g.required and answer not in (None, frozenset()):
            changed.append(g.code)
    mine = [c for c in changed if c in ranks]
    return (len(changed), len(mine), sum(1 << ranks[c] for c in mine))


def as_state(g, answer):
    if g.kind == "multi":
        return frozenset(answer)
    if g.kind == "numeric":
        return Decimal(str(answer))
    return answer


def emptied(family, states):
    """Unanswered optional groups as the empty answer they stand for."""
    result = dict(states)
    for g in family.groups:
        if not g.required and states[g.code][0] == ref.ABSENT:
            result[g.code] = (ref.EXACT, frozenset() if g.kind == "multi" else None)
    return result


@st.composite
def cases(draw):
    rng = draw(st.randoms(use_true_random=False))
    family = random_family(
        rng, groups=draw(st.integers(1, 4)), options=3, rules=draw(st.integers(0, 7)), numeric_share=0.25, multi_share=0.3, grid=4
    )
    selection = random_selection(rng, family, answered=draw(st.sampled_from((0.5, 0.8, 1.0))))
    answered = [code for code in selection]
    rng.shuffle(answered)
    chosen = answered[: rng.randint(0, len(answered))]
    return family, selection, chosen


def check(family, selection, chosen):
    compiled = compile_family(family)
    states = ref.read(family, selection)
    if any(status != ref.EXACT for status, _ in (states[c] for c in selection)):
        return  # the priority order is defined over well-formed answers
    configs = list(ref.valid_configs(family))
    ranks = {code: rank for rank, code in enumerate(chosen)}
    for g, option, value in targets(family):
        result = choose(compiled, selection, g.code if value is not None else option, chosen, value=value)
        with_it = [c for c in configs if contains(g, c, option, value)]
        if not with_it:
            assert result.status == IMPOSSIBLE and result.selection is None
            continue
        assert result.status in (FITS, FITS_WITH_CHANGES)
        best = min(key(family, states, c, g.code, ranks) for c in with_it)
        new = emptied(family, ref.read(family, result.selection))
        # the new selection keeps the choice, and some valid configuration completes it (an unanswered
        # optional group empty)
        completions = [c for c in with_it if ref.fits(family, new, c)]
        assert completions, (option, value, result.selection)
        got = max(key(family, states, c, g.code, ranks) for c in completions)
        assert got == best, (option, value, result.selection, got, best)
        before = emptied(family, states)
        assert {c.group for c in result.changes} - {g.code} == {
            x.code for x in family.groups if x.code != g.code and new[x.code] != before[x.code]
        }
        if g.kind == "multi":
            wanted = (before[g.code][1] or frozenset()) | {option}
            assert (g.code in {c.group for c in result.changes}) == (new[g.code][1] != wanted)
        assert (result.status == FITS) == (not result.changes)
        assert result.chosen[-1] == g.code
        assert not ({c.group for c in result.changes} - {g.code}) & set(result.chosen)
        # an unanswered required group stays unanswered
        for x in family.groups:
            if x.required and states[x.code][0] == ref.ABSENT and x.code != g.code:
                assert x.code not in result.selection


@SETTINGS
@given(cases())
def test_choose_changes_the_fewest_answers_in_the_priority_order(case):
    check(*case)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_choose_by_cp_sat_finds_the_same_minimum(case):
    saved = engine._FIX_CORES
    engine._FIX_CORES = -1
    try:
        check(*case)
    finally:
        engine._FIX_CORES = saved


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_option_fits_fits_with_changes_or_is_impossible_exactly(case):
    family, selection, chosen = case
    compiled = compile_family(family)
    states = ref.read(family, selection)
    configs = list(ref.valid_configs(family))
    statuses = option_statuses(compiled, selection, chosen)
    result = evaluate(compiled, selection)
    for g in family.groups:
        if g.kind == "numeric":
            continue
        for option in ref.active(g):
            status = statuses[option]
            if result.options[option].available:
                assert status.status == FITS
            elif g.kind == "multi" and result.options[option].chosen:
                continue
            elif any(contains(g, c, option, None) for c in configs):
                assert status.status == FITS_WITH_CHANGES and status.changes
            else:
                assert status.status == IMPOSSIBLE


def test_a_default_gives_way_before_the_consumers_choice_and_older_before_newer():
    from orders.configurator import Family, Group, Option, Rule

    family = Family(
        "T",
        "Test",
        groups=(
            Group("A", "A", options=(Option("A1", "A one", is_default=True), Option("A2", "A two"))),
            Group("B", "B", options=(Option("B1", "B one", is_default=True), Option("B2", "B two"))),
            Group("C", "C", options=(Option("C1", "C one", is_default=True), Option("C2", "C two"))),
        ),
        rules=(
            Rule("R1", "excludes", {"any": ["A2", "B2"]}, targets=("C2",), message="C two needs A one and B one"),
        ),
    )
    compiled = compile_family(family)
    # A2 and B2 both block C2; A was chosen first, B later: A gives way first, B stays.
    result = choose(compiled, {"A": "A2", "B": "B2", "C": "C1"}, "C2", ["A", "B"])
    assert result.status == FITS_WITH_CHANGES
    assert result.selection == {"A": "A1", "B": "B1", "C": "C2"}
    # with only A2 blocking, changing A (a default) is the one change
    result = choose(compiled, {"A": "A2", "B": "B1", "C": "C1"}, "C2", [])
    assert [c.group for c in result.changes] == ["A"] and result.chosen == ("C",)
    assert "A one" in result.changes[0].description
