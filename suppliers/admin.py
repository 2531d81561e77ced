from django.contrib import admin

from cosmo.admin import AuditedAdmin
from suppliers.models import (
    Allocation,
    AutopilotProfile,
    Offer,
    PriceBreak,
    PurchaseOrder,
    PurchaseOrderLine,
    Resourcing,
    Shipment,
    ShipmentLine,
    Supplier,
    SupplierMember,
)


class MemberInline(admin.TabularInline):
    model = SupplierMember
    extra = 0


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0


class AutopilotInline(admin.StackedInline):
    model = AutopilotProfile
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(AuditedAdmin):
    list_display = ["code", "name", "autopilot"]
    inlines = [AutopilotInline, MemberInline, OfferInline]


class PriceBreakInline(admin.TabularInline):
    model = PriceBreak
    extra = 0


@admin.register(Offer)
class OfferAdmin(AuditedAdmin):
    list_display = ["supplier", "part", "price", "currency", "lead_time_days", "min_quantity", "daily_capacity",
                    "active"]
    list_filter = ["supplier"]
    inlines = [PriceBreakInline]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(AuditedAdmin):
    list_display = ["number", "supplier", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "supplier"]
    inlines = [PurchaseOrderLineInline]


@admin.register(Allocation)
class AllocationAdmin(AuditedAdmin):
    list_display = ["po_line", "requirement", "quantity", "received"]


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0


@admin.register(Shipment)
class ShipmentAdmin(AuditedAdmin):
    list_display = ["number", "purchase_order", "status", "shipped_at", "expected_arrival", "received_at"]
    list_filter = ["status"]
    inlines = [ShipmentLineInline]


@admin.register(Resourcing)
class ResourcingAdmin(AuditedAdmin):
    list_display = ["requirement", "from_offer", "quantity", "reason", "at"]
