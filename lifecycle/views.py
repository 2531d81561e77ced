"""The page actions that belong to the lifecycle (they span production and suppliers, so they are wired
here, above the apps): a consumer cancelling an order, a planner moving a job to another factory."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cosmo.roles import consumer_required, planner_required
from lifecycle.cancel import NotCancellable, order_cancel
from lifecycle.reroute import NotMovable, job_move
from orders.models import Order
from production.models import Factory, Job, JobMove
from production.routing import job_candidates


@consumer_required
@require_POST
def order_cancel_view(request, number):
    order = get_object_or_404(Order.objects.visible_to(request.user), number=number)
    try:
        order_cancel(order.pk, actor=request.user)
    except NotCancellable as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Your order was cancelled."))
    return redirect("orders:detail", number=order.number)


@planner_required
@require_http_methods(["GET", "POST"])
def job_move_view(request, number):
    """A planner moves a job that has not started to another factory: GET lists the capable factories with
    their promise and cost (beside the row), POST moves it there."""
    job = get_object_or_404(
        Job.objects.select_related("factory", "order_line__family", "order_line__order__region")
        .prefetch_related("operations", "order_line__requirements"),
        number=number,
    )
    if request.method == "POST":
        to_factory = Factory.objects.filter(code=request.POST.get("factory", "")).first()
        if to_factory is None:
            return _answer(request, _("Choose one of the factories offered."), error=True)
        try:
            move = job_move(job_id=job.pk, to_factory_id=to_factory.pk, reason=JobMove.Reason.PLANNER,
                            actor=request.user, note=request.POST.get("note", ""))
        except NotMovable as refused:
            return _answer(request, str(refused), error=True)
        text = _("Moved to %(factory)s; it is made there once its parts are in.") % {"factory": move.to_factory.name}
        if move.promised_after:
            text += " " + _("Promised there: %(date)s.") % {"date": move.promised_after.isoformat()}
        return _answer(request, text, changed=True)
    here, others = job_candidates(job)
    return render(request, "production/move.html", {"job": job, "here": here, "others": others})


def _answer(request, text: str, error: bool = False, changed: bool = False):
    response = render(request, "production/plan.html#message", {"text": text, "error": error})
    if changed:
        response["HX-Trigger"] = "plan-changed"
    return response
