from django.urls import path

from coding import views

app_name = "coding"

urlpatterns = [
    path("transcripts/<int:pk>/", views.transcript_coding, name="transcript-coding"),
    path(
        "transcripts/<int:pk>/excerpts/new/",
        views.excerpt_create_view,
        name="excerpt-create",
    ),
    path("excerpts/<int:pk>/edit/", views.excerpt_update_view, name="excerpt-update"),
    path("excerpts/<int:pk>/delete/", views.excerpt_delete_view, name="excerpt-delete"),
    path("deleted-excerpts/<int:pk>/restore/", views.excerpt_restore_view, name="excerpt-restore"),
    path("themes/new/", views.theme_create_view, name="theme-create"),
]
