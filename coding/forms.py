import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coding.models import Theme
from interviews.text import utf16_to_codepoint

WORD = re.compile(r"\w", re.UNICODE)


def snap_to_words(text, start, end):
    """Widen [start, end) so it neither begins nor ends inside a word."""
    while start > 0 and WORD.match(text[start - 1]) and WORD.match(text[start]):
        start -= 1
    while end < len(text) and WORD.match(text[end - 1]) and WORD.match(text[end]):
        end += 1
    return start, end


def trim_whitespace(text, start, end):
    """Narrow [start, end) past leading and trailing whitespace; (start, start) if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class ExcerptForm(forms.Form):
    """A selection in the browser. Offsets arrive as UTF-16 units (what the browser counts) and
    leave `cleaned_data` as code points of the stored text, trimmed of surrounding whitespace and,
    if asked, widened to whole words."""

    start_utf16 = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    end_utf16 = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        error_messages={"required": _("Choose at least one theme.")},
    )
    memo = forms.CharField(required=False, widget=forms.Textarea, max_length=10_000)
    snap_words = forms.BooleanField(required=False)
    version = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, transcript, **kwargs):
        super().__init__(*args, **kwargs)
        self.transcript = transcript

    def clean(self):
        data = super().clean()
        if "start_utf16" not in data or "end_utf16" not in data:
            return data
        text = self.transcript.text
        try:
            start = utf16_to_codepoint(text, data["start_utf16"])
            end = utf16_to_codepoint(text, data["end_utf16"])
        except ValueError:
            raise ValidationError(
                _("The selection lies outside the transcript text."), code="offset_out_of_range"
            ) from None
        if end < start:
            start, end = end, start
        start, end = trim_whitespace(text, start, end)
        if start >= end:
            raise ValidationError(
                _("Select some words: the selection is empty or only whitespace."),
                code="empty_selection",
            )
        if data.get("snap_words"):
            start, end = snap_to_words(text, start, end)
        data["start"], data["end"] = start, end
        return data


PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


class ThemeQuickForm(forms.ModelForm):
    """The picker's inline "new theme": a name, optionally a parent; a colour is chosen for it."""

    class Meta:
        model = Theme
        fields = ["name", "parent", "colour"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].required = False

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_colour(self):
        return self.cleaned_data.get("colour") or PALETTE[Theme.objects.count() % len(PALETTE)]
