from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailureQuerySet(models.QuerySet):
    def recent(self, since):
        return self.filter(created_at__gte=since)


class LoginFailure(models.Model):
    """One failed login. Kept in the database, not a per-process cache, so the limit holds
    across every gunicorn worker."""

    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["username", "created_at"], name="loginfailure_user_at")]

    def __str__(self):
        return f"{self.username} {self.created_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """What a user keeps with their account across devices: the interface language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the language chosen in this browser, else the browser's, else the study's."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["", *[code for code, _name in settings.LANGUAGES]]),
                name="profile_language_known",
            )
        ]

    def __str__(self):
        return str(self.user)
