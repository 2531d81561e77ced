"""Supply: suppliers and their members, offers, purchase orders and the requirements they cover."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import CURRENCY_CHOICES
from production.models import Factory, Part, Requirement


class Supplier(models.Model):
    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # Demo suppliers answer on their own within their lead time; the others wait for a person.
    autopilot = models.BooleanField(_("autopilot"), default=False)
    # The factory the supplier sits next to: its lead times hold there; any other factory waits
    # `COSMO_FAR_SUPPLIER_DAYS` more for its parts. Empty: as near to every factory.
    near = models.ForeignKey(Factory, verbose_name=_("next to factory"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="suppliers_near")

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")

    def __str__(self) -> str:
        return self.name


class AutopilotProfile(models.Model):
    """How a supplier on autopilot behaves, in factory time; its draws are seeded, so runs repeat."""

    supplier = models.OneToOneField(Supplier, on_delete=models.CASCADE, related_name="autopilot_profile")
    seed = models.PositiveIntegerField(_("seed"), default=1)
    confirm_after_hours = models.DecimalField(_("answers after (factory hours)"), max_digits=8, decimal_places=2,
                                              default=Decimal("4"))
    reject_rate = models.DecimalField(_("share of lines rejected"), max_digits=4, decimal_places=3, default=Decimal("0"))
    late_rate = models.DecimalField(_("share of lines delivered late"), max_digits=4, decimal_places=3,
                                    default=Decimal("0"))
    late_days = models.PositiveIntegerField(_("days late when late"), default=1)
    transit_days = models.PositiveIntegerField(_("transit (factory days)"), default=1)

    class Meta:
        verbose_name = _("autopilot profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(reject_rate__gte=0, reject_rate__lte=1), name="reject_rate_share"),
            models.CheckConstraint(condition=models.Q(late_rate__gte=0, late_rate__lte=1), name="late_rate_share"),
        ]

    def __str__(self) -> str:
        return str(self.supplier)


class SupplierMember(models.Model):
    """A person who works for one supplier and acts for it in the portal and the API."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("supplier member")

    def __str__(self) -> str:
        return f"{self.user} @ {self.supplier}"


class Offer(models.Model):
    """What a supplier offers for a part: price, lead time, minimum quantity."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="offers")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="offers")
    price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    lead_time_days = models.PositiveIntegerField(_("lead time (factory days)"))
    min_quantity = models.DecimalField(_("minimum quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    # How much the supplier makes of this part per factory day; empty: no limit.
    daily_capacity = models.DecimalField(_("capacity per day"), max_digits=12, decimal_places=3, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["part", "price"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "part"], name="one_offer_per_supplier_and_part"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="offer_price_not_negative"),
            models.CheckConstraint(condition=models.Q(min_quantity__gt=0), name="offer_min_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(daily_capacity__isnull=True) | models.Q(daily_capacity__gt=0),
                name="offer_capacity_positive",
            ),
        ]
        verbose_name = _("offer")

    def __str__(self) -> str:
        return f"{self.supplier.code}: {self.part.code} @ {self.price}"

    def unit_price(self, quantity: Decimal) -> Decimal:
        """The price per unit when buying `quantity`: the best price break reached, else the list price.

        Reads `self.price_breaks.all()`, so prefetch them when pricing many offers.
        """
        reached = [b.price for b in self.price_breaks.all() if b.min_quantity <= quantity]
        return min([self.price, *reached])


class PriceBreak(models.Model):
    """A lower unit price from a quantity on."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="price_breaks")
    min_quantity = models.DecimalField(_("from quantity"), max_digits=12, decimal_places=3)
    price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["offer", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "min_quantity"], name="one_price_break_per_quantity"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_break_not_negative"),
        ]
        verbose_name = _("price break")


