"""Standing a line by through a wait for its next operation's material or previous operation.

A line free before its next operation can start (the parts are not in yet, or the job's previous
operation is still on another line) would change over at once and then idle, drawing idle power, until
the operation can start. On a floor whose lines stand by, the planner instead holds the operation
(`PlannedOp.hold`) until the latest moment at which the line, restarting and changing over, is ready just
as the operation can start: it stands by meanwhile (no power). The restart draws idle power for the
restart time, but the line waiting on would have idled that time too (the changeover is the same either
way), so any time stood by is energy saved; the work starts when it would have. Plain functions over
minutes (the engine's clock) and working windows.
"""

from __future__ import annotations


def latest_start(windows: list[tuple[float, float]], ready: float, work: float) -> float | None:
    """The latest moment from which `work` minutes, done only inside the working windows (sorted, not
    overlapping), end by `ready`. None when the windows before `ready` cannot hold it."""
    left = work
    for a, b in reversed(windows):
        if a >= ready:
            continue
        end = min(b, ready)
        if end - a >= left:
            return end - left
        left -= end - a
    return None if left > 0 else ready


def working_minutes(windows: list[tuple[float, float]], start: float, end: float) -> float:
    """Minutes of the working windows within `[start, end)`."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in windows)


def wake_at(
    *,
    free: float,
    ready: float,
    restart: float,
    changeover: float,
    windows: list[tuple[float, float]],
) -> float | None:
    """When a line free from `free`, whose next operation can start at `ready`, should restart (the hold of
    that operation), or None to take it at once: the latest start of its restart and changeover that ends
    by `ready`, if the line would stand by for some working time before it."""
    if ready <= free:
        return None
    start = latest_start(windows, ready, restart + changeover)
    if start is None or start <= free or working_minutes(windows, free, start) <= 0:
        return None
    return start
