"""The planner's pages: the board of orders by stage, and per factory the Gantt chart, the job list with
its filters and reasons, the key figures, and the actions (reschedule now, pin, priority, maintenance)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cosmo import clock
from cosmo.roles import planner_required
from orders.models import Order, Stage
from production import planning
from production.explain import job_states, waiting_state
from production.materials import jobs_waiting
from production.gantt import DEFAULT_HORIZON, gantt
from production.run_report import run_report, solver_words
from production.kpis import schedule_kpis
from production.models import Breakdown, Factory, Job, JobMove, Line, LineCapability, Operation, ScheduleRun
from production.waiting import waiting_jobs_hit
from production.scheduling import aware, factory_problem
from production.oee import CAUSES, factory_oee
from production.shopfloor import floor_now, orders_at_risk


@planner_required
def board(request):
    orders = Order.objects.exclude(stage__in=[Stage.SHIPPED, Stage.CANCELLED]).order_by("placed_at")
    by_stage = [(label, [o for o in orders if o.stage == value]) for value, label in Stage.choices]
    lines = []
    for line in Line.objects.select_related("factory"):
        operations = (
            Operation.objects.filter(line=line).select_related("job__order_line__family").order_by("planned_start")[:200]
        )
        lines.append((line, operations))
    template = "production/board.html#board" if request.htmx else "production/board.html"
    return render(request, template, {"by_stage": by_stage, "lines": lines, "factories": Factory.objects.all()})


def typed_local(value, factory: Factory):
    """A date-time typed by a planner is the factory's local time; the form field read it in the server's."""
    return aware(timezone.make_naive(value), factory)


class MaintenanceForm(forms.Form):
    line = forms.ModelChoiceField(queryset=Line.objects.none(), to_field_name="code", label=_("Line"))
    start = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=120, required=False)

    def __init__(self, factory, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.factory = factory
        self.fields["line"].queryset = Line.objects.filter(factory=factory)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            data["start"], data["end"] = typed_local(start, self.factory), typed_local(end, self.factory)
            if data["end"] <= data["start"]:
                self.add_error("end", _("The maintenance window ends before it starts."))
        return data


def _plan(factory: Factory, request) -> dict:
    """Everything the planner page shows, from one build of the factory's problem."""
    fp = factory_problem(factory)
    schedule = planning.schedule_replanned(fp)
    states = job_states(fp, schedule)
    now = clock.now()
    filters = {
        "late": request.GET.get("late") == "1",
        "material": request.GET.get("material") == "1",
        "line": request.GET.get("line", ""),
    }
    capable: dict[int, list[Line]] = {}
    for capability in LineCapability.objects.filter(line__factory=factory).select_related("line").order_by("line__code"):
        capable.setdefault(capability.family_id, []).append(capability.line)
    pinned = dict(
        Operation.objects.filter(job__factory=factory, pinned_line__isnull=False, started_at__isnull=True)
        .values_list("job_id", "pinned_line__name")
    )
    # The last move that brought each job here, said on its row (the card lists every move in and out).
    moved = {m.job_id: m for m in JobMove.objects.filter(to_factory=factory).select_related("from_factory").order_by("at", "pk")}
    rows = []
    for j, job in enumerate(fp.jobs):
        state = states[job.pk]
        placements = [schedule.placements[(j, o)] for o in range(len(fp.operations[j]))]
        line_codes = sorted({fp.lines[p.line].code for p in placements})
        waiting = job.release_date is not None and job.release_date > now
        if filters["late"] and not (state.late or state.tight):
            continue
        if filters["material"] and not waiting:
            continue
        if filters["line"] and filters["line"] not in line_codes:
            continue
        rows.append(
            {
                "job": job,
                "order": job.order_line.order,
                "family": job.order_line.family,
                "variant": fp.problem.jobs[j].variant,
                "end": fp.at(placements[-1].end),
                "lines": line_codes,
                "waiting": waiting,
                "state": state,
                "capable": capable.get(job.order_line.family_id, []),
                "on_line": fp.lines[placements[-1].line].code,
                "pinned": pinned.get(job.pk),
                "moved": moved.get(job.pk),
            }
        )
    # Jobs whose parts are still on their way are not on the lines yet; the list shows them and why.
    if not filters["line"]:
        tz = ZoneInfo(factory.timezone)
        for job in jobs_waiting(factory):
            state = waiting_state(job, tz)
            if filters["late"] and not (state.late or state.tight):
                continue
            rows.append(
                {
                    "job": job,
                    "order": job.order_line.order,
                    "family": job.order_line.family,
                    "variant": "",
                    "end": None,
                    "lines": [],
                    "waiting": True,
                    "state": state,
                    "capable": [],
                    "pinned": None,
                    "moved": moved.get(job.pk),
                }
            )
    rows.sort(key=lambda r: (not r["state"].late, not r["state"].tight, r["end"] is None, r["end"] or now))
    late_ids = {pk for pk, s in states.items() if s.late}
    return {
        "factory": factory,
        "kpis": schedule_kpis(fp, schedule) if fp.jobs else None,
        "chart": gantt(fp, late_jobs=late_ids, horizon=request.GET.get("horizon", DEFAULT_HORIZON)),
        "rows": rows,
        "filters": filters,
        "lines": fp.lines,
        **_run_context(ScheduleRun.objects.filter(factory=factory).first()),
        "runs": ScheduleRun.objects.filter(factory=factory)[:5],
        "maintenance_form": MaintenanceForm(factory),
        "priorities": list(planning.PRIORITIES),
        "now": now,
        "moves": JobMove.objects.filter(Q(from_factory=factory) | Q(to_factory=factory))
        .select_related("job__order_line__order", "from_factory", "to_factory", "by")[:20],
    }


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _factory(code: str) -> Factory:
    return get_object_or_404(Factory, code=code)


