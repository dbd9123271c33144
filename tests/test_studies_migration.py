"""studies/0002_existing_data: a single-study database moves into one study, and the old
site-wide roles become memberships of it.

The test migrates the real database back to just before studies existed, fills it through the
historical models as a server of that time would be filled, migrates forward, and checks every
row. It always leaves the database migrated to the latest state.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last migration of each app before studies (their next ones add the study FK).
BEFORE_STUDIES = [
    ("studies", None),
    ("interviews", "0003_record_existing_texts"),
    ("coding", "0007_codebook"),
    ("audit", "0001_initial"),
]

TEXTS = [
    "Interviewer: ¿Cómo empezó?\n\nD: Con la oficina de juventud 🌱 y el trabajo de género.",
    "Interviewer: And then?\n\nL: Pasto opened to the world; the carnival helped.",
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def populate(apps):
    """A server before studies: three old role groups with users, participants, transcripts,
    themes, excerpts (one of them with two themes) and an audit row."""
    Group, User = apps.get_model("auth", "Group"), apps.get_model("auth", "User")
    Participant = apps.get_model("interviews", "Participant")
    Transcript = apps.get_model("interviews", "Transcript")
    Theme, CodedExcerpt = apps.get_model("coding", "Theme"), apps.get_model("coding", "CodedExcerpt")
    Change = apps.get_model("audit", "Change")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("Researcher", "Reviewer", "Admin")}
    users = {}
    for username, group_names in [("ana", ["Admin"]), ("raul", ["Researcher"]), ("vera", ["Reviewer"]),
                                  ("both", ["Reviewer", "Researcher"]), ("nobody", [])]:
        users[username] = User.objects.create(username=username, password="!")
        users[username].groups.set([groups[n] for n in group_names])

    parent = Theme.objects.create(name="Strategy")
    youth = Theme.objects.create(name="Youth", parent=parent)
    opening = Theme.objects.create(name="Opening", parent=parent)
    excerpts = []
    for code, text in zip("DL", TEXTS, strict=True):
        participant = Participant.objects.create(code=code, sector="public")
        transcript = Transcript.objects.create(participant=participant, title=f"Interview {code}", text=text)
        for start, end in [(text.index(":", 14) + 2, len(text) - 1), (0, 11)]:
            excerpt = CodedExcerpt.objects.create(transcript=transcript, start=start, end=end,
                                                  quote=text[start:end], coder=users["raul"])
            excerpt.themes.set([youth, opening] if code == "D" else [opening])
            excerpts.append(excerpt.pk)
    Change.objects.create(user=users["raul"], action="create", model="coding.codedexcerpt",
                          object_id=str(excerpts[0]), object_repr="excerpt", data={})
    return {"users": {u: users[u].pk for u in users}, "excerpts": excerpts}


@pytest.mark.django_db(transaction=True)
def test_it_moves_a_single_study_database_into_one_study():
    try:
        executor = migrate(BEFORE_STUDIES)
        old = populate(executor.loader.project_state([n for n in BEFORE_STUDIES if n[1]]).apps)

        migrate(latest())

        from django.contrib.auth.models import Group

        from audit.models import Change
        from coding.models import CodedExcerpt, Theme
        from interviews.models import Participant, Transcript
        from studies.models import Membership, Role, Study

        study = Study.objects.get()
        assert (study.slug, study.name, study.deleted_at, study.archived_at) == (
            "migrated", "Study (migrated)", None, None)
        for model, count in [(Participant, 2), (Transcript, 2), (Theme, 3), (CodedExcerpt, 4), (Change, 1)]:
            assert model.objects.count() == count, model
            assert model.objects.filter(study=study).count() == count, model

        excerpts = CodedExcerpt.objects.select_related("transcript").prefetch_related("themes")
        assert sorted(e.pk for e in excerpts) == sorted(old["excerpts"])
        for excerpt in excerpts:
            assert excerpt.quote == excerpt.transcript.text[excerpt.start:excerpt.end]
            assert all(t.study_id == study.pk for t in excerpt.themes.all())
        first = excerpts.get(pk=old["excerpts"][0])
        assert sorted(t.name for t in first.themes.all()) == ["Opening", "Youth"]

        memberships = dict(Membership.objects.filter(study=study).values_list("user__username", "role"))
        assert memberships == {"ana": Role.OWNER, "raul": Role.RESEARCHER, "vera": Role.REVIEWER,
                               "both": Role.RESEARCHER}

        names = set(Group.objects.values_list("name", flat=True))
        assert {"Researcher", "Reviewer", "Admin"}.isdisjoint(names)
        assert "Site admin" in names
        site_admins = Group.objects.get(name="Site admin").user_set.values_list("username", flat=True)
        assert list(site_admins) == ["ana"]
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_it_makes_no_study_on_an_empty_database():
    try:
        migrate(BEFORE_STUDIES)
        migrate(latest())
        from studies.models import Study

        assert not Study.objects.exists()
    finally:
        migrate(latest())
