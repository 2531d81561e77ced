"""The supplier portal: the purchase orders of the member's supplier, and confirming one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from cosmo.roles import supplier_member_required
from suppliers.actions import TransitionRefused, purchase_order_confirm
from suppliers.models import PurchaseOrder


def _visible(request):
    return PurchaseOrder.objects.visible_to(request.user).select_related("supplier")


@supplier_member_required
def purchase_orders(request):
    supplier = request.user.supplier_membership.supplier
    return render(
        request,
        "suppliers/purchase_orders.html",
        {"supplier": supplier, "purchase_orders": _visible(request).prefetch_related("lines")},
    )


@supplier_member_required
def purchase_order_detail(request, number):
    po = get_object_or_404(_visible(request).prefetch_related("lines__part"), number=number)
    return render(request, "suppliers/purchase_order_detail.html", {"po": po})


@supplier_member_required
@require_POST
def purchase_order_confirm_view(request, number):
    po = get_object_or_404(_visible(request), number=number)
    try:
        purchase_order_confirm(purchase_order_id=po.pk)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    po = get_object_or_404(_visible(request).prefetch_related("lines__part"), number=number)
    template = "suppliers/purchase_order_detail.html#card" if request.htmx else "suppliers/purchase_order_detail.html"
    return render(request, template, {"po": po})
