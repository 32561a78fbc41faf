"""The system administration site's pages for accounts (superusers only: ``admin_site.py``).

Who may do what is not changed here (ADR 0011): the superuser and staff flags are read-only
(``manage.py grant_system_admin`` sets them) and memberships are shown, not edited (the
partnership's business unit gives roles on the people pages). A change to the active flag is
audited by the safety net (``access_audit.py``).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Agency, Membership, Partnership, User


class MembershipInline(admin.TabularInline):
    """Read-only: roles are given on the partnership's people pages."""

    model = Membership
    extra = 0
    fields = ["partnership", "role", "agency", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "is_superuser", "last_login"]
    search_fields = ["full_name", "email"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_active", "is_superuser", "memberships__role"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "runs_cspr", "runs_safeguarding_adults_reviews", "runs_dhr"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["agencies"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
