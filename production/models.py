"""Making: parts, the conditional BOM and routing of each family, factories, lines, stock, jobs and operations."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import OrderLine, ProductFamily, Region


class Condition(models.Model):
    """Option codes that decide whether a BOM line or routing step applies (empty lists: always)."""

    condition_all = models.JSONField(_("when all of"), default=list, blank=True)
    condition_any = models.JSONField(_("when any of"), default=list, blank=True)
    condition_none = models.JSONField(_("when none of"), default=list, blank=True)

    class Meta:
        abstract = True

    def applies_to(self, chosen: set[str]) -> bool:
        """Whether the condition holds for the set of chosen option codes."""
        if any(code not in chosen for code in self.condition_all):
            return False
        if self.condition_any and not any(code in chosen for code in self.condition_any):
            return False
        return not any(code in chosen for code in self.condition_none)


class Part(models.Model):
    class Unit(models.TextChoices):
        PIECE = "pc", _("piece")
        METRE = "m", _("metre")
        KILOGRAM = "kg", _("kilogram")
        LITRE = "l", _("litre")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=4, choices=Unit.choices, default=Unit.PIECE)

    class Meta:
        ordering = ["code"]
        verbose_name = _("part")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PartComponent(models.Model):
    """One line of a sub-assembly's own bill of materials: the assembly is made from its components.

    A part with components is made in the factory (a phantom): its components are exploded in its place,
    level by level, and only parts without components are reserved or bought.
    """

    assembly = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="used_in")
    quantity = models.DecimalField(_("quantity per assembly"), max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["assembly", "component"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "component"], name="one_component_line_per_assembly"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="component_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(assembly=models.F("component")), name="component_is_not_its_assembly"
            ),
        ]
        verbose_name = _("sub-assembly component")

    def __str__(self) -> str:
        return f"{self.assembly.code}: {self.quantity} × {self.component.code}"


class BomLine(Condition):
    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="bom_lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="bom_lines")
    quantity = models.DecimalField(_("quantity per unit"), max_digits=12, decimal_places=3)
    # When set, the quantity is per unit of this numeric option (e.g. metres of pipe per metre of cable).
    per_group = models.SlugField(_("per unit of numeric group"), max_length=32, blank=True)

    class Meta:
        ordering = ["family", "part"]
        verbose_name = _("BOM line")

    def __str__(self) -> str:
        return f"{self.family.code}: {self.quantity} × {self.part.code}"


class RoutingStep(Condition):
    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="routing_steps")
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=80)
    minutes = models.DecimalField(_("minutes per unit"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["family", "sequence"]
        verbose_name = _("routing step")

    def __str__(self) -> str:
        return f"{self.family.code} {self.sequence}: {self.name}"


class Factory(models.Model):
    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=48, default="UTC")
    # Bumped by every schedule write: the delivery-date quotes cache the lines until it changes, and the
    # periodic optimization skips a factory whose schedule has not changed since its last run.
    schedule_version = models.PositiveIntegerField(_("schedule version"), default=0, editable=False)
    # What a kWh costs here: the energy share of a unit's cost when routing weighs factories.
    energy_price = models.DecimalField(_("energy price per kWh"), max_digits=8, decimal_places=4,
                                       default=Decimal("0.10"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("factory")
        verbose_name_plural = _("factories")

    def __str__(self) -> str:
        return self.name


class Line(models.Model):
    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="lines")
    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    families = models.ManyToManyField(ProductFamily, through="LineCapability", related_name="lines")
    # A line that reports its own events over MQTT (a real line, or one played by hand): the simulation
    # leaves it alone and the floor learns what it does only from what it publishes.
    reports = models.BooleanField(_("reports over MQTT"), default=False)

    class Meta:
        ordering = ["factory", "code"]
        constraints = [models.UniqueConstraint(fields=["factory", "code"], name="unique_line_code_per_factory")]
        verbose_name = _("line")

    def __str__(self) -> str:
        return self.name


class LineCapability(models.Model):
    """A line can make a family, at a speed relative to the routing's minutes (2.0 runs twice as fast)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="capabilities")
    family = models.ForeignKey(ProductFamily, on_delete=models.CASCADE, related_name="capabilities")
    speed = models.DecimalField(_("speed"), max_digits=5, decimal_places=2, default=Decimal("1"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "family"], name="unique_capability"),
            models.CheckConstraint(condition=models.Q(speed__gt=0), name="capability_speed_positive"),
        ]
        verbose_name = _("line capability")
        verbose_name_plural = _("line capabilities")


