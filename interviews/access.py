"""The access helpers of the interviews app: one per object type, each fetching the object within
the study the user belongs to (studies.access). Other apps whose views take a transcript id
(the corrections pages in coding) use these too.

An id of another study's object is a 404, like an id that does not exist; a non-member gets 404
for everything. `_rw` adds 403 for reviewers and in archived studies; `_owner` is for participant
records, which only the study's owners keep (403 for everyone else, and while archived).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from interviews.models import Attribute, Participant, Transcript, TranscriptSource
from studies.access import (
    get_in_study,
    get_membership_owner,
    require_rw,
)


def get_participant_for_user_owner(request, slug, pk):
    """A participant record to edit, identifying fields included: owners of a live study."""
    membership, participant = get_in_study(request, slug, Participant.objects.all(), pk=pk)
    if not membership.can_manage:
        raise PermissionDenied
    return participant


def get_transcript_for_user(request, slug, pk, queryset=None):
    """`queryset` lets a page ask for what it shows (e.g. the review page's flagged excerpts).
    One query with the membership (studies.access.get_in_study)."""
    queryset = Transcript.objects.select_related("participant") if queryset is None else queryset
    return get_in_study(request, slug, queryset, pk=pk)[1]


def get_transcript_for_user_rw(request, slug, pk, *, lock=False):
    """With `lock` (inside a transaction): the transcript's row read FOR UPDATE (PostgreSQL;
    SQLite's write transaction already holds the database), with only what an excerpt save
    needs, its text and version, which then stay current until the transaction ends."""
    queryset = (Transcript.objects.select_for_update(of=("self",)).only("study", "text", "text_version")
                if lock else Transcript.objects.select_related("participant"))
    membership, transcript = get_in_study(request, slug, queryset, pk=pk)
    require_rw(membership)
    return transcript


def get_source_for_user(request, slug, pk):
    """A transcript's original file. It may hold names that anonymisation removed from the text
    since, so, like names and contacts, it reaches the study's owners only (403 for others)."""
    membership = get_membership_owner(request, slug)
    return get_object_or_404(TranscriptSource, transcript__study=membership.study, transcript_id=pk)


def get_attribute_for_user_rw(request, slug, pk):
    """An attribute definition to change: researchers and owners of a live study. An identifying
    attribute is the owners' only: for anyone else it is a 404, as if it did not exist."""
    membership, attribute = get_in_study(request, slug, Attribute.objects.all(), pk=pk)
    if attribute.identifying and not membership.can_see_identifying_fields:
        raise Http404
    require_rw(membership)
    return attribute
