from django.contrib import admin

from suppliers.models import Allocation, Offer, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMember


class MemberInline(admin.TabularInline):
    model = SupplierMember
    extra = 0


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "autopilot"]
    inlines = [MemberInline, OfferInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["supplier", "part", "price", "currency", "lead_time_days", "min_quantity", "active"]
    list_filter = ["supplier"]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "supplier"]
    inlines = [PurchaseOrderLineInline]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["po_line", "requirement", "quantity"]
