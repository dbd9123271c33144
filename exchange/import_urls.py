"""The site-level import, at /studies/import/: a REFI-QDA file becomes a new study. Apart from
exchange.urls because it belongs to no study yet."""

from django.urls import path

from exchange import views

app_name = "exchange-import"

urlpatterns = [
    path("", views.study_import_page, name="study-import"),
]
