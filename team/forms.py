"""Forms of the team pages: each picker lists only the study's own objects, so another study's
id is "not a valid choice"."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coding.models import Theme
from interviews.models import Transcript
from studies.models import Role
from team.models import AssignmentStatus


def _coders(study):
    """Members who may code (owners and researchers), by username."""
    return get_user_model().objects.filter(
        memberships__study=study, memberships__role__in=[Role.OWNER, Role.RESEARCHER]
    ).order_by("username")


class UsernameChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_username()


class AssignmentForm(forms.Form):
    transcripts = forms.ModelMultipleChoiceField(queryset=Transcript.objects.none(), label=_("Transcripts"))
    coders = UsernameChoice(queryset=get_user_model().objects.none(), label=_("Coders"))

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transcripts"].queryset = Transcript.objects.filter(study=study).defer("text", "cues")
        self.fields["coders"].queryset = _coders(study)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=AssignmentStatus.choices, label=_("Status"))


class AgreementForm(forms.Form):
    coders = UsernameChoice(queryset=get_user_model().objects.none(), label=_("Coders"),
                            help_text=_("Two or more: percent agreement and Cohen's κ need exactly two."))
    transcripts = forms.ModelMultipleChoiceField(
        queryset=Transcript.objects.none(), required=False, label=_("Transcripts"),
        help_text=_("None chosen: every transcript."))
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), required=False, label=_("Themes"),
        help_text=_("None chosen: every theme the coders used."))
    overlap = forms.IntegerField(
        min_value=1, max_value=100, initial=90, required=False, label=_("Segment overlap (%)"),
        help_text=_("Two segments match when they share at least this share of the text either covers."))

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coders"].queryset = _coders(study)
        self.fields["transcripts"].queryset = Transcript.objects.filter(study=study).defer("text", "cues")
        self.fields["themes"].queryset = Theme.objects.filter(study=study)

    def clean_coders(self):
        coders = list(self.cleaned_data["coders"])
        if len(coders) < 2:
            raise ValidationError(_("Choose at least two coders."), code="coders_too_few")
        return coders

    def clean_overlap(self):
        value = self.cleaned_data["overlap"]
        return 90 if value is None else value
