import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coding.models import CodedExcerpt, Theme, colour_validator, theme_descendant_ids, theme_tree
from interviews.text import normalise_text, utf16_to_codepoint
from studies.models import Study

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
    themes = forms.ModelMultipleChoiceField(queryset=Theme.objects.none(), required=False)
    memo = forms.CharField(required=False, widget=forms.Textarea, max_length=10_000)
    snap_words = forms.BooleanField(required=False)
    version = forms.IntegerField(required=False, min_value=1)
    text_version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    # In-vivo coding: a new theme named after the selected words, under this parent.
    in_vivo = forms.BooleanField(required=False)
    new_theme_parent = forms.ModelChoiceField(queryset=Theme.objects.none(), required=False)

    def __init__(self, *args, transcript, **kwargs):
        super().__init__(*args, **kwargs)
        self.transcript = transcript
        # Only the study's own themes can be chosen: another study's id is "not a valid choice".
        study_themes = Theme.objects.filter(study_id=transcript.study_id)
        self.fields["themes"].queryset = study_themes
        self.fields["new_theme_parent"].queryset = study_themes

    def clean_themes(self):
        """The themes in the order the coder ticked them (the order posted): the first gives
        the excerpt its colour."""
        chosen = {theme.pk: theme for theme in self.cleaned_data["themes"]}
        return [chosen[int(pk)] for pk in dict.fromkeys(self.data.getlist("themes")) if int(pk) in chosen]

    def clean(self):
        data = super().clean()
        if not data.get("themes") and not data.get("in_vivo") and "themes" not in self.errors:
            self.add_error("themes", ValidationError(_("Choose at least one theme."), code="themes_required"))
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


class SpeakerCodeForm(forms.Form):
    """"Code all turns of this speaker": the speaker's label as the page shows it, a theme."""

    speaker = forms.CharField(max_length=60)
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(),
                                   error_messages={"required": _("Choose the theme to code the turns with.")})

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(study=study)


PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


class ThemeQuickForm(forms.ModelForm):
    """The picker's inline "new theme": a name, optionally a parent (of the same study); a colour
    is chosen for it."""

    class Meta:
        model = Theme
        fields = ["name", "parent", "colour"]

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.fields["parent"].queryset = Theme.objects.filter(study=study)
        self.fields["colour"].required = False

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_colour(self):
        return self.cleaned_data.get("colour") or next_palette_colour(self.study)


# ----- The codebook page -----

MAX_CODEBOOK_BYTES = 5 * 1024 * 1024
COLOUR_INPUT = forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"})


def next_palette_colour(study):
    return PALETTE[Theme.objects.filter(study=study).count() % len(PALETTE)]


def clean_theme_text(value):
    """Descriptions and criteria: NFC, \\n line endings, no trailing spaces (normalise_text),
    so that they survive an XML or CSV round trip unchanged."""
    return normalise_text(value).strip()


def theme_choices(study, exclude=(), blank=None):
    """(pk, label) for every theme of the study in tree order, labels indented by depth. One
    query."""
    choices = [("", blank)] if blank else []
    for theme, depth in theme_tree(Theme.objects.filter(study=study).exclude(pk__in=exclude)):
        choices.append((theme.pk, "\u2003" * depth + theme.name))
    return choices


class ThemeForm(forms.ModelForm):
    """Create or edit a theme on the codebook page. Model validation refuses a duplicate name
    under the same parent and a parent below the theme itself."""

    class Meta:
        model = Theme
        fields = ["name", "parent", "kind", "colour", "is_codable", "description", "inclusion_criteria",
                  "exclusion_criteria", "name_second", "description_second", "inclusion_criteria_second",
                  "exclusion_criteria_second"]
        widgets = {
            "colour": COLOUR_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "inclusion_criteria": forms.Textarea(attrs={"rows": 2}),
            "exclusion_criteria": forms.Textarea(attrs={"rows": 2}),
            "description_second": forms.Textarea(attrs={"rows": 3}),
            "inclusion_criteria_second": forms.Textarea(attrs={"rows": 2}),
            "exclusion_criteria_second": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        below = theme_descendant_ids(self.instance) | {self.instance.pk} if self.instance.pk else set()
        self.fields["parent"].queryset = Theme.objects.filter(study=study).exclude(pk__in=below)
        self.fields["parent"].choices = theme_choices(study, exclude=below, blank=_("(top level)"))
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("colour", next_palette_colour(study))

    def clean_name(self):
        return unicodedata.normalize("NFC", self.cleaned_data["name"]).strip()

    def clean_description(self):
        return clean_theme_text(self.cleaned_data["description"])

    def clean_inclusion_criteria(self):
        return clean_theme_text(self.cleaned_data["inclusion_criteria"])

    def clean_exclusion_criteria(self):
        return clean_theme_text(self.cleaned_data["exclusion_criteria"])

    def clean_name_second(self):
        return unicodedata.normalize("NFC", self.cleaned_data["name_second"]).strip()

    def clean_description_second(self):
        return clean_theme_text(self.cleaned_data["description_second"])

    def clean_inclusion_criteria_second(self):
        return clean_theme_text(self.cleaned_data["inclusion_criteria_second"])

    def clean_exclusion_criteria_second(self):
        return clean_theme_text(self.cleaned_data["exclusion_criteria_second"])


class ThemeMoveForm(forms.Form):
    """Up or down one place among its siblings, or to `position` under `parent` (empty: top)."""

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))], required=False)
    parent = forms.ModelChoiceField(queryset=Theme.objects.none(), required=False)
    position = forms.IntegerField(min_value=0, max_value=100_000, required=False)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Theme.objects.filter(study=study)

    def clean(self):
        data = super().clean()
        if not data.get("direction") and data.get("position") is None and not self.errors:
            raise ValidationError(_("Say where to move the theme."), code="move_target_required")
        return data


class ThemeMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        label=_("Merge it into"),
        error_messages={"required": _("Choose the theme to merge it into.")},
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        below = theme_descendant_ids(source) | {source.pk}
        self.fields["target"].queryset = Theme.objects.filter(study_id=source.study_id).exclude(pk__in=below)
        self.fields["target"].choices = theme_choices(source.study_id, exclude=below, blank="—")


class ThemeSplitForm(forms.Form):
    name = forms.CharField(label=_("New theme's name"), max_length=120)
    colour = forms.CharField(label=_("Colour"), widget=COLOUR_INPUT, validators=[colour_validator])
    as_child = forms.BooleanField(label=_("Make it a sub-theme of this theme"), required=False)
    excerpts = forms.ModelMultipleChoiceField(
        queryset=CodedExcerpt.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one excerpt to move.")},
    )

    def __init__(self, *args, theme, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excerpts"].queryset = CodedExcerpt.objects.visible_to(membership).filter(
            study_id=theme.study_id, themes=theme)
        if not self.is_bound:
            self.initial.setdefault("colour", next_palette_colour(theme.study_id))

    def clean_name(self):
        return unicodedata.normalize("NFC", self.cleaned_data["name"]).strip()


class ThemeDeleteForm(forms.Form):
    codings = forms.ChoiceField(
        label=_("Its codings"),
        choices=[("move", _("Move them to another theme")), ("remove", _("Remove them"))],
        widget=forms.RadioSelect,
        required=False,
    )
    target = forms.ModelChoiceField(queryset=Theme.objects.none(), label=_("Move them to"), required=False)

    def __init__(self, *args, theme, has_codings, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_codings = has_codings
        self.fields["target"].queryset = Theme.objects.filter(study_id=theme.study_id).exclude(pk=theme.pk)
        self.fields["target"].choices = theme_choices(theme.study_id, exclude=[theme.pk], blank="—")

    def clean(self):
        data = super().clean()
        if self.has_codings and not data.get("codings"):
            self.add_error("codings", ValidationError(
                _("Choose what happens to its codings."), code="codings_choice"))
        if data.get("codings") == "move" and not data.get("target"):
            self.add_error("target", ValidationError(
                _("Choose another theme to move its codings to."), code="target_required"))
        return data


class CodebookImportForm(forms.Form):
    file = forms.FileField(label=_("Codebook file"), help_text=_("A REFI-QDA codebook (.qdc) or a CSV file."))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_CODEBOOK_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB; a codebook should be far smaller."),
                code="file_too_large", params={"mb": MAX_CODEBOOK_BYTES // (1024 * 1024)},
            )
        if not file.name.lower().endswith((".qdc", ".xml", ".csv")):
            raise ValidationError(
                _("Choose a REFI-QDA codebook (.qdc) or a CSV file (.csv)."), code="unsupported_format"
            )
        return file


class CodebookCopyForm(forms.Form):
    """Which study to copy the codebook from: another live study the user is a member of, in
    any role, with how many themes it has. One query."""

    source = forms.ModelChoiceField(
        queryset=Study.objects.none(),
        to_field_name="slug",
        label=_("Copy the codebook of"),
        empty_label="—",
        error_messages={"required": _("Choose the study to copy the codebook from."),
                        "invalid_choice": _("Choose one of your other studies.")},
    )

    def __init__(self, *args, user, target, **kwargs):
        super().__init__(*args, **kwargs)
        studies = (Study.objects.live().filter(memberships__user=user).exclude(pk=target.pk)
                   .annotate(theme_count=Count("themes")).order_by("name"))
        self.fields["source"].queryset = studies
        self.fields["source"].label_from_instance = lambda study: ngettext(
            "%(name)s (%(n)s theme)", "%(name)s (%(n)s themes)", study.theme_count
        ) % {"name": study.name, "n": study.theme_count}
