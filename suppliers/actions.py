"""State transitions of purchase orders: each one a function, used by the portal, the API and the tasks."""

from django.db import transaction
from django.utils.translation import gettext as _

from cosmo import clock
from orders.models import Order
from orders.timeline import timeline_add
from suppliers.models import PurchaseOrder


class TransitionRefused(Exception):
    """The purchase order is not in a state that allows this; the message says why."""


def purchase_order_confirm(*, purchase_order_id: int) -> PurchaseOrder:
    """Sent → confirmed: the supplier promises every line by its expected date.

    The orders whose parts are on this purchase order are told on their timeline.
    """
    with transaction.atomic():
        po = PurchaseOrder.objects.select_for_update().select_related("supplier").get(pk=purchase_order_id)
        if po.status != PurchaseOrder.Status.SENT:
            raise TransitionRefused(
                _("Purchase order %(number)s is %(status)s; only a sent one can be confirmed.")
                % {"number": po.number, "status": po.get_status_display()}
            )
        now = clock.now()
        for line in po.lines.all():
            line.promised_date = line.expected_date
            line.save(update_fields=["promised_date"])
        po.status = PurchaseOrder.Status.CONFIRMED
        po.confirmed_at = now
        po.save(update_fields=["status", "confirmed_at"])
        orders = Order.objects.filter(lines__requirements__allocations__po_line__purchase_order=po).distinct()
        for order in orders:
            timeline_add(order=order, event="po_confirmed", supplier=po.supplier.name, po=po.number)
    return po
