"""interviews/0011_record_fields_to_attributes: a participant's sector, gender and organisation
leave the record and become ordinary attributes of its study, every value kept; going back
puts them back on the record.

The test migrates the real database back to just before the change, fills it through the
historical models as a server of that time would be filled, migrates forward, checks every
value, then back again. It always leaves the database migrated to the latest state.
"""

import pytest

from tests.test_studies_migration import latest, migrate

# studies 0004 (blind coding) stays applied meanwhile, so the historical Study must know it
BEFORE = [("interviews", "0010_merge_word_forms_attributes"), ("studies", "0004_blind_coding")]
AFTER = [("interviews", "0011_record_fields_to_attributes")]

# code -> (organisation, sector, gender) as the old fields held them
ENGLISH = {"D": ("RET", "ngo", "male"), "J": ("", "public", "female"), "K": ("Alcaldía", "", "undisclosed"),
           "L": ("", "", "non_binary")}
SPANISH = {"P1": ("Huerta La Minga", "civil_society", "female"), "P2": ("", "international", "male")}


def populate(apps):
    """Three studies of that time: one in English, one in Spanish whose owners had already made
    an attribute of their own named Sector, and one nobody described (no sector used, gender
    left empty)."""
    Study = apps.get_model("studies", "Study")
    Participant = apps.get_model("interviews", "Participant")
    Attribute = apps.get_model("interviews", "Attribute")
    english = Study.objects.create(name="English", slug="english", language="en")
    spanish = Study.objects.create(name="Spanish", slug="spanish", language="es")
    bare = Study.objects.create(name="Bare", slug="bare", language="en")
    for study, people in ((english, ENGLISH), (spanish, SPANISH)):
        for code, (organisation, sector, gender) in people.items():
            Participant.objects.create(study=study, code=code, organisation=organisation, sector=sector,
                                       gender=gender)
    Attribute.objects.create(study=spanish, applies_to="participant", name="sector", type="text", order=0)
    Attribute.objects.create(study=spanish, applies_to="participant", name="Edad", type="number", order=1)
    Participant.objects.create(study=bare, code="Z", gender="")


def described(study_slug):
    """{code: {attribute name: value as shown}} and the participant attributes in order."""
    from interviews.models import Attribute, AttributeValue

    attributes = Attribute.objects.filter(study__slug=study_slug, applies_to="participant").order_by("order")
    found = {}
    for value in AttributeValue.objects.filter(study__slug=study_slug).select_related(
            "participant", "attribute", "choice"):
        shown = value.choice.label if value.choice_id else value.text
        found.setdefault(value.participant.code, {})[value.attribute.name] = shown
    return found, [(a.name, a.type, [c.label for c in a.choices.all()]) for a in attributes]


@pytest.mark.django_db(transaction=True)
def test_it_turns_sector_gender_and_organisation_into_attributes_and_back():
    try:
        executor = migrate(BEFORE)
        populate(executor.loader.project_state(BEFORE).apps)

        migrate(AFTER)

        values, attributes = described("english")
        assert attributes == [
            ("Organisation", "text", []),
            ("Sector", "choice", ["Private", "Public", "NGO", "Civil society", "International organisation"]),
            ("Gender", "choice", ["Female", "Male", "Non-binary", "Not disclosed"]),
        ]
        assert values == {
            "D": {"Organisation": "RET", "Sector": "NGO", "Gender": "Male"},
            "J": {"Sector": "Public", "Gender": "Female"},
            "K": {"Organisation": "Alcaldía", "Gender": "Not disclosed"},
            "L": {"Gender": "Non-binary"},
        }

        values, attributes = described("spanish")
        # in the study's language; the owners' own "sector" keeps its name, ours gets "(2)";
        # theirs come after the three, in their order
        assert attributes == [
            ("Organización", "text", []),
            ("Sector (2)", "choice",
             ["Privado", "Público", "ONG", "Sociedad civil", "Organización internacional"]),
            ("Género", "choice", ["Femenino", "Masculino", "No binario", "No informado"]),
            ("sector", "text", []),
            ("Edad", "number", []),
        ]
        assert values == {
            "P1": {"Organización": "Huerta La Minga", "Sector (2)": "Sociedad civil", "Género": "Femenino"},
            "P2": {"Sector (2)": "Organización internacional", "Género": "Masculino"},
        }

        # a study where no one had a value gets no attribute for it
        assert described("bare") == ({}, [])

        # the organisation the citations name (QUOTE_NAMED) is the new attribute, in either language
        from interviews.attributes import participant_profiles
        from interviews.models import Participant
        from studies.models import Study

        for slug, code, organisation in (("english", "D", "RET"), ("spanish", "P1", "Huerta La Minga")):
            # studies is at 0004 here: the column studies 0005 adds is not there yet
            study = Study.objects.defer("setup_token").get(slug=slug)
            pk = Participant.objects.get(study=study, code=code).pk
            assert participant_profiles(study).organisation(pk) == organisation

        executor = migrate(BEFORE)
        Old = executor.loader.project_state(BEFORE).apps.get_model("interviews", "Participant")
        for slug, people in (("english", ENGLISH), ("spanish", SPANISH), ("bare", {"Z": ("", "", "")})):
            old = {p.code: (p.organisation, p.sector, p.gender) for p in Old.objects.filter(study__slug=slug)}
            assert old == people, slug
        OldAttribute = executor.loader.project_state(BEFORE).apps.get_model("interviews", "Attribute")
        assert sorted(OldAttribute.objects.values_list("study__slug", "name")) == [
            ("spanish", "Edad"), ("spanish", "sector")]
    finally:
        migrate(latest())
