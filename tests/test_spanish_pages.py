"""Every page, for every role, in Spanish: no English interface text left.

Each route of the permission matrix (tests/test_permission_matrix.py) that a role may GET is
rendered with Accept-Language: es, plus pages that only show their content with a query (a
search with hits, a theme report, a printable report). The study's data here is Spanish, and
every string stored in the database (names, texts, titles, usernames) is taken out of the page
first; what a reader then sees (text, and the title, aria-label, placeholder and alt
attributes) must hold none of the common English interface words below. A word the catalogue
forgot to translate, or a string never marked for translation, fails here with its page.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone, translation

from audit.models import Change
from coding.models import AutoCodingRun, Theme
from coding.services import excerpt_create, excerpt_delete, theme_delete
from interviews.models import Attribute, Transcript, TranscriptSource
from studies.models import Membership, Study
from team.models import Adjudication, Assignment
from tests.conftest import client_for, failed_job, memo_objects
from tests.test_permission_matrix import MATRIX, ROUTES, url_for

# Common English interface words that are not also Spanish words ("no", "color", "sector",
# "total", "memo", "error", "show", "admin", "once", "son", "has" are left out for that reason).
ENGLISH = set("""
the and of to with for from your you this that these those is are was were be been have not all any
each every none only or by on at in into it its their there here which who what when how may can
cannot must will would should save saved cancel edit delete deleted remove removed add added create
created new search hide back next previous first last page pages log login logout sign password
user users username study studies member members role owner owners researcher researchers reviewer
reviewers theme themes excerpt excerpts transcript transcripts participant participants codebook
report reports export import settings history trash restore undo merge split move order parent
colour kind name description criteria inclusion exclusion coded coding code codes coder coders
quote quotes count counts gender female male organisation consent withdrawn given text word words
file files upload download choose pick select selection view open close yes done change changes
language automatic skip content main help date time version review needs flagged archived archive
claim site group groups strategy analytic grouping example examples printable print matrix
overview frequencies share left right up down below above more less other another same also again
nothing something already still yet since before after until between about because while where
whole paragraph sentence turn turns speaker speakers shown hits hit found without keep kept
""".split())

# Attributes a reader (or a screen reader) meets.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class VisibleText(HTMLParser):
    """The text a reader meets: text outside scripts and styles, and READ_ATTRIBUTES; anything
    inside an element marked with another language (lang="en": the switch's "English") is not
    interface text in Spanish."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other = attrs.get("lang") not in (None, "es")
        if tag in ("script", "style") or other:
            if tag not in ("br", "img", "input", "meta", "link"):
                self.skip.append(tag)
            return
        if self.skip:
            return
        self.parts += [value for name, value in attrs.items() if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _strings(value):
    """The strings of a stored value, JSON included (the history log shows its keys and values)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


def stored_strings():
    """Every string stored in the database: user data, whatever page shows it."""
    found = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if fields:
            for row in model.objects.values_list(*fields):
                found.update(s for value in row if value is not None for s in _strings(value))
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def english_words(html, user_data):
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in user_data:  # whole words only: "es" (a language) must not cut "Participantes"
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    text = re.sub(r"(?i)\bin vivo\b", " ", text)  # Latin, and the Spanish term for it too
    # \w+ words: "mayúsculas" is one word (not "May"), "parent_guid" a column name, not "parent"
    return sorted({w for w in re.findall(r"\w+", text) if w.lower() in ENGLISH})


@pytest.fixture
def datos(alice, bob, rita, adam, steve, sam, participant):
    """One of each object a page can name, with Spanish content (the shape of conftest's
    `objects`, which the matrix's url_for reads)."""
    study = participant.study
    text = "Entrevistador: ¿Cómo empezó?\n\nD: Con la oficina de juventud y el trabajo de género."
    transcript = Transcript.objects.create(study=study, participant=participant, title="Entrevista D",
                                           text=text, language="es")
    raiz = Theme.objects.create(study=study, name="Temas de la estrategia", kind="strategy")
    juventud = Theme.objects.create(study=study, name="Juventud", parent=raiz, description="Jóvenes.",
                                    inclusion_criteria="Menciones de jóvenes.")
    genero = Theme.objects.create(study=study, name="Género", parent=raiz)
    start = text.index("oficina de juventud")
    excerpt = excerpt_create(transcript=transcript, start=start, end=start + 19, themes=[juventud],
                             coder=alice, memo="Una nota.")
    gone = excerpt_create(transcript=transcript, start=0, end=13, themes=[genero], coder=bob)
    deleted_excerpt = excerpt_delete(excerpt=gone, user=bob)
    reserva = Theme.objects.create(study=study, name="Reserva", parent=raiz)
    deleted_theme = theme_delete(theme=Theme.objects.create(study=study, name="Viejo"), user=bob,
                                 codings="remove")
    run = AutoCodingRun.objects.create(study=study, query="juventud", theme=juventud, coder=alice)
    source = TranscriptSource.objects.create(
        transcript=transcript, name="d.txt", content_type="text/plain", format="txt", encoding="utf-8",
        size=3, sha256="0" * 64, data=b"abc",
    )
    trashed_study = Study.objects.create(name="Borrado", slug="gone", deleted_at=timezone.now())
    return {
        "study": study, "membership": Membership.objects.get(study=study, user=bob),
        "trashed_study": trashed_study, "participant": participant, "transcript": transcript,
        "excerpt": excerpt, "theme": reserva, "report_theme": juventud, "user": steve,
        "deleted_excerpt": deleted_excerpt, "deleted_theme": deleted_theme, "run": run,
        "source": source, "change": Change.objects.filter(model="coding.codedexcerpt",
                                                          object_id=str(excerpt.pk)).first(),
        "cast": {"reviewer": rita, "researcher": alice, "owner": adam},
        **memo_objects(study, alice, transcript, reserva),
        "job": failed_job(study, alice), "site_job": failed_job(None, adam),
        "assignment": Assignment.objects.create(study=study, transcript=transcript, coder=alice),
        "adjudication": Adjudication.objects.create(study=study, transcript=transcript, theme=juventud,
                                                    start=start, end=start + 19, action="both",
                                                    adjudicator=adam),
        "attribute": Attribute.objects.create(study=study, applies_to="participant", name="Edad",
                                              type="number"),
        "agreement_job": _agreement_job_done(study, alice, bob),
    }


def _agreement_job_done(study, *coders):
    """An agreement job started from a Spanish page and run: its stored table is in Spanish."""
    from jobs.services import run_job
    from team.tasks import _agreement, agreement_job_start

    with translation.override("es"):
        job, _created = agreement_job_start(study=study, user=coders[0], coders=list(coders))
    run_job(job.pk, _agreement, atomic=False)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job


def pages(datos, role):
    """(route, URL) of every page `role` may GET, and the query-only pages."""
    slug = datos["study"].slug
    for name in sorted(ROUTES):
        needs, methods = MATRIX[name]
        if methods.get("GET", {}).get(role) == 200:
            yield name, url_for(name, needs, datos, slug)
    theme_report = url_for("reports:theme-report", "theme", datos, slug).replace(
        f"/{datos['theme'].pk}/", f"/{datos['report_theme'].pk}/")
    yield "search with hits", url_for("reports:search", None, datos, slug) + "?q=juventud"
    yield "theme report with quotes", theme_report
    yield "printable theme report", theme_report + "?print=on"
    yield "excerpts filtered", url_for("reports:excerpt-browser", None, datos, slug) + "?text=oficina"
    agreement = url_for("team:agreement", None, datos, slug)
    coders = f"?coders={datos['cast']['researcher'].pk}&coders={datos['membership'].user_id}"
    yield "agreement offered in the background", agreement + coders + "&background=1"
    yield "agreement computed in the background", agreement + f"?job={datos['agreement_job'].pk}"


@pytest.mark.parametrize("role", ["owner", "researcher", "reviewer"])
def test_every_page_is_in_spanish_for_every_role(role, datos):
    client = client_for(datos["cast"][role], HTTP_ACCEPT_LANGUAGE="es")
    user_data = stored_strings()
    english, seen = {}, 0
    for name, url in pages(datos, role):
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        assert response["Content-Language"] == "es", name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        words = english_words(body.decode(), user_data)
        if words:
            english[name] = words
    assert seen > 15
    assert english == {}, "\n".join(f"{name}: {' '.join(words)}" for name, words in english.items())


def test_the_pages_anyone_reaches_are_in_spanish(client, db):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    english = {}
    for name in ("login", "password_reset", "password_reset_done", "password_reset_complete"):
        words = english_words(client.get(url_for(name, None, {}, "")).content.decode(), [])
        if words:
            english[name] = words
    assert english == {}


def test_the_check_would_catch_english():
    html = ('<p>Guardar</p><button title="Delete this theme">Eliminar</button>'
            '<select><option lang="en">English</option></select><p>Juventud</p>')
    assert english_words(html, ["Juventud"]) == ["Delete", "theme", "this"]
