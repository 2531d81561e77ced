"""Crews called from the plan and the time-of-day tariff (`production.crews`, `production.tariff`): plain
functions, and the engine holding a line standing by until the shift its crew is called for."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from production import crews, tariff
from production.simulation import Factory, Plan, advance
from production.simulation.model import FactoryState

from .test_engine import one_line, one_op

TZ = ZoneInfo("Asia/Shanghai")
BANDS = tariff.day_bands([(time(22), time(6), 0.09), (time(6), time(17), 0.15), (time(17), time(21), 0.24)])


def test_the_tariff_prices_each_hour_at_its_band_and_the_rest_flat():
    assert tariff.price_at(BANDS, 23 * 60)[0] == 0.09 and tariff.price_at(BANDS, 5 * 60)[0] == 0.09
    assert tariff.price_at(BANDS, 18 * 60) == (0.24, 21 * 60)
    assert tariff.price_at(BANDS, 21.5 * 60) == (tariff.FLAT_PRICE_KWH, 22 * 60)
    # 10 kW from 16:00 to 18:00: an hour at 0.15, an hour at 0.24.
    start = datetime(2026, 12, 2, 16, tzinfo=TZ)
    assert tariff.energy_cost(start, start + timedelta(hours=2), 10, BANDS, TZ) == pytest.approx(1.5 + 2.4)


def test_a_crew_is_counted_for_the_shifts_its_line_worked_in_and_paid_whole():
    shifts = [SimpleNamespace(weekday=d, start=time(6), end=time(14)) for d in range(7)]
    shifts += [SimpleNamespace(weekday=d, start=time(22), end=time(6)) for d in range(7)]
    start = datetime(2026, 12, 2, 0, tzinfo=TZ)
    end = start + timedelta(days=2)
    instances = crews.shift_instances(shifts, TZ, start, end)
    assert crews.hours(instances, start, end) == pytest.approx(6 + 8 + 8 + 8 + 2)  # the night before runs to 06:00, the last one past the end
    worked = [(start + timedelta(hours=7), start + timedelta(hours=8))]  # an hour on the first morning
    called = crews.shifts_called(instances, worked)
    assert called == [(start + timedelta(hours=6), start + timedelta(hours=14))]
    assert crews.hours(called, start, end) == 8


def test_a_line_standing_by_waits_for_the_latest_coming_shift_that_keeps_its_promises():
    # Minutes from midnight: shifts at 06:00 and 22:00 each day.
    starts = [360, 1320, 1800, 2760, 3240]
    windows = [(360, 840), (1320, 1800), (1800, 2280), (2760, 3240), (3240, 3720)]
    common = dict(shift_starts=starts, windows=windows, margin=720, lookahead=1440)
    relaxed = [crews.Queued(work=120, ready=0, due=5000)]
    # Work ready at midnight waits at most a day: the last shift starting by then is the one at 22:00.
    assert crews.hold_until(now=400, queue=relaxed, called=False, **common) == 1320
    # Work that comes later joins it: the hold is counted from the first queued work, not from now.
    pooled = relaxed + [crews.Queued(work=60, ready=900, due=5000)]
    assert crews.hold_until(now=1000, queue=pooled, called=False, **common) == 1320
    # Already called for the shift in progress: work at once.
    assert crews.hold_until(now=400, queue=relaxed, called=True, **common) is None
    # Due too soon for the night shift (ends 1440, due 2100 less 720): the morning shift is the latest.
    urgent = [crews.Queued(work=120, ready=0, due=2100)]
    assert crews.hold_until(now=100, queue=urgent, called=False, **common) == 360
    # No coming shift keeps it on time: start now.
    assert crews.hold_until(now=400, queue=urgent, called=False, **common) is None
    # Work that has waited its day already: start now.
    assert crews.hold_until(now=1500, queue=relaxed, called=False, **common) is None


def test_the_engine_keeps_a_held_line_off_until_its_hold():
    factory = Factory([one_line(shifts=[(0, 600)], restart=10)])
    tick = advance(
        factory=factory,
        plan=Plan([one_op(duration=60, hold=200)]),
        state=FactoryState.fresh(factory),
        until=600,
        seed=1,
    )
    assert [(r.start, r.end) for r in tick.ops] == [(210, 270)]
    assert [(i.state, i.start, i.end, i.reason) for i in tick.intervals][:3] == [
        ("standby", 0, 200, ""),
        ("idle", 200, 210, "restart"),
        ("running", 210, 270, ""),
    ]
