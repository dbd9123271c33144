from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.forms import AdminLoginForm
from studies import views as study_views

# Everything inside a study lives under /studies/<slug>/; each view receives `study` (the slug)
# and fetches its objects through its app's access helpers, scoped to that study.
study_patterns = [
    path("", include("studies.study_urls")),
    path("", include("coding.transcripts_urls")),
    path("transcripts/", include("interviews.urls")),
    path("coding/", include("coding.urls")),
    path("memos/", include("memos.urls")),
    path("reports/", include("reports.urls")),
    path("exchange/", include("exchange.urls")),
    path("history/", include("audit.urls")),
    path("jobs/", include("jobs.urls")),
    path("team/", include("team.urls")),
]

# The admin's login goes through the same throttled backend; this form names the lockout and the
# wrapper above answers 429, like the project's own login page.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", study_views.home, name="home"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/language/", account_views.language_set, name="language-set"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("users/", include("accounts.urls")),
    path("studies/", include("studies.urls")),
    path("studies/import/", include("exchange.import_urls")),
    path("studies/import/jobs/", include("jobs.site_urls")),
    path("studies/<slug:study>/", include(study_patterns)),
    path("help/", include("coding.help_urls")),
    path("jsi18n/", account_views.javascript_catalog, name="javascript-catalog"),
    path("admin/login/", account_views.throttled_status(admin.site.login)),
    path("admin/", admin.site.urls),
]
