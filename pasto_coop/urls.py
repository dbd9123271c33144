from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from interviews import views as interview_views

urlpatterns = [
    path("", interview_views.home, name="home"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("users/", include("accounts.urls")),
    path("history/", include("audit.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("interviews.urls")),
    path("coding/", include("coding.urls")),
    path("exchange/", include("exchange.urls")),
]
