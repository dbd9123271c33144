from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from interviews.attributes import display_value, parse_value
from interviews.importers import ImportRefused, check_controls, check_size, parse_file, parse_pasted
from interviews.models import (
    Attribute,
    AttributeTarget,
    AttributeType,
    ConsentFilter,
    ConsentScope,
    Participant,
)
from interviews.services import PARTICIPANT_FIELDS
from interviews.text import anonymise_pattern, normalise_text


class TranscriptUploadForm(forms.Form):
    """One row of the upload page: a file or pasted text, the participant it belongs to and its
    details. `cleaned_data["parsed"]` is the parsed transcript, ready for `transcript_import`."""

    file = forms.FileField(
        label=_("File"), required=False, allow_empty_file=True,  # refused below, with its name
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.vtt,.srt,.pdf"}),
    )
    text = forms.CharField(label=_("or paste the text"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    participant = forms.ModelChoiceField(
        label=_("Participant"), queryset=Participant.objects.none(), required=False,
        empty_label=_("(choose)"),
    )
    new_code = forms.CharField(label=_("or a new participant’s code"), required=False, max_length=20)
    title = forms.CharField(label=_("Title"), required=False, max_length=200,
                            help_text=_("Blank: the file name."))
    interview_date = forms.DateField(label=_("Interview date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.CharField(label=_("Language"), max_length=20,
                               help_text=_("A language tag, e.g. en or es. At first, the study’s."))

    def __init__(self, *args, study, max_bytes, can_add_participant, participant_choices=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.can_add_participant = can_add_participant
        # Only the study's participants: another study's id is "not a valid choice".
        self.fields["participant"].queryset = Participant.objects.filter(study=study).order_by("code")
        self.fields["language"].initial = study.language
        if participant_choices is not None:  # shared by every row: one query for the page
            self.fields["participant"].choices = participant_choices
        if not can_add_participant:
            del self.fields["new_code"]
            self.fields["participant"].help_text = _("Not listed? The study’s owners add participants.")

    def label(self):
        """How messages name this row: its file, or its title (or "pasted text") for pasted text."""
        upload = self.files.get(self.add_prefix("file"))
        if upload:
            return upload.name
        return self.data.get(self.add_prefix("title"), "").strip()[:200] or str(_("pasted text"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload:
            try:
                check_size(upload.name, upload.size, self.max_bytes)  # before reading it
            except ImportRefused as exc:
                raise ValidationError(exc.message, code=exc.code) from None
        return upload

    def clean(self):
        data = super().clean()
        self._clean_participant(data)
        upload, text = data.get("file"), data.get("text", "")
        if upload and text.strip():
            raise ValidationError(_("Choose a file or paste text, not both."), code="both_sources")
        if not upload and not text.strip():
            if "file" not in self.errors:
                raise ValidationError(_("Choose a file or paste the text."), code="no_source")
            return data
        try:
            if upload:
                data["parsed"] = parse_file(upload.name, b"".join(upload.chunks()),
                                            max_bytes=self.max_bytes)
            else:
                data["parsed"] = parse_pasted(text, max_bytes=self.max_bytes, name=self.label())
        except ImportRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        data["title"] = data.get("title") or data["parsed"].title
        return data

    def _clean_participant(self, data):
        """Errors here are added, not raised, so a bad file is reported in the same pass."""
        code = data.get("new_code", "").strip()
        if data.get("participant") and code:
            self.add_error(None, ValidationError(
                _("Choose a participant or enter a new code, not both."), code="both_participants"))
        elif not data.get("participant") and not code:
            message = (_("Choose a participant, or enter a new participant’s code.")
                       if self.can_add_participant else
                       _("Choose a participant. Only the study’s owners add participants: ask one "
                         "for a new one."))
            self.add_error(None, ValidationError(message, code="no_participant"))
        data["new_participant"] = {"code": code} if code else None


class BaseUploadFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.base_fields["participant"]
        participants = Participant.objects.filter(study=self.form_kwargs["study"]).order_by("code")
        self.form_kwargs["participant_choices"] = [
            ("", field.empty_label), *((p.pk, p.code) for p in participants.only("pk", "code"))
        ]


UploadFormSet = forms.formset_factory(
    TranscriptUploadForm, formset=BaseUploadFormSet, extra=3, max_num=100, absolute_max=100,
    validate_max=True,
)


class TranscriptTextForm(forms.Form):
    """The whole text of a transcript, as edited; it is normalised before anything compares it."""

    text = forms.CharField(label=_("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 24}))
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            check_size(_("The text"), len(text.encode("utf-8")), self.max_bytes)
        except ImportRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        try:
            text = normalise_text(check_controls(_("The text"), text))
        except ImportRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        if not text.strip():
            raise ValidationError(_("A transcript cannot be empty."), code="text_empty")
        return text


class AnonymiseForm(forms.Form):
    name = forms.CharField(label=_("Name to replace"), max_length=200)
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=100,
                                help_text=_("What the text says instead, e.g. “P3” or “[name]”."))
    whole_words = forms.BooleanField(label=_("Whole words only"), required=False, initial=True,
                                     help_text=_("“Ana” does not touch “Anabel”."))
    match_case = forms.BooleanField(label=_("Match case"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        name, pseudonym = data.get("name", ""), data.get("pseudonym", "")
        if "\n" in name or "\n" in pseudonym:
            raise ValidationError(_("The name and the pseudonym must each fit on one line."),
                                  code="multiline")
        if name and pseudonym:
            flags = {"whole_words": data["whole_words"], "match_case": data["match_case"]}
            if anonymise_pattern(name, **flags).search(pseudonym):
                raise ValidationError(_("The pseudonym contains the name itself."),
                                      code="pseudonym_contains_name")
        return data


class ReviewAcceptForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# ----- participant records -----

class ParticipantFilterForm(forms.Form):
    """The participants page's search and filters: one per choice attribute of participants the
    member may see (`a<id>`); every field optional, bad values ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    consent = forms.ChoiceField(label=_("Consent"), required=False,
                                choices=[("", _("Any")), *ConsentFilter.choices])
    scope = forms.ChoiceField(label=_("Consent scope"), required=False,
                              choices=[("", _("Any")), *ConsentScope.choices])

    def __init__(self, *args, study, identifying, **kwargs):
        super().__init__(*args, **kwargs)
        self.attributes = {}
        visible = Attribute.objects.visible(study, AttributeTarget.PARTICIPANT, identifying=identifying)
        for attribute in visible:
            if attribute.type == AttributeType.CHOICE:
                choices = list(attribute.choices.all())
                self.attributes[f"a{attribute.pk}"] = (attribute, {str(c.pk): c for c in choices})
                self.fields[f"a{attribute.pk}"] = forms.ChoiceField(
                    label=attribute.name, required=False,
                    choices=[("", _("Any")), *((c.pk, c.label) for c in choices)])

    def attribute_fields(self):
        return [self[name] for name in self.attributes]

    def filters(self):
        """Keyword arguments for Participant.objects.for_participant_list; a field whose value is
        not valid is dropped rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {name: data[name].strip() if name == "q" else data[name]
                 for name in ("q", "consent", "scope") if data.get(name)}
        chosen = {attribute: choices[data[name]] for name, (attribute, choices) in self.attributes.items()
                  if data.get(name)}
        return {**found, "attributes": chosen} if chosen else found


class ParticipantForm(forms.ModelForm):
    """A participant record, for the study's owners: pseudonym, consent, the identifying name
    and contact, and a field per attribute of participants (`a<id>`), typed and checked as on
    the classification sheet."""

    class Meta:
        model = Participant
        fields = PARTICIPANT_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_withdrawn_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Attribute.objects.visible(study, AttributeTarget.PARTICIPANT, identifying=True)
        self.attributes = {f"a{a.pk}": a for a in visible}
        current = {}
        if self.instance.pk:
            for value in self.instance.attribute_values.select_related("attribute", "choice"):
                current[value.attribute_id] = value
        for name, attribute in self.attributes.items():
            stored = current.get(attribute.pk)
            self.fields[name] = _attribute_field(attribute)
            if stored is not None:
                shown = getattr(stored, "choice", None) if attribute.type == AttributeType.CHOICE else None
                self.initial[name] = shown.label if shown else display_value(attribute.type, stored.value)

    def attribute_fields(self):
        return [self[name] for name in self.attributes]

    def clean(self):
        data = super().clean()
        parsed = {}
        for name, attribute in self.attributes.items():
            try:
                parsed[attribute] = parse_value(attribute, data.get(name, ""))
            except ValidationError as exc:
                self.add_error(name, exc)
        data["attribute_values"] = parsed
        return data


def _attribute_field(attribute):
    """A participant form's field for `attribute`: a list for choices and yes/no, a date input,
    else text; the value is parsed by the attribute's type in ParticipantForm.clean."""
    options = {"label": attribute.name, "required": False, "help_text": attribute.description}
    if attribute.type == AttributeType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *((c.label, c.label) for c in attribute.choices.all())],
                                 **options)
    if attribute.type == AttributeType.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))], **options)
    widget = forms.DateInput(attrs={"type": "date"}) if attribute.type == AttributeType.DATE else None
    return forms.CharField(max_length=2000, widget=widget, **options)


# ----- attributes and classification sheets -----

class AttributeForm(forms.Form):
    """An attribute's definition. The type is chosen once, when it is created."""

    name = forms.CharField(label=_("Name"), max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice attribute: one choice per line, in the order they should appear."),
    )
    identifying = forms.BooleanField(
        label=_("Identifying"), required=False,
        help_text=_("Seen by the study’s owners only, on every page and in every export."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10000, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["type"]

    def clean_choices(self):
        return [line for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class SheetCellForm(forms.Form):
    """One cell of a classification sheet, edited in place."""

    obj = forms.IntegerField(min_value=1)
    attribute = forms.IntegerField(min_value=1)
    value = forms.CharField(required=False, max_length=2000, strip=False)


class SheetImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class SheetApplyForm(forms.Form):
    """The preview's table, sent back to be applied, and the digest of what the preview showed."""

    table = forms.JSONField(widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_table(self):
        table = self.cleaned_data["table"]
        valid = isinstance(table, list) and table and all(
            isinstance(row, list) and all(isinstance(cell, str) for cell in row) for row in table)
        if not valid:
            raise forms.ValidationError(_("The import could not be read; upload the file again."),
                                        code="sheet_bad_table")
        return table
