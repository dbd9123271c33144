from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/status/", views.job_status, name="job-status"),
    path("<int:pk>/cancel/", views.job_cancel_view, name="job-cancel"),
    path("<int:pk>/retry/", views.job_retry_view, name="job-retry"),
    path("<int:pk>/download/", views.job_download, name="job-download"),
]
