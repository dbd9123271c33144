"""The interviews app's pages under /studies/<slug>/transcripts/: import, original files and
participant records. The transcript list and the correction pages are coding's
(coding/transcripts_urls.py), since they count and move excerpts."""

from django.urls import path

from interviews import views

app_name = "interviews"

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
]
