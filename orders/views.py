"""The consumer portal: the catalog, the configurator, checkout, my orders, and an order that moves live."""

import json
import secrets

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cosmo.numbers import ALPHABET
from cosmo.roles import consumer_required, order_viewer_required
from orders.configuration import (
    delivery_quote,
    family_defaults,
    group_error_text,
    selection_evaluate,
)
from orders.models import (
    CANCELLABLE_STAGES,
    OptionGroup,
    Order,
    ProductFamily,
    SavedConfiguration,
    Stage,
)
from orders.picture import product_svg
from orders.services import LineRequest, OrderInvalid, order_place
from orders.timeline import orders_time_zones, orders_waiting_on


@consumer_required
def catalog(request):
    families = []
    for family in ProductFamily.objects.filter(active=True).prefetch_related("groups__options"):
        evaluation = selection_evaluate(family, family_defaults(family))
        families.append((family, product_svg(evaluation, family.name)))
    return render(request, "orders/catalog.html", {"families": families})


def selection_from_form(family: ProductFamily, data) -> dict:
    """The answers of each group in a submitted configurator form (empty answers are left out).

    A fix applied in one click arrives whole, as JSON in `selection`.
    """
    if data.get("selection"):
        try:
            selection = json.loads(data["selection"])
        except ValueError:
            selection = None
        if isinstance(selection, dict):
            return selection
    selection = {}
    for group in family.groups.all():
        if group.kind == OptionGroup.Kind.MULTI:
            values = data.getlist(group.code)
            if values:
                selection[group.code] = values
        else:
            value = data.get(group.code, "").strip()
            if value:
                selection[group.code] = value
    return selection


def quantity_from_form(data) -> int:
    try:
        return int(data.get("quantity", "1"))
    except ValueError:
        return 0


def configurator_context(family: ProductFamily, selection: dict, quantity: int = 1) -> dict:
    evaluation = selection_evaluate(family, selection)
    groups = []
    for group in family.groups.all():
        if group.kind == OptionGroup.Kind.NUMERIC:
            groups.append({"group": group, "numeric": evaluation.numeric.get(group.code)})
        else:
            states = [evaluation.options[o.code] for o in group.options.all() if o.code in evaluation.options]
            groups.append({"group": group, "options": states, "answered": any(s.chosen for s in states)})
    by_code = {group.code: group for group in family.groups.all()}
    errors = {e.group: group_error_text(e, by_code.get(e.group)) for e in evaluation.errors}
    # Names of groups and options, to say in words what blocks an option.
    names = {group.code: group.name for group in family.groups.all()}
    names.update({state.code: state.name for state in evaluation.options.values()})
    promised = delivery_quote(family, evaluation.selection, max(1, quantity)) if evaluation.valid else None
    return {
        "family": family,
        "evaluation": evaluation,
        "groups": groups,
        "errors": errors,
        "names": names,
        "picture": product_svg(evaluation, family.name),
        "selection_json": json.dumps(evaluation.as_dict()["selection"]),
        "fix_json": json.dumps(evaluation.fix.selection, default=str) if evaluation.fix else "",
        "promised": promised,
        "quantity": quantity,
        "total": evaluation.price * max(1, quantity),
    }


@consumer_required
@require_http_methods(["GET", "POST"])
def configure(request, family_code):
    """The configurator: every change re-renders options, messages, price and date (htmx); placing the
    order is the same form submitted with a delivery address."""
    family = get_object_or_404(ProductFamily.objects.prefetch_related("groups__options"), code=family_code, active=True)
    if request.method == "GET":
        saved = request.GET.get("c")
        if saved:
            selection = get_object_or_404(SavedConfiguration, code=saved, family=family).selection
        else:
            selection = family_defaults(family)
        context = configurator_context(family, selection)
        return render(request, "orders/configure.html", context)

    selection = selection_from_form(family, request.POST)
    quantity = quantity_from_form(request.POST)
    if request.POST.get("action") == "order":
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(family.code, selection, quantity)],
                delivery_address=request.POST.get("delivery_address", ""),
            )
        except OrderInvalid as invalid:
            context = configurator_context(family, selection, max(1, quantity))
            context["order_errors"] = invalid.errors
            context["delivery_address"] = request.POST.get("delivery_address", "")
            return render(request, "orders/configure.html", context)
        return redirect("orders:detail", number=order.number)
    context = configurator_context(family, selection, max(1, quantity))
    context["delivery_address"] = request.POST.get("delivery_address", "")
    template = "orders/configure.html#configurator" if request.htmx else "orders/configure.html"
    return render(request, template, context)


@consumer_required
@require_POST
def configuration_save(request, family_code):
    """Save the current configuration and answer with a link that reopens it."""
    family = get_object_or_404(ProductFamily.objects.prefetch_related("groups__options"), code=family_code, active=True)
    selection = selection_evaluate(family, selection_from_form(family, request.POST)).as_dict()["selection"]
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    SavedConfiguration.objects.create(code=code, family=family, selection=selection)
    link = request.build_absolute_uri(reverse("orders:shared", args=[code]))
    return render(request, "orders/configure.html#share", {"share_link": link})


@consumer_required
def configuration_shared(request, code):
    saved = get_object_or_404(SavedConfiguration.objects.select_related("family"), code=code)
    return redirect(f"{reverse('orders:configure', args=[saved.family.code])}?c={saved.code}")


@consumer_required
def my_orders(request):
    orders = list(Order.objects.visible_to(request.user).filter(customer=request.user))
    zones = orders_time_zones(orders)
    return render(request, "orders/my_orders.html", {"orders": [(order, zones[order.pk]) for order in orders]})


def _order_for(request, number):
    return get_object_or_404(
        Order.objects.visible_to(request.user).prefetch_related("lines__family", "timeline"), number=number
    )


@order_viewer_required
def order_detail(request, number):
    order = _order_for(request, number)
    template = "orders/order_detail.html#status" if request.htmx else "orders/order_detail.html"
    # What the factory is doing on the order now: the last operation the simulated floor started.
    making = None
    if order.stage == Stage.IN_PRODUCTION:
        making = order.timeline.filter(event="operation_started").order_by("at", "pk").last()
    # Every time on the page is the factory's, as are the times written in the timeline's texts.
    time_zone = orders_time_zones([order])[order.pk]
    context = {"order": order, "cancellable": CANCELLABLE_STAGES, "making": making, "time_zone": time_zone,
               "waiting_on": orders_waiting_on([order]).get(order.pk, []) if order.stage == Stage.MATERIALS else []}
    with timezone.override(time_zone):
        return render(request, template, context)
