from django.contrib import admin

from cosmo.admin import AuditedAdmin, RecordAdmin
from production.models import (
    BomLine,
    Factory,
    Job,
    JobMove,
    Line,
    Breakdown,
    Crew,
    LineFeed,
    TelemetryRefusal,
    LineCapability,
    LineSimulation,
    Operation,
    Part,
    PartComponent,
    Requirement,
    RoutingPolicy,
    RoutingStep,
    ShippingLane,
    Stock,
    TariffBand,
)


class ComponentInline(admin.TabularInline):
    model = PartComponent
    fk_name = "assembly"
    extra = 0


@admin.register(Part)
class PartAdmin(AuditedAdmin):
    list_display = ["code", "name", "unit"]
    search_fields = ["code", "name"]
    inlines = [ComponentInline]


@admin.register(BomLine)
class BomLineAdmin(AuditedAdmin):
    list_display = ["family", "part", "quantity", "per_group", "condition_all", "condition_any", "condition_none"]
    list_filter = ["family"]


@admin.register(RoutingStep)
class RoutingStepAdmin(AuditedAdmin):
    list_display = ["family", "sequence", "name", "minutes", "condition_all", "condition_any", "condition_none"]
    list_filter = ["family"]


class LineInline(admin.TabularInline):
    model = Line
    extra = 0


class ShippingLaneInline(admin.TabularInline):
    model = ShippingLane
    extra = 0


@admin.register(Factory)
class FactoryAdmin(AuditedAdmin):
    list_display = ["code", "name", "timezone", "energy_price"]
    inlines = [LineInline, ShippingLaneInline]


@admin.register(ShippingLane)
class ShippingLaneAdmin(AuditedAdmin):
    list_display = ["factory", "region", "days", "cost_per_unit"]
    list_filter = ["factory", "region"]


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(AuditedAdmin):
    """One row: the policy in force (production/routing.py reads it)."""

    list_display = ["policy", "within_days", "reroute", "reroute_gain_days"]

    def has_add_permission(self, request):
        return not RoutingPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobMove)
class JobMoveAdmin(RecordAdmin):
    """The record of jobs moved between factories: read-only."""

    list_display = ["job", "from_factory", "to_factory", "reason", "at", "by"]
    list_filter = ["reason", "from_factory", "to_factory"]


class CapabilityInline(admin.TabularInline):
    model = LineCapability
    extra = 0


class LineSimulationInline(admin.StackedInline):
    model = LineSimulation
    extra = 0


@admin.register(Line)
class LineAdmin(AuditedAdmin):
    list_display = ["code", "name", "factory"]
    inlines = [CapabilityInline, LineSimulationInline]


@admin.register(Breakdown)
class BreakdownAdmin(AuditedAdmin):
    list_display = ["line", "start", "end", "cause"]
    list_filter = ["line__factory", "line", "cause"]


@admin.register(Stock)
class StockAdmin(AuditedAdmin):
    list_display = ["factory", "part", "on_hand", "reserved"]
    list_filter = ["factory"]


@admin.register(Requirement)
class RequirementAdmin(AuditedAdmin):
    list_display = ["order_line", "part", "quantity", "reserved", "need_date"]


class OperationInline(admin.TabularInline):
    model = Operation
    extra = 0


@admin.register(Job)
class JobAdmin(AuditedAdmin):
    list_display = ["number", "factory", "status", "release_date", "due_date", "priority"]
    list_filter = ["status", "factory"]
    inlines = [OperationInline]


@admin.register(Crew)
class CrewAdmin(admin.ModelAdmin):
    list_display = ["line", "shift_name", "operators"]


@admin.register(TariffBand)
class TariffBandAdmin(admin.ModelAdmin):
    list_display = ["factory", "name", "start", "end", "price_kwh"]


@admin.register(LineFeed)
class LineFeedAdmin(admin.ModelAdmin):
    list_display = ["line", "last_seq", "state", "reason", "since", "meter_kwh", "applied_at"]
    readonly_fields = [f.name for f in LineFeed._meta.fields]


@admin.register(TelemetryRefusal)
class TelemetryRefusalAdmin(admin.ModelAdmin):
    list_display = ["received_at", "topic", "seq", "reason"]
    readonly_fields = [f.name for f in TelemetryRefusal._meta.fields]
