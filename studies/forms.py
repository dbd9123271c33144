from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from studies.models import ROLE_DESCRIPTIONS, Role, Study

# format_lazy, not an f-string: the labels are translated when shown, not once at import.
ROLE_CHOICES = [(role.value, format_lazy("{}: {}", role.label, ROLE_DESCRIPTIONS[role])) for role in Role]


class StudyCreateForm(forms.ModelForm):
    """A new study. The slug clash and reserved slugs are refused by studies.services.study_create
    and Study.clean (codes slug_taken, slug_reserved)."""

    class Meta:
        model = Study
        fields = ["name", "slug", "description", "language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        # The service checks the slug and says so with its own message and code.
        pass


class StudySettingsForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = ["name", "description", "language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MemberAddForm(forms.Form):
    user = forms.CharField(
        label=_("Username or e-mail"), max_length=254,
        help_text=_("The person needs an account first; a site admin creates accounts."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.RESEARCHER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class StudyDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("Type the study's name to confirm"), max_length=200, strip=False,
        help_text=_("The study goes to the trash; a site admin can restore it within 30 days."),
    )