def _render(request, factory: Factory, template: str, context: dict) -> HttpResponse:
    """Render in the factory's time zone: a planner reads the factory's local times."""
    with timezone.override(ZoneInfo(factory.timezone)):
        return render(request, template, context)


@planner_required
def plan(request, code):
    factory = _factory(code)
    part = request.GET.get("part") if request.htmx else None
    if part == "run":
        run = ScheduleRun.objects.filter(factory=factory).first()
        return _render(request, factory, "production/plan.html#run", {"factory": factory, **_run_context(run)})
    template = "production/plan.html" + {"gantt": "#gantt", "jobs": "#jobs", "kpis": "#kpis"}.get(part, "")
    return _render(request, factory, template, _plan(factory, request))


def _run_context(run) -> dict:
    if run is None:
        return {"run": None}
    return {"run": run, "report": run_report(run) if run.status == ScheduleRun.Status.DONE else None,
            "solver": solver_words(run.solver_status) if run.solver_status else ""}


@planner_required
@require_POST
def reschedule(request, code):
    factory = _factory(code)
    run = planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.ON_DEMAND, user=request.user)
    return _render(request, factory, "production/plan.html#run", {"factory": factory, **_run_context(run)})


@planner_required
def run_status(request, code, number):
    factory = _factory(code)
    run = get_object_or_404(ScheduleRun, factory=factory, number=number)
    response = _render(request, factory, "production/plan.html#run", {"factory": factory, **_run_context(run)})
    if not run.is_active and request.GET.get("polling") == "1":
        response["HX-Trigger"] = "schedule-changed"
    return response


def _job(factory: Factory, number: str) -> Job:
    return get_object_or_404(Job.objects.select_related("order_line__family", "order_line__order", "factory"), factory=factory, number=number)


def _message(request, text: str, error: bool = False, changed: bool = False) -> HttpResponse:
    """The answer to a row's action, shown beside the row; a change redraws the chart, the figures and the
    run (the job list stays, so the answer stays readable, until the optimization it asked for is done)."""
    response = render(request, "production/plan.html#message", {"text": text, "error": error})
    if changed:
        response["HX-Trigger"] = "plan-changed"
    return response


@planner_required
@require_POST
def pin(request, code, number):
    factory = _factory(code)
    job = _job(factory, number)
    line = Line.objects.filter(factory=factory, code=request.POST.get("line", "")).first()
    if line is None:
        return _message(request, _("Choose a line of this factory to pin the job to."), error=True)
    try:
        planning.job_pin(job=job, line=line, user=request.user)
    except planning.PlanningError as exc:
        return _message(request, str(exc), error=True)
    return _message(request, _("Pinned to %(line)s; the schedule is being optimized around it.") % {"line": line.name},
                    changed=True)


@planner_required
@require_POST
def unpin(request, code, number):
    factory = _factory(code)
    job = _job(factory, number)
    if not planning.job_unpin(job=job, user=request.user):
        return _message(request, _("Job %(job)s is not pinned.") % {"job": job.number}, error=True)
    return _message(request, _("Unpinned: any capable line may take it again."), changed=True)