class SetupGroup(models.Model):
    """The option group of a family whose choice changes the line's setup (DESIGN: the variant key).

    A job's variant key is the family code, followed by the chosen option of this group when the family
    has one: `AC-SPLIT:REF_R290` (a hydrocarbon charge needs the charging station purged and the
    safety check rigged), `FRIDGE:FR_SIZE_203` (another foaming jig), `WASHER:WM_DRUM_12KG` (another drum
    fixture). Changeovers are looked up on these keys.
    """

    family = models.OneToOneField(ProductFamily, on_delete=models.CASCADE, related_name="setup_group")
    group_code = models.SlugField(_("option group"), max_length=32)

    class Meta:
        verbose_name = _("setup-relevant option group")


class Changeover(models.Model):
    """The time a line needs between a job of one variant and a job of another (sequence-dependent).

    A key is a variant key (`AC-SPLIT:REF_R290`) or a family code alone (`AC-SPLIT`: any variant of the
    family). For a pair of variants the most specific row applies: both keys exact, then one exact and
    one family, then both families. Rows of a line win over the factory-wide rows (line empty). No row:
    no changeover.
    """

    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="changeovers")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, null=True, blank=True, related_name="changeovers")
    from_key = models.CharField(_("from variant"), max_length=64)
    to_key = models.CharField(_("to variant"), max_length=64)
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        ordering = ["factory", "line", "from_key", "to_key"]
        constraints = [
            models.UniqueConstraint(fields=["factory", "line", "from_key", "to_key"], name="unique_changeover"),
        ]
        verbose_name = _("changeover")

    def __str__(self) -> str:
        return f"{self.from_key} → {self.to_key}: {self.minutes} min"


class Shift(models.Model):
    """A working shift of a line on one weekday, in the factory's local time. A shift whose end is not
    after its start runs past midnight (22:00–06:00). Shifts that touch make one working window: an
    operation may run across a shift handover, never across a break."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        ordering = ["line", "weekday", "start"]
        constraints = [models.CheckConstraint(condition=~models.Q(start=models.F("end")), name="shift_not_empty")]
        verbose_name = _("shift")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class MaintenanceWindow(models.Model):
    """A line taken down from `start` to `end`: nothing runs on it meanwhile."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="maintenance_windows")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["line", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="maintenance_ends_after_start")
        ]
        verbose_name = _("maintenance window")

    def __str__(self) -> str:
        return f"{self.line}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class Stock(models.Model):
    """Stock of one part in one factory. Reserved never exceeds on hand, and neither goes negative."""

    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="stock")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.DecimalField(_("on hand"), max_digits=14, decimal_places=3, default=Decimal("0"))
    reserved = models.DecimalField(_("reserved"), max_digits=14, decimal_places=3, default=Decimal("0"))
    # Replenishment (none: the part is bought only for orders): when what is free and on order for no one
    # falls to the reorder point, buy up to `order_up_to`.
    reorder_point = models.DecimalField(_("reorder point"), max_digits=14, decimal_places=3, null=True, blank=True)
    order_up_to = models.DecimalField(_("order up to"), max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["factory", "part"]
        constraints = [
            models.UniqueConstraint(fields=["factory", "part"], name="unique_stock_per_part"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
            models.CheckConstraint(
                condition=models.Q(reorder_point__isnull=True, order_up_to__isnull=True)
                | models.Q(reorder_point__gte=0, order_up_to__gt=models.F("reorder_point")),
                name="stock_replenishment_sane",
            ),
        ]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class Requirement(models.Model):
    """What one order line needs of one part, and how it is covered: reserved stock, then purchase."""

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="requirements")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="requirements")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    reserved = models.DecimalField(_("reserved from stock"), max_digits=14, decimal_places=3, default=Decimal("0"))
    need_date = models.DateTimeField(_("needed by"))

    class Meta:
        ordering = ["need_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order_line", "part"], name="one_requirement_per_line_and_part"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="requirement_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0, reserved__lte=models.F("quantity")),
                name="requirement_reserved_within_quantity",
            ),
        ]
        verbose_name = _("material requirement")

    @property
    def shortage(self) -> Decimal:
        return self.quantity - self.reserved


