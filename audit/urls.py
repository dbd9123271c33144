from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.history_log, name="history-log"),
    path("excerpts/<int:pk>/", views.excerpt_history, name="excerpt-history"),
    path("excerpts/<int:pk>/revert/<int:change_pk>/", views.excerpt_revert, name="excerpt-revert"),
    path("memos/<int:pk>/", views.memo_history, name="memo-history"),
    path("trash/", views.trash, name="trash"),
]
