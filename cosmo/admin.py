from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from cosmo.audit import plain, record, snapshot
from cosmo.models import Change, ClockAnchor, User

SECRET_FIELDS = {"password"}


def _fields(values: dict, names) -> dict:
    return {k: plain(values.get(k)) for k in names if k not in SECRET_FIELDS}


class AuditedAdminMixin:
    """Every save and delete an administrator makes in the admin (the row and its inlines) is recorded
    as a `Change` with the values before and after, in the admin's own transaction."""

    def save_model(self, request, obj, form, change):
        changed = list(form.changed_data)
        before = _fields(form.initial, changed) if change else {}
        super().save_model(request, obj, form, change)
        after = _fields(snapshot(obj), changed if change else snapshot(obj).keys())
        if not change or changed:
            record(request.user, obj, "admin_change" if change else "admin_add", before, after)

    def delete_model(self, request, obj):
        record(request.user, obj, "admin_delete", _fields(snapshot(obj), snapshot(obj).keys()), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record(request.user, obj, "admin_delete", _fields(snapshot(obj), snapshot(obj).keys()), {})
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        for gone in getattr(formset, "deleted_forms", []):
            if gone.instance.pk is not None:
                record(request.user, gone.instance, "admin_delete", _fields(gone.initial, gone.initial.keys()), {})
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            record(request.user, obj, "admin_add", {}, _fields(snapshot(obj), snapshot(obj).keys()))
        for obj, names in getattr(formset, "changed_objects", []):
            initial = next((f.initial for f in formset.forms if f.instance is obj), {})
            record(request.user, obj, "admin_change", _fields(initial, names), _fields(snapshot(obj), names))


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


@admin.register(User)
class CosmoUserAdmin(AuditedAdminMixin, UserAdmin):
    list_display = ["username", "email", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Cosmo", {"fields": ["role"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Cosmo", {"fields": ["role"]}),)


@admin.register(ClockAnchor)
class ClockAnchorAdmin(admin.ModelAdmin):
    list_display = ["factory_anchor", "real_anchor", "speed"]


class RecordAdmin(admin.ModelAdmin):
    """A record written by what it records (a change, a move): shown, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Change)
class ChangeAdmin(RecordAdmin):
    """Who changed what, read-only: the record is written by the changes themselves."""

    list_display = ["at", "actor_name", "actor_role", "action", "object_type", "object_label"]
    list_filter = ["actor_role", "action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "object_label", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in Change._meta.fields]