class Job(models.Model):
    """Making one order line: its operations, release date (materials on hand) and due date (the promise)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PRODUCTION = "in_production", _("In production")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="job")
    number = models.CharField(_("number"), max_length=20, unique=True)
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="jobs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    release_date = models.DateTimeField(_("materials available"), null=True, blank=True)
    due_date = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    # Days from the factory to the consumer's region (its shipping lane; empty: COSMO_SHIPPING_DAYS).
    shipping_days = models.PositiveSmallIntegerField(_("shipping days"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("job")

    def __str__(self) -> str:
        return self.number


class Operation(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=80)
    minutes = models.DecimalField(_("minutes"), max_digits=10, decimal_places=2)
    line = models.ForeignKey(Line, on_delete=models.PROTECT, null=True, blank=True, related_name="operations")
    # A planner fixed the line; the scheduler still chooses the time.
    pinned_line = models.ForeignKey(
        Line, on_delete=models.PROTECT, null=True, blank=True, related_name="pinned_operations"
    )
    # Set when the operation really starts on the floor; from then on no schedule moves it.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Set when the simulated line finishes it.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    # Units made well and units scrapped (and made again), reported when the operation ends.
    good = models.PositiveIntegerField(_("good units"), null=True, blank=True)
    scrap = models.PositiveIntegerField(_("scrapped units"), null=True, blank=True)

    class Meta:
        ordering = ["job", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["job", "sequence"], name="one_operation_per_job_step"),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True) | models.Q(planned_end__gt=models.F("planned_start")),
                name="operation_ends_after_start",
            ),
        ]
        # A line's last operation, read when new jobs are appended to a large factory's lines.
        indexes = [models.Index(fields=["line", "planned_end"], name="operation_line_tail")]
        verbose_name = _("operation")

    def __str__(self) -> str:
        return f"{self.job.number}/{self.sequence} {self.name}"


class ScheduleRun(models.Model):
    """One optimization of a factory's schedule: why it ran, how long, what the solver said, and the
    key figures before and after. At most one run per factory is queued or running (the lock)."""

    class Trigger(models.TextChoices):
        ON_DEMAND = "on_demand", _("On demand")
        PERIODIC = "periodic", _("Periodic")
        MAINTENANCE = "maintenance", _("Maintenance window")
        PIN = "pin", _("Job pinned or unpinned")
        PRIORITY = "priority", _("Priority changed")
        DRIFT = "drift", _("Reality drifted from the plan")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="schedule_runs")
    number = models.CharField(_("number"), max_length=24, unique=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        "cosmo.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="schedule_runs"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    time_limit = models.FloatField(_("time limit (s)"), default=10.0)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=16, blank=True)
    schedule_version = models.PositiveIntegerField(_("schedule version written"), null=True, blank=True)
    jobs = models.PositiveIntegerField(_("jobs"), default=0)
    operations = models.PositiveIntegerField(_("operations moved"), default=0)
    # {"weighted_tardiness", "changeover", "makespan"} in minutes, and the KPIs (see production.kpis).
    objective = models.JSONField(_("objective terms"), default=dict, blank=True)
    kpis_before = models.JSONField(_("KPIs before"), default=dict, blank=True)
    kpis_after = models.JSONField(_("KPIs after"), default=dict, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    best_objective = models.BigIntegerField(_("best objective so far"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["factory"], condition=models.Q(status__in=["queued", "running"]), name="one_active_run_per_factory"
            ),
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1), name="run_progress_fraction"),
        ]
        verbose_name = _("schedule run")

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class LineSimulation(models.Model):
    """How a line behaves in the simulation: the spread of processing times around the plan, failures and
    repairs, and the power it draws in each state (kW)."""

    class SpreadKind(models.TextChoices):
        FIXED = "fixed", _("Fixed")
        LOGNORMAL = "lognormal", _("Lognormal")
        TRIANGULAR = "triangular", _("Triangular")
        UNIFORM = "uniform", _("Uniform")

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="simulation")
    spread = models.CharField(_("processing-time spread"), max_length=12, choices=SpreadKind.choices, default="lognormal")
    spread_cv = models.FloatField(_("coefficient of variation"), default=0.1)
    mtbf_minutes = models.FloatField(_("mean running minutes between failures"), null=True, blank=True)
    mttr_minutes = models.FloatField(_("mean minutes to repair"), default=0.0)
    power_running_kw = models.FloatField(_("power running (kW)"), default=0.0)
    power_changeover_kw = models.FloatField(_("power changing over (kW)"), default=0.0)
    power_idle_kw = models.FloatField(_("power idle (kW)"), default=0.0)
    power_down_kw = models.FloatField(_("power down (kW)"), default=0.0)
    # After standing by (switched off with nothing planned) the line needs this long to come back on.
    restart_minutes = models.FloatField(_("minutes to restart after standby"), default=0.0)
    # Quality and short stops: each unit made is scrapped (and made again) with this probability; minor
    # stops come at this rate per running hour and last this long on average (idle power).
    scrap_rate = models.FloatField(_("scrap rate (share of units)"), default=0.0)
    minor_stops_per_hour = models.FloatField(_("minor stops per running hour"), default=0.0)
    minor_stop_minutes = models.FloatField(_("mean minutes of a minor stop"), default=0.0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(spread_cv__gte=0, spread_cv__lte=0.4), name="spread_cv_range"),
            models.CheckConstraint(
                condition=models.Q(mtbf_minutes__isnull=True) | models.Q(mtbf_minutes__gt=0), name="mtbf_positive"
            ),
            models.CheckConstraint(condition=models.Q(mttr_minutes__gte=0), name="mttr_not_negative"),
            models.CheckConstraint(condition=models.Q(restart_minutes__gte=0), name="restart_not_negative"),
            models.CheckConstraint(condition=models.Q(scrap_rate__gte=0, scrap_rate__lt=1), name="scrap_rate_range"),
            models.CheckConstraint(
                condition=models.Q(minor_stops_per_hour__gte=0, minor_stop_minutes__gte=0), name="minor_stops_not_negative"
            ),
        ]
        verbose_name = _("line simulation parameters")
        verbose_name_plural = _("line simulation parameters")


class FactorySimulation(models.Model):
    """A factory's simulation: the engine's state (JSON) as of `until`, the origin its minutes count from,
    and what it has measured so far (minutes per line and state, energy per line)."""

    factory = models.OneToOneField(Factory, on_delete=models.CASCADE, related_name="simulation")
    origin = models.DateTimeField(_("origin"))
    until = models.DateTimeField(_("simulated until"))
    seed = models.CharField(_("seed"), max_length=32, default="0")
    state = models.JSONField(_("state"), default=dict)
    minutes = models.JSONField(_("minutes per line and state"), default=dict)
    energy_kwh = models.JSONField(_("energy per line (kWh)"), default=dict)
    rescheduled_at = models.DateTimeField(_("last reschedule asked"), null=True, blank=True)

    class Meta:
        verbose_name = _("factory simulation")

    def __str__(self) -> str:
        return f"{self.factory.code} @ {self.until:%Y-%m-%d %H:%M}"


class LineInterval(models.Model):
    """A line in one state (running, changeover, idle, down, off) from `start` to `end`."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="intervals")
    state = models.CharField(_("state"), max_length=12)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    operation = models.ForeignKey(Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Why the line is in that state: for idle "material", "upstream", "no work" or "restart"; for down
    # "failure" or "outage"; for stopped "minor stop"; or whatever a reporting line says.
    reason = models.CharField(_("reason"), max_length=24, blank=True)

    class Meta:
        ordering = ["line", "start"]
        indexes = [models.Index(fields=["line", "end"])]
        verbose_name = _("line state interval")


class Breakdown(models.Model):
    """A line down by a failure (or an outage) from `start` to `end`."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="breakdowns")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    cause = models.CharField(_("cause"), max_length=12)

    class Meta:
        ordering = ["-start"]
        constraints = [models.UniqueConstraint(fields=["line", "start"], name="one_breakdown_per_line_and_start")]
        verbose_name = _("breakdown")


class EnergyReading(models.Model):
    """Energy a line drew in the stretch that ends at `at` (a meter's increase, or a tick's account)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="energy_readings")
    at = models.DateTimeField(_("at"))
    kwh = models.FloatField(_("kWh"))

    class Meta:
        ordering = ["line", "at"]
        indexes = [models.Index(fields=["line", "at"])]
        verbose_name = _("energy reading")


