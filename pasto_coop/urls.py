from django.contrib import admin
from django.urls import include, path

from interviews import views as interview_views

urlpatterns = [
    path("", interview_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("interviews.urls")),
    path("coding/", include("coding.urls")),
]
