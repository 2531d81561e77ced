"""The key figures of a factory schedule, as plain JSON-ready numbers (a run stores them before and after).

- `utilization`: per line code, the share of the line's working time in the coming week (from the
  factory's now) that operations fill, in percent;
- `on_time_rate`: the share of jobs with a due date that finish by it, in percent (None: no due dates);
- `late_jobs`: how many finish after their due date;
- `changeover_hours`: the changeover time between consecutive operations on the lines;
- `wip`: work in progress, the jobs that have started and not finished;
- `mean_lead_time_days`: from the order being placed to its shipping (completion plus shipping time),
  averaged over the open jobs;
- `makespan_hours`: from now to the end of the last operation.
"""

from __future__ import annotations

from orders.delivery import shipping_time
from production.scheduler import Schedule
from production.scheduling import FactoryProblem

WEEK = 7 * 24 * 60


def _overlap(a: int, b: int, lo: int, hi: int) -> int:
    return max(0, min(b, hi) - max(a, lo))


def line_load(fp: FactoryProblem, schedule: Schedule) -> list[tuple[str, int, int]]:
    """Per line (code order): (code, minutes its operations fill, minutes it works) in the coming week."""
    busy = [0] * len(fp.problem.lines)
    for p in schedule.placements.values():
        busy[p.line] += _overlap(p.start, p.end, 0, WEEK)
    load = []
    for li, line in enumerate(fp.lines):
        windows = fp.windows[li] if fp.windows else None
        available = WEEK if windows is None else sum(_overlap(a, b, 0, WEEK) for a, b in windows)
        load.append((line.code, busy[li], available))
    return load


def schedule_kpis(fp: FactoryProblem, schedule: Schedule) -> dict:
    problem = fp.problem
    utilization = {
        code: round(100.0 * busy / available, 1) if available else 0.0 for code, busy, available in line_load(fp, schedule)
    }
    due_jobs = late = wip = 0
    lead_days = []
    for j, job in enumerate(problem.jobs):
        n = len(job.operations)
        end = schedule.placements[(j, n - 1)].end
        if job.due is not None:
            due_jobs += 1
            late += end > job.due
        wip += any(op.frozen is not None and op.frozen.start <= 0 for op in job.operations)
        placed_at = fp.jobs[j].order_line.order.placed_at
        lead_days.append((fp.at(end) + shipping_time(fp.jobs[j].shipping_days) - placed_at).total_seconds() / 86400)
    terms = schedule.objective(problem) if problem.jobs else None
    return {
        "utilization": utilization,
        "on_time_rate": round(100.0 * (due_jobs - late) / due_jobs, 1) if due_jobs else None,
        "late_jobs": late,
        "changeover_hours": round((terms.changeover if terms else 0) / 60, 2),
        # The solver's first aim: minutes late × priority, summed over the jobs.
        "weighted_lateness_hours": round((terms.weighted_tardiness if terms else 0) / 60, 2),
        "wip": wip,
        "mean_lead_time_days": round(sum(lead_days) / len(lead_days), 2) if lead_days else None,
        "makespan_hours": round(max(0, schedule.makespan()) / 60, 1) if problem.jobs else 0.0,
        "jobs": len(problem.jobs),
    }
