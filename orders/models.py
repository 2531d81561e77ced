"""Demand: product families and their options (the catalog), orders, order lines and the order timeline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.events import describe

CURRENCY_CHOICES = [("EUR", "EUR"), ("CNY", "CNY"), ("USD", "USD")]


class ProductFamily(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    base_price = models.DecimalField(_("base price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product family")
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return self.name


class OptionGroup(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTI = "multi", _("Multiple choice")
        NUMERIC = "numeric", _("Number")

    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Multiple choice: how many options may be chosen.
    min_count = models.PositiveIntegerField(_("minimum count"), default=0)
    max_count = models.PositiveIntegerField(_("maximum count"), null=True, blank=True)
    # Numeric: the range, the step and the unit of the number.
    minimum = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, null=True, blank=True)
    step = models.DecimalField(_("step"), max_digits=12, decimal_places=3, null=True, blank=True)
    default_value = models.DecimalField(_("default value"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)

    class Meta:
        ordering = ["family", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["family", "code"], name="unique_group_code_per_family")]
        verbose_name = _("option group")

    def __str__(self) -> str:
        return f"{self.family.code}/{self.code}"


class Option(models.Model):
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    price = models.DecimalField(_("price delta"), max_digits=12, decimal_places=2, default=Decimal("0"))
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    layer = models.CharField(_("picture layer"), max_length=64, blank=True)

    class Meta:
        ordering = ["group", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="unique_option_code_per_group")]
        verbose_name = _("option")

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """A configuration rule. Conditions and targets name option codes of the family."""

    class Kind(models.TextChoices):
        REQUIRES = "requires", _("Requires")
        EXCLUDES = "excludes", _("Excludes")
        RANGE = "range", _("Numeric range")
        SURCHARGE = "surcharge", _("Surcharge")
        UNIT_PRICE = "unit_price", _("Price per unit")

    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=48)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    condition_all = models.JSONField(_("when all of"), default=list, blank=True)
    condition_any = models.JSONField(_("when any of"), default=list, blank=True)
    condition_none = models.JSONField(_("when none of"), default=list, blank=True)
    targets = models.JSONField(_("target options"), default=list, blank=True)
    group_code = models.SlugField(_("numeric group"), max_length=32, blank=True)
    minimum = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    message = models.CharField(_("message"), max_length=240)

    class Meta:
        ordering = ["family", "code"]
        constraints = [models.UniqueConstraint(fields=["family", "code"], name="unique_rule_code_per_family")]
        verbose_name = _("rule")

    def __str__(self) -> str:
        return f"{self.family.code}/{self.code}"


class Region(models.Model):
    """Where a consumer's address lies, as far as shipping is concerned: each factory reaches a region by a
    shipping lane (`production.ShippingLane`: days and cost per unit). The consumer picks it beside the
    address; the default region is the one marked so (else the first)."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> "Region | None":
        return cls.objects.order_by("-is_default", "position", "code").first()

    @classmethod
    def named(cls, region) -> "Region | None":
        """A region given as a Region, its code, or nothing (the default region); Region.DoesNotExist when
        no region has that code."""
        if isinstance(region, cls):
            return region
        if region:
            return cls.objects.get(code=str(region))
        return cls.default()


class Stage(models.TextChoices):
    """The stages of an order, in pipeline order (DESIGN.md, The pipeline of one order)."""

    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    MATERIALS = "materials", _("Materials")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PRODUCTION = "in_production", _("In production")
    COMPLETED = "completed", _("Completed")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STAGES = {Stage.SHIPPED, Stage.CANCELLED}
# Until production starts an order can be cancelled.
CANCELLABLE_STAGES = {Stage.ACCEPTED, Stage.PLANNED, Stage.MATERIALS, Stage.SCHEDULED}


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Orders a person may see: a consumer their own, a planner all, anyone else none."""
        if not user.is_authenticated:
            return self.none()
        if user.is_planner:
            return self
        if user.is_consumer:
            return self.filter(customer=user)
        return self.none()

    def move_to(self, orders: list, stage: str) -> None:
        """`Order.move_to` for many orders at once, in one update (the caller holds their row locks)."""
        changed_at = timezone.now()
        self.filter(pk__in=[order.pk for order in orders]).update(stage=stage, stage_changed_at=changed_at)
        for order in orders:
            order.stage, order.stage_changed_at = stage, changed_at


class Order(models.Model):
    number = models.CharField(_("number"), max_length=16, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.ACCEPTED)
    # Real time of the last stage change: the sweeper looks for orders stuck longer than a set time.
    stage_changed_at = models.DateTimeField(_("stage changed"), auto_now_add=True)
    placed_at = models.DateTimeField(_("placed (factory time)"))
    delivery_address = models.TextField(_("delivery address"))
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="orders")
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    expected_date = models.DateField(_("expected delivery date"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    at_risk = models.BooleanField(_("at risk"), default=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("order")

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        return self.stage in FINAL_STAGES

    def move_to(self, stage: str) -> None:
        """The one way an order changes stage (the caller holds its row lock): the sweeper measures how
        long it stays from `stage_changed_at`."""
        self.stage = stage
        self.stage_changed_at = timezone.now()
        self.save(update_fields=["stage", "stage_changed_at"])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=1)
    family = models.ForeignKey(ProductFamily, on_delete=models.PROTECT, related_name="order_lines")
    configuration = models.JSONField(_("configuration"))
    variant_code = models.CharField(_("variant"), max_length=48)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    price_breakdown = models.JSONField(_("price breakdown"), default=list)
    # The factory the line was routed to when the consumer ordered (its code: `orders` does not know the
    # factories) and the date quoted for it then; the job may later move (production.JobMove).
    factory_code = models.SlugField(_("routed to factory"), max_length=16, blank=True)
    quoted_date = models.DateField(_("quoted delivery date"), null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="unique_line_position"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]
        verbose_name = _("order line")

    def __str__(self) -> str:
        return f"{self.order.number}/{self.position}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class TimelineEntry(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("factory time"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    # What happened, as an event name and its parameters; the text is made (and translated) when shown.
    event = models.CharField(_("event"), max_length=32)
    params = models.JSONField(default=dict, blank=True)
    # The person who acted, when one did (a consumer, a supplier member, a planner); empty for Cosmo's own steps.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return describe(self.event, self.params)


class SavedConfiguration(models.Model):
    """A configuration saved to be shared as a link: the short code reopens it in the configurator."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="saved_configurations")
    selection = models.JSONField(_("selection"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved configuration")

    def __str__(self) -> str:
        return self.code


class IdempotencyKey(models.Model):
    """An Idempotency-Key a consumer sent with an order: the order it placed and a hash of what was asked, so
    that a retry gets that order and the same key with another order is refused. Expires by `created_at`
    (real time: retries are a matter of the network, not of the factory)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "key"], name="unique_idempotency_key_per_consumer")]
        verbose_name = _("idempotency key")

    def __str__(self) -> str:
        return self.key
