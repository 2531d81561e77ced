"""The Gantt chart of a factory as plain shapes for a server-rendered SVG: lines as rows, operations
coloured by family, changeovers (hatched) before the operation that needs them, shift breaks (grey) and
maintenance windows (red), late jobs outlined, pinned operations marked, the factory's now as a line, a
tooltip on each bar in the catalog's words.

A horizon (a day, a week, a month from a little before now) is drawn on a fixed drawing width that the
page scales to its card (`viewBox`), so the chart fills its space at any horizon; the axis has two rows,
days above and hours (or weekdays) below, so labels never overlap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from orders.models import Option, OptionGroup
from production.models import MaintenanceWindow, Operation, SetupGroup
from production.scheduling import FactoryProblem, variant_key

# horizon → (hours shown, hours before now, hours between minor ticks, label every n minor ticks)
HORIZONS = {"day": (30, 4, 1, 1), "week": (7 * 24, 12, 6, 1), "month": (31 * 24, 24, 24, 0)}
DEFAULT_HORIZON = "week"
DRAWING = 1200  # the drawing's width in SVG units; the page scales it to the card
ROW = 34
BAR = 24
LABEL = 110
AXIS = 40
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
    pinned: bool = False


# A bold 11-unit label is at most about 7.5 drawing units per character wide; it starts 3 units into its
# slot and keeps 4 units clear of the next one.
def _label_fits(text: str, slot: float) -> bool:
    return 3 + 7.5 * len(text) + 4 <= slot


def family_colours(codes) -> dict[str, str]:
    return {code: PALETTE[k % len(PALETTE)] for k, code in enumerate(sorted(set(codes)))}


def catalog_names(family_ids) -> dict:
    """(family id, group code) → group name and (family id, option code) → option name."""
    names = {}
    for family_id, code, name in OptionGroup.objects.filter(family_id__in=set(family_ids)).values_list(
        "family_id", "code", "name"
    ):
        names[(family_id, code)] = name
    for family_id, code, name in Option.objects.filter(group__family_id__in=set(family_ids)).values_list(
        "group__family_id", "code", "name"
    ):
        names[(family_id, code)] = name
    return names


def configuration_text(family_id: int, configuration: dict, names: dict) -> str:
    """The configuration in the catalog's words: "Front panel: Arctic white, Wi-Fi: yes"."""
    parts = []
    for group, value in configuration.items():
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(str(names.get((family_id, str(v)), v)) for v in values) if values else "—"
        parts.append(f"{names.get((family_id, group), group)}: {shown}")
    return "; ".join(parts)


def gantt(fp: FactoryProblem, *, late_jobs: set[int], horizon: str = DEFAULT_HORIZON) -> dict:
    """The chart's shapes and axis for the template, over the horizon (day, week or month)."""
    horizon = horizon if horizon in HORIZONS else DEFAULT_HORIZON
    span, before_now, minor, label_every = HORIZONS[horizon]
    tz = ZoneInfo(fp.factory.timezone)
    start = fp.origin - timedelta(hours=before_now)
    end = start + timedelta(hours=span)
    ops = list(
        Operation.objects.filter(job__factory=fp.factory, line__isnull=False, planned_end__gt=start)
        .exclude(job__status="cancelled")
        .select_related("job__order_line__family", "job__order_line__order", "line", "pinned_line")
        .order_by("line", "planned_start")
    )
    zoom = (DRAWING - LABEL) / span  # units per hour
    width = DRAWING
    names = catalog_names({op.job.order_line.family_id for op in ops})

    def x(moment: datetime) -> float:
        return LABEL + max(0.0, min(span, (moment - start).total_seconds() / 3600)) * zoom

    rows = {line.pk: k for k, line in enumerate(fp.lines)}
    colours = family_colours(op.job.order_line.family.code for op in ops)
    order_line_family_names = {op.job.order_line.family.code: op.job.order_line.family.name for op in ops}
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
                f"{order_line.family.name}: "
                f"{configuration_text(order_line.family_id, order_line.configuration, names)}",
                f"{local_start:%Y-%m-%d %H:%M} – {local_end:%Y-%m-%d %H:%M} {local_start.tzname()} · {op.line.name}",
            ]
            + ([_("Pinned to %(line)s") % {"line": op.pinned_line.name}] if op.pinned_line_id else [])
            + ([_("Late")] if op.job_id in late_jobs else [])
        )
        shapes.append(
            Shape(x(op.planned_start), top(line_row, BAR), max(2.0, x(op.planned_end) - x(op.planned_start)), BAR,
                  "operation", colours[order_line.family.code], title, op.job_id in late_jobs, op.job.number,
                  pinned=op.pinned_line_id is not None)
        )
    # Two axis rows: each day's name above; below, the minor ticks (every hour for a day, every 6 hours
    # for a week, unlabelled for a month, whose days are the labels).
    days, ticks = [], []
    moment = start.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    while moment < end:
        lo, hi = max(moment, start), min(moment + timedelta(days=1), end)
        # The longest label that fits the day's slot (a partial first or last day has a narrow one).
        fitting = [text for text in (f"{moment:%a %d %b}", f"{moment:%d}") if _label_fits(text, x(hi) - x(lo))]
        if fitting:
            days.append({"x": x(lo) + 3, "label": fitting[0], "line": x(moment)})
        moment += timedelta(days=1)
    moment = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    k = 0
    while moment < end:
        if moment >= start and moment.hour % minor == 0:
            label = f"{moment:%H}" if label_every and k % label_every == 0 else ""
            ticks.append({"x": x(moment), "label": label, "day": moment.hour == 0})
            k += 1
        moment += timedelta(hours=1)
    return {
        "width": round(width),
        "height": AXIS + ROW * len(fp.lines) + 4,
        "label_width": LABEL,
        "rows": [{"y": AXIS + k * ROW, "mid": AXIS + k * ROW + ROW / 2 + 4, "line": line} for k, line in enumerate(fp.lines)],
        "shapes": shapes,
        "ticks": ticks,
        "days": days,
        "now": x(fp.origin),
        "horizon": horizon,
        "horizons": [(key, {"day": _("Day"), "week": _("Week"), "month": _("Month")}[key]) for key in HORIZONS],
        "zone": tz.key,
        "legend": sorted((order_line_family_names.get(code, code), colour) for code, colour in colours.items()),
    }
