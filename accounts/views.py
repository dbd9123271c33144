from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.forms import UserCreateForm, UserRoleForm
from accounts.services import user_create, user_role_set
from accounts.throttle import client_ip, login_blocked, login_failure_record, login_failures_clear
from pasto_coop.roles import ROLE_PERMISSIONS


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").replace("\x00", "")[:150]
        ip = client_ip(request)
        if login_blocked(username, ip):
            form = self.get_form()
            form.errors.clear()
            message = _("Too many failed logins. Wait 15 minutes, then try again.")
            context = self.get_context_data(form=form, throttled=message)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            login_failures_clear(username)
        else:
            login_failure_record(username, ip)
        return response


login_view = ThrottledLoginView.as_view()


def _require_user_admin(request):
    if not request.user.has_perm("auth.change_user"):
        raise PermissionDenied


def _get_user_for_admin(request, pk):
    _require_user_admin(request)
    return get_object_or_404(get_user_model(), pk=pk)


def _role_of(user):
    names = [g.name for g in user.groups.all() if g.name in ROLE_PERMISSIONS]
    return names[0] if names else ""


@login_required
def user_list(request):
    _require_user_admin(request)
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [(u, _role_of(u)) for u in users]
    return render(request, "accounts/user_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    _require_user_admin(request)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = user_create(form=form, role=form.cleaned_data["role"])
        messages.success(request, _("User %(name)s created.") % {"name": user.get_username()})
        return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def user_update_view(request, pk):
    user = _get_user_for_admin(request, pk)
    initial = {"role": _role_of(user), "is_active": user.is_active}
    form = UserRoleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if user == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot deactivate your own account."))
        else:
            user_role_set(user=user, role=form.cleaned_data["role"], is_active=form.cleaned_data["is_active"])
            messages.success(request, _("User %(name)s updated.") % {"name": user.get_username()})
            return redirect("accounts:user-list")
    ctx = {"form": form, "edited": user}
    return render(request, "accounts/user_form.html", ctx, status=400 if form.errors else 200)