class PurchaseOrderQuerySet(models.QuerySet):
    def to_answer(self):
        """Purchase orders with a line awaiting the supplier's answer."""
        return self.filter(
            models.Exists(PurchaseOrderLine.objects.filter(purchase_order=models.OuterRef("pk"), status="open"))
        )

    def to_ship(self):
        """Purchase orders with confirmed quantity not shipped yet."""
        return self.filter(
            models.Exists(
                PurchaseOrderLine.objects.filter(
                    purchase_order=models.OuterRef("pk"), status="confirmed", quantity__gt=models.F("shipped_quantity")
                )
            )
        )

    def visible_to(self, user):
        """Purchase orders a person may see: a supplier member their supplier's, a planner all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_planner:
            return self
        if user.is_supplier_member:
            return self.filter(supplier__members__user=user)
        return self.none()


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Awaiting answer")
        PARTLY_CONFIRMED = "partly_confirmed", _("Partly confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=16, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    created_at = models.DateTimeField(_("created (factory time)"))
    confirmed_at = models.DateTimeField(_("confirmed (factory time)"), null=True, blank=True)

    objects = PurchaseOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("purchase order")

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def status_of(lines) -> str:
        """The status a purchase order's lines give it (the one definition; `actions.purchase_order_refresh`
        stores it): awaiting answer while no line is answered, partly confirmed while some are, confirmed
        when every line is answered, partly shipped from the first shipment until every confirmed unit is
        shipped, then shipped, and closed when all of it is received. Rejected when every line was declined;
        cancelled when no line is left."""
        lines = list(lines)
        live = [line for line in lines if line.is_live]
        status = PurchaseOrder.Status
        if not lines:
            return status.CANCELLED
        if not live:
            return status.REJECTED
        open_lines = [line for line in lines if line.status == PurchaseOrderLine.Status.OPEN]
        if not open_lines and all(line.received_quantity >= line.quantity for line in live):
            return status.CLOSED
        if any(line.shipped_quantity > 0 for line in live):
            if not open_lines and all(line.shipped_quantity >= line.quantity for line in live):
                return status.SHIPPED
            return status.PARTLY_SHIPPED
        if open_lines:
            return status.PARTLY_CONFIRMED if len(open_lines) < len(lines) else status.SENT
        return status.CONFIRMED

    @property
    def has_to_ship(self) -> bool:
        return any(line.to_ship > 0 for line in self.lines.all())

    @property
    def total(self) -> Decimal:
        value = sum((line.quantity * line.price for line in self.lines.all() if line.is_live), Decimal("0"))
        return value.quantize(Decimal("0.01"))


class PurchaseOrderLine(models.Model):
    """One part on a purchase order. `quantity` is what is on order now (a partial confirmation lowers it,
    and the declined rest is counted in `rejected_quantity`); its allocations add up to it exactly."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="purchase_order_lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="purchase_order_lines")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    expected_date = models.DateTimeField(_("expected (lead time)"))
    promised_date = models.DateTimeField(_("promised by supplier"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered (factory time)"), null=True, blank=True)
    rejected_quantity = models.DecimalField(_("declined"), max_digits=14, decimal_places=3, default=Decimal("0"))
    reject_reason = models.CharField(_("reason for declining"), max_length=240, blank=True)
    shipped_quantity = models.DecimalField(_("shipped"), max_digits=14, decimal_places=3, default=Decimal("0"))
    received_quantity = models.DecimalField(_("received"), max_digits=14, decimal_places=3, default=Decimal("0"))
    # Bought to refill the factory's stock (its reorder point), for no order yet: kept in the line's size
    # while it awaits the answer, and lowered as orders take it from the line's surplus.
    stock_quantity = models.DecimalField(_("for stock"), max_digits=14, decimal_places=3, default=Decimal("0"))

    class Meta:
        ordering = ["purchase_order", "part__code"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "part"], name="one_po_line_per_part"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(shipped_quantity__gte=0, received_quantity__gte=0, rejected_quantity__gte=0),
                name="po_line_counts_not_negative",
            ),
        ]
        verbose_name = _("purchase-order line")

    def __str__(self) -> str:
        return f"{self.purchase_order.number}: {self.quantity} × {self.part.code}"

    @property
    def is_live(self) -> bool:
        """Still on order (not declined): its allocations add up to its quantity."""
        return self.status != self.Status.REJECTED

    @property
    def to_ship(self) -> Decimal:
        """Confirmed quantity not shipped yet."""
        if self.status != self.Status.CONFIRMED:
            return Decimal("0")
        return max(self.quantity - self.shipped_quantity, Decimal("0"))


class Allocation(models.Model):
    """The part of a purchase-order line that covers one requirement; a live line's allocations add up to
    its quantity. The allocation without a requirement is the line's surplus (minimum-quantity round-up, or
    confirmed quantity an order no longer needs): it becomes free stock when it arrives."""

    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="allocations")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="allocations", null=True, blank=True
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    received = models.DecimalField(_("received"), max_digits=14, decimal_places=3, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["po_line", "requirement"], name="one_allocation_per_line_and_requirement"),
            models.UniqueConstraint(
                fields=["po_line"], condition=models.Q(requirement__isnull=True), name="one_surplus_per_line"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="allocation_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(received__gte=0, received__lte=models.F("quantity")),
                name="allocation_received_within_quantity",
            ),
        ]
        verbose_name = _("allocation")

    @property
    def is_surplus(self) -> bool:
        return self.requirement_id is None

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.received


class Shipment(models.Model):
    """Parts a supplier has sent for one purchase order, expected at the factory on a date."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("On its way")
        RECEIVED = "received", _("Received")

    number = models.CharField(_("number"), max_length=16, unique=True)
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    shipped_at = models.DateTimeField(_("shipped (factory time)"))
    expected_arrival = models.DateTimeField(_("expected arrival"))
    received_at = models.DateTimeField(_("received (factory time)"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("shipment")

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    """What one shipment carries of one purchase-order line, and what the factory counted on receipt."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.DecimalField(_("shipped"), max_digits=14, decimal_places=3)
    received_quantity = models.DecimalField(_("received"), max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["shipment", "po_line__part__code"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "po_line"], name="one_shipment_line_per_po_line"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(received_quantity__isnull=True) | models.Q(received_quantity__gte=0),
                name="shipment_received_not_negative",
            ),
        ]
        verbose_name = _("shipment line")

    @property
    def variance(self) -> Decimal | None:
        """Received less shipped: negative for a short delivery, positive for an over delivery."""
        return None if self.received_quantity is None else self.received_quantity - self.quantity


class Resourcing(models.Model):
    """A requirement moved away from an offer: the supplier declined it, or promised it too late."""

    class Reason(models.TextChoices):
        REJECTED = "rejected", _("declined by the supplier")
        LATE = "late", _("promised after the date it is needed")

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="resourcings")
    from_offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="resourcings")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    at = models.DateTimeField(_("factory time"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("re-sourcing")
