"""Forms of the team pages: each picker lists only the study's own objects, so another study's
id is "not a valid choice"."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coding.models import Theme
from interviews.models import Transcript
from studies.models import BlindMode, Role
from team.models import AdjudicationAction, AssignmentStatus


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


class BlindForm(forms.Form):
    blind = forms.ChoiceField(choices=BlindMode.choices, required=False, label=_("Blind coding"),
                              widget=forms.RadioSelect)
    transcripts = forms.ModelMultipleChoiceField(
        queryset=Transcript.objects.none(), required=False, label=_("Transcripts marked blind"),
        help_text=_("Only when blind coding covers the transcripts marked blind."))

    def __init__(self, *args, study, **kwargs):
        kwargs.setdefault("initial", {"blind": study.blind})
        super().__init__(*args, **kwargs)
        transcripts = Transcript.objects.filter(study=study).defer("text", "cues")
        self.fields["transcripts"].queryset = transcripts
        if "transcripts" not in self.initial:
            self.initial["transcripts"] = [t.pk for t in transcripts if t.is_blind]


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


class CompareForm(forms.Form):
    coders = UsernameChoice(queryset=get_user_model().objects.none(), label=_("Coders"),
                            help_text=_("Two or more coders to compare."))

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coders"].queryset = _coders(study)

    def clean_coders(self):
        coders = list(self.cleaned_data["coders"])
        if len(coders) < 2:
            raise ValidationError(_("Choose at least two coders."), code="coders_too_few")
        return coders


class AdjudicationForm(forms.Form):
    """One decision on the comparison page. The disagreement is named by its theme and span and
    the coders compared; the service finds it again in the current excerpts. The button pressed
    is the decision: "accept-<coder id>", "both" or "merge"."""

    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), label=_("Theme"))
    start = forms.IntegerField(min_value=0, label=_("Start"))
    end = forms.IntegerField(min_value=1, label=_("End"))
    coders = UsernameChoice(queryset=get_user_model().objects.none(), label=_("Coders"))
    decision = forms.CharField(max_length=30, label=_("Decision"))
    merge_start = forms.IntegerField(min_value=0, required=False, label=_("Merged passage starts at"))
    merge_end = forms.IntegerField(min_value=1, required=False, label=_("Merged passage ends at"))
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note"))

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(study=study)
        self.fields["coders"].queryset = _coders(study)

    def clean(self):
        data = super().clean()
        decision, coders = data.pop("decision", ""), data.get("coders") or []
        action, _sep, coder_id = decision.partition("-")
        if action not in AdjudicationAction.values or (action == AdjudicationAction.ACCEPT) != bool(coder_id):
            raise ValidationError(_("Choose a decision: one coder's version, both, or merge."),
                                  code="decision_invalid")
        data["action"] = action
        data["coder"] = None
        if coder_id:
            data["coder"] = next((c for c in coders if str(c.pk) == coder_id), None)
            if data["coder"] is None:
                raise ValidationError(_("Choose whose version to accept among the coders compared."),
                                      code="coder_missing")
        if action != AdjudicationAction.MERGE:
            data["merge_start"] = data["merge_end"] = None
        return data
