"""The consumer portal: the catalog, ordering a product, my orders, and an order that updates while it moves."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from cosmo.roles import consumer_required, order_viewer_required
from orders.models import OptionGroup, Order, ProductFamily
from orders.services import LineRequest, OrderInvalid, order_place


@consumer_required
def catalog(request):
    families = ProductFamily.objects.filter(active=True)
    return render(request, "orders/catalog.html", {"families": families})


def configuration_from_form(family: ProductFamily, data) -> dict:
    """Read the chosen options of each group from a submitted form (empty answers are left out)."""
    configuration = {}
    for group in family.groups.all():
        if group.kind == OptionGroup.Kind.MULTI:
            values = data.getlist(group.code)
            if values:
                configuration[group.code] = values
        else:
            value = data.get(group.code, "").strip()
            if value:
                configuration[group.code] = value
    return configuration


@consumer_required
@require_http_methods(["GET", "POST"])
def order_new(request, family_code):
    family = get_object_or_404(ProductFamily.objects.prefetch_related("groups__options"), code=family_code, active=True)
    errors = {}
    chosen = {}
    if request.method == "POST":
        chosen = configuration_from_form(family, request.POST)
        quantity = request.POST.get("quantity", "1")
        try:
            quantity = int(quantity)
        except ValueError:
            quantity = 0
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(family.code, chosen, quantity)],
                delivery_address=request.POST.get("delivery_address", ""),
            )
        except OrderInvalid as invalid:
            errors = invalid.errors
        else:
            return redirect("orders:detail", number=order.number)
    return render(
        request,
        "orders/order_new.html",
        {"family": family, "errors": errors, "chosen": chosen, "post": request.POST},
    )


@consumer_required
def my_orders(request):
    orders = Order.objects.visible_to(request.user).filter(customer=request.user)
    return render(request, "orders/my_orders.html", {"orders": orders})


@order_viewer_required
def order_detail(request, number):
    order = get_object_or_404(
        Order.objects.visible_to(request.user).prefetch_related("lines__family", "timeline"), number=number
    )
    template = "orders/order_detail.html#status" if request.htmx else "orders/order_detail.html"
    return render(request, template, {"order": order})
