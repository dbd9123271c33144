"""Site-level study pages under /studies/ (the list itself is the home page). Their paths are
in studies.models.RESERVED_SLUGS, so no study's short name can shadow them."""

from django.urls import path

from studies import views

app_name = "studies"

urlpatterns = [
    path("new/", views.study_create, name="study-create"),
    path("trash/", views.study_trash, name="trash"),
    path("trash/<int:pk>/restore/", views.study_restore, name="study-restore"),
]
