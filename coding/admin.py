from django.contrib import admin

from coding.models import CodedExcerpt, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "kind", "colour", "order")
    list_filter = ("kind",)
    search_fields = ("name", "description")


@admin.register(CodedExcerpt)
class CodedExcerptAdmin(admin.ModelAdmin):
    list_display = ("__str__", "transcript", "coder", "needs_review", "updated_at")
    list_filter = ("needs_review", "themes")
    search_fields = ("quote", "memo")
    list_select_related = ("transcript", "coder")
    readonly_fields = ("quote", "version", "created_at", "updated_at")
    filter_horizontal = ("themes",)
