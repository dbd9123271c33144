"""Site-level jobs, at /studies/import/jobs/: an import that makes a new study belongs to no
study while it runs, so only its starter reaches it. The views are the study jobs' views."""

from django.urls import path

from jobs import views

app_name = "site-jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/status/", views.job_status, name="job-status"),
    path("<int:pk>/cancel/", views.job_cancel_view, name="job-cancel"),
    path("<int:pk>/retry/", views.job_retry_view, name="job-retry"),
]
