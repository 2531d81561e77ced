"""Benchmark of the factory simulation (issue 6).

Targets: one factory-week of 10 lines and 5,000 operations simulated in <= 3 s; 200 fast-forward what-if
runs of 500 operations in <= 5 s. Also measured: the same week advanced in 15-minute ticks, as the beat
task would, and the what-if with a forced outage.

    .venv/bin/python bench/simulation.py [--quick]
"""

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import figures_show, write_result  # noqa: E402
from production.simulation import FactoryState, Outage, Plan, advance, what_if  # noqa: E402
from production.simulation.synthetic import synthetic_factory, synthetic_plan  # noqa: E402

WEEK = 7 * 1440
# Three eight-hour shifts a day with half-hour breaks between them.
SHIFTS = [(0, 450), (480, 930), (960, 1410)]


def timed(fn, repeats):
    """The result of the last call and the best and median wall-clock seconds over ``repeats`` calls."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return result, min(seconds), statistics.median(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and what-if runs")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    runs = 50 if args.quick else 200
    params = {
        "lines": 10,
        "week_ops": 5000,
        "whatif_ops": 500,
        "whatif_runs": runs,
        "repeats": repeats,
        "tick_minutes": 15,
        "shifts_per_day": SHIFTS,
        "quick": args.quick,
    }

    factory = synthetic_factory(lines=10, days=8, shifts=SHIFTS, changeover=4, mtbf=600, mttr=30, seed=1)
    week_plan = synthetic_plan(factory, ops=5000, horizon=WEEK, mean_duration=9, release_share=0.1, seed=1)
    fresh = FactoryState.fresh(factory)

    ticks_seconds = {}
    week, week_best, week_median = timed(
        lambda: advance(factory=factory, plan=week_plan, state=fresh, until=WEEK, seed=1), repeats
    )

    def in_ticks(prune):
        """The week in 15-minute ticks; with ``prune``, each tick gets only the operations not done yet
        and a state without its done operations, as a caller keeping them in a database would."""
        state, ends = fresh, {}
        for until in range(15, WEEK + 1, 15):
            if prune:
                plan = Plan([op for op in week_plan.ops if op.id not in ends], week_plan.due)
                state = dataclasses.replace(state, done={})
            tick = advance(factory=factory, plan=plan if prune else week_plan, state=state, until=until, seed=1)
            ends.update({r.op: r.end for r in tick.ops if r.end is not None})
            state = tick.state
        return ends

    expected = {op: end for op, (start, end) in week.state.done.items()}
    for prune in (False, True):
        ends, seconds, _ = timed(lambda: in_ticks(prune), 1)
        assert ends == expected, "ticks and one call disagree"
        ticks_seconds[prune] = seconds

    small_plan = synthetic_plan(factory, ops=500, horizon=1440, mean_duration=9, release_share=0.3, seed=2)
    forecast, whatif_best, whatif_median = timed(
        lambda: what_if(factory=factory, plan=small_plan, state=fresh, runs=runs, seed=1), repeats
    )
    outage = Outage("L3", 120, 480)
    worse, outage_seconds, _ = timed(
        lambda: what_if(factory=factory, plan=small_plan, state=fresh, runs=runs, seed=1, outage=outage), 1
    )

    def mean_on_time(f):
        values = [j.on_time for j in f.jobs.values() if j.on_time is not None]
        return round(sum(values) / len(values), 4)

    whatif_per_200 = whatif_best * 200 / runs
    running = sum(m["running"] for m in week.minutes.values())
    shift_minutes = sum(m["running"] + m["changeover"] + m["idle"] for m in week.minutes.values())
    figures = {
        "week_seconds_best": round(week_best, 4),
        "week_seconds_median": round(week_median, 4),
        "week_target_3s_met": week_best <= 3.0,
        "week_ops_finished": sum(1 for r in week.ops if r.end is not None),
        "week_breakdowns": len(week.breakdowns),
        "week_intervals": len(week.intervals),
        "week_energy_kwh": round(week.total_energy_kwh, 1),
        "week_running_share_of_up_time": round(running / shift_minutes, 4),
        "week_in_15min_ticks_seconds": round(ticks_seconds[False], 3),
        "week_in_15min_ticks_pruned_seconds": round(ticks_seconds[True], 3),
        "week_ticks": WEEK // 15,
        "whatif_seconds_best": round(whatif_best, 4),
        "whatif_seconds_median": round(whatif_median, 4),
        "whatif_seconds_per_200_runs": round(whatif_per_200, 4),
        "whatif_target_5s_met": whatif_per_200 <= 5.0,
        "whatif_jobs": len(forecast.jobs),
        "whatif_mean_on_time": mean_on_time(forecast),
        "whatif_jobs_at_risk_below_90pct": len(forecast.at_risk(0.9)),
        "whatif_outage_L3_seconds": round(outage_seconds, 4),
        "whatif_outage_L3_mean_on_time": mean_on_time(worse),
        "whatif_outage_L3_jobs_at_risk_below_90pct": len(worse.at_risk(0.9)),
    }
    path = write_result("simulation", params, figures)
    figures_show(figures, path)
    return 0 if figures["week_target_3s_met"] and figures["whatif_target_5s_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
