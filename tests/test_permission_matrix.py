"""Every URL pattern, requested as each of six users, against a declared table of what each may
do; then every route that takes an object id, probed across studies. A view with no entry in the
table fails `test_every_view_is_in_the_table`.

Users (tests/conftest.py): anonymous; stranger (logged in, member of no study); site_admin (runs
the site, member of no study); and the study's reviewer, researcher and owner. A status in the
table is what that user gets from a GET, or from a POST with an empty body: an empty POST shows
the permission check without changing anything (403 for a role that may not write, 400 or a
redirect for one that may). Non-members get 404 for everything inside a study, never 403: the
existence of another study's objects is not revealed. Each (route, user) pair runs on its own
fresh objects, so a write that succeeds for one user cannot change what another meets.

Cross-study probes: otto owns another study. For every route that takes an object id, he asks
for this study's object through his own study's address; adam, owner of this study, asks for an
object of otto's study through his. Each method the owner may use must give 404 (a GET to a
POST-only view is a 405 whatever the id, so it proves nothing and is not probed).

The Django admin (namespace "admin") has its own permission system; the password-reset flow is
Django's and reachable by anyone.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import Change
from coding.models import AutoCodingRun, Theme
from coding.services import excerpt_create, excerpt_delete, theme_delete
from interviews.models import Attribute, Transcript, TranscriptSource
from studies.models import Membership
from team.models import Adjudication, Assignment
from tests.conftest import client_for, failed_job, memo_objects
from tests.participants import participant_make

USERS = ("anonymous", "stranger", "site_admin", "reviewer", "researcher", "owner")
LOGIN = "login"  # a redirect to the login page
EXCLUDED_NAMESPACES = {"admin"}


def everyone(status):
    return dict.fromkeys(USERS, status)


def users(anonymous=LOGIN, stranger=403, site_admin=403, reviewer=403, researcher=403, owner=403):
    return {"anonymous": anonymous, "stranger": stranger, "site_admin": site_admin,
            "reviewer": reviewer, "researcher": researcher, "owner": owner}


def study(reviewer=403, researcher=403, owner=403):
    """Inside a study: non-members (the stranger, the site admin) get 404."""
    return users(stranger=404, site_admin=404, reviewer=reviewer, researcher=researcher, owner=owner)


LOGGED_IN = users(stranger=200, site_admin=200, reviewer=200, researcher=200, owner=200)
SITE_ADMINS = users(site_admin=200, owner=200)  # adam, the owner in conftest, is a site admin too
MEMBERS = study(reviewer=200, researcher=200, owner=200)
CODERS = study(researcher=200, owner=200)
OWNERS = study(owner=200)
# A POST-only view answers a GET with 405 before it looks at the study: the address, not the data.
POST_ONLY = users(stranger=405, site_admin=405, reviewer=405, researcher=405, owner=405)


def writes(status):
    """An empty POST to a write view: refused for reviewers, `status` for researchers and owners."""
    return study(researcher=status, owner=status)


# route name -> (object the URL needs, {method: {user: status}})
MATRIX = {
    "home": (None, {"GET": LOGGED_IN}),
    "login": (None, {"GET": everyone(200), "POST": everyone(200)}),
    "logout": (None, {"POST": everyone(LOGIN)}),
    "password_change": (None, {"GET": LOGGED_IN}),
    "password_change_done": (None, {"GET": LOGGED_IN}),
    "password_reset": (None, {"GET": everyone(200)}),
    "password_reset_done": (None, {"GET": everyone(200)}),
    "password_reset_confirm": ("reset", {"GET": everyone(200)}),
    "password_reset_complete": (None, {"GET": everyone(200)}),
    "javascript-catalog": (None, {"GET": everyone(200)}),
    "help:keyboard": (None, {"GET": LOGGED_IN}),
    # the language switch: anyone, logged in or not; an empty POST picks "Automatic"
    "language-set": (None, {"GET": everyone(405), "POST": everyone(302)}),
    # site level: accounts, study creation, trash, import
    "accounts:user-list": (None, {"GET": SITE_ADMINS}),
    "accounts:user-create": (None, {"GET": SITE_ADMINS, "POST": users(site_admin=400, owner=400)}),
    "accounts:user-update": ("user", {"GET": SITE_ADMINS, "POST": users(site_admin=302, owner=302)}),
    "studies:study-create": (None, {"GET": SITE_ADMINS, "POST": users(site_admin=400, owner=400)}),
    "studies:trash": (None, {"GET": SITE_ADMINS}),
    "studies:study-restore": ("trashed_study", {"GET": users(stranger=405, site_admin=405, reviewer=405,
                                                            researcher=405, owner=405),
                                                "POST": users(site_admin=302, owner=302)}),
    "exchange-import:study-import": (None, {"GET": SITE_ADMINS, "POST": users(site_admin=400, owner=400)}),
    # a study's members and settings
    "study:members": (None, {"GET": MEMBERS}),
    "study:member-add": (None, {"GET": POST_ONLY, "POST": study(owner=400)}),
    "study:member-role": ("membership", {"GET": POST_ONLY, "POST": study(owner=400)}),
    "study:member-remove": ("membership", {"GET": POST_ONLY, "POST": study(owner=302)}),
    "study:settings": (None, {"GET": OWNERS, "POST": study(owner=400)}),
    "study:archive": (None, {"GET": POST_ONLY, "POST": study(owner=302)}),
    "study:delete": (None, {"GET": OWNERS, "POST": study(owner=400)}),
    # a site admin makes themselves owner of any study (logged); anyone else is refused before
    # the study is even looked up, so the answer says nothing about which studies exist
    "study:claim": (None, {"GET": users(stranger=405, site_admin=405, reviewer=405, researcher=405,
                                        owner=405),
                           "POST": users(site_admin=302, owner=302)}),
    # transcripts and their corrections
    "transcripts:transcript-list": (None, {"GET": MEMBERS}),
    "transcripts:transcripts-anonymise": (None, {"GET": CODERS, "POST": writes(400)}),
    "transcripts:transcript-review": ("transcript", {"GET": MEMBERS}),
    "transcripts:transcript-text-edit": ("transcript", {"GET": CODERS, "POST": writes(400)}),
    "transcripts:transcript-anonymise": ("transcript", {"GET": CODERS, "POST": writes(400)}),
    "transcripts:excerpt-review-accept": ("excerpt", {"GET": POST_ONLY, "POST": writes(302)}),
    "interviews:transcript-upload": (None, {"GET": CODERS, "POST": writes(400)}),
    # the original file may hold names anonymised since: owners only
    "interviews:transcript-source": ("source", {"GET": OWNERS}),
    # participant records: pseudonymous list for members, identities and edits for owners
    "interviews:participant-list": (None, {"GET": MEMBERS}),
    "interviews:participant-create": (None, {"GET": OWNERS, "POST": study(owner=400)}),
    "interviews:participant-update": ("participant", {"GET": OWNERS, "POST": study(owner=400)}),
    "interviews:participant-export": (None, {"GET": MEMBERS}),
    "interviews:participant-export-identifying": (None, {"GET": OWNERS}),
    # attributes and classification sheets: every member reads, researchers and owners change;
    # identifying attributes are the owners' (tests/test_attribute_definitions.py)
    "interviews:participant-attributes": (None, {"GET": MEMBERS}),
    "interviews:transcript-attributes": (None, {"GET": MEMBERS}),
    "interviews:participant-attribute-create": (None, {"GET": CODERS, "POST": writes(400)}),
    "interviews:transcript-attribute-create": (None, {"GET": CODERS, "POST": writes(400)}),
    "interviews:attribute-update": ("attribute", {"GET": CODERS, "POST": writes(400)}),
    "interviews:attribute-delete": ("attribute", {"GET": POST_ONLY, "POST": writes(302)}),
    "interviews:participant-sheet": (None, {"GET": MEMBERS}),
    "interviews:transcript-sheet": (None, {"GET": MEMBERS}),
    "interviews:participant-sheet-cell": (None, {"GET": POST_ONLY, "POST": writes(400)}),
    "interviews:transcript-sheet-cell": (None, {"GET": POST_ONLY, "POST": writes(400)}),
    "interviews:participant-sheet-add": (None, {"GET": POST_ONLY, "POST": writes(400)}),
    "interviews:participant-sheet-export-csv": (None, {"GET": MEMBERS}),
    "interviews:participant-sheet-export-xlsx": (None, {"GET": MEMBERS}),
    "interviews:transcript-sheet-export-csv": (None, {"GET": MEMBERS}),
    "interviews:transcript-sheet-export-xlsx": (None, {"GET": MEMBERS}),
    "interviews:participant-sheet-import": (None, {"GET": CODERS, "POST": writes(400)}),
    "interviews:transcript-sheet-import": (None, {"GET": CODERS, "POST": writes(400)}),
    # coding: the coding page and excerpt writes
    "coding:transcript-coding": ("transcript", {"GET": MEMBERS}),
    "coding:excerpt-create": ("transcript", {"GET": POST_ONLY, "POST": writes(302)}),
    "coding:excerpt-update": ("excerpt", {"GET": POST_ONLY, "POST": writes(302)}),
    "coding:excerpt-delete": ("excerpt", {"GET": POST_ONLY, "POST": writes(302)}),
    "coding:excerpt-restore": ("deleted_excerpt", {"GET": POST_ONLY, "POST": writes(302)}),
    "coding:theme-create": (None, {"GET": POST_ONLY, "POST": writes(400)}),
    # what other coders saved since the page loaded: an empty ask is refused
    "coding:transcript-excerpts": ("transcript", {"GET": MEMBERS | {"reviewer": 400, "researcher": 400,
                                                                    "owner": 400}}),
    "coding:speaker-code": ("transcript", {"GET": POST_ONLY, "POST": writes(400)}),
    # codebook
    "coding:codebook": (None, {"GET": MEMBERS}),
    "coding:codebook-export-qdc": (None, {"GET": MEMBERS}),
    "coding:codebook-export-csv": (None, {"GET": MEMBERS}),
    "coding:codebook-import": (None, {"GET": CODERS, "POST": writes(400)}),
    "coding:codebook-copy": (None, {"GET": CODERS, "POST": writes(400)}),
    "coding:codebook-theme-create": (None, {"GET": CODERS, "POST": writes(400)}),
    "coding:theme-update": ("theme", {"GET": CODERS, "POST": writes(400)}),
    "coding:theme-move": ("theme", {"GET": POST_ONLY, "POST": writes(400)}),
    "coding:theme-merge": ("theme", {"GET": CODERS, "POST": writes(400)}),
    "coding:theme-split": ("theme", {"GET": CODERS, "POST": writes(400)}),
    "coding:theme-delete": ("theme", {"GET": CODERS, "POST": writes(302)}),
    "coding:theme-restore": ("deleted_theme", {"GET": POST_ONLY, "POST": writes(302)}),
    # browse, search, reports
    "reports:excerpt-browser": (None, {"GET": MEMBERS}),
    "reports:excerpt-export-csv": (None, {"GET": MEMBERS}),
    # no `field` named: 400
    "reports:excerpt-choices": (None, {"GET": study(reviewer=400, researcher=400, owner=400)}),
    "reports:excerpt-context": ("excerpt", {"GET": MEMBERS}),
    "reports:search": (None, {"GET": MEMBERS}),
    "reports:auto-code": (None, {"GET": POST_ONLY, "POST": writes(400)}),
    "reports:auto-coding-undo": ("run", {"GET": POST_ONLY, "POST": writes(302)}),
    "reports:theme-report": ("theme", {"GET": MEMBERS}),
    "reports:theme-report-docx": ("theme", {"GET": MEMBERS}),
    "reports:theme-report-xlsx": ("theme", {"GET": MEMBERS}),
    "reports:theme-report-csv": ("theme", {"GET": MEMBERS}),
    # every member may export a report, a large one as a job (an empty POST names no format)
    "reports:theme-report-export-job": ("theme", {"GET": POST_ONLY,
                                                  "POST": study(reviewer=400, researcher=400, owner=400)}),
    "reports:study-overview": (None, {"GET": MEMBERS}),
    "reports:codebook-report": (None, {"GET": MEMBERS}),
    "reports:codebook-report-docx": (None, {"GET": MEMBERS}),
    "reports:theme-matrix": (None, {"GET": MEMBERS}),
    "reports:attribute-crosstab": (None, {"GET": MEMBERS}),
    "reports:theme-cooccurrence": (None, {"GET": MEMBERS}),
    "reports:theme-matrix-export": ("csv", {"GET": MEMBERS}),
    "reports:crosstabs-export": ("csv", {"GET": MEMBERS}),
    "reports:case-theme-export": ("csv", {"GET": MEMBERS}),
    # REFI-QDA export of the whole study: for the roles that bring data in
    "exchange:exchange": (None, {"GET": CODERS}),
    "exchange:study-export": (None, {"GET": CODERS}),
    "exchange:study-export-job": (None, {"GET": POST_ONLY, "POST": study(researcher=302, owner=302)}),
    # history: who changed what is for owners; the trash for those who can restore
    "audit:history-log": (None, {"GET": OWNERS}),
    "audit:excerpt-history": ("excerpt", {"GET": MEMBERS}),
    "audit:excerpt-revert": ("change", {"GET": POST_ONLY, "POST": writes(302)}),
    "audit:trash": (None, {"GET": CODERS}),
    # background jobs: members watch them; the starter or an owner cancels and retries (the job
    # here has failed: a cancel is refused with 400, a retry queues it again); its file is the
    # starter's (alice, the researcher)
    "jobs:job-list": (None, {"GET": MEMBERS}),
    "jobs:job-detail": ("job", {"GET": MEMBERS}),
    "jobs:job-status": ("job", {"GET": MEMBERS}),
    "jobs:job-cancel": ("job", {"GET": POST_ONLY, "POST": writes(400)}),
    "jobs:job-retry": ("job", {"GET": POST_ONLY, "POST": writes(302)}),
    "jobs:job-download": ("job", {"GET": study(researcher=200)}),
    # a site-level import's job belongs to no study yet: its starter's (adam) alone
    "site-jobs:job-detail": ("site_job", {"GET": users(stranger=404, site_admin=404, reviewer=404,
                                                       researcher=404, owner=200)}),
    "site-jobs:job-status": ("site_job", {"GET": users(stranger=404, site_admin=404, reviewer=404,
                                                       researcher=404, owner=200)}),
    "site-jobs:job-cancel": ("site_job", {"GET": POST_ONLY, "POST": users(
        stranger=404, site_admin=404, reviewer=404, researcher=404, owner=400)}),
    "site-jobs:job-retry": ("site_job", {"GET": POST_ONLY, "POST": users(
        stranger=404, site_admin=404, reviewer=404, researcher=404, owner=302)}),
    # team coding: every member reads progress and agreement; owners assign; only the
    # assignment's coder (alice, the researcher) sets its status
    "team:progress": (None, {"GET": MEMBERS}),
    "team:assignment-create": (None, {"GET": POST_ONLY, "POST": study(owner=400)}),
    "team:assignment-status": ("assignment", {"GET": POST_ONLY, "POST": study(researcher=400)}),
    "team:assignment-delete": ("assignment", {"GET": POST_ONLY, "POST": study(owner=302)}),
    "team:blind-set": (None, {"GET": POST_ONLY, "POST": study(owner=302)}),  # nothing posted: off
    # blind coding is off in the matrix's study: nothing to reveal
    "team:layers-reveal": (None, {"GET": POST_ONLY, "POST": study(owner=302)}),
    "team:agreement": (None, {"GET": MEMBERS}),
    # every member may have it computed in the background (an empty POST names no coders)
    "team:agreement-job": (None, {"GET": POST_ONLY, "POST": study(reviewer=400, researcher=400, owner=400)}),
    # an export without two coders chosen is refused
    "team:agreement-csv": (None, {"GET": study(reviewer=400, researcher=400, owner=400)}),
    "team:agreement-xlsx": (None, {"GET": study(reviewer=400, researcher=400, owner=400)}),
    # comparison: every member reads; only owners settle disagreements and undo a decision
    "team:compare": ("transcript", {"GET": MEMBERS}),
    "team:adjudicate": ("transcript", {"GET": POST_ONLY, "POST": study(owner=400)}),
    "team:adjudication-undo": ("adjudication", {"GET": POST_ONLY, "POST": study(owner=302)}),
    "audit:memo-history": ("memo", {"GET": MEMBERS}),
    # memos: every member reads the journal and the memos they may see; researchers and owners
    # write them (an empty POST is an invalid form)
    "memos:journal": (None, {"GET": MEMBERS}),
    "memos:journal-docx": (None, {"GET": MEMBERS}),
    "memos:memo-create": (None, {"GET": CODERS, "POST": writes(400)}),
    "memos:memo-detail": ("memo", {"GET": MEMBERS}),
    "memos:memo-update": ("memo", {"GET": CODERS, "POST": writes(400)}),
    "memos:memo-delete": ("memo", {"GET": POST_ONLY, "POST": writes(302)}),
    "memos:memo-trash": (None, {"GET": CODERS}),
    "memos:memo-restore": ("deleted_memo", {"GET": POST_ONLY, "POST": writes(302)}),
    "memos:transcript-memos": ("transcript", {"GET": MEMBERS}),
    "memos:theme-memos": ("theme", {"GET": MEMBERS}),
    "memos:participant-memos": ("participant", {"GET": MEMBERS}),
    # the coding page's annotations (JSON): read by members, written by researchers and owners
    "memos:transcript-annotations": ("transcript", {"GET": MEMBERS}),
    "memos:transcript-annotate": ("transcript", {"GET": POST_ONLY, "POST": writes(400)}),
    # comments: the one write a reviewer may make (an empty POST names no target, or no text);
    # resolving a thread is for researchers and owners
    "memos:comment-list": (None, {"GET": MEMBERS}),
    "memos:comment-create": (None, {"GET": study(reviewer=400, researcher=400, owner=400),
                                    "POST": study(reviewer=400, researcher=400, owner=400)}),
    "memos:comment-reply": ("comment", {"GET": POST_ONLY, "POST": study(reviewer=400, researcher=400,
                                                                         owner=400)}),
    "memos:comment-resolve": ("comment", {"GET": POST_ONLY, "POST": writes(302)}),
}


def walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            nested = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from walk(pattern.url_patterns, nested, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


ROUTES = dict(walk(get_resolver().url_patterns))
IN_STUDY = {name for name, route in ROUTES.items() if "<slug:study>" in route}
NEEDS_ID = sorted(name for name in MATRIX
                  if MATRIX[name][0] not in (None, "reset", "user", "trashed_study", "site_job", "csv"))


def test_every_view_is_in_the_table():
    missing = [name for name in ROUTES if name not in MATRIX]
    assert not missing, f"add these views to MATRIX in {__file__}: {missing}"
    stale = [name for name in MATRIX if name not in ROUTES]
    assert not stale, f"these MATRIX entries name no view: {stale}"


def test_every_object_route_lives_inside_a_study():
    assert set(NEEDS_ID) <= IN_STUDY


def url_for(name, needs, objects, slug):
    head = [slug] if name in IN_STUDY else []
    if needs is None:
        return reverse(name, args=head)
    if needs == "reset":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if needs == "change":
        change = objects["change"]
        return reverse(name, args=[*head, change.object_id, change.pk])
    if needs == "csv":  # a table export: the format in the path, no object
        return reverse(name, args=[*head, "csv"])
    if needs == "source":
        return reverse(name, args=[*head, objects["source"].transcript_id])
    return reverse(name, args=[*head, objects[needs].pk])


def observed(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


def request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_user_gets_what_the_table_declares(name, user, cast, objects):
    needs, methods = MATRIX[name]
    client = client_for(cast[user]) if user != "anonymous" else Client()
    url = url_for(name, needs, objects, objects["study"].slug)
    got = {method: observed(request(client, method, url)) for method in methods}
    assert got == {method: expected[user] for method, expected in methods.items()}


@pytest.fixture
def foreign(otto, other_study, bob):
    """One of each object in otto's study, made the way `objects` makes them in the cast's."""
    participant = participant_make(study=other_study, code="Z", sector="ngo", gender="female",
                                             consent_given=True, consent_scope="quote")
    transcript = Transcript.objects.create(study=other_study, participant=participant, title="Other",
                                           text="Otto's interview text, about other things entirely.")
    theme = Theme.objects.create(study=other_study, name="Elsewhere")
    excerpt = excerpt_create(transcript=transcript, start=0, end=6, themes=[theme], coder=otto)
    gone = excerpt_create(transcript=transcript, start=7, end=16, themes=[theme], coder=otto)
    deleted_excerpt = excerpt_delete(excerpt=gone, user=otto)
    deleted_theme = theme_delete(theme=Theme.objects.create(study=other_study, name="Old there"),
                                 user=otto, codings="remove")
    run = AutoCodingRun.objects.create(study=other_study, query="other", theme=theme, coder=otto)
    source = TranscriptSource.objects.create(
        transcript=transcript, name="z.txt", content_type="text/plain", format="txt", encoding="utf-8",
        size=3, sha256="1" * 64, data=b"xyz",
    )
    attribute = Attribute.objects.create(study=other_study, applies_to="participant", name="Age",
                                         type="number")
    return {
        **memo_objects(other_study, otto, transcript, theme),
        "attribute": attribute,
        "study": other_study, "membership": Membership.objects.get(study=other_study, user=otto),
        "job": failed_job(other_study, otto),
        "participant": participant, "transcript": transcript, "excerpt": excerpt,
        "theme": theme, "deleted_excerpt": deleted_excerpt, "deleted_theme": deleted_theme, "run": run,
        "source": source, "change": Change.objects.filter(model="coding.codedexcerpt",
                                                          object_id=str(excerpt.pk)).first(),
        "assignment": Assignment.objects.create(study=other_study, transcript=transcript, coder=otto),
        "adjudication": Adjudication.objects.create(study=other_study, transcript=transcript, theme=theme,
                                                    start=0, end=6, action="both", adjudicator=otto),
    }


@pytest.mark.parametrize("name", NEEDS_ID)
def test_an_id_from_another_study_is_a_404(name, objects, foreign, otto, adam):
    needs, declared = MATRIX[name]
    methods = [method for method, expected in declared.items() if expected["owner"] != 405]
    probes = [
        # otto, through his own study's address, names an object of adam's study
        (client_for(otto), url_for(name, needs, objects, foreign["study"].slug)),
        # adam, through his study's address, names an object of otto's study
        (client_for(adam), url_for(name, needs, foreign, objects["study"].slug)),
    ]
    got = [(method, request(client, method, url).status_code) for client, url in probes for method in methods]
    assert got == [(method, 404) for _client, _url in probes for method in methods]
