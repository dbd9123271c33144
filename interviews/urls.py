"""The interviews app's pages under /studies/<slug>/transcripts/: import, original files and
participant records. The transcript list and the correction pages are coding's
(coding/transcripts_urls.py), since they count and move excerpts."""

from django.urls import path

from interviews import sheet_views, views
from interviews.models import AttributeTarget

app_name = "interviews"
P, T = AttributeTarget.PARTICIPANT.value, AttributeTarget.TRANSCRIPT.value

urlpatterns = [
    path("import/", views.transcript_upload, name="transcript-upload"),
    path("<int:pk>/source/", views.transcript_source_download, name="transcript-source"),
    path("participants/", views.participant_list, name="participant-list"),
    path("participants/new/", views.participant_create_view, name="participant-create"),
    path("participants/<int:pk>/edit/", views.participant_update_view, name="participant-update"),
    path("participants/export.csv", views.participant_export, name="participant-export"),
    path(
        "participants/export-identifying.csv",
        views.participant_export_identifying,
        name="participant-export-identifying",
    ),
    # attributes and the classification sheets (interviews/sheet_views.py)
    path("participants/attributes/", sheet_views.attribute_list, {"target": P},
         name="participant-attributes"),
    path("participants/attributes/new/", sheet_views.attribute_create_view, {"target": P},
         name="participant-attribute-create"),
    path("attributes/", sheet_views.attribute_list, {"target": T}, name="transcript-attributes"),
    path("attributes/new/", sheet_views.attribute_create_view, {"target": T},
         name="transcript-attribute-create"),
    path("attributes/<int:pk>/edit/", sheet_views.attribute_update_view, name="attribute-update"),
    path("attributes/<int:pk>/delete/", sheet_views.attribute_delete_view, name="attribute-delete"),
    path("participants/sheet/", sheet_views.sheet_page, {"target": P}, name="participant-sheet"),
    path("participants/sheet/cell/", sheet_views.sheet_cell, {"target": P}, name="participant-sheet-cell"),
    path("participants/sheet/add/", sheet_views.participant_sheet_add, name="participant-sheet-add"),
    path("participants/sheet/export.csv", sheet_views.sheet_export, {"target": P, "fmt": "csv"},
         name="participant-sheet-export-csv"),
    path("participants/sheet/export.xlsx", sheet_views.sheet_export, {"target": P, "fmt": "xlsx"},
         name="participant-sheet-export-xlsx"),
    path("participants/sheet/import/", sheet_views.sheet_import, {"target": P},
         name="participant-sheet-import"),
    path("sheet/", sheet_views.sheet_page, {"target": T}, name="transcript-sheet"),
    path("sheet/cell/", sheet_views.sheet_cell, {"target": T}, name="transcript-sheet-cell"),
    path("sheet/export.csv", sheet_views.sheet_export, {"target": T, "fmt": "csv"},
         name="transcript-sheet-export-csv"),
    path("sheet/export.xlsx", sheet_views.sheet_export, {"target": T, "fmt": "xlsx"},
         name="transcript-sheet-export-xlsx"),
    path("sheet/import/", sheet_views.sheet_import, {"target": T}, name="transcript-sheet-import"),
]