class LineFeed(models.Model):
    """A line's event feed over MQTT as applied so far: the last sequence number applied, the state it
    reported last (since when, why, with which operation), a breakdown in progress and its energy meter."""

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="feed")
    last_seq = models.BigIntegerField(_("last sequence applied"), default=0)
    state = models.CharField(_("state"), max_length=12, blank=True)
    reason = models.CharField(_("reason"), max_length=24, blank=True)
    operation = models.ForeignKey(Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    since = models.DateTimeField(_("since"), null=True, blank=True)
    down_since = models.DateTimeField(_("down since"), null=True, blank=True)
    down_cause = models.CharField(_("down cause"), max_length=24, blank=True)
    meter_kwh = models.FloatField(_("energy meter (kWh)"), null=True, blank=True)
    applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("line feed")


class HeldMessage(models.Model):
    """A line's message that arrived ahead of its turn (a sequence number missing before it), held until
    the gap fills or the wait runs out."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="held_messages")
    seq = models.BigIntegerField(_("sequence"))
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["line", "seq"]
        constraints = [models.UniqueConstraint(fields=["line", "seq"], name="one_held_message_per_line_and_seq")]
        verbose_name = _("held message")


class TelemetryRefusal(models.Model):
    """A message Cosmo refused (malformed, for another line, out of place) or a gap it gave up waiting for."""

    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    topic = models.CharField(_("topic"), max_length=200)
    line = models.ForeignKey(Line, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True)
    payload = models.TextField(_("payload"), blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("refused telemetry message")


class Crew(models.Model):
    """How many operators a line's shift needs (labour hours are counted over the shift, on or off)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="crews")
    shift_name = models.CharField(_("shift"), max_length=40, blank=True, help_text=_("empty: every shift"))
    operators = models.PositiveSmallIntegerField(_("operators"))
    hourly_cost = models.DecimalField(_("cost per operator hour"), max_digits=8, decimal_places=2, default=Decimal("30"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "shift_name"], name="one_crew_per_line_and_shift")]
        verbose_name = _("crew")


