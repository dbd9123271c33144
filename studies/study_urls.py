"""A study's own pages (members, settings), under /studies/<slug>/."""

from django.urls import path

from studies import views

app_name = "study"

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member-add"),
    path("members/<int:pk>/role/", views.member_role_set, name="member-role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("settings/", views.study_settings, name="settings"),
    path("settings/archive/", views.study_archive, name="archive"),
    path("delete/", views.study_delete, name="delete"),
    path("claim/", views.study_claim, name="claim"),
]
