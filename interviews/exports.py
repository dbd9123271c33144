"""Participant records as CSV, for the study's owners."""

import csv

from django.http import HttpResponse

from interviews.attributes import participant_profiles
from interviews.models import IDENTIFYING_FIELDS
from studies.spreadsheet import csv_row

CONSENT_FIELDS = ("consent_given", "consent_date", "consent_scope", "consent_withdrawn_on")


def participants_csv(study, queryset, *, identifying):
    """The participant list as CSV: code, a column per attribute of participants, consent; the
    identifying attributes, names and contacts only when `identifying` is asked for explicitly.
    Three queries: the participants, the attributes, their values."""
    fields = CONSENT_FIELDS + (IDENTIFYING_FIELDS if identifying else ())
    profiles = participant_profiles(study, identifying=identifying)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-identifying" if identifying else ""
    response["Content-Disposition"] = f'attachment; filename="participants{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(csv_row(["code", *(attribute.name for attribute in profiles.attributes), *fields]))
    for participant in queryset.order_by("code"):
        writer.writerow(csv_row([participant.code, *profiles.row(participant.pk),
                                 *(getattr(participant, field) for field in fields)]))
    return response
