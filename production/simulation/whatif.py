"""Fast-forward what-if: the same model run ahead many times to forecast each job's completion."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .engine import RES, Compiled
from .model import Factory, FactoryState, Outage, Plan


@dataclass(frozen=True)
class JobForecast:
    """One job over all runs, times in minutes.

    ``on_time`` is the share of runs in which the job ends by its due time (``None`` without a due time);
    ``finished`` the share in which it ends within the horizon; ``mean``, ``p10``, ``p50`` and ``p90``
    describe its completion time over the runs in which it ends (``None`` if it never does);
    ``completions`` lists each run's completion (``None``: not within the horizon).
    """

    job: str
    due: float | None
    on_time: float | None
    finished: float
    mean: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    completions: list[float | None]


@dataclass(frozen=True)
class Forecast:
    """The outcome of ``what_if``: every planned job's forecast, by job id."""

    start: float
    runs: int
    seed: int | str
    horizon: float | None
    outage: Outage | None
    jobs: dict[str, JobForecast]

    def at_risk(self, below: float = 0.9) -> list[JobForecast]:
        """Jobs with a due time whose probability of being on time is under ``below``, least likely first."""
        risky = [j for j in self.jobs.values() if j.on_time is not None and j.on_time < below]
        return sorted(risky, key=lambda j: (j.on_time, j.job))


def what_if(
    *,
    factory: Factory,
    plan: Plan,
    state: FactoryState,
    runs: int = 200,
    seed: int | str = 0,
    horizon: float | None = None,
    outage: Outage | None = None,
) -> Forecast:
    """Run the model ahead from ``state`` ``runs`` times and forecast when each job of ``plan`` ends.

    Run ``i`` draws with the seed ``f"{seed}:{i}"``, so a forecast is reproducible, and the same runs with
    and without ``outage`` (a line forced down from its start to its end) differ only by that outage.
    Each run goes on until every operation is done or ``horizon`` minutes after the state's time. Failure
    clocks start afresh in every run: the time to a line's next failure is drawn anew, which is exact for
    exponential times between failures. Due times come from ``plan.due``.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if outage is not None:
        factory = dataclasses.replace(factory, outages=[*factory.outages, outage])
    compiled = Compiled(factory, plan, state)
    until = None if horizon is None else state.time + horizon
    # A job ends when its last operation does, since each operation starts after the previous one ends.
    last = {job: ops[-1] for job, ops in compiled.jobs.items()}
    ends: dict[str, list[float | None]] = {job: [] for job in last}
    for i in range(runs):
        done_end = compiled.run(seed=f"{seed}:{i}", until=until, record=False, fresh_failure_clocks=True).done_end
        for job, op in last.items():
            if op in state.done:
                ends[job].append(state.done[op][1])
            else:
                end = done_end.get(op)
                ends[job].append(None if end is None else end / RES)
    return Forecast(
        start=state.time,
        runs=runs,
        seed=seed,
        horizon=horizon,
        outage=outage,
        jobs={job: _job_forecast(job, plan.due.get(job), values) for job, values in ends.items()},
    )


def _job_forecast(job: str, due: float | None, completions: list[float | None]) -> JobForecast:
    finished = sorted(c for c in completions if c is not None)
    n = len(completions)

    def quantile(q: float) -> float | None:
        return finished[min(len(finished) - 1, int(q * len(finished)))] if finished else None

    return JobForecast(
        job=job,
        due=due,
        on_time=None if due is None else sum(1 for c in finished if c <= due) / n,
        finished=len(finished) / n,
        mean=sum(finished) / len(finished) if finished else None,
        p10=quantile(0.1),
        p50=quantile(0.5),
        p90=quantile(0.9),
        completions=completions,
    )
