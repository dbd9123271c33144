"""`manage.py load_demo`: the Pasto study from fixtures/pasto_demo.json, the small synthetic
Huertas study from fixtures/huertas_demo.json, and the demo users with their roles in each.

The expected headings, dates and words are typed here from the study paper."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from audit.models import Change
from coding.models import CodedExcerpt, Theme
from interviews.models import Attribute, AttributeValue, Participant, Transcript
from studies import roles
from studies.models import Membership, Role, Study

CODES = list("ABCDEFGHIJKLM")
ANALYTIC = ("Analytic themes",)
RESULTS = ANALYTIC + ("Results",)
IMPACT_AND_CHALLENGES = RESULTS + ("Impact and challenges of the International Cooperation strategy",)
LEARNING = ANALYTIC + (
    "Learning acquired from the participatory formulation of the International Cooperation "
    "strategy for local transformation",
)
SHARED_KNOWLEDGE = LEARNING + ("Communication and shared knowledge",)
DISCUSSION = ANALYTIC + ("Discussion and conclusions",)

# Every heading and sub-heading under which the paper quotes a participant, and their parents.
HEADINGS = [
    RESULTS + ("Development plan and subject population",),
    RESULTS + ("International Cooperation focus",),
    RESULTS + ("The UNDP’s ART-REDES Program",),
    RESULTS + ("Planning versus execution",),
    IMPACT_AND_CHALLENGES,
    IMPACT_AND_CHALLENGES + ("Impact",),
    IMPACT_AND_CHALLENGES + ("Challenges",),
    SHARED_KNOWLEDGE,
    SHARED_KNOWLEDGE + ("Critical reflection on shared vision",),
    SHARED_KNOWLEDGE + ("Team building",),
    SHARED_KNOWLEDGE + ("Leadership",),
    SHARED_KNOWLEDGE + ("Critical reflection",),
    DISCUSSION + ("Conclusions",),
]
# Headings with sub-headings only: the paper quotes no one directly under them.
GROUPS = [ANALYTIC, RESULTS, IMPACT_AND_CHALLENGES, LEARNING, DISCUSSION, ("Strategy themes",)]

# Distinctive words of a quotation → the innermost heading the paper quotes it under.
PLACES = [
    ("B", "Each citizen is called upon to be part of the solution", DISCUSSION + ("Conclusions",)),
    ("B", "This responsibility belongs to each of the citizens", SHARED_KNOWLEDGE + ("Critical reflection",)),
    ("H", "It is interesting to find the critics", SHARED_KNOWLEDGE + ("Critical reflection",)),
    ("L", "the territory is not an object but a subject", SHARED_KNOWLEDGE + ("Leadership",)),
    ("G", "coordinated, structured and preventive answers", SHARED_KNOWLEDGE + ("Team building",)),
    ("E", "many personal egos were left behind",
     SHARED_KNOWLEDGE + ("Critical reflection on shared vision",)),
    ("M", "we have a global vision of what the Municipality is",
     SHARED_KNOWLEDGE + ("Critical reflection on shared vision",)),
    ("F", "unite ideas within very heterogeneous groups", SHARED_KNOWLEDGE),
    ("D", "generate the political will at the local", IMPACT_AND_CHALLENGES + ("Challenges",)),
    ("A", "This is a risk, because sometimes strategies", IMPACT_AND_CHALLENGES + ("Challenges",)),
    ("C", "I see few representatives from the community", IMPACT_AND_CHALLENGES + ("Challenges",)),
    ("C", "The urban side can defend itself", IMPACT_AND_CHALLENGES + ("Impact",)),
    ("K", "we start to minimize all the needs of the population", IMPACT_AND_CHALLENGES + ("Impact",)),
    ("J", "up to here with planning and strategy documents", RESULTS + ("Planning versus execution",)),
    ("K", "alliance with the UNDP’s ART–REDES Program", RESULTS + ("The UNDP’s ART-REDES Program",)),
]

# The interview dates the paper's citations give.
DATES = {
    "A": "2009-04-07", "B": "2009-04-08", "C": "2009-04-08", "D": "2009-04-08", "E": "2009-04-16",
    "F": "2009-04-21", "G": "2009-04-22", "H": "2009-04-22", "J": "2009-05-11", "K": "2009-05-14",
    "L": "2009-05-14", "M": "2009-05-27",
}
PASTO_MEMBERS = {"admin": Role.OWNER, "maria": Role.RESEARCHER, "tomas": Role.RESEARCHER,
                 "rosa": Role.REVIEWER}
HUERTAS_MEMBERS = {"olga": Role.OWNER, "rosa": Role.RESEARCHER, "maria": Role.REVIEWER}


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row load_demo writes, field by field, so a second run that touched anything shows."""
    users = get_user_model().objects.order_by("username")
    return {
        "studies": list(Study.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "participants": list(Participant.objects.order_by("pk").values()),
        "transcripts": list(Transcript.objects.order_by("pk").values()),
        "themes": list(Theme.objects.order_by("pk").values()),
        "excerpts": list(CodedExcerpt.objects.order_by("pk").values()),
        "excerpt_themes": sorted(CodedExcerpt.themes.through.objects.values_list(
            "codedexcerpt_id", "theme_id"
        )),
        "users": [
            (u.pk, u.username, u.password, u.is_staff, u.is_superuser,
             sorted(u.groups.values_list("name", flat=True)))
            for u in users
        ],
        "changes": Change.objects.count(),
    }


def path_of(theme):
    names = []
    while theme is not None:
        names.append(theme.name)
        theme = theme.parent
    return tuple(reversed(names))


def pasto_excerpt(code, words):
    return CodedExcerpt.objects.get(
        study__slug="pasto", transcript__participant__code=code, quote__contains=words
    )


def members(slug):
    return dict(Membership.objects.filter(study__slug=slug).values_list("user__username", "role"))


@pytest.fixture
def demo(site_groups):
    return load_demo()


# ----- the studies and their members -----

def test_it_creates_both_studies(demo):
    pasto, huertas = Study.objects.get(slug="pasto"), Study.objects.get(slug="huertas")
    assert (pasto.name, pasto.language) == ("Pasto Open to the World", "en")
    assert (huertas.name, huertas.language) == ("Huertas urbanas", "es")
    assert pasto.created_by.username == "admin" and huertas.created_by.username == "olga"


def test_it_gives_each_study_its_members_and_their_roles(demo):
    assert members("pasto") == PASTO_MEMBERS
    assert members("huertas") == HUERTAS_MEMBERS


def test_it_makes_admin_a_site_admin_and_olga_a_study_creator(demo):
    User = get_user_model()
    admin, olga, maria = (User.objects.get(username=name) for name in ("admin", "olga", "maria"))
    assert roles.is_site_admin(admin) and roles.site_role_names(admin) == [roles.SITE_ADMIN]
    assert roles.can_create_study(olga) and not roles.is_site_admin(olga)
    assert roles.site_role_names(maria) == []
    assert not any(u.is_superuser for u in User.objects.all())


def test_it_gives_each_demo_user_their_documented_password(demo):
    for username in ("admin", "olga", "maria", "tomas", "rosa"):
        assert get_user_model().objects.get(username=username).check_password(f"pasto-demo-{username}")


def test_rosa_reads_pasto_and_codes_in_huertas_and_maria_the_other_way_round(demo):
    def membership(username, slug):
        return Membership.objects.select_related("study").get(user__username=username, study__slug=slug)

    assert not membership("rosa", "pasto").can_code
    assert membership("rosa", "huertas").can_code
    assert membership("maria", "pasto").can_code
    assert not membership("maria", "huertas").can_code
    outsiders = ["tomas", "admin"]
    assert not Membership.objects.filter(user__username__in=outsiders, study__slug="huertas").exists()
    assert not Membership.objects.filter(user__username="olga", study__slug="pasto").exists()
    # Participant identities belong to each study's owners, not to the site's admins.
    assert membership("admin", "pasto").can_see_identifying_fields
    assert not membership("maria", "pasto").can_see_identifying_fields


def test_it_prints_every_login_with_its_role_in_each_study(demo):
    logins = [" ".join(line.split()) for line in demo.splitlines() if " / pasto-demo-" in line]
    lines = {line.split()[0]: line for line in logins}
    assert set(lines) == {"admin", "olga", "maria", "tomas", "rosa"}
    for username, line in lines.items():
        assert f"{username} / pasto-demo-{username}" in line
    assert "Site admin" in lines["admin"] and "Pasto Open to the World (pasto): Owner" in lines["admin"]
    assert "Huertas urbanas (huertas): Owner" in lines["olga"]
    assert "Pasto Open to the World (pasto): Reviewer" in lines["rosa"]
    assert "Huertas urbanas (huertas): Researcher" in lines["rosa"]
    assert "Huertas" not in lines["tomas"]
    assert "13 participants, 12 transcripts, 22 themes, 30 coded excerpts" in demo
    assert "3 participants, 3 transcripts, 6 themes, 12 coded excerpts" in demo


# ----- Pasto: participants and transcripts -----

def test_it_creates_the_thirteen_participants_without_guessing_who_is_who(demo):
    participants = Participant.objects.filter(study__slug="pasto")
    assert list(participants.values_list("code", flat=True)) == CODES
    study = Study.objects.get(slug="pasto")
    # organisation, sector and gender: ordinary attributes of the study, as the migration makes them
    attributes = Attribute.objects.filter(study=study, applies_to="participant").order_by("order")
    assert [(a.name, a.type, [c.label for c in a.choices.all()]) for a in attributes] == [
        ("Organisation", "text", []),
        ("Sector", "choice", ["Private", "Public", "NGO", "Civil society", "International organisation"]),
        ("Gender", "choice", ["Female", "Male", "Non-binary", "Not disclosed"]),
    ]
    for participant in participants:
        # no organisation or sector: the paper does not say; gender "Not disclosed", kept as it was
        assert [(v.attribute.name, v.choice.label) for v in participant.attribute_values.select_related(
            "attribute", "choice")] == [("Gender", "Not disclosed")]
        assert participant.consent_given and participant.consent_scope == "quote"
        assert participant.notes.startswith("Table 3 pairing by order, unconfirmed: ")
    assert "D = row 4, RET (NGO, Male)" in participants.get(code="D").notes


def test_it_creates_a_transcript_for_everyone_but_participant_i(demo):
    transcripts = Transcript.objects.filter(study__slug="pasto")
    assert sorted(transcripts.values_list("participant__code", flat=True)) == [c for c in CODES if c != "I"]
    assert all(t.participant.study_id == t.study_id for t in transcripts.select_related("participant"))


def test_it_dates_each_interview_as_the_paper_cites_it(demo):
    dates = dict(Transcript.objects.filter(study__slug="pasto").values_list(
        "participant__code", "interview_date"))
    assert dates == {code: datetime.date.fromisoformat(day) for code, day in DATES.items()}


def test_it_stores_valid_normalised_transcripts(demo):
    for transcript in Transcript.objects.all():
        transcript.full_clean()


def test_it_quotes_every_excerpt_from_its_transcript(demo):
    excerpts = CodedExcerpt.objects.select_related("transcript")
    assert excerpts.count() == 42
    for excerpt in excerpts:
        assert excerpt.quote == excerpt.transcript.text[excerpt.start : excerpt.end]
        assert excerpt.quote.strip() == excerpt.quote
        assert excerpt.study_id == excerpt.transcript.study_id
        assert not excerpt.needs_review
        excerpt.full_clean()


def test_it_codes_every_transcript_and_every_excerpt(demo):
    assert not CodedExcerpt.objects.filter(themes__isnull=True).exists()
    assert not Transcript.objects.filter(excerpts__isnull=True).exists()
    coders = dict(CodedExcerpt.objects.values_list("study__slug", "coder__username").distinct())
    assert coders == {"pasto": "maria", "huertas": "rosa"}


# ----- Pasto: the codebook follows the paper's headings -----

def test_it_makes_every_heading_and_sub_heading_a_theme(demo):
    paths = {path_of(t) for t in Theme.objects.filter(study__slug="pasto").select_related(
        "parent__parent__parent")}
    assert set(HEADINGS) <= paths
    assert {("Strategy themes", name) for name in
            ("Youth", "Gender", "Forced inland migration", "Environment")} <= paths
    assert len(paths) == 22


def test_it_orders_the_sub_headings_as_the_paper_does(demo):
    def children(name):
        return list(Theme.objects.get(study__slug="pasto", name=name).children.values_list("name", flat=True))

    assert children(IMPACT_AND_CHALLENGES[-1]) == ["Impact", "Challenges"]
    assert children("Communication and shared knowledge") == [
        "Critical reflection on shared vision", "Team building", "Leadership", "Critical reflection"]
    assert children("Results")[-1] == IMPACT_AND_CHALLENGES[-1]


def test_it_codes_each_quotation_under_its_innermost_heading(demo):
    for code, words, heading in PLACES:
        excerpt = pasto_excerpt(code, words)
        analytic = [path_of(t) for t in excerpt.themes.filter(kind="analytic")]
        assert analytic == [heading], (code, words)


def test_it_codes_bs_conclusion_under_6_2_and_not_under_5_1(demo):
    excerpt = pasto_excerpt("B", "Each citizen is called upon")
    assert [t.name for t in excerpt.themes.all()] == ["Conclusions"]
    learning = Theme.objects.get(study__slug="pasto", name=LEARNING[-1])
    assert not excerpt.themes.filter(parent__parent=learning).exists()
    assert not excerpt.themes.filter(parent=learning).exists()


def test_it_codes_no_quotation_to_a_heading_that_only_groups_sub_headings(demo):
    for path in GROUPS:
        theme = Theme.objects.get(study__slug="pasto", name=path[-1])
        assert not theme.excerpts.exists(), path


def test_headings_that_only_group_sub_headings_cannot_be_ticked(demo):
    grouping = set(Theme.objects.filter(study__slug="pasto", is_codable=False).values_list("name", flat=True))
    assert grouping == {path[-1] for path in GROUPS} | {"Strategy themes", "Analytic themes"}


def test_it_codes_the_strategy_themes_where_a_quotation_names_them(demo):
    def strategy(code, words):
        themes = pasto_excerpt(code, words).themes.filter(kind="strategy")
        return sorted(themes.values_list("name", flat=True))

    assert strategy("D", "like gender, youth, displacement") == ["Forced inland migration", "Gender", "Youth"]
    assert strategy("H", "environmental issues") == [
        "Environment", "Forced inland migration", "Gender", "Youth"]
    assert strategy("L", "Norwegian Council for Refugees") == ["Forced inland migration"]


def test_it_counts_the_quotations_under_each_heading(demo):
    counts = {name: Theme.objects.get(study__slug="pasto", name=name).excerpts.count() for name in (
        "Development plan and subject population", "International Cooperation focus",
        "The UNDP’s ART-REDES Program", "Planning versus execution", "Impact", "Challenges",
        "Communication and shared knowledge", "Critical reflection on shared vision", "Team building",
        "Leadership", "Critical reflection", "Conclusions")}
    assert counts == {
        "Development plan and subject population": 2, "International Cooperation focus": 2,
        "The UNDP’s ART-REDES Program": 2, "Planning versus execution": 3, "Impact": 6,
        "Challenges": 7, "Communication and shared knowledge": 1,
        "Critical reflection on shared vision": 2, "Team building": 1, "Leadership": 1,
        "Critical reflection": 2, "Conclusions": 1,
    }


# ----- Huertas: small, synthetic, its own -----

def test_it_builds_the_small_huertas_study(demo):
    study = Study.objects.get(slug="huertas")
    assert list(study.participants.values_list("code", flat=True)) == ["P1", "P2", "P3"]
    assert study.transcripts.count() == 3
    assert study.themes.count() == 6
    assert CodedExcerpt.objects.filter(study=study).count() == 12
    assert set(study.participants.values_list("consent_scope", flat=True)) == {
        "quote_named", "quote", "interview_only"}
    # a Spanish study: its attributes are named, and their choices written, in Spanish
    stored = AttributeValue.objects.filter(study=study).select_related("participant", "attribute", "choice")
    values = {(v.participant.code, v.attribute.name): v.choice.label if v.choice_id else v.text
              for v in stored}
    assert values == {
        ("P1", "Organización"): "Huerta comunitaria La Minga", ("P1", "Sector"): "Sociedad civil",
        ("P1", "Género"): "Femenino", ("P2", "Organización"): "Junta de acción comunal",
        ("P2", "Sector"): "Público", ("P2", "Género"): "Masculino",
        ("P3", "Organización"): "Vivero El Arrayán", ("P3", "Sector"): "Privado",
        ("P3", "Género"): "Femenino",
    }


def test_it_codes_the_answers_and_not_the_interviewer_or_the_speaker_label(demo):
    for excerpt in CodedExcerpt.objects.filter(study__slug="huertas").select_related("transcript"):
        code = excerpt.transcript.participant.code
        assert excerpt.transcript.text[excerpt.start - len(code) - 2 : excerpt.start] == f"{code}: "
        assert "Entrevistadora" not in excerpt.quote and "\n" not in excerpt.quote


def test_it_keeps_each_studys_rows_to_itself(demo):
    for model in (Participant, Transcript, Theme, CodedExcerpt):
        assert set(model.objects.values_list("study__slug", flat=True)) == {"pasto", "huertas"}
    links = CodedExcerpt.themes.through.objects.select_related("codedexcerpt", "theme")
    assert all(link.codedexcerpt.study_id == link.theme.study_id for link in links)
    assert not Theme.objects.filter(parent__isnull=False).exclude(study=F("parent__study")).exists()


# ----- running it again -----

def test_it_changes_nothing_when_run_twice(demo):
    before = snapshot()
    again = load_demo()
    assert snapshot() == before
    assert again == demo


def test_it_gives_demo_users_back_their_roles_but_keeps_their_passwords(demo, site_groups):
    rosa = get_user_model().objects.get(username="rosa")
    rosa.set_password("changed-by-rosa")
    rosa.save()
    rosa.groups.add(site_groups[roles.SITE_ADMIN])
    Membership.objects.filter(user=rosa, study__slug="pasto").update(role=Role.RESEARCHER)
    load_demo()
    rosa.refresh_from_db()
    assert rosa.check_password("changed-by-rosa")
    assert roles.site_role_names(rosa) == []
    assert members("pasto") == PASTO_MEMBERS


def test_it_leaves_members_added_since_alone(demo):
    tomas = get_user_model().objects.get(username="tomas")
    Membership.objects.create(study=Study.objects.get(slug="huertas"), user=tomas, role=Role.REVIEWER)
    load_demo()
    assert members("huertas") == {**HUERTAS_MEMBERS, "tomas": Role.REVIEWER}


def test_it_refuses_to_reload_over_edited_text_and_changes_nothing(demo):
    d = Transcript.objects.filter(study__slug="pasto", participant__code="D")
    d.update(text="Edited by a researcher.")
    # Rows the loader would write before it reaches D's transcript, were it not atomic.
    Participant.objects.filter(study__slug="pasto", code="I").delete()
    Theme.objects.filter(study__slug="pasto", name="Youth").update(description="Edited description")
    Membership.objects.filter(user__username="rosa", study__slug="pasto").update(role=Role.RESEARCHER)
    before = snapshot()
    with pytest.raises(CommandError, match="Interview with participant D"):
        load_demo()
    assert snapshot() == before
    assert not Participant.objects.filter(study__slug="pasto", code="I").exists()


def test_it_makes_the_site_groups_when_the_database_has_none(db):
    Group.objects.all().delete()
    load_demo()
    assert roles.is_site_admin(get_user_model().objects.get(username="admin"))
