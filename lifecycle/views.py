"""The consumer's page action that belongs to the lifecycle: cancelling an order (it spans production and
suppliers, so it is wired here, above the apps)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cosmo.roles import consumer_required
from lifecycle.cancel import NotCancellable, order_cancel
from orders.models import Order


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
