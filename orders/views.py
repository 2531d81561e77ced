"""The consumer portal: the catalog, the configurator, checkout, my orders, and an order that moves live."""

import json
import secrets

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cosmo.hostile import InputRefused, json_load
from cosmo.numbers import ALPHABET
from cosmo.roles import consumer_required, order_viewer_required
from cosmo.security import OrderThrottle, page_throttled
from orders.configuration import (
    answer_text,
    change_text,
    configuration_rows,
    delivery_promise,
    family_defaults,
    family_names,
    group_error_text,
    max_quantity,
    quantity_error,
    selection_choose,
    selection_evaluate,
    selection_size_problem,
    selection_statuses,
)
from orders.configurator import ChooseError
from orders.models import (
    CANCELLABLE_STAGES,
    OptionGroup,
    Order,
    ProductFamily,
    Region,
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


def _json(data, key, kind):
    try:
        value = json_load(data.get(key) or "null")
    except (ValueError, InputRefused):
        return None
    return value if isinstance(value, kind) else None


def selection_from_form(family: ProductFamily, data) -> dict:
    """The answers of a submitted configurator form (empty answers are left out).

    A fix or an undo arrives whole, as JSON in `selection`; otherwise the page's `current` selection, or
    (without it, e.g. a form posted by hand) the groups' own fields.
    """
    for key in ("selection", "current"):
        selection = _json(data, key, dict)
        if selection is not None and not selection_size_problem(selection):
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


def chosen_from_form(data) -> list:
    """The groups the consumer answered, oldest first."""
    chosen = _json(data, "chosen", list) or []
    return [code for code in chosen if isinstance(code, str)]


def quantity_from_form(data) -> int:
    try:
        return int(data.get("quantity", "1"))
    except ValueError:
        return 0


def _moved_last(chosen: list, group: str) -> list:
    return [code for code in chosen if code != group] + [group]


def apply_choice(family: ProductFamily, data, selection: dict, chosen: list):
    """What one click or one typed number does: the new selection, the new order of choices, and a
    summary of what changed (None when nothing else changed)."""
    code = data.get("choose", "")
    groups = {group.code: group for group in family.groups.all()}
    option_group = {o.code: g for g in groups.values() for o in g.options.all()}
    if code in groups:  # a numeric group typed, or the "None" of an optional group
        group = groups[code]
        raw = data.get(code, "").strip()
        selection = dict(selection)
        if not raw:
            selection.pop(code, None)
            return selection, _moved_last(chosen, code), None
        if group.kind == OptionGroup.Kind.NUMERIC:
            try:
                choice = selection_choose(family, selection, code, chosen, value=raw)
            except ChooseError:  # out of range, off its step, not a number: the engine explains, with a fix
                selection[code] = raw
                return selection, chosen, None
            return choice.selection or selection, list(choice.chosen), choice
        return selection, chosen, None
    group = option_group.get(code)
    if group is None:
        return selection, chosen, None
    if group.kind == OptionGroup.Kind.MULTI and code not in data.getlist(group.code):
        selection = dict(selection)  # unticked
        kept = [c for c in selection.get(group.code) or [] if c != code]
        selection[group.code] = kept
        return selection, _moved_last(chosen, group.code), None
    choice = selection_choose(family, selection, code, chosen)
    if choice.selection is None:
        return selection, chosen, choice
    return choice.selection, list(choice.chosen), choice


def configurator_context(family: ProductFamily, selection: dict, quantity: int = 1, chosen=None, choice=None,
                         undo=None, region: str = "") -> dict:
    chosen = chosen or []
    regions = list(Region.objects.all())
    region_row = next((r for r in regions if r.code == region), None) or next(
        (r for r in regions if r.is_default), regions[0] if regions else None
    )
    evaluation = selection_evaluate(family, selection)
    names = family_names(family)
    # what each option would change, from the answers that stand (a malformed answer has its own fix)
    accepted, standing = selection, evaluation
    if evaluation.errors:
        accepted = evaluation.as_dict()["selection"]
        standing = selection_evaluate(family, accepted)
    statuses = selection_statuses(family, accepted, chosen, standing) if not standing.broken else {}
    by_code = {group.code: group for group in family.groups.all()}
    option_group = {state.code: state.group for state in evaluation.options.values()}
    # one message per broken rule, beside the first group it involves, naming the others
    conflicts: dict = {}
    for rule in evaluation.broken:
        involved = list(dict.fromkeys(([rule.group] if rule.group else []) + [option_group[o] for o in rule.options if o in option_group]))
        where = involved[0] if involved else next(iter(by_code), "")
        conflicts.setdefault(where, []).append(
            {"message": rule.message, "groups": [by_code[g].name for g in involved if g in by_code]}
        )
    overall = selection_evaluate(family, {}).numeric
    groups = []
    for group in family.groups.all():
        item = {"group": group, "conflicts": conflicts.get(group.code, [])}
        if group.kind == OptionGroup.Kind.NUMERIC:
            item["numeric"] = evaluation.numeric.get(group.code)
            item["possible"] = overall.get(group.code)
        else:
            rows = []
            for o in group.options.all():
                state = evaluation.options.get(o.code)
                if state is None:
                    continue
                status = statuses.get(o.code)
                rows.append({
                    "state": state,
                    "status": status.status if status else ("fits" if state.available else "fits_with_changes"),
                    "changes": [change_text(c, family, names) for c in status.changes] if status else [],
                    "messages": status.messages if status else (),
                })
            item["options"] = rows
            item["answered"] = any(row["state"].chosen for row in rows)
        groups.append(item)
    errors = {e.group: group_error_text(e, by_code.get(e.group)) for e in evaluation.errors}
    route, no_date = (None, "")
    if evaluation.valid:
        route, no_date = delivery_promise(family, evaluation.selection, quantity, region_row)
    elif quantity_error(quantity):
        no_date = quantity_error(quantity)
    said = None
    if choice is not None:
        what = names.get(choice.option) if choice.option else f"{names.get(choice.group)}: {answer_text(choice.value, by_code.get(choice.group), names)}"
        said = {
            "chosen": what,
            "impossible": choice.status == "impossible",
            "messages": choice.messages,
            "changes": [change_text(c, family, names) for c in choice.changes],
        }
    fix_changes = [change_text(c, family, names) for c in evaluation.fix.changes] if evaluation.fix else []
    current = evaluation.as_dict()["selection"]
    return {
        "family": family,
        "evaluation": evaluation,
        "groups": groups,
        "errors": errors,
        "names": names,
        "missing_names": [names.get(code, code) for code in evaluation.missing],
        "raw_values": {code: selection.get(code) for code in errors},
        "picture": product_svg(evaluation, family.name),
        "current_json": json.dumps(current, default=str),
        "chosen_json": json.dumps(chosen),
        "undo_json": json.dumps(undo, default=str) if undo else "",
        "said": said,
        "fix_json": json.dumps(evaluation.fix.selection, default=str) if evaluation.fix else "",
        "fix_changes": fix_changes,
        "promised": route.date if route else None,
        "made_in": route.factory_name if route else "",
        "regions": regions,
        "region": region_row.code if region_row else "",
        "no_date": no_date,
        "quantity": quantity,
        "max_quantity": max_quantity(),
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
    chosen = chosen_from_form(request.POST)
    quantity = quantity_from_form(request.POST)
    undone = _json(request.POST, "undo", dict)
    region = request.POST.get("region", "")
    if undone is not None and isinstance(undone.get("selection"), dict):  # Undo: the selection before the last choice
        selection = undone["selection"]
        chosen = [code for code in undone.get("chosen") or [] if isinstance(code, str)]
    if request.POST.get("action") == "order":
        refused = page_throttled(request, OrderThrottle)
        if refused is not None:
            return refused
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(family.code, selection, quantity)],
                delivery_address=request.POST.get("delivery_address", ""),
                region=region,
            )
        except OrderInvalid as invalid:
            context = configurator_context(family, selection, max(1, quantity), chosen, region=region)
            context["order_errors"] = invalid.errors
            context["quantity"] = quantity
            context["delivery_address"] = request.POST.get("delivery_address", "")
            return render(request, "orders/configure.html", context)
        return redirect("orders:detail", number=order.number)
    choice = undo = None
    if request.POST.get("choose") is not None and not request.POST.get("selection") and undone is None:
        before = {"selection": selection, "chosen": chosen}
        selection, chosen, choice = apply_choice(family, request.POST, selection, chosen)
        if choice is not None and choice.changes:
            undo = before
    context = configurator_context(family, selection, max(1, quantity), chosen, choice, undo, region=region)
    context["quantity"] = quantity
    context["delivery_address"] = request.POST.get("delivery_address", "")
    template = "orders/configure.html#configurator" if request.htmx else "orders/configure.html"
    return render(request, template, context)


