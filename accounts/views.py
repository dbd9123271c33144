from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import JavaScriptCatalog

from accounts.forms import LanguageForm, LoginForm, UserCreateForm, UserUpdateForm
from accounts.language import catalogue_version, supported
from accounts.services import profile_language_set, user_create, user_site_groups_set
from studies import roles
from studies.models import Membership


def throttled_status(view):
    """Answer 429 when the authentication backend refused a login as throttled (accounts.backends);
    the form already says why. Wraps the project's login and the admin's."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "login_throttled", False):
            response.status_code = 429
        return response

    return wrapped


login_view = throttled_status(auth_views.LoginView.as_view(authentication_form=LoginForm))


def _require_site_admin(request):
    if not roles.is_site_admin(request.user):
        raise PermissionDenied


def _get_user_for_site_admin(request, pk):
    _require_site_admin(request)
    return get_object_or_404(get_user_model(), pk=pk)


def _site_groups_of(user):
    """Reads user.groups.all(): free when prefetched."""
    return sorted(g.name for g in user.groups.all() if g.name in roles.GROUP_PERMISSIONS)


@login_required
def user_list(request):
    """Site admins: every account with its site roles and its study memberships."""
    _require_site_admin(request)
    live = (Membership.objects.filter(study__deleted_at__isnull=True)
            .select_related("study").order_by("study__name"))
    users = get_user_model().objects.order_by("username").prefetch_related(
        "groups", Prefetch("memberships", queryset=live)
    )
    rows = [(u, _site_groups_of(u)) for u in users]
    return render(request, "accounts/user_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    _require_site_admin(request)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = user_create(form=form, site_groups=form.cleaned_data["site_groups"], by=request.user)
        messages.success(request, _("User %(name)s created.") % {"name": user.get_username()})
        return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def user_update_view(request, pk):
    user = _get_user_for_site_admin(request, pk)
    initial = {"site_groups": _site_groups_of(user), "is_active": user.is_active}
    form = UserUpdateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        groups, active = form.cleaned_data["site_groups"], form.cleaned_data["is_active"]
        if user == request.user and not (active and (roles.SITE_ADMIN in groups or user.is_superuser)):
            form.add_error(None, ValidationError(
                _("You cannot deactivate your own account or remove your own site admin role."),
                code="self_lockout",
            ))
        else:
            user_site_groups_set(user=user, site_groups=groups, is_active=active, by=request.user)
            messages.success(request, _("User %(name)s updated.") % {"name": user.get_username()})
            return redirect("accounts:user-list")
    log = (LogEntry.objects.filter(content_type__app_label="auth", content_type__model="user",
                                   object_id=str(user.pk)).select_related("user").order_by("-action_time")[:20])
    ctx = {"form": form, "edited": user, "log": log}
    return render(request, "accounts/user_form.html", ctx, status=400 if form.errors else 200)


@require_POST
def language_set(request):
    """The language switch: stored with the account (every device) for a logged-in user, and in
    the language cookie for this browser; "Automatic" clears both. Back to the page it came from."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        message = str(form.errors["language"][0])
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        profile_language_set(user=request.user, language=language)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("home")
    response = redirect(back)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                               domain=settings.LANGUAGE_COOKIE_DOMAIN)
    return response


_catalogues = {}  # (language, version) -> the catalogue's script


def javascript_catalog(request):
    """Django's script catalogue in the page's language, which the page names (?language=): the
    catalogue's own request cannot know a study whose language the page speaks.

    It is the same for every user, so it is built once per language and process (Django's view
    reads every app's catalogue files on each request), and, asked for with the current version
    (?v=, catalogue_version), the browser keeps it: every page load used to fetch
    and rebuild it, and the pages' scripts wait for it."""
    language = supported(request.GET.get("language")) or translation.get_language()
    version = catalogue_version()
    key = (language, version)
    if key not in _catalogues:
        with translation.override(language):
            response = JavaScriptCatalog.as_view()(request)
        _catalogues[key] = (response.content, response["Content-Type"])
    content, content_type = _catalogues[key]
    response = HttpResponse(content, content_type=content_type)
    if request.GET.get("v") == version:
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
