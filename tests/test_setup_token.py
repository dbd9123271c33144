"""Study.setup_token: the database gives a study a new token with any change to its themes or
attributes, whatever the code path, and pages that change nothing reuse what they built from
them only while the token is the same (studies/migrations/0005). On SQLite a table rebuilt by
a later migration would lose its triggers: these tests then fail."""

from django.db import connection

from coding.models import Theme
from interviews.models import Attribute, AttributeTarget, AttributeType
from interviews.services import attribute_create
from reports.crosstab import study_attributes
from reports.queries import ThemeTree
from studies.models import Study
from tests.reports_study import code, interview


def token(study):
    return Study.objects.values_list("setup_token", flat=True).get(pk=study.pk)


def renews(study, change):
    before = token(study)
    change()
    after = token(study)
    assert len(after) == 32
    return after != before


def test_any_change_to_a_theme_renews_its_study_token_only(study, other_study, themes):
    youth = themes["youth"]
    other = token(other_study)
    assert renews(study, lambda: Theme.objects.create(study=study, name="Forced migration"))
    assert renews(study, lambda: Theme.objects.filter(pk=youth.pk).update(description="Young people."))
    new = [Theme(study=study, name=f"T{i}") for i in range(3)]
    assert renews(study, lambda: Theme.objects.bulk_create(new))
    assert renews(study, lambda: Theme.objects.filter(name__startswith="T").delete())
    with connection.cursor() as cursor:
        assert renews(study, lambda: cursor.execute(
            "UPDATE coding_theme SET colour = '#000000' WHERE id = %s", [youth.pk]))
    assert token(other_study) == other


def test_any_change_to_an_attribute_renews_its_study_token(study):
    attribute = None

    def create():
        nonlocal attribute
        attribute = attribute_create(study=study, applies_to=AttributeTarget.PARTICIPANT, name="Age",
                                     type=AttributeType.NUMBER)

    assert renews(study, create)
    assert renews(study, lambda: Attribute.objects.filter(pk=attribute.pk).update(name="Age in 2009"))
    assert renews(study, lambda: Attribute.objects.filter(pk=attribute.pk).delete())


def test_coding_leaves_the_token_alone(alice, participant, themes):
    """Researchers code all day: what pages keep under the token stays valid meanwhile."""
    study = participant.study
    transcript = interview(participant, "La migración de jóvenes.")
    assert not renews(study, lambda: code(transcript, "migración", [themes["youth"]], alice))


def test_a_page_that_changes_nothing_reuses_the_tree_while_the_token_is_the_same(
        study, themes, django_assert_num_queries):
    study = Study.objects.get(pk=study.pk)
    with django_assert_num_queries(1):
        ThemeTree(study, unchanged=True)
    with django_assert_num_queries(0):
        assert "Youth" in [t.name for t, _depth in ThemeTree(study, unchanged=True).rows]
    Theme.objects.filter(pk=themes["youth"].pk).update(name="Young people")
    # a page that writes reads the themes again, whatever token its study object holds
    with django_assert_num_queries(1):
        assert "Young people" in [t.name for t, _depth in ThemeTree(study).rows]
    fresh = Study.objects.get(pk=study.pk)  # the next page reads the new token
    with django_assert_num_queries(1):
        assert "Young people" in [t.name for t, _depth in ThemeTree(fresh, unchanged=True).rows]
    with django_assert_num_queries(0):
        ThemeTree(fresh, unchanged=True)


def test_a_page_that_changes_nothing_reuses_the_attributes_while_the_token_is_the_same(
        study, django_assert_num_queries):
    attribute_create(study=study, applies_to=AttributeTarget.PARTICIPANT, name="Age",
                     type=AttributeType.NUMBER)
    study = Study.objects.get(pk=study.pk)
    with django_assert_num_queries(1):
        assert [a.name for a in study_attributes(study, identifying=False, unchanged=True)] == ["Age"]
    with django_assert_num_queries(0):
        study_attributes(study, identifying=False, unchanged=True)
    Attribute.objects.filter(study=study).update(name="Age in 2009")
    fresh = Study.objects.get(pk=study.pk)
    with django_assert_num_queries(1):
        assert [a.name for a in study_attributes(fresh, identifying=False, unchanged=True)] == ["Age in 2009"]
