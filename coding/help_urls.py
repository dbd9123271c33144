from django.urls import path

from coding import help_views

app_name = "help"

urlpatterns = [
    path("keyboard/", help_views.keyboard_help, name="keyboard"),
]
