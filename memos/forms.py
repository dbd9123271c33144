from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt, Theme
from interviews.models import Participant, Transcript
from memos.models import Memo, MemoSort, MemoType


class ExcerptChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, excerpt):
        return f"#{excerpt.pk} {excerpt.transcript.title}: “{excerpt.quote[:60]}”"


class MemoForm(forms.Form):
    """A memo's words and links. Only the study's own objects (and memos the user can see) are
    choices, so another study's id is "not a valid choice"."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           max_length=50_000, help_text=Memo._meta.get_field("body").help_text)
    type = forms.ChoiceField(label=_("Type"), choices=MemoType.choices, initial=MemoType.FREE)
    private = forms.BooleanField(label=_("Private"), required=False,
                                 help_text=Memo._meta.get_field("private").help_text)
    transcripts = forms.ModelMultipleChoiceField(label=_("Transcripts"), queryset=Transcript.objects.none(),
                                                 required=False)
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=Theme.objects.none(), required=False)
    participants = forms.ModelMultipleChoiceField(label=_("Participants"),
                                                  queryset=Participant.objects.none(), required=False)
    excerpts = ExcerptChoice(label=_("Excerpts"), queryset=CodedExcerpt.objects.none(), required=False,
                             widget=forms.CheckboxSelectMultiple,
                             help_text=_("Link an excerpt from its “Write a memo” link on a theme report."))
    linked_memos = forms.ModelMultipleChoiceField(label=_("Other memos"), queryset=Memo.objects.none(),
                                                  required=False)

    def __init__(self, *args, study, user, memo=None, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transcripts"].queryset = Transcript.objects.filter(study=study).only("pk", "title")
        self.fields["themes"].queryset = Theme.objects.filter(study=study).only("pk", "name")
        # Pseudonym codes only: names are for owners' participant records.
        self.fields["participants"].queryset = Participant.objects.filter(study=study).only("pk", "code")
        # Only the excerpts already linked or asked for are offered: a study has thousands.
        if self.is_bound:
            wanted = [v for v in self.data.getlist("excerpts") if str(v).isdigit()]
        else:
            wanted = [getattr(e, "pk", e) for e in self.initial.get("excerpts", ())]
        self.fields["excerpts"].queryset = (CodedExcerpt.objects.visible_to(membership)
                                            .filter(study=study, pk__in=wanted)
                                            .select_related("transcript").order_by("transcript_id", "start"))
        others = Memo.objects.filter(study=study).visible_to(user).only("pk", "title")
        self.fields["linked_memos"].queryset = others.exclude(pk=memo.pk) if memo else others
        self.fields["participants"].label_from_instance = lambda p: p.code
        self.fields["transcripts"].label_from_instance = lambda t: t.title


class SpanForm(forms.Form):
    """A passage named by code-point offsets (a link from the coding page or a QDPX import)."""

    transcript = forms.ModelChoiceField(queryset=Transcript.objects.none(), widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transcript"].queryset = Transcript.objects.filter(study=study)

    def clean(self):
        data = super().clean()
        transcript, start, end = data.get("transcript"), data.get("start"), data.get("end")
        if transcript is not None and start is not None and end is not None:
            if not (start < end <= len(transcript.text)):
                raise forms.ValidationError(_("The passage lies outside the transcript."),
                                            code="offset_out_of_range")
        return data


class JournalFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Any type")), *MemoType.choices])
    author = forms.ModelChoiceField(label=_("Author"), required=False,
                                    queryset=get_user_model().objects.none(), empty_label=_("Anyone"))
    transcript = forms.ModelChoiceField(label=_("Transcript"), required=False,
                                        queryset=Transcript.objects.none(), empty_label=_("Any transcript"))
    theme = forms.ModelChoiceField(label=_("Theme"), required=False, queryset=Theme.objects.none(),
                                   empty_label=_("Any theme"))
    participant = forms.ModelChoiceField(label=_("Participant"), required=False,
                                         queryset=Participant.objects.none(),
                                         empty_label=_("Any participant"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=MemoSort.choices)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = (get_user_model().objects.filter(memberships__study=study)
                                          .order_by("username").only("pk", "username"))
        self.fields["transcript"].queryset = Transcript.objects.filter(study=study).only("pk", "title")
        self.fields["theme"].queryset = Theme.objects.filter(study=study).only("pk", "name")
        self.fields["participant"].queryset = Participant.objects.filter(study=study).only("pk", "code")
        self.fields["participant"].label_from_instance = lambda p: p.code
        self.fields["transcript"].label_from_instance = lambda t: t.title

    def journal_filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        linked = {}
        for field in ("transcript", "theme", "participant"):
            lookup = field + "s"
            if data.get(field):
                linked[lookup] = data[field]
        return {"q": data.get("q", ""), "type": data.get("type", ""), "author": data.get("author"),
                "linked": linked, "sort": data.get("sort") or MemoSort.UPDATED}


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class AnnotationForm(forms.Form):
    """A passage selected on the coding page (UTF-16 offsets, as the browser counts) and a note."""

    start_utf16 = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    end_utf16 = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    body = forms.CharField(label=_("Note"), max_length=10_000, widget=forms.Textarea)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text_version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
