from django.urls import path

from reports import codebook_views, crosstab_views, table_views, views

app_name = "reports"

urlpatterns = [
    path("excerpts/", views.excerpt_browser, name="excerpt-browser"),
    path("excerpts/export.csv", views.excerpt_export_csv, name="excerpt-export-csv"),
    path("excerpts/choices/", views.excerpt_choices, name="excerpt-choices"),
    path("excerpts/<int:pk>/context/", views.excerpt_context, name="excerpt-context"),
    path("search/", views.search_view, name="search"),
    path("search/auto-code/", views.auto_code, name="auto-code"),
    path("auto-coding/<int:pk>/undo/", views.auto_coding_undo_view, name="auto-coding-undo"),
    path("themes/<int:pk>/report/", views.theme_report_view, name="theme-report"),
    path("themes/<int:pk>/report.docx", views.theme_report_docx, name="theme-report-docx"),
    path("themes/<int:pk>/report.xlsx", views.theme_report_xlsx, name="theme-report-xlsx"),
    path("themes/<int:pk>/report.csv", views.theme_report_csv, name="theme-report-csv"),
    path("themes/<int:pk>/report/export-job/", views.theme_report_export_job, name="theme-report-export-job"),
    path("overview/", views.study_overview, name="study-overview"),
    path("codebook/", codebook_views.codebook_report, name="codebook-report"),
    path("codebook.docx", codebook_views.codebook_report_docx, name="codebook-report-docx"),
    path("overview/matrix/", views.theme_matrix, name="theme-matrix"),
    path("overview/crosstab/", crosstab_views.attribute_crosstab, name="attribute-crosstab"),
    path("overview/co-occurrence/", views.theme_cooccurrence, name="theme-cooccurrence"),
    path("overview/matrix.<str:fmt>", table_views.theme_matrix_export, name="theme-matrix-export"),
    path("overview/crosstabs.<str:fmt>", table_views.crosstabs_export, name="crosstabs-export"),
    path("overview/cases.<str:fmt>", table_views.case_theme_export, name="case-theme-export"),
]
