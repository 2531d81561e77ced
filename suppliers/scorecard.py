"""How a supplier performs, from its purchase orders: on-time deliveries, how fast it answers, how much it
declines, what it has open; and the purchase orders as rows for a CSV export."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from cosmo.numbers import plain
from suppliers.models import PurchaseOrder, PurchaseOrderLine, ShipmentLine


@dataclass
class Scorecard:
    deliveries: int
    on_time: int
    answered_lines: int
    confirmation_latency: timedelta | None
    ordered: Decimal
    declined: Decimal
    open_value: dict[str, Decimal] = field(default_factory=dict)  # currency → value not yet received

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.deliveries if self.deliveries else None

    @property
    def rejection_rate(self) -> float | None:
        return float(self.declined / self.ordered) if self.ordered else None


def deliveries_counted(supplier_ids) -> dict[int, tuple[int, int]]:
    """Supplier id → (received deliveries, of which on time: received by the promised date)."""
    rows = (
        ShipmentLine.objects.filter(
            shipment__received_at__isnull=False, po_line__purchase_order__supplier_id__in=set(supplier_ids)
        )
        .values("po_line__purchase_order__supplier_id")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(shipment__received_at__lte=F("po_line__promised_date"))),
        )
    )
    return {row["po_line__purchase_order__supplier_id"]: (row["total"], row["on_time"]) for row in rows}


def supplier_scorecard(supplier) -> Scorecard:
    deliveries, on_time = deliveries_counted([supplier.pk]).get(supplier.pk, (0, 0))
    lines = PurchaseOrderLine.objects.filter(purchase_order__supplier=supplier)
    answered = lines.filter(answered_at__isnull=False)
    latency = answered.aggregate(
        latency=Avg(ExpressionWrapper(F("answered_at") - F("purchase_order__created_at"), output_field=DurationField()))
    )["latency"]
    ordered = declined = Decimal("0")
    for status, quantity, rejected in answered.values_list("status", "quantity", "rejected_quantity"):
        # A rejected line keeps the quantity asked; a partly confirmed one keeps what it confirmed.
        ordered += quantity if status == PurchaseOrderLine.Status.REJECTED else quantity + rejected
        declined += rejected
    open_value = defaultdict(Decimal)
    live = lines.exclude(status=PurchaseOrderLine.Status.REJECTED).exclude(
        purchase_order__status=PurchaseOrder.Status.CANCELLED
    )
    for currency, quantity, received, price in live.values_list(
        "purchase_order__currency", "quantity", "received_quantity", "price"
    ):
        if received < quantity:
            open_value[currency] += (quantity - received) * price
    return Scorecard(
        deliveries=deliveries,
        on_time=on_time,
        answered_lines=answered.count(),
        confirmation_latency=latency,
        ordered=ordered,
        declined=declined,
        open_value=dict(open_value),
    )


CSV_COLUMNS = [
    "purchase_order", "status", "created_at", "part", "unit", "line_status", "quantity", "unit_price", "currency",
    "expected_date", "promised_date", "declined", "reject_reason", "shipped", "received",
]


def purchase_order_rows(purchase_orders):
    """One row per purchase-order line, in CSV_COLUMNS order (numbers as text, dates in ISO 8601)."""
    lines = (
        PurchaseOrderLine.objects.filter(purchase_order__in=purchase_orders)
        .select_related("purchase_order", "part")
        .order_by("-purchase_order__created_at", "purchase_order__number", "part__code")
    )
    for line in lines:
        po = line.purchase_order
        yield [
            po.number, po.status, po.created_at.isoformat(), line.part.code, line.part.unit, line.status,
            plain(line.quantity), str(line.price), po.currency, line.expected_date.isoformat(),
            line.promised_date.isoformat() if line.promised_date else "", plain(line.rejected_quantity),
            line.reject_reason, plain(line.shipped_quantity), plain(line.received_quantity),
        ]