SHARE_SALT = "cosmo.shared-configuration"


def share_token(code: str) -> str:
    """A shared configuration's link token: its code, signed, so that a link cannot be guessed."""
    return signing.Signer(salt=SHARE_SALT).sign(code)


@consumer_required
@require_POST
def configuration_save(request, family_code):
    """Save the current configuration and answer with a link that shows it to anyone, read-only."""
    family = get_object_or_404(ProductFamily.objects.prefetch_related("groups__options"), code=family_code, active=True)
    selection = selection_evaluate(family, selection_from_form(family, request.POST)).as_dict()["selection"]
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    SavedConfiguration.objects.create(code=code, family=family, selection=selection)
    link = request.build_absolute_uri(reverse("orders:shared", args=[share_token(code)]))
    return render(request, "orders/configure.html#share", {"share_link": link})


def configuration_shared(request, token):
    """A shared configuration, read-only, for anyone with the link (no account needed)."""
    try:
        code = signing.Signer(salt=SHARE_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404("No such configuration.") from None
    saved = get_object_or_404(SavedConfiguration.objects.select_related("family"), code=code)
    family = ProductFamily.objects.prefetch_related("groups__options").get(pk=saved.family_id)
    evaluation = selection_evaluate(family, saved.selection)
    context = {
        "family": family,
        "evaluation": evaluation,
        "rows": configuration_rows(family, evaluation.as_dict()["selection"]),
        "picture": product_svg(evaluation, family.name),
        "open_url": f"{reverse('orders:configure', args=[family.code])}?c={saved.code}",
    }
    return render(request, "orders/shared.html", context)


@consumer_required
def my_orders(request):
    orders = list(Order.objects.visible_to(request.user).filter(customer=request.user))
    zones = orders_time_zones(orders)
    return render(request, "orders/my_orders.html", {"orders": [(order, zones[order.pk]) for order in orders]})


def stage_tracker(order) -> list[dict]:
    """The stages an order goes through, each done, current or to come (a cancelled order stops where it was)."""
    path = [stage for stage in Stage if stage != Stage.CANCELLED]
    if order.stage == Stage.CANCELLED:
        return [{"label": Stage.CANCELLED.label, "state": "cancelled"}]
    now = path.index(Stage(order.stage))
    return [
        {"label": stage.label, "state": "done" if i < now else "current" if i == now else "todo"}
        for i, stage in enumerate(path)
    ]


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
    lines = [(line, configuration_rows(line.family, line.configuration)) for line in order.lines.all()]
    context = {
        "order": order,
        "cancellable": CANCELLABLE_STAGES,
        "making": making,
        "time_zone": time_zone,
        "lines": lines,
        "stages": stage_tracker(order),
        "waiting_on": orders_waiting_on([order]).get(order.pk, []) if order.stage == Stage.MATERIALS else [],
    }
    with timezone.override(time_zone):
        return render(request, template, context)
