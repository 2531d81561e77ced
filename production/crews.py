"""Which shifts a line's crew works, and the planner's rule that calls crews from the plan.

Two crew rules, both over the factory's data (`Shift`, `Crew`: operators per line and shift):

- **fixed** (a floor that does not plan its crews, the fifo baseline): a line's crew works every shift of
  the line, whatever the line does in it.
- **called from the plan**: a line's crew is called for a shift only when the line works in it (runs,
  changes over, restarts, or stands on waiting); a crew called is paid the whole shift.

With crews called from the plan the planner decides when a line standing by starts again
(`hold_until`): a line already working this shift takes its work at once (its crew is paid anyway); a line
standing by waits for the start of the latest coming shift at which every queued job still ends `margin`
minutes before it is due, and no later than `lookahead` minutes after its first queued work could start
(its material there); if no coming shift does, it starts now. Waiting as long as the promises allow pools
the work of the arrivals meanwhile into one shift (one crew called instead of several); the bound keeps
the lead time from growing towards the promise. Plain functions over minutes (the engine's clock) and
datetimes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Line states in which a crew is on the line (a line down was working when it failed; standby and off are not).
STAFFED = ("running", "changeover", "idle", "stopped")


def shift_instances(shifts, tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Every shift of a line (`Shift` rows: weekday, start, end in factory time) that overlaps
    `[start, end)`, as `(start, end)` datetimes, in order. Each row is one crew's shift: touching shifts
    stay apart."""
    found = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        for shift in shifts:
            if shift.weekday != day.weekday():
                continue
            a = datetime.combine(day, shift.start, tzinfo=tz)
            b = datetime.combine(day if shift.end > shift.start else day + timedelta(days=1), shift.end, tzinfo=tz)
            if b > start and a < end:
                found.append((a, b))
        day += timedelta(days=1)
    return sorted(found)


def shifts_called(
    instances: list[tuple[datetime, datetime]], staffed: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The shifts in which the line was staffed for any time (its crew called for them)."""
    staffed = sorted(staffed)  # one line's stretches: they do not overlap, so their ends are sorted too
    ends = [e for _, e in staffed]
    called = []
    for a, b in instances:
        i = bisect_right(ends, a)  # the first stretch ending after the shift starts
        if i < len(staffed) and staffed[i][0] < b:
            called.append((a, b))
    return called


def hours(windows: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """The hours of the windows within `[start, end)`."""
    return sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in windows) / 3600


@dataclass(frozen=True)
class Queued:
    """One operation a line has queued, in its sequence: work minutes (changeover included), when its
    material is there, and when its job is due (None: no due date)."""

    work: float
    ready: float
    due: float | None


def finishes(start: float, queue: list[Queued], windows: list[tuple[float, float]]) -> list[float]:
    """When each queued operation would end, the line starting at `start` and working back to back inside
    its working windows (merged, in minutes)."""
    ends = []
    t = start
    for q in queue:
        t = max(t, q.ready)
        left = q.work
        for a, b in windows:
            if b <= t:
                continue
            t = max(t, a)
            step = min(left, b - t)
            t += step
            left -= step
            if left <= 0:
                break
        if left > 0:
            return [float("inf")] * len(queue)
        ends.append(t)
    return ends


def hold_until(
    *,
    now: float,
    queue: list[Queued],
    shift_starts: list[float],
    windows: list[tuple[float, float]],
    called: bool,
    margin: float,
    lookahead: float,
) -> float | None:
    """When a line standing by should start its queued work (see the module): the start of a coming
    shift, or None for now."""
    if called or not queue:
        return None
    # Bounded from when the work could first start, not from now: a hold taken again at every tick would
    # otherwise slide to the promise.
    limit = min(q.ready for q in queue) + lookahead
    for start in sorted(shift_starts, reverse=True):
        if start <= now:
            break
        if start > limit:
            continue
        ends = finishes(start, queue, windows)
        if all(q.due is None or end <= q.due - margin for q, end in zip(queue, ends)):
            return start
    return None
