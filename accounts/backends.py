"""The login rate limit lives in authentication, so every way in is limited: the project's
login page, the Django admin's login, and anything else that calls `authenticate()`."""

from django.contrib.auth.backends import ModelBackend, UserModel
from django.core.exceptions import PermissionDenied

from accounts.throttle import client_ip, login_blocked, login_failure_record, login_failures_clear


class ProfileBackend(ModelBackend):
    """Django's backend, reading the user's profile in the same query as the user: the language
    middleware reads it on every request, and this keeps it free."""

    def get_user(self, user_id):
        user = self.user_model_queryset().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_model_queryset(self):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("profile")


class ThrottledModelBackend(ProfileBackend):
    """ModelBackend that refuses a blocked username or address before checking the password.

    Raising PermissionDenied makes `authenticate()` stop trying backends; `request.login_throttled`
    lets the form show the lockout message and the view answer 429. Costs two COUNT queries per
    attempt, plus one write on a failure."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None:
            return None
        username = str(username)
        ip = client_ip(request) if request is not None else None
        if login_blocked(username, ip):
            if request is not None:
                request.login_throttled = True
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username, ip)
        else:
            login_failures_clear(username)
        return user

