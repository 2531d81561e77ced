"""Cosmo's scheduling engine: pure Python over plain data (no Django), OR-Tools CP-SAT inside.

Public API (see each module's docstrings for the data they take and return):

- `problem`: `Problem`, `Job`, `Operation`, `Line`, `Frozen` (input); `Schedule`, `Placement`,
  `Objective` (output); `ProblemError`.
- `fjsp.read_fjs(path)` / `fjsp.parse_fjs(text)`: Brandimarte `.fjs` files into a `Problem`.
- `cpsat.solve(problem, time_limit=, workers=, progress=, hint=)`: the optimizing solve -> `SolveResult`.
- `dispatcher.dispatch(problem)`, `dispatcher.insert_jobs(...)`, `dispatcher.capable_to_promise(...)`,
  `dispatcher.Floor`: instant schedules, placements and delivery-date quotes; `dispatcher.retime(...)`:
  a plan moved to the floor's now, every line keeping its sequence.
- `batching.batch_dispatch(problem, k1, k2)` / `batch_candidates(problem)`: schedules that keep each
  line on one variant as long as the due dates allow (warm starts of the optimization).
- `checker.check(problem, schedule)` / `checker.violations(...)` / `checker.findings(...)`: the
  independent feasibility check.
- `dispatcher.settle(problem, schedule)`: a pasted or broken plan made feasible again.
"""

from .batching import batch_candidates, batch_dispatch
from .checker import Finding, InfeasibleSchedule, check, findings, violations
from .cpsat import SolveResult, Weights, solve, solve_plain
from .dispatcher import Floor, capable_to_promise, dispatch, fifo_insert, insert_jobs, retime, settle
from .fjsp import FjsFormatError, parse_fjs, read_fjs
from .problem import Frozen, Job, Line, Objective, Operation, Placement, Problem, ProblemError, Schedule

__all__ = [
    "Floor",
    "batch_candidates",
    "batch_dispatch",
    "FjsFormatError",
    "Finding",
    "Frozen",
    "InfeasibleSchedule",
    "Job",
    "Line",
    "Objective",
    "Operation",
    "Placement",
    "Problem",
    "ProblemError",
    "Schedule",
    "SolveResult",
    "Weights",
    "capable_to_promise",
    "check",
    "dispatch",
    "fifo_insert",
    "findings",
    "insert_jobs",
    "parse_fjs",
    "read_fjs",
    "retime",
    "settle",
    "solve",
    "solve_plain",
    "violations",
]
