"""The Gantt chart of a factory as plain shapes for a server-rendered SVG: lines as rows, operations
coloured by family, changeovers (hatched) before the operation that needs them, shift breaks (grey) and
maintenance windows (red), late jobs outlined, the factory's now as a line, a tooltip on each bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from production.models import MaintenanceWindow, Operation, SetupGroup
from production.scheduling import FactoryProblem, variant_key

ZOOMS = (2, 4, 8, 16, 32, 64)  # pixels per hour
DEFAULT_ZOOM = 8
ROW = 34
BAR = 24
LABEL = 150
AXIS = 34
PALETTE = ["#2f7ed8", "#e4812f", "#3a9a5b", "#8e5cc4", "#c94f7c", "#6b8e23", "#b8860b", "#20a3a8"]


@dataclass(frozen=True)
class Shape:
    x: float
    y: float
    width: float
    height: float
    kind: str  # operation, changeover, break, maintenance
    fill: str = ""
    title: str = ""
    late: bool = False
    job: str = ""


def family_colours(codes) -> dict[str, str]:
    return {code: PALETTE[k % len(PALETTE)] for k, code in enumerate(sorted(set(codes)))}


def _configuration_text(configuration: dict) -> str:
    parts = []
    for group, value in configuration.items():
        if isinstance(value, list):
            value = "+".join(value) if value else "—"
        parts.append(f"{group} {value}")
    return ", ".join(parts)


def gantt(fp: FactoryProblem, *, late_jobs: set[int], zoom: int = DEFAULT_ZOOM, days: int | None = None) -> dict:
    """The chart's shapes and axis for the template. It starts half a day before now and runs past the
    last planned operation (at most `days` days)."""
    zoom = zoom if zoom in ZOOMS else DEFAULT_ZOOM
    tz = ZoneInfo(fp.factory.timezone)
    start = fp.origin - timedelta(hours=12)
    ops = list(
        Operation.objects.filter(job__factory=fp.factory, line__isnull=False, planned_end__gt=start)
        .exclude(job__status="cancelled")
        .select_related("job__order_line__family", "job__order_line__order", "line")
        .order_by("line", "planned_start")
    )
    last = max((op.planned_end for op in ops), default=fp.origin)
    end = max(last, fp.origin + timedelta(days=2)) + timedelta(hours=12)
    end = min(end, fp.origin + timedelta(days=days or 30))
    hours = (end - start).total_seconds() / 3600
    width = LABEL + hours * zoom

    def x(moment: datetime) -> float:
        return LABEL + (moment - start).total_seconds() / 3600 * zoom

    rows = {line.pk: k for k, line in enumerate(fp.lines)}
    colours = family_colours(op.job.order_line.family.code for op in ops)
    setup_groups = dict(SetupGroup.objects.values_list("family_id", "group_code"))
    shapes: list[Shape] = []

    def top(row: int, height: int) -> float:
        return AXIS + row * ROW + (ROW - height) / 2

    # Shift breaks and maintenance first, so that bars are drawn over them.
    for li, windows in enumerate(fp.windows):
        if windows is None:
            continue
        edges = [(-10**9, 0)] + list(windows) + [(fp.horizon, 10**9)]
        for (_start, a), (b, _end) in zip(edges, edges[1:]):
            lo, hi = max(fp.at(a) if a > -10**9 else start, start), min(fp.at(b) if b < 10**9 else end, end)
            if hi > lo:
                shapes.append(Shape(x(lo), top(li, ROW - 2), x(hi) - x(lo), ROW - 2, "break", title=_("No shift")))
    for window in MaintenanceWindow.objects.filter(line__factory=fp.factory, end__gt=start, start__lt=end):
        lo, hi = max(window.start, start), min(window.end, end)
        shapes.append(
            Shape(x(lo), top(rows[window.line_id], ROW - 2), x(hi) - x(lo), ROW - 2, "maintenance",
                  title=_("Maintenance: %(reason)s") % {"reason": window.reason or "—"})
        )
    previous: dict[int, tuple[Operation, str]] = {}
    for op in ops:
        if op.planned_start >= end:
            continue
        line_row = rows.get(op.line_id)
        if line_row is None:
            continue
        order_line = op.job.order_line
        variant = variant_key(order_line.family.code, order_line.configuration, setup_groups.get(order_line.family_id))
        before = previous.get(op.line_id)
        if before is not None and fp.changeovers is not None:
            minutes = fp.changeovers.minutes(op.line_id, before[1], variant)
            if minutes:
                a = before[0].planned_end
                b = min(a + timedelta(minutes=minutes), op.planned_start)
                shapes.append(
                    Shape(x(a), top(line_row, BAR), max(1.0, x(b) - x(a)), BAR, "changeover",
                          title=_("Changeover %(before)s → %(after)s: %(minutes)d min")
                          % {"before": before[1], "after": variant, "minutes": minutes})
                )
        previous[op.line_id] = (op, variant)
        local_start, local_end = op.planned_start.astimezone(tz), op.planned_end.astimezone(tz)
        title = "\n".join(
            [
                _("Order %(order)s · job %(job)s · %(operation)s")
                % {"order": order_line.order.number, "job": op.job.number, "operation": op.name},
                f"{order_line.family.name}: {_configuration_text(order_line.configuration)}",
                f"{local_start:%Y-%m-%d %H:%M} – {local_end:%Y-%m-%d %H:%M} · {op.line.name}",
            ]
            + ([_("Late")] if op.job_id in late_jobs else [])
        )
        shapes.append(
            Shape(x(op.planned_start), top(line_row, BAR), max(2.0, x(op.planned_end) - x(op.planned_start)), BAR,
                  "operation", colours[order_line.family.code], title, op.job_id in late_jobs, op.job.number)
        )
    ticks = []
    day = start.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    step = 24 if zoom < 8 else (6 if zoom < 32 else 1)
    moment = day
    while moment < end:
        if moment >= start:
            label = f"{moment:%a %d %b}" if moment.hour == 0 else f"{moment:%H:%M}"
            ticks.append({"x": x(moment), "label": label, "day": moment.hour == 0})
        moment += timedelta(hours=step)
    return {
        "width": round(width),
        "height": AXIS + ROW * len(fp.lines) + 4,
        "label_width": LABEL,
        "rows": [{"y": AXIS + k * ROW, "mid": AXIS + k * ROW + ROW / 2 + 4, "line": line} for k, line in enumerate(fp.lines)],
        "shapes": shapes,
        "ticks": ticks,
        "now": x(fp.origin),
        "zoom": zoom,
        "zoom_in": next((z for z in ZOOMS if z > zoom), None),
        "zoom_out": next((z for z in reversed(ZOOMS) if z < zoom), None),
        "legend": sorted(colours.items()),
    }
