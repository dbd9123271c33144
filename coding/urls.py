from django.urls import path

from coding import codebook_views, views

app_name = "coding"

# Included under /studies/<slug:study>/coding/: every view takes the study's slug as `study`.

urlpatterns = [
    path("transcripts/<int:pk>/", views.transcript_coding, name="transcript-coding"),
    path(
        "transcripts/<int:pk>/excerpts/new/",
        views.excerpt_create_view,
        name="excerpt-create",
    ),
    path("transcripts/<int:pk>/excerpts/", views.transcript_excerpts, name="transcript-excerpts"),
    path("transcripts/<int:pk>/speaker-turns/code/", views.speaker_code_view, name="speaker-code"),
    path("excerpts/<int:pk>/edit/", views.excerpt_update_view, name="excerpt-update"),
    path("excerpts/<int:pk>/delete/", views.excerpt_delete_view, name="excerpt-delete"),
    path("deleted-excerpts/<int:pk>/restore/", views.excerpt_restore_view, name="excerpt-restore"),
    path("themes/new/", views.theme_create_view, name="theme-create"),
    # The codebook page and its operations (codebook_views.py).
    path("codebook/", codebook_views.codebook, name="codebook"),
    path("codebook/themes/new/", codebook_views.theme_create_page, name="codebook-theme-create"),
    path("codebook/themes/<int:pk>/edit/", codebook_views.theme_update_page, name="theme-update"),
    path("codebook/themes/<int:pk>/move/", codebook_views.theme_move_view, name="theme-move"),
    path("codebook/themes/<int:pk>/merge/", codebook_views.theme_merge_page, name="theme-merge"),
    path("codebook/themes/<int:pk>/split/", codebook_views.theme_split_page, name="theme-split"),
    path("codebook/themes/<int:pk>/delete/", codebook_views.theme_delete_page, name="theme-delete"),
    path("codebook/removed/<int:pk>/restore/", codebook_views.theme_restore_view, name="theme-restore"),
    path("codebook/export.qdc", codebook_views.codebook_export_qdc, name="codebook-export-qdc"),
    path("codebook/export.csv", codebook_views.codebook_export_csv, name="codebook-export-csv"),
    path("codebook/import/", codebook_views.codebook_import_page, name="codebook-import"),
    path("codebook/copy/", codebook_views.codebook_copy_page, name="codebook-copy"),
]
