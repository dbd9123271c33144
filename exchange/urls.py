from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.exchange, name="exchange"),
    path("export/", views.study_export_view, name="study-export"),
    path("export/job/", views.study_export_job_view, name="study-export-job"),
]
