"""Deleting a memo sends it to the trash; it can be restored with its links."""

from django.urls import reverse

from memos.models import Memo
from memos.services import memo_create
from tests.conftest import client_for


def test_a_deleted_memo_goes_to_the_trash_and_comes_back(alice, bob, study, themes):
    memo = memo_create(study=study, author=alice, title="Keep", themes=[themes["youth"]])
    client = client_for(bob)
    assert client.post(reverse("memos:memo-delete", args=["pasto", memo.pk])).status_code == 302
    memo.refresh_from_db()
    assert memo.deleted_at is not None and memo.deleted_by == bob
    assert client.get(memo.get_absolute_url()).status_code == 404
    trash = client.get(reverse("memos:memo-trash", args=["pasto"]))
    assert [m.pk for m in trash.context["page"]] == [memo.pk]
    assert client.post(reverse("memos:memo-restore", args=["pasto", memo.pk])).status_code == 302
    memo.refresh_from_db()
    assert memo.deleted_at is None
    assert list(memo.themes.all()) == [themes["youth"]]
    assert client.get(memo.get_absolute_url()).status_code == 200


def test_another_members_private_memo_is_not_in_my_trash(alice, bob, study):
    memo = memo_create(study=study, author=alice, title="Secret", private=True)
    client_for(alice).post(reverse("memos:memo-delete", args=["pasto", memo.pk]))
    trash = client_for(bob).get(reverse("memos:memo-trash", args=["pasto"]))
    assert list(trash.context["page"]) == []
    assert client_for(bob).post(reverse("memos:memo-restore", args=["pasto", memo.pk])).status_code == 404
    assert Memo.objects.get(pk=memo.pk).deleted_at is not None


def test_reviewers_cannot_delete(alice, rita, study):
    memo = memo_create(study=study, author=alice, title="Keep")
    assert client_for(rita).post(reverse("memos:memo-delete", args=["pasto", memo.pk])).status_code == 403
    assert Memo.objects.get(pk=memo.pk).deleted_at is None
