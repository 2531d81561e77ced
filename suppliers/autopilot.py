"""Demo suppliers on autopilot: each answers its new purchase-order lines some factory hours after they
were sent (confirming them by the expected date, or now and then rejecting one), and ships confirmed lines
in time to arrive on the promised date (now and then late). Every draw is keyed on the supplier's seed and
the line, so a run repeats exactly. A supplier without autopilot waits for a person in the portal.
"""

import random
from collections import defaultdict
from datetime import timedelta

from django.utils.translation import gettext as _

from cosmo import clock
from suppliers.actions import ActionRefused, line_confirm, line_reject, shipment_create
from suppliers.models import AutopilotProfile, PurchaseOrder, PurchaseOrderLine


def draw(profile: AutopilotProfile, line: PurchaseOrderLine, purpose: str) -> float:
    """A number in [0, 1) fixed by the supplier's seed, the line and what it decides."""
    return random.Random(f"{profile.seed}:{line.pk}:{line.shipped_quantity}:{purpose}").random()


def suppliers_autopilot() -> dict:
    """Let every supplier on autopilot do what is due by now on the factory clock; returns counts."""
    now = clock.now()
    counts = {"confirmed": 0, "rejected": 0, "shipments": 0}
    for profile in AutopilotProfile.objects.filter(supplier__autopilot=True).select_related("supplier"):
        answer_by = now - timedelta(hours=float(profile.confirm_after_hours))
        waiting = PurchaseOrderLine.objects.filter(
            status=PurchaseOrderLine.Status.OPEN,
            purchase_order__supplier=profile.supplier,
            purchase_order__created_at__lte=answer_by,
        ).order_by("pk")
        for line in waiting:
            try:
                if draw(profile, line, "reject") < float(profile.reject_rate):
                    line_reject(po_line_id=line.pk, reason=_("No capacity left for this part (autopilot)."))
                    counts["rejected"] += 1
                else:
                    line_confirm(po_line_id=line.pk)
                    counts["confirmed"] += 1
            except ActionRefused:  # a person or another run answered it meanwhile
                continue
        due = defaultdict(list)
        confirmed = PurchaseOrderLine.objects.filter(
            status=PurchaseOrderLine.Status.CONFIRMED,
            purchase_order__supplier=profile.supplier,
            promised_date__lte=now + timedelta(days=profile.transit_days),
        ).exclude(purchase_order__status=PurchaseOrder.Status.CANCELLED).select_related("part").order_by("pk")
        for line in confirmed:
            if line.to_ship <= 0:
                continue
            arrival = line.promised_date
            if draw(profile, line, "late") < float(profile.late_rate):
                arrival += timedelta(days=profile.late_days)
            due[(line.purchase_order_id, max(arrival, now).date())].append((line.part.code, line.to_ship))
        for (po_id, arrival), lines in due.items():
            try:
                shipment_create(purchase_order_id=po_id, expected_arrival=arrival, lines=lines)
            except ActionRefused:
                continue
            counts["shipments"] += 1
    return counts
