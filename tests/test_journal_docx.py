"""The journal's DOCX export: the page's filters, formatting as Word lists, and private memos
only the author's own and only when asked."""

import io

from django.urls import reverse
from docx import Document

from memos.services import memo_create
from tests.conftest import client_for

URL = reverse("memos:journal-docx", args=["pasto"])


def paragraphs(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="journal-pasto.docx"'
    return [(p.style.name, p.text) for p in Document(io.BytesIO(response.content)).paragraphs]


def test_it_exports_the_journal_with_lists_and_links(alice, study, themes):
    memo_create(study=study, author=alice, title="Method note", type="method", themes=[themes["youth"]],
                body="We asked *twice*.\n\n- first round\n- second round\n\n1. code\n2. compare")
    rows = paragraphs(alice)
    texts = [t for _s, t in rows]
    assert "Method note" in texts and "We asked twice." in texts
    assert ("List Bullet", "first round") in rows and ("List Number", "compare") in rows
    assert "Linked to: Youth" in texts


def test_it_follows_the_journal_filters(alice, study):
    memo_create(study=study, author=alice, title="Teoría", type="theory")
    memo_create(study=study, author=alice, title="Método", type="method")
    texts = [t for _s, t in paragraphs(alice, type="theory")]
    assert "Teoría" in texts and "Método" not in texts


def test_private_memos_only_for_their_author_and_only_when_asked(alice, bob, study):
    memo_create(study=study, author=bob, title="Bob's private", private=True)
    assert "Bob's private" not in [t for _s, t in paragraphs(bob)]
    assert "Bob's private" in [t for _s, t in paragraphs(bob, private="on")]
    assert "Bob's private" not in [t for _s, t in paragraphs(alice, private="on")]
