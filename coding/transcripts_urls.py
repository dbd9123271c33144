"""The study's transcript pages that count or move excerpts (coding/transcripts_views.py),
included at the study's root, /studies/<slug>/: the transcript list is the study's landing page.
Import, original files and participants are interviews' (/studies/<slug>/transcripts/...)."""

from django.urls import path

from coding import transcripts_views as views

app_name = "transcripts"

urlpatterns = [
    path("", views.transcript_list, name="transcript-list"),
    path("transcripts/anonymise/", views.transcripts_anonymise_view, name="transcripts-anonymise"),
    path("transcripts/<int:pk>/review/", views.transcript_review, name="transcript-review"),
    path("transcripts/<int:pk>/text/", views.transcript_text_edit, name="transcript-text-edit"),
    path("transcripts/<int:pk>/anonymise/", views.transcript_anonymise_view, name="transcript-anonymise"),
    path("excerpts/<int:pk>/accept/", views.excerpt_review_accept_view, name="excerpt-review-accept"),
]
