import pytest

from production.scheduler import Frozen, InfeasibleSchedule, Job, Line, Operation, Placement, Problem, Schedule, check, violations

PROBLEM = Problem(
    jobs=(
        Job((Operation({0: 3, 1: 5}), Operation({1: 2})), variant="a", release=1),
        Job((Operation({0: 4}, frozen=Frozen(0, 6, 10)),), variant="b"),
        Job((Operation({0: 2, 1: 2}, pinned_line=1),), variant="b"),
    ),
    lines=(Line(changeovers={("a", "b"): 2}), Line(shifts=((0, 8), (10, 30)))),
)
GOOD = {
    (0, 0): Placement(0, 0, 0, 1, 4),
    (0, 1): Placement(0, 1, 1, 4, 6),
    (1, 0): Placement(1, 0, 0, 6, 10),
    (2, 0): Placement(2, 0, 1, 10, 12),
}


def schedule(**changes):
    placements = dict(GOOD)
    for name, placement in changes.items():
        j, o = int(name[1]), int(name[2])
        placements[(j, o)] = placement
    return Schedule(placements)


def test_it_accepts_a_feasible_schedule():
    check(PROBLEM, schedule())


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"j00": Placement(0, 0, 0, 0, 3)}, "before its release"),
        ({"j01": Placement(0, 1, 1, 3, 5)}, "before the previous operation ends"),
        ({"j01": Placement(0, 1, 0, 4, 6)}, "which cannot run it"),
        ({"j01": Placement(0, 1, 1, 4, 7)}, "lasts 3, expected 2"),
        ({"j10": Placement(1, 0, 0, 7, 11)}, "frozen at line 0 [6, 10) but moved"),
        ({"j20": Placement(2, 0, 0, 12, 14)}, "pinned to line 1"),
        ({"j20": Placement(2, 0, 1, 7, 9)}, "not inside one shift window"),
        ({"j00": Placement(0, 0, 0, 2, 5)}, "plus changeover 2"),
        ({"j01": Placement(0, 1, 1, 10, 12)}, "before job 0 operation 1 ends"),
    ],
)
def test_it_names_each_broken_rule(changes, words):
    found = violations(PROBLEM, schedule(**changes))
    assert any(words in v for v in found), found
    with pytest.raises(InfeasibleSchedule):
        check(PROBLEM, schedule(**changes))


def test_it_reports_missing_operations():
    placements = dict(GOOD)
    del placements[(2, 0)]
    assert violations(PROBLEM, Schedule(placements)) == ["job 2 operation 0 is not scheduled"]
