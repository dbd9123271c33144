from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from pasto_coop.roles import ROLE_DESCRIPTIONS

ROLE_CHOICES = [("", _("No role"))] + [(role, f"{role}: {desc}") for role, desc in ROLE_DESCRIPTIONS.items()]


class UserCreateForm(BaseUserCreationForm):
    """A new account: the password goes through AUTH_PASSWORD_VALIDATORS."""

    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("An inactive user cannot log in.")
    )
