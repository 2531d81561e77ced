import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from production.scheduler import FjsFormatError, Schedule, Placement, check, parse_fjs, read_fjs

BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "fjsp"
MK01 = BENCHMARKS / "mk01.fjs"


def test_it_reads_a_small_file():
    problem = parse_fjs("2 3 1.5\n2 1 1 4 2 2 5 3 6\n1 1 3 2\n")
    assert len(problem.lines) == 3
    assert [len(job.operations) for job in problem.jobs] == [2, 1]
    assert dict(problem.jobs[0].operations[0].alternatives) == {0: 4}
    assert dict(problem.jobs[0].operations[1].alternatives) == {1: 5, 2: 6}
    assert dict(problem.jobs[1].operations[0].alternatives) == {2: 2}


@pytest.mark.skipif(not MK01.exists(), reason="benchmark files not present")
def test_it_reads_mk01():
    problem = read_fjs(MK01)
    assert (len(problem.jobs), len(problem.lines)) == (10, 6)
    assert problem.n_operations() == 55


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "line 1: the file is empty"),
        ("2\n", "line 1: expected 'jobs machines"),
        ("x 2\n1 1 1 3\n", "line 1: 'x' is not a number"),
        ("2 2\n1 1 1 3\n", "announces 2 jobs but the file has 1"),
        ("1 2\n2 1 1 3\n", "line 2 (job 1): the line ends where the number of machines of operation 2"),
        ("1 2\n1 1 3 4\n", "line 2 (job 1, operation 1): machine 3 is not in 1..2"),
        ("1 2\n1 1 1 3 7\n", "line 2 (job 1): 1 extra numbers"),
        ("1 2\n1 0\n", "line 2 (job 1, operation 1): no machine can run it"),
        ("1 2\n1 1 1 2.5\n", "line 2: '2.5' is not an integer"),
        ("1 2\n1 1 1 3\n1 1 1 3\n", "line 3: unexpected data"),
    ],
)
def test_it_names_the_line_and_the_problem_of_a_malformed_file(text, message):
    with pytest.raises(FjsFormatError) as info:
        parse_fjs(text)
    assert message in str(info.value)


def test_it_rejects_a_malformed_file_with_a_command_error(tmp_path):
    bad = tmp_path / "bad.fjs"
    bad.write_text("1 2\n1 1 9 3\n")
    with pytest.raises(CommandError, match=r"bad.fjs: line 2 .*machine 9 is not in 1..2"):
        call_command("schedule_fjsp", str(bad), "--json")


def test_it_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("schedule_fjsp", str(tmp_path / "none.fjs"), "--json")


def test_it_prints_one_json_object_for_a_small_file(tmp_path, capsys):
    path = tmp_path / "tiny.fjs"
    path.write_text("2 2\n2 2 1 3 2 4 1 2 2\n1 1 1 2\n")
    call_command("schedule_fjsp", str(path), "--time-limit", "2", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"makespan", "status", "seconds", "lower_bound", "optimal", "operations"}
    assert payload["makespan"] == 5 and payload["status"] == "OPTIMAL"
    assert payload["lower_bound"] == 5 and payload["optimal"] is True
    problem = read_fjs(path)
    schedule = Schedule(
        {(r["job"], r["op"]): Placement(r["job"], r["op"], r["machine"], r["start"], r["end"]) for r in payload["operations"]}
    )
    check(problem, schedule)


@pytest.mark.slow
@pytest.mark.skipif(not MK01.exists(), reason="benchmark files not present")
def test_it_schedules_mk01_to_makespan_40(capsys):
    call_command("schedule_fjsp", str(MK01), "--time-limit", "20", "--json")
    payload = json.loads(capsys.readouterr().out)
    problem = read_fjs(MK01)
    schedule = Schedule(
        {(r["job"], r["op"]): Placement(r["job"], r["op"], r["machine"], r["start"], r["end"]) for r in payload["operations"]}
    )
    check(problem, schedule)
    assert payload["makespan"] == schedule.makespan() == 40
    assert payload["lower_bound"] <= 40
    assert all(0 <= r["machine"] < 6 for r in payload["operations"])


MK02 = BENCHMARKS / "mk02.fjs"


@pytest.mark.slow
@pytest.mark.skipif(not MK02.exists(), reason="benchmark files not present")
def test_it_proves_mk02_optimal_and_stops_there(capsys):
    # A flexible shop whose optimum (26) sits one above every simple bound (25): the proof needs the full
    # model searching with the fuller linear relaxation beside the tabu. The run stops at the proof, long
    # before its limit (2-9 s on a quiet machine).
    call_command("schedule_fjsp", str(MK02), "--time-limit", "60", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert payload["makespan"] == payload["lower_bound"] == 26
    assert payload["optimal"] is True
    assert payload["seconds"] < 60
