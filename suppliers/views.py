"""The supplier portal: the inbox of purchase orders, confirming or rejecting each line, shipping, the
scorecard, a CSV export and an API token. Thin: each action calls the service the API calls too."""

import csv
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from cosmo import clock
from cosmo.roles import supplier_member_required
from suppliers.actions import ActionRefused, line_confirm, line_reject, purchase_order_confirm, shipment_create
from suppliers.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderQuerySet
from suppliers.scorecard import CSV_COLUMNS, purchase_order_rows, supplier_scorecard

# The inbox's tabs: the clerk's two queues, then everything.
TABS = [
    ("answer", _("To answer"), PurchaseOrderQuerySet.to_answer),
    ("ship", _("To ship"), PurchaseOrderQuerySet.to_ship),
    ("all", _("All"), PurchaseOrderQuerySet.all),
]


def _visible(request):
    return PurchaseOrder.objects.visible_to(request.user).select_related("supplier", "factory")


def _detail(request, number, *, status=200):
    po = get_object_or_404(
        _visible(request).prefetch_related("lines__part", "shipments__lines__po_line__part"), number=number
    )
    # The dates a supplier may give (the horizon the actions check), for the date pickers.
    first_day = clock.now().date()
    last_day = first_day + timedelta(days=settings.COSMO_SUPPLIER_HORIZON_DAYS)
    with timezone.override(ZoneInfo(po.factory.timezone)):  # the supplier reads the factory's dates
        return render(
            request,
            "suppliers/purchase_order_detail.html",
            {"po": po, "first_day": first_day, "last_day": last_day},
            status=status,
        )


def _refused(request, number, refused: ActionRefused):
    for reason in (r for reasons in refused.errors.values() for r in reasons):
        messages.error(request, reason)
    return _detail(request, number, status=400)


@supplier_member_required
def purchase_orders(request):
    supplier = request.user.supplier_membership.supplier
    tab = request.GET.get("show", "answer")
    if tab not in {key for key, _label, _select in TABS}:
        tab = "answer"
    visible = _visible(request)
    tabs = [(key, label, select(visible).count()) for key, label, select in TABS]
    select = next(select for key, _label, select in TABS if key == tab)
    shown = select(visible).prefetch_related("lines")
    return render(
        request,
        "suppliers/purchase_orders.html",
        {"supplier": supplier, "purchase_orders": shown, "tabs": tabs, "tab": tab},
    )


@supplier_member_required
def purchase_order_detail(request, number):
    return _detail(request, number)


@supplier_member_required
@require_POST
def purchase_order_confirm_view(request, number):
    po = get_object_or_404(_visible(request), number=number)
    try:
        purchase_order_confirm(purchase_order_id=po.pk, actor=request.user)
    except ActionRefused as refused:
        return _refused(request, number, refused)
    messages.success(request, _("Every line is confirmed by its expected date."))
    return redirect("suppliers:purchase_order", number=number)


def _line(request, number, part) -> PurchaseOrderLine:
    po = get_object_or_404(_visible(request), number=number)
    return get_object_or_404(PurchaseOrderLine.objects.select_related("part"), purchase_order=po, part__code=part)


@supplier_member_required
@require_POST
def line_confirm_view(request, number, part):
    line = _line(request, number, part)
    try:
        line_confirm(
            po_line_id=line.pk,
            quantity=request.POST.get("quantity") or None,
            promised_date=request.POST.get("promised_date") or None,
            actor=request.user,
        )
    except ActionRefused as refused:
        return _refused(request, number, refused)
    messages.success(request, _("%(part)s confirmed.") % {"part": line.part.code})
    return redirect("suppliers:purchase_order", number=number)


@supplier_member_required
@require_POST
def line_reject_view(request, number, part):
    line = _line(request, number, part)
    try:
        declined = line_reject(po_line_id=line.pk, reason=request.POST.get("reason", ""), actor=request.user)
    except ActionRefused as refused:
        return _refused(request, number, refused)
    messages.success(request, str(declined))
    return redirect("suppliers:purchase_order", number=number)


@supplier_member_required
@require_POST
def ship_view(request, number):
    po = get_object_or_404(_visible(request), number=number)
    lines = []
    for part in request.POST.getlist("part"):
        quantity = request.POST.get(f"quantity-{part}", "").strip()
        if quantity and quantity not in ("0", "0.000"):
            lines.append((part, quantity))
    try:
        shipment = shipment_create(
            purchase_order_id=po.pk, expected_arrival=request.POST.get("expected_arrival") or None, lines=lines,
            actor=request.user,
        )
    except ActionRefused as refused:
        return _refused(request, number, refused)
    messages.success(
        request,
        _("Shipment %(number)s is on its way, arriving %(date)s.")
        % {"number": shipment.number, "date": shipment.expected_arrival.strftime("%Y-%m-%d")},
    )
    return redirect("suppliers:purchase_order", number=number)


@supplier_member_required
def scorecard(request):
    supplier = request.user.supplier_membership.supplier
    card = supplier_scorecard(supplier)
    latency_hours = card.confirmation_latency.total_seconds() / 3600 if card.confirmation_latency else None
    return render(request, "suppliers/scorecard.html", {"supplier": supplier, "card": card,
                                                         "latency_hours": latency_hours})


@supplier_member_required
def purchase_orders_csv(request):
    supplier = request.user.supplier_membership.supplier
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="purchase-orders-{supplier.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(purchase_order_rows(_visible(request)))
    return response


@supplier_member_required
def api_token(request):
    """Show whether the member has an API token; a POST makes a new one (the old one stops working)."""
    token = None
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
    has_token = token is not None or Token.objects.filter(user=request.user).exists()
    return render(request, "suppliers/api_token.html", {"token": token, "has_token": has_token})
