from django.urls import path

from interviews import views

app_name = "interviews"

urlpatterns = [
    path("transcripts/", views.transcript_list, name="transcript-list"),
    path("transcripts/import/", views.transcript_upload, name="transcript-upload"),
    path("transcripts/anonymise/", views.transcripts_anonymise_view, name="transcripts-anonymise"),
    path("transcripts/<int:pk>/review/", views.transcript_review, name="transcript-review"),
    path("transcripts/<int:pk>/text/", views.transcript_text_edit, name="transcript-text-edit"),
    path(
        "transcripts/<int:pk>/anonymise/",
        views.transcript_anonymise_view,
        name="transcript-anonymise",
    ),
    path("transcripts/<int:pk>/source/", views.transcript_source_download, name="transcript-source"),
    path(
        "excerpts/<int:pk>/accept/",
        views.excerpt_review_accept_view,
        name="excerpt-review-accept",
    ),
]
