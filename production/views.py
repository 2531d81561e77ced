"""The planner's board: orders in each stage, and the jobs on each line."""

from django.shortcuts import render

from cosmo.roles import planner_required
from orders.models import Order, Stage
from production.models import Line, Operation


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
    return render(request, template, {"by_stage": by_stage, "lines": lines})
