from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read only: whether each email went, for system administrators looking into a failure."""

    list_display = ("created_at", "kind", "email", "partnership", "email_status", "read_at")
    list_filter = ("email_status", "kind", "partnership")
    search_fields = ("email", "subject", "email_reference")
    exclude = ("body",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