class ShippingLane(models.Model):
    """How a factory's goods reach a region: the days on the way and the cost per unit shipped. A factory
    without a lane to a region does not deliver there."""

    factory = models.ForeignKey(Factory, on_delete=models.CASCADE, related_name="lanes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="lanes")
    days = models.PositiveIntegerField(_("days on the way"))
    cost_per_unit = models.DecimalField(_("cost per unit"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["factory", "region"]
        constraints = [models.UniqueConstraint(fields=["factory", "region"], name="one_lane_per_factory_and_region")]
        verbose_name = _("shipping lane")

    def __str__(self) -> str:
        return f"{self.factory.code} → {self.region.code}: {self.days} d"


class RoutingPolicy(models.Model):
    """How an order line picks its factory (one row, edited in the admin; production/routing.py).

    - earliest: the factory promising the earliest delivery to the consumer's region; the lower cost
      (materials, energy, shipping) breaks a tie;
    - cheapest within N days: the cheapest among the factories promising no later than N days after the
      earliest.
    Re-routing moves a job that has not started to a factory that now promises at least `reroute_gain_days`
    earlier, when on."""

    class Policy(models.TextChoices):
        EARLIEST = "earliest", _("Earliest delivery, cost breaks ties")
        CHEAPEST_WITHIN = "cheapest_within", _("Cheapest within N days of the earliest")

    policy = models.CharField(_("policy"), max_length=20, choices=Policy.choices, default=Policy.EARLIEST)
    within_days = models.PositiveIntegerField(_("N: days after the earliest"), default=1)
    reroute = models.BooleanField(_("re-route jobs that have not started when their factory falls behind"),
                                  default=True)
    reroute_gain_days = models.PositiveIntegerField(_("re-route only when at least this many days earlier"),
                                                    default=1)

    class Meta:
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policy")

    def __str__(self) -> str:
        return str(self.get_policy_display())

    @classmethod
    def current(cls) -> "RoutingPolicy":
        """The policy in force (the defaults when none was saved yet)."""
        return cls.objects.order_by("pk").first() or cls()


class JobMove(models.Model):
    """A job moved from one factory to another before it started: who (empty: Cosmo itself), when, why."""

    class Reason(models.TextChoices):
        LINE_DOWN = "line_down", _("a line of the factory is down")
        LATE_SUPPLIER = "late_supplier", _("a supplier is late")
        BEHIND = "behind", _("the factory fell behind")
        PLANNER = "planner", _("moved by a planner")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="moves")
    from_factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="moves_out")
    to_factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="moves_in")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=240, blank=True)
    at = models.DateTimeField(_("factory time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    promised_before = models.DateField(_("promise there"), null=True, blank=True)
    promised_after = models.DateField(_("promise here"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("job move")

    def __str__(self) -> str:
        return f"{self.job.number}: {self.from_factory.code} → {self.to_factory.code}"
