"""Reader of Brandimarte's flexible-job-shop format (`.fjs`).

Line 1: `jobs machines [average_alternatives]`; then one line per job: the number of operations, then
for each operation `k` followed by `k` pairs `machine duration`, machines numbered from 1. Blank lines
are ignored. Machines become 0-based lines of a `Problem` with no shifts, no changeovers, release 0.
"""

from __future__ import annotations

from pathlib import Path

from .problem import Job, Line, Operation, Problem, ProblemError


class FjsFormatError(ProblemError):
    """A malformed `.fjs` file; the message names the file line and what is wrong."""


def _ints(text: str, lineno: int) -> list[int]:
    values = []
    for token in text.split():
        try:
            number = float(token)
        except ValueError:
            raise FjsFormatError(f"line {lineno}: {token!r} is not a number") from None
        if number != int(number):
            raise FjsFormatError(f"line {lineno}: {token!r} is not an integer")
        values.append(int(number))
    return values


def parse_fjs(text: str) -> Problem:
    """Parse the text of an `.fjs` file into a Problem; raise FjsFormatError on malformed input."""
    lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise FjsFormatError("line 1: the file is empty, expected 'jobs machines'")
    n, header = lines[0]
    tokens = header.split()
    if not 2 <= len(tokens) <= 3:
        raise FjsFormatError(f"line {n}: expected 'jobs machines [average]', got {header.strip()!r}")
    head = _ints(" ".join(tokens[:2]), n)
    if len(tokens) == 3:
        try:
            float(tokens[2])
        except ValueError:
            raise FjsFormatError(f"line {n}: the average {tokens[2]!r} is not a number") from None
    n_jobs, n_machines = head[0], head[1]
    if n_jobs <= 0 or n_machines <= 0:
        raise FjsFormatError(f"line {n}: the numbers of jobs and machines must be positive")
    if len(lines) - 1 < n_jobs:
        raise FjsFormatError(
            f"line {n}: the header announces {n_jobs} jobs but the file has {len(lines) - 1} job lines"
        )
    if len(lines) - 1 > n_jobs:
        extra = lines[n_jobs + 1][0]
        raise FjsFormatError(f"line {extra}: unexpected data after the {n_jobs} announced jobs")
    jobs = []
    for j, (n, raw) in enumerate(lines[1:]):
        values = _ints(raw, n)
        pos = 0

        def take(what: str) -> int:
            nonlocal pos
            if pos >= len(values):
                raise FjsFormatError(f"line {n} (job {j + 1}): the line ends where {what} was expected")
            pos += 1
            return values[pos - 1]

        n_ops = take("the number of operations")
        if n_ops <= 0:
            raise FjsFormatError(f"line {n} (job {j + 1}): the number of operations must be positive")
        ops = []
        for o in range(n_ops):
            k = take(f"the number of machines of operation {o + 1}")
            if k <= 0:
                raise FjsFormatError(f"line {n} (job {j + 1}, operation {o + 1}): no machine can run it")
            alternatives: dict[int, int] = {}
            for _ in range(k):
                machine = take(f"a machine of operation {o + 1}")
                duration = take(f"a duration of operation {o + 1}")
                where = f"line {n} (job {j + 1}, operation {o + 1})"
                if not 1 <= machine <= n_machines:
                    raise FjsFormatError(f"{where}: machine {machine} is not in 1..{n_machines}")
                if duration < 0:
                    raise FjsFormatError(f"{where}: negative duration {duration}")
                if machine - 1 in alternatives:
                    raise FjsFormatError(f"{where}: machine {machine} is listed twice")
                alternatives[machine - 1] = duration
            ops.append(Operation(alternatives=alternatives))
        if pos != len(values):
            raise FjsFormatError(
                f"line {n} (job {j + 1}): {len(values) - pos} extra numbers after the {n_ops} operations"
            )
        jobs.append(Job(operations=tuple(ops), name=f"job {j + 1}"))
    return Problem(jobs=tuple(jobs), lines=tuple(Line(name=f"M{m + 1}") for m in range(n_machines)))


def read_fjs(path: str | Path) -> Problem:
    """Read an `.fjs` file; raise FjsFormatError (with the path) if it is missing or malformed."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise FjsFormatError(f"{path}: cannot read the file ({exc})") from None
    try:
        return parse_fjs(text)
    except FjsFormatError as exc:
        raise FjsFormatError(f"{path}: {exc}") from None
