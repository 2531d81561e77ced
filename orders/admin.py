from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cosmo.admin import AuditedAdmin
from orders.catalog import family_spec
from orders.configurator import check_family, forget_family
from orders.models import Option, OptionGroup, Order, OrderLine, ProductFamily, Rule, SavedConfiguration, TimelineEntry


def family_problems(family: ProductFamily):
    """What the configurator finds wrong with a family as stored: unknown options in rules, options that
    can never be chosen, rule sets that admit no valid configuration, and specs that cannot compile."""
    family = ProductFamily.objects.prefetch_related("groups__options", "rules").get(pk=family.pk)
    return check_family(family_spec(family))


class OptionGroupInline(admin.StackedInline):
    model = OptionGroup
    extra = 0
    show_change_link = True


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(ProductFamily)
class ProductFamilyAdmin(AuditedAdmin):
    list_display = ["code", "name", "base_price", "currency", "active"]
    search_fields = ["code", "name"]
    inlines = [OptionGroupInline, RuleInline]
    readonly_fields = ["rule_check"]
    actions = ["check_rules"]

    @admin.display(description=_("rule check"))
    def rule_check(self, family):
        if family.pk is None:
            return "—"
        problems = family_problems(family)
        if not problems:
            return _("No problems: every option can be chosen and the rules admit valid configurations.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li class="{}">{}</li>', ((p.severity, p.message) for p in problems)),
        )

    @admin.action(description=_("Check the rules of the selected families"))
    def check_rules(self, request, queryset):
        for family in queryset:
            problems = family_problems(family)
            if not problems:
                self.message_user(request, _("%(family)s: no problems.") % {"family": family.name}, messages.SUCCESS)
            for problem in problems:
                level = messages.ERROR if problem.severity == "error" else messages.WARNING
                self.message_user(request, f"{family.name}: {problem.message}", level)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Drop the compiled form now rather than when its fingerprint stops matching.
        forget_family(form.instance.code)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(OptionGroup)
class OptionGroupAdmin(AuditedAdmin):
    list_display = ["family", "code", "name", "kind", "required", "position"]
    list_filter = ["family", "kind"]
    inlines = [OptionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        forget_family(form.instance.family.code)


@admin.register(SavedConfiguration)
class SavedConfigurationAdmin(AuditedAdmin):
    list_display = ["code", "family", "created_at"]


@admin.register(Rule)
class RuleAdmin(AuditedAdmin):
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
class OrderAdmin(AuditedAdmin):
    list_display = ["number", "customer", "stage", "placed_at", "promised_date", "total", "currency"]
    list_filter = ["stage"]
    search_fields = ["number", "customer__username"]
    inlines = [OrderLineInline, TimelineInline]
