"""Participant records as CSV, for the study's owners."""

import csv

from django.http import HttpResponse

from interviews.models import IDENTIFYING_FIELDS
from studies.spreadsheet import csv_row

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
        writer.writerow(csv_row(getattr(participant, field) for field in fields))
    return response
