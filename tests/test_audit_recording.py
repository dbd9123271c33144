"""Every create, change and delete of the tracked models lands in the history, in the study it
belongs to (audit.signals)."""

from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create, excerpt_delete, excerpt_update
from interviews.models import Participant, Transcript
from interviews.services import attribute_create, attribute_value_set
from studies.models import Membership, Role, Study
from studies.services import membership_add, membership_claim_ownership, membership_role_set, study_archive
from tests.conftest import client_for
from tests.participants import participant_make


def changes(study, model, pk):
    return list(Change.objects.for_object(study, model, pk))


def test_it_records_an_excerpt_created_through_the_page(alice, transcript, themes, study):
    client_for(alice).post(
        reverse("coding:excerpt-create", args=["pasto", transcript.pk]),
        {"start_utf16": 35, "end_utf16": 49, "themes": [themes["youth"].pk]},
    )
    rows = Change.objects.filter(model="coding.codedexcerpt")
    create = rows.get(action="create")
    assert create.user == alice and create.study == study
    assert create.data["quote"] == "With the youth"
    # one row: the create holds the themes it was saved with
    assert create.data["themes"] == [themes["youth"].pk]
    assert not rows.filter(action="update").exists()


def test_an_excerpt_made_without_the_service_still_gets_its_create_row_at_once(alice, transcript, themes):
    excerpt = CodedExcerpt.objects.create(study=transcript.study, transcript=transcript, start=0, end=11,
                                          quote=transcript.text[:11], coder=alice)
    rows = Change.objects.filter(model="coding.codedexcerpt", object_id=str(excerpt.pk))
    assert [row.action for row in rows] == ["create"]
    excerpt.themes.add(themes["youth"])
    assert rows.get(action="update").data == {"themes": [[], [themes["youth"].pk]]}


def test_it_records_what_changed_and_who_changed_it(alice, bob, transcript, themes, study):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    with acting_as(bob):
        excerpt_update(excerpt=excerpt, version=1, start=35, end=49, themes=[themes["gender"]], memo="why")
    last = [c for c in changes(study, "coding.codedexcerpt", excerpt.pk) if c.user == bob]
    fields = {k: v for c in last for k, v in c.data.items()}
    assert fields["memo"] == ["", "why"]
    assert fields["themes"][1] == [themes["gender"].pk] or fields["themes"][0] == [themes["youth"].pk]


def test_it_records_a_deletion_with_the_whole_excerpt(alice, transcript, themes, study):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    pk = excerpt.pk
    with acting_as(alice):
        excerpt_delete(excerpt=excerpt, user=alice)
    delete = [c for c in changes(study, "coding.codedexcerpt", pk) if c.action == "delete"][0]
    assert delete.data["quote"] == "With the youth"
    assert delete.data["themes"] == [themes["youth"].pk]
    assert delete.user == alice and delete.study == study


def test_it_records_participants_transcripts_and_themes(study, participant, transcript):
    theme = Theme.objects.create(study=study, name="Trust")
    theme.name = "Trust and confidence"
    theme.save()
    participant.notes = "Another"
    participant.save()
    transcript.text = transcript.text + "\n\nMore."
    transcript.save()
    assert [c.action for c in changes(study, "coding.theme", theme.pk)] == ["create", "update"]
    assert changes(study, "interviews.participant", participant.pk)[-1].data == {"notes": ["", "Another"]}
    text_change = changes(study, "interviews.transcript", transcript.pk)[-1].data
    assert list(text_change) == ["text"]
    participant_make(study=study, code="Z", sector="ngo", gender="male")
    assert Change.objects.filter(model="interviews.participant", action="create").count() == 2


def test_it_summarises_long_texts(study, participant):
    t = Transcript.objects.create(study=study, participant=participant, title="Long",
                                  text="word " * 200 + "end")
    data = changes(study, "interviews.transcript", t.pk)[0].data
    assert data["text"].startswith("<1003 characters, sha256 ")


def test_each_row_belongs_to_the_study_of_its_object(study, other_study, alice, otto, themes):
    with acting_as(otto):
        elsewhere = Theme.objects.create(study=other_study, name="Elsewhere")
    with acting_as(alice):
        here = Theme.objects.create(study=study, name="Here")
    assert set(Change.objects.filter(model="coding.theme", object_id=str(elsewhere.pk))
               .values_list("study", flat=True)) == {other_study.pk}
    assert set(Change.objects.filter(model="coding.theme", object_id=str(here.pk))
               .values_list("study", flat=True)) == {study.pk}
    assert changes(study, "coding.theme", elsewhere.pk) == []


