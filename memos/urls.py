from django.urls import path

from memos import annotation_views, comment_views, views

app_name = "memos"

# Included under /studies/<slug:study>/memos/: every view takes the study's slug as `study`.
urlpatterns = [
    path("", views.journal, name="journal"),
    path("journal.docx", views.journal_docx, name="journal-docx"),
    path("new/", views.memo_create_view, name="memo-create"),
    path("<int:pk>/", views.memo_detail, name="memo-detail"),
    path("<int:pk>/edit/", views.memo_update_view, name="memo-update"),
    path("<int:pk>/delete/", views.memo_delete_view, name="memo-delete"),
    path("trash/", views.memo_trash, name="memo-trash"),
    path("trash/<int:pk>/restore/", views.memo_restore_view, name="memo-restore"),
    path("transcripts/<int:pk>/", views.transcript_memos, name="transcript-memos"),
    path("transcripts/<int:pk>/annotations/", annotation_views.transcript_annotations,
         name="transcript-annotations"),
    path("transcripts/<int:pk>/annotate/", annotation_views.transcript_annotate, name="transcript-annotate"),
    path("themes/<int:pk>/", views.theme_memos, name="theme-memos"),
    path("participants/<int:pk>/", views.participant_memos, name="participant-memos"),
    # Comments (comment_views.py): reviewers may write these, and nothing else.
    path("comments/", comment_views.comment_list, name="comment-list"),
    path("comments/new/", comment_views.comment_create_view, name="comment-create"),
    path("comments/<int:pk>/reply/", comment_views.comment_reply_view, name="comment-reply"),
    path("comments/<int:pk>/resolve/", comment_views.comment_resolve_view, name="comment-resolve"),
]
