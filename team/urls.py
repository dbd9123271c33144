from django.urls import path

from team import views

app_name = "team"

# Included under /studies/<slug:study>/team/: every view takes the study's slug as `study`.

urlpatterns = [
    path("", views.progress, name="progress"),
    path("assignments/new/", views.assignment_create_view, name="assignment-create"),
    path("assignments/<int:pk>/status/", views.assignment_status_view, name="assignment-status"),
    path("assignments/<int:pk>/delete/", views.assignment_delete_view, name="assignment-delete"),
    path("blind/", views.blind_set_view, name="blind-set"),
    path("blind/reveal/", views.layers_reveal_view, name="layers-reveal"),
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/job/", views.agreement_job_view, name="agreement-job"),
    path("agreement/agreement.csv", views.agreement_csv, name="agreement-csv"),
    path("agreement/agreement.xlsx", views.agreement_xlsx, name="agreement-xlsx"),
    path("compare/<int:pk>/", views.compare, name="compare"),
    path("compare/<int:pk>/adjudicate/", views.adjudicate, name="adjudicate"),
    path("adjudications/<int:pk>/undo/", views.adjudication_undo_view, name="adjudication-undo"),
]
