from django.contrib import admin

from orders.models import Option, OptionGroup, Order, OrderLine, ProductFamily, Rule, TimelineEntry


class OptionGroupInline(admin.StackedInline):
    model = OptionGroup
    extra = 0
    show_change_link = True


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(ProductFamily)
class ProductFamilyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base_price", "currency", "active"]
    search_fields = ["code", "name"]
    inlines = [OptionGroupInline, RuleInline]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(OptionGroup)
class OptionGroupAdmin(admin.ModelAdmin):
    list_display = ["family", "code", "name", "kind", "required", "position"]
    list_filter = ["family", "kind"]
    inlines = [OptionInline]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["family", "code", "kind", "message"]
    list_filter = ["family", "kind"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = ["family", "configuration", "variant_code", "quantity", "unit_price"]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    readonly_fields = ["at", "stage", "event", "params"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "stage", "placed_at", "promised_date", "total", "currency"]
    list_filter = ["stage"]
    search_fields = ["number", "customer__username"]
    inlines = [OrderLineInline, TimelineInline]
