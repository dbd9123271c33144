from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.models import User
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.throttle import lockout_message
from studies.roles import GROUP_DESCRIPTIONS

GROUP_CHOICES = [(name, format_lazy("{}: {}", name, desc)) for name, desc in GROUP_DESCRIPTIONS.items()]
GROUPS_HELP = _("Roles inside a study are given by that study's owners, on its members page.")


class UserCreateForm(BaseUserCreationForm):
    """A new account: the password goes through AUTH_PASSWORD_VALIDATORS."""

    site_groups = forms.MultipleChoiceField(
        label=_("Site roles"), choices=GROUP_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=GROUPS_HELP,
    )

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class UserUpdateForm(forms.Form):
    site_groups = forms.MultipleChoiceField(
        label=_("Site roles"), choices=GROUP_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=GROUPS_HELP,
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("An inactive user cannot log in.")
    )


class LanguageForm(forms.Form):
    """The language switch in the navigation."""

    language = forms.ChoiceField(
        label=_("Language"), required=False,
        choices=[("", _("Automatic"))] + [(code, name) for code, name in settings.LANGUAGE_AUTONYMS.items()],
        error_messages={"invalid_choice": _("That language is not offered.")},
    )
class ThrottledMessageMixin:
    """For a login form: when the backend refused the attempt as throttled, say so instead of
    "wrong password" (the password was not even checked)."""

    def get_invalid_login_error(self):
        if getattr(self.request, "login_throttled", False):
            return forms.ValidationError(lockout_message(), code="throttled")
        return super().get_invalid_login_error()


class LoginForm(ThrottledMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledMessageMixin, AdminAuthenticationForm):
    pass
