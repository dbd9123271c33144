"""The login rate limit lives in authentication, so every way in is limited: the project's
login page, the Django admin's login, and anything else that calls `authenticate()`."""

from django.contrib.auth.backends import ModelBackend, UserModel
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from accounts.throttle import client_ip, login_blocked, login_failure_record, login_failures_clear
from studies.prepared import Prepared


class ProfileBackend(ModelBackend):
    """Django's backend, reading with the user, in the same query: the user's profile (the
    language middleware reads it on every request) and whether the user holds any permission
    of their own or through a group. Most users hold none (researchers and reviewers: their
    rights are study memberships), and for them the navigation's permission check
    (`perms.auth.change_user` in base.html) then costs no query instead of Django's two."""

    def get_user(self, user_id):
        if type(user_id) is int:
            found = self.USER.run(user_id=user_id)
        else:
            found = list(self._user((), user_id=user_id))
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        # ModelBackend._get_permissions reads these caches before asking the database.
        if not user.is_superuser and not user.has_own_permissions:
            user._user_perm_cache = set()
        if not user.is_superuser and not user.has_group_permissions:
            user._group_perm_cache = set()
        return user

    def _user(self, _shape, *, user_id):
        return self.user_model_queryset().filter(pk=user_id)[:1]

    def user_model_queryset(self):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        return User._default_manager.select_related("profile").annotate(
            has_own_permissions=Exists(User.user_permissions.through.objects.filter(user_id=OuterRef("pk"))),
            has_group_permissions=Exists(Group.permissions.through.objects.filter(group__user=OuterRef("pk"))),
        )


# Read on every request: compiled once per process (studies.prepared), not on each request.
ProfileBackend.USER = Prepared(ProfileBackend()._user)


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

