"""Sector, gender and organisation leave the participant record and become ordinary attributes
of each study, keeping every participant's value.

Per study, each of the three is made only where at least one participant has a value for it (a
study that never used sector gets no Sector attribute); "Not disclosed" is a gender value like any
other and is kept. The attributes come first in the study's participant columns (Organisation,
Sector, Gender), before the study's own, which keep their order after them. Their names and
choice labels are the study's own data from now on, no longer translated per reader: a study
whose transcripts are in Spanish gets them in Spanish (Organización, Sector, Género; Privado,
Público…), every other study in English. A study that already has an attribute of that name gets
"Sector (2)" and so on. The organisation attribute is the text attribute the citations name
(interviews.attributes.ORGANISATION_NAMES).

Reversible: going back puts the values of the attributes so named (in either language, "(2)"
and so on included, of the type this made) back on the record (a choice label the old field did
not have is dropped) and deletes those attributes.
"""

import re

from django.db import migrations, models

# (stored value, English label, Spanish label), in the old fields' order.
SECTORS = [
    ("private", "Private", "Privado"),
    ("public", "Public", "Público"),
    ("ngo", "NGO", "ONG"),
    ("civil_society", "Civil society", "Sociedad civil"),
    ("international", "International organisation", "Organización internacional"),
]
GENDERS = [
    ("female", "Female", "Femenino"),
    ("male", "Male", "Masculino"),
    ("non_binary", "Non-binary", "No binario"),
    ("undisclosed", "Not disclosed", "No informado"),
]
# field -> (English name, Spanish name, choices or None for text)
FIELDS = {
    "organisation": ("Organisation", "Organización", None),
    "sector": ("Sector", "Sector", SECTORS),
    "gender": ("Gender", "Género", GENDERS),
}


def _spanish(study):
    return study.language.lower().startswith("es")


def _free_name(Attribute, study, name):
    taken = {n.casefold() for n in Attribute.objects.filter(study=study, applies_to="participant")
             .values_list("name", flat=True)}
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def forward(apps, schema_editor):
    Study = apps.get_model("studies", "Study")
    Participant = apps.get_model("interviews", "Participant")
    Attribute = apps.get_model("interviews", "Attribute")
    AttributeChoice = apps.get_model("interviews", "AttributeChoice")
    AttributeValue = apps.get_model("interviews", "AttributeValue")
    for study in Study.objects.all():
        spanish = _spanish(study)
        used = [field for field in FIELDS
                if Participant.objects.filter(study=study).exclude(**{field: ""}).exists()]
        if not used:
            continue
        Attribute.objects.filter(study=study, applies_to="participant").update(
            order=models.F("order") + len(used))
        for order, field in enumerate(used):
            english, spanish_name, choices = FIELDS[field]
            attribute = Attribute.objects.create(
                study=study, applies_to="participant", order=order,
                name=_free_name(Attribute, study, spanish_name if spanish else english),
                type="text" if choices is None else "choice")
            by_value = {}
            for i, (value, label, label_es) in enumerate(choices or ()):
                by_value[value] = AttributeChoice.objects.create(
                    attribute=attribute, label=label_es if spanish else label, order=i)
            rows = Participant.objects.filter(study=study).exclude(**{field: ""}).values_list("pk", field)
            AttributeValue.objects.bulk_create(
                AttributeValue(study=study, attribute=attribute, participant_id=pk,
                               **({"text": value} if choices is None else {"choice": by_value[value]}))
                for pk, value in rows)


def backward(apps, schema_editor):
    Participant = apps.get_model("interviews", "Participant")
    Attribute = apps.get_model("interviews", "Attribute")
    AttributeValue = apps.get_model("interviews", "AttributeValue")
    for field, (english, spanish_name, choices) in FIELDS.items():
        by_label = {label: value for value, *labels in (choices or ()) for label in labels}
        pattern = re.compile(rf"({re.escape(english)}|{re.escape(spanish_name)})( \(\d+\))?")
        candidates = Attribute.objects.filter(applies_to="participant", type="text" if choices is None else "choice")
        attributes = Attribute.objects.filter(
            pk__in=[pk for pk, name in candidates.values_list("pk", "name") if pattern.fullmatch(name)])
        rows = AttributeValue.objects.filter(attribute__in=attributes).values_list(
            "participant_id", "text", "choice__label")
        for participant_id, text, label in rows:
            value = text if choices is None else by_label.get(label, "")
            Participant.objects.filter(pk=participant_id).update(**{field: value[:200]})
        AttributeValue.objects.filter(attribute__in=attributes).delete()
        attributes.delete()


def _sqlite_legacy_alter(on):
    """Changing gender and re-adding the fields (going back) SQLite does by remaking the
    participant table; the cross-study triggers of other tables (studies 0003) name it, and
    SQLite's default check of triggers on the remade table's rename would fail. Legacy renames
    skip that check; the last operation turns them off again."""
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'}")
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0010_merge_word_forms_attributes"),
        ("studies", "0003_cross_study_integrity"),
    ]

    operations = [
        migrations.RunPython(_sqlite_legacy_alter(True), _sqlite_legacy_alter(False)),
        migrations.RunPython(forward, backward),
        # Blank first, so that going back re-adds it empty (then fills it) on a table with rows.
        migrations.AlterField(
            model_name="participant", name="gender",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="gender",
                                   choices=[(value, label) for value, label, _es in GENDERS]),
        ),
        migrations.RemoveField(model_name="participant", name="organisation"),
        migrations.RemoveField(model_name="participant", name="sector"),
        migrations.RemoveField(model_name="participant", name="gender"),
        migrations.RunPython(_sqlite_legacy_alter(False), _sqlite_legacy_alter(True)),
    ]
