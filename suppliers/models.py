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

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")

    def __str__(self) -> str:
        return self.name


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
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["part", "price"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "part"], name="one_offer_per_supplier_and_part"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="offer_price_not_negative"),
            models.CheckConstraint(condition=models.Q(min_quantity__gt=0), name="offer_min_quantity_positive"),
        ]
        verbose_name = _("offer")

    def __str__(self) -> str:
        return f"{self.supplier.code}: {self.part.code} @ {self.price}"


class PurchaseOrderQuerySet(models.QuerySet):
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
        SENT = "sent", _("Sent")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=16, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    created_at = models.DateTimeField(_("created (factory time)"))
    confirmed_at = models.DateTimeField(_("confirmed (factory time)"), null=True, blank=True)

    objects = PurchaseOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("purchase order")

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return sum((line.quantity * line.price for line in self.lines.all()), Decimal("0"))


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="purchase_order_lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="purchase_order_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    expected_date = models.DateTimeField(_("expected (lead time)"))
    promised_date = models.DateTimeField(_("promised by supplier"), null=True, blank=True)

    class Meta:
        ordering = ["purchase_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "part"], name="one_po_line_per_part"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="po_line_quantity_positive"),
        ]
        verbose_name = _("purchase-order line")

    def __str__(self) -> str:
        return f"{self.purchase_order.number}: {self.quantity} × {self.part.code}"


class Allocation(models.Model):
    """The part of a purchase-order line that covers one requirement; a line's allocations add up to it."""

    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="allocations")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="allocations")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["po_line", "requirement"], name="one_allocation_per_line_and_requirement"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="allocation_quantity_positive"),
        ]
        verbose_name = _("allocation")