@planner_required
@require_POST
def prioritize(request, code, number):
    factory = _factory(code)
    job = _job(factory, number)
    before = job.priority
    priority = _int(request.POST.get("priority"), 0)
    try:
        planning.job_prioritize(job=job, priority=priority, user=request.user)
    except planning.PlanningError as exc:
        return _message(request, str(exc), error=True)
    if priority == before:
        text = _("Priority stays %(priority)s.") % {"priority": priority}
    elif priority > before:
        text = _("Priority raised from %(before)s to %(priority)s; the schedule is being optimized.")
    else:
        text = _("Priority lowered from %(before)s to %(priority)s; the schedule is being optimized.")
    return _message(request, text % {"before": before, "priority": priority}, changed=True)


@planner_required
@require_POST
def maintenance(request, code):
    factory = _factory(code)
    form = MaintenanceForm(factory, request.POST)
    context = {"factory": factory, "maintenance_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("apply") == "1":
                window = planning.maintenance_apply(line=data["line"], start=data["start"], end=data["end"], reason=data["reason"], user=request.user)
                context = {"factory": factory, "maintenance_form": MaintenanceForm(factory), "applied": window}
                response = _render(request, factory, "production/plan.html#maintenance", context)
                response["HX-Trigger"] = "plan-changed"
                return response
            context["preview"] = planning.maintenance_preview(line=data["line"], start=data["start"], end=data["end"])
        except planning.PlanningError as exc:
            form.add_error(None, str(exc))
    return _render(request, factory, "production/plan.html#maintenance", context)


class WhatIfForm(forms.Form):
    line = forms.ModelChoiceField(queryset=Line.objects.none(), label=_("Line"), to_field_name="code")
    start = forms.DateTimeField(label=_("Down from"))
    end = forms.DateTimeField(label=_("until"))

    def __init__(self, *args, factory: Factory, **kwargs):
        super().__init__(*args, **kwargs)
        self.factory = factory
        self.fields["line"].queryset = Line.objects.filter(factory=factory)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            data["start"], data["end"] = typed_local(data["start"], self.factory), typed_local(data["end"], self.factory)
            if data["end"] <= data["start"]:
                raise forms.ValidationError(_("The outage must end after it starts."))
        return data


CHART_WIDTH, CHART_HEIGHT = 480, 120
LINE_COLOURS = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#4a5568"]


def _chart(lines) -> list[dict]:
    """SVG polylines of utilization per line (server-rendered, no script)."""
    series = []
    for k, now in enumerate(lines):
        values = now.utilization
        if not values:
            continue
        step = CHART_WIDTH / max(1, len(values) - 1)
        points = " ".join(
            f"{i * step:.1f},{CHART_HEIGHT - (v or 0) * CHART_HEIGHT:.1f}" for i, v in enumerate(values)
        )
        series.append({"line": now.line, "points": points, "colour": LINE_COLOURS[k % len(LINE_COLOURS)]})
    return series


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _oee_row(name, o) -> dict:
    """One row of the floor page's OEE table: the ratios in percent and the hours lost per cause."""
    return {
        "name": name,
        "availability": _percent(o.availability),
        "performance": _percent(o.performance),
        "quality": _percent(o.quality),
        "oee": _percent(o.oee),
        "losses": [f"{o.losses[c] / 60:.1f}" for c in CAUSES],
    }


@planner_required
def floor(request, code):
    """The live floor: line states, utilization over the last two days, breakdowns, and the orders at risk
    (what-if), optionally with a line down for a while."""
    factory = _factory(code)
    until, lines = floor_now(factory=factory)
    form = WhatIfForm(request.GET or None, factory=factory)
    outage = waiting = None
    if request.GET and form.is_valid():
        outage = (form.cleaned_data["line"], form.cleaned_data["start"], form.cleaned_data["end"])
        if not request.htmx:
            waiting = waiting_jobs_hit(line=outage[0], start=outage[1], end=outage[2], now=clock.now())
    oee_end = until or clock.now()
    oee_total, oee_lines = factory_oee(factory, oee_end - timedelta(hours=24), oee_end)
    oee_week = factory_oee(factory, oee_end - timedelta(days=7), oee_end)[0]
    context = {
        "factory": factory,
        "until": until,
        "lines": lines,
        "oee": [_oee_row(_("Factory"), oee_total)] + [_oee_row(now.line.name, o) for now, o in zip(lines, oee_lines)],
        "oee_week": _oee_row(_("Factory, last 7 days"), oee_week),
        "oee_causes": CAUSES,
        "chart": _chart(lines),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        # The what-if runs when the page is opened or asked; the live part polls without it.
        "risks": [] if request.htmx else orders_at_risk(factory=factory, outage=outage),
        "outage": outage,
        "waiting": waiting,
        "form": form,
        "breakdowns": Breakdown.objects.filter(line__factory=factory).select_related("line")[:20],
    }
    template = "production/floor.html#live" if request.htmx else "production/floor.html"
    return _render(request, factory, template, context)
