from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from nested_admin import NestedModelAdminMixin, NestedTabularInline

from cosmo.admin import AuditedAdmin
from orders.catalog import family_spec, options_uncovered
from orders.configurator import FamilyProblem, check_family, forget_family
from orders.models import Option, OptionGroup, Order, OrderLine, ProductFamily, Region, Rule, SavedConfiguration, TimelineEntry
from orders.rule_check import CODE_LISTS, codes_parse, rule_errors


def family_problems(family: ProductFamily):
    """What is wrong with a family as stored: options the factory cannot make (no BOM line or routing
    step: they cannot be ordered until they have one), then what the configurator finds (unknown options
    in rules, options that can never be chosen, rule sets that admit no valid configuration, specs that
    cannot compile)."""
    family = ProductFamily.objects.prefetch_related("groups__options", "rules").get(pk=family.pk)
    names = dict(Option.objects.filter(group__family=family).values_list("code", "name"))
    uncovered = [
        FamilyProblem("error", "not_made", _("%(name)s (%(code)s) cannot be ordered: %(why)s.")
                      % {"name": names.get(code, code), "code": code, "why": why}, code)
        for code, why in sorted(options_uncovered(family).items())
    ]
    return uncovered + [p for p in check_family(family_spec(family)) if p.subject not in {u.subject for u in uncovered}]


class CodesField(forms.CharField):
    """Option codes typed one line long ("PANEL_WHITE, CTRL_SMART"), stored as a JSON list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        codes = codes_parse(value)
        return value if codes is None else codes


class RuleForm(forms.ModelForm):
    """A rule checked on save: its codes are options of its family, its shape fits its kind."""

    condition_all = CodesField(label=_("when all of"), required=False)
    condition_any = CodesField(label=_("when any of"), required=False)
    condition_none = CodesField(label=_("when none of"), required=False)
    targets = CodesField(label=_("target options"), required=False)

    class Meta:
        model = Rule
        fields = "__all__"
        widgets = {
            "message": forms.TextInput(attrs={"size": 40}),
            "minimum": forms.NumberInput(attrs={"style": "width: 6em"}),
            "maximum": forms.NumberInput(attrs={"style": "width: 6em"}),
            "amount": forms.NumberInput(attrs={"style": "width: 6em"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in CODE_LISTS:
            self.fields[field].widget = forms.TextInput(attrs={"size": 22, "placeholder": "CODE, CODE"})

    def clean(self):
        data = super().clean()
        family = data.get("family") or (self.instance.family if self.instance.family_id else None)
        for field, reasons in rule_errors(family=family, data=data).items():
            for reason in reasons:
                self.add_error(field if field in self.fields else None, reason)
        return data


class FamilyOptionInline(NestedTabularInline):
    """A group's options, edited on the family page itself, under their group's row."""

    model = Option
    extra = 0
    fields = ["code", "name", "price", "is_default", "active", "layer"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 16})},
                           models.DecimalField: {"widget": forms.NumberInput(attrs={"style": "width: 6em"})}}


class OptionGroupInline(NestedTabularInline):
    model = OptionGroup
    extra = 0
    show_change_link = True
    fields = ["position", "code", "name", "kind", "required"]
    inlines = [FamilyOptionInline]
    formfield_overrides = {models.PositiveIntegerField: {"widget": forms.NumberInput(attrs={"style": "width: 4em"})},
                           models.IntegerField: {"widget": forms.NumberInput(attrs={"style": "width: 4em"})}}


class RuleInline(NestedTabularInline):
    model = Rule
    form = RuleForm
    extra = 0
    fields = ["code", "kind", "condition_all", "condition_any", "condition_none", "targets", "group_code",
              "minimum", "maximum", "amount", "message"]


@admin.register(ProductFamily)
class ProductFamilyAdmin(NestedModelAdminMixin, AuditedAdmin):
    list_display = ["code", "name", "base_price", "currency", "active"]
    search_fields = ["code", "name"]
    inlines = [OptionGroupInline, RuleInline]
    readonly_fields = ["rule_check"]
    actions = ["check_rules"]

    class Media:
        css = {"all": ["css/admin_family.css"]}

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
    fields = ["code", "name", "price", "is_default", "active", "layer"]


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
    form = RuleForm
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


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "is_default", "position"]


@admin.register(Order)
class OrderAdmin(AuditedAdmin):
    list_display = ["number", "customer", "stage", "placed_at", "promised_date", "total", "currency"]
    list_filter = ["stage"]
    search_fields = ["number", "customer__username"]
    inlines = [OrderLineInline, TimelineInline]
