import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from interviews.models import Participant, Transcript
from pasto_coop.roles import can_see_identifying_fields

IDENTIFYING_FIELDS = ("full_name", "contact")
CSV_FIELDS = (
    "code", "organisation", "sector", "gender", "consent_given", "consent_date",
    "consent_scope", "consent_withdrawn_on",
)


def participants_csv(queryset, *, identifying):
    """The participant list as CSV: pseudonyms and attributes, plus names and contacts only when
    `identifying` is asked for explicitly."""
    fields = CSV_FIELDS + (IDENTIFYING_FIELDS if identifying else ())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-identifying" if identifying else ""
    response["Content-Disposition"] = f'attachment; filename="participants{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(fields)
    for participant in queryset.order_by("code"):
        writer.writerow([getattr(participant, field) for field in fields])
    return response


class TranscriptInline(admin.TabularInline):
    model = Transcript
    fields = ("title", "interview_date", "language", "source_filename")
    show_change_link = True
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "sector", "gender", "consent_given", "consent_scope")
    list_filter = ("sector", "gender", "consent_given", "consent_scope")
    search_fields = ("code", "organisation", "notes")
    inlines = [TranscriptInline]
    actions = ["export_csv", "export_csv_identifying"]

    def get_exclude(self, request, obj=None):
        return () if can_see_identifying_fields(request.user) else IDENTIFYING_FIELDS

    def get_search_fields(self, request):
        if can_see_identifying_fields(request.user):
            return self.search_fields + IDENTIFYING_FIELDS
        return self.search_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_see_identifying_fields(request.user):
            actions.pop("export_csv_identifying", None)
        return actions

    @admin.action(description=_("Export selected participants as CSV (pseudonyms only)"))
    def export_csv(self, request, queryset):
        return participants_csv(queryset, identifying=False)

    @admin.action(description=_("Export selected participants as CSV with names and contacts"))
    def export_csv_identifying(self, request, queryset):
        if not can_see_identifying_fields(request.user):
            raise PermissionDenied
        return participants_csv(queryset, identifying=True)


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = ("title", "participant", "interview_date", "language")
    list_filter = ("language",)
    search_fields = ("title", "participant__code")
    readonly_fields = ("created_by", "updated_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Once saved, the text changes only through the correction page, which re-anchors
        # every excerpt and keeps the version; editing it here would strand the offsets.
        return self.readonly_fields + (("text",) if obj is not None else ())
