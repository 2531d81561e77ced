from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cosmo.models import ClockAnchor, User


@admin.register(User)
class CosmoUserAdmin(UserAdmin):
    list_display = ["username", "email", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Cosmo", {"fields": ["role"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Cosmo", {"fields": ["role"]}),)


@admin.register(ClockAnchor)
class ClockAnchorAdmin(admin.ModelAdmin):
    list_display = ["factory_anchor", "real_anchor", "speed"]
