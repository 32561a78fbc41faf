from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ContentBlock, PublicDocument


@admin.register(ContentBlock)
class ContentBlockAdmin(SimpleHistoryAdmin):
    list_display = ["heading", "partnership", "review_type", "position"]
    list_filter = ["partnership"]


@admin.register(PublicDocument)
class PublicDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "category", "file_kind", "size_bytes", "archived_at"]
    list_filter = ["partnership", "category"]
    readonly_fields = ["file_kind", "size_bytes", "original_name"]