def test_it_records_membership_changes_and_who_made_them(adam, alice, steve, study):
    with acting_as(adam):
        added = membership_add(study=study, user=steve, role=Role.REVIEWER)
        membership_role_set(membership=added, role=Role.RESEARCHER)
        pk = added.pk
        added.delete()
    rows = changes(study, "studies.membership", pk)
    assert [c.action for c in rows] == ["create", "update", "delete"]
    assert {c.user for c in rows} == {adam}
    assert rows[0].data["role"] == "reviewer" and rows[1].data == {"role": ["reviewer", "researcher"]}


def test_it_records_a_site_admin_claiming_ownership(sam, study):
    with acting_as(sam):
        membership = membership_claim_ownership(study=study, user=sam)
    create = changes(study, "studies.membership", membership.pk)[0]
    assert (create.user, create.data["role"], create.data["user_id"]) == (sam, "owner", sam.pk)


def test_it_records_the_study_itself_in_its_own_log(adam, study):
    with acting_as(adam):
        study_archive(study=study, archived=True)
    change = changes(study, "studies.study", study.pk)[-1]
    assert change.user == adam and list(change.data) == ["archived_at"]


def test_deleting_a_study_for_good_takes_its_log_and_logs_into_no_other(study, other_study, otto, alice,
                                                                        transcript, themes):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    theirs = Change.objects.filter(study=other_study).count()
    # A purge empties the study first (its content PROTECTs it), then deletes it with its
    # members, whose deletion must not log into the study being deleted.
    CodedExcerpt.objects.filter(study=study).delete()
    Transcript.objects.filter(study=study).delete()
    Participant.objects.filter(study=study).delete()
    Theme.objects.filter(study=study, parent__isnull=False).delete()
    Theme.objects.filter(study=study).delete()
    Study.objects.filter(pk=study.pk).delete()
    assert not Change.objects.filter(study_id=study.pk).exists()
    assert Change.objects.filter(study=other_study).count() == theirs
    assert not Membership.objects.filter(study_id=study.pk).exists()
    # The study's changes are recorded again once it is gone (nothing stays muted).
    with acting_as(otto):
        Theme.objects.create(study=other_study, name="After")
    assert Change.objects.filter(study=other_study).count() == theirs + 1


def test_attribute_values_are_recorded(study, participant, alice):
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    with acting_as(alice):
        attribute_value_set(attribute=age, obj=participant, raw="34")
        attribute_value_set(attribute=age, obj=participant, raw="35")
        attribute_value_set(attribute=age, obj=participant, raw="")
    rows = Change.objects.filter(study=study, model="interviews.attributevalue",
                                 object_repr__startswith="Age").order_by("pk")
    assert [row.action for row in rows] == ["create", "update", "delete"]
    assert rows[0].object_repr == "Age: 34" and rows[0].user == alice
def test_a_text_edit_that_shifts_excerpts_leaves_a_history_row_for_each(alice, transcript, themes):
    """Issue 17 #9: re-anchoring's silent offset shifts are one raw UPDATE; each excerpt still
    gets its history row, so its versions (and revert) know where it now is."""
    from audit.history import versions
    from coding.transcript_text import transcript_text_update

    with acting_as(alice):
        excerpts = [excerpt_create(transcript=transcript, start=35 + i, end=49, themes=[themes["youth"]],
                                   coder=alice) for i in range(3)]
        transcript_text_update(transcript=transcript, text="New start. " + transcript.text, user=alice)
    for excerpt in excerpts:
        excerpt.refresh_from_db()
        rows = Change.objects.for_object(transcript.study, "coding.codedexcerpt", excerpt.pk)
        last = rows.order_by("at", "pk").last()
        assert last.user == alice
        assert last.data["start"] == [excerpt.start - 11, excerpt.start]
        state = versions(rows.order_by("at", "pk"))[-1][1]
        assert (state["start"], state["end"], state["quote"]) == (excerpt.start, excerpt.end, excerpt.quote)


def test_a_qdpx_import_leaves_a_create_row_for_each_excerpt(adam, alice, bob, study, tmp_path):
    """Issue 17 #9: the REFI-QDA import writes excerpts with raw INSERTs."""
    import io

    from coding.models import CodedExcerpt
    from exchange.qdpx_export import study_export
    from exchange.qdpx_import import study_import
    from tests.test_qdpx_export import study_build

    study_build(study, alice, bob)
    out = io.BytesIO()
    study_export(out, study=study)
    out.seek(0)
    with acting_as(adam):
        report = study_import(out, owner=adam, name="Copy", file_name="copy.qdpx")
    new = report.study
    excerpts = list(CodedExcerpt.objects.filter(study=new).prefetch_related("themes"))
    assert excerpts
    for excerpt in excerpts:
        (row,) = Change.objects.filter(study=new, model="coding.codedexcerpt", object_id=str(excerpt.pk))
        assert row.action == "create" and row.user == adam
        assert row.data["themes"] == sorted(t.pk for t in excerpt.themes.all())
        assert (row.data["start"], row.data["end"]) == (excerpt.start, excerpt.end)
