from django.urls import path

from coding import codebook_views, report_views, views

app_name = "coding"

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
    # Browse and report (report_views.py).
    path("excerpts/", report_views.excerpt_browser, name="excerpt-browser"),
    path("excerpts/export.csv", report_views.excerpt_export_csv, name="excerpt-export-csv"),
    path("search/", report_views.search_view, name="search"),
    path("search/auto-code/", report_views.auto_code, name="auto-code"),
    path("auto-coding/<int:pk>/undo/", report_views.auto_coding_undo_view, name="auto-coding-undo"),
    path("themes/<int:pk>/report/", report_views.theme_report_view, name="theme-report"),
    path("themes/<int:pk>/report.docx", report_views.theme_report_docx, name="theme-report-docx"),
    path("themes/<int:pk>/report.xlsx", report_views.theme_report_xlsx, name="theme-report-xlsx"),
    path("themes/<int:pk>/report.csv", report_views.theme_report_csv, name="theme-report-csv"),
    path("overview/", report_views.study_overview, name="study-overview"),
    path("overview/matrix/", report_views.theme_matrix, name="theme-matrix"),
    path("overview/co-occurrence/", report_views.theme_cooccurrence, name="theme-cooccurrence"),
]
