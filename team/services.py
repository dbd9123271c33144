"""Writes of team coding that span models: giving transcripts to coders, and settling their
disagreements into the consensus layer (and taking a decision back)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt, ConsensusLayer
from coding.services import excerpt_create
from interviews.models import Transcript
from studies.models import BlindMode, Membership, Role
from studies.signals import rows_bulk_written
from team.compare import consensus_spans, disagreements
from team.models import Adjudication, AdjudicationAction, Assignment


def assignments_create(*, study, transcripts, coders, by):
    """Assign every transcript to every coder (skipping pairs already assigned). Every
    transcript must be the study's and every coder a member who may code (owner or researcher);
    otherwise nothing is saved. Returns the new assignments."""
    if not transcripts or not coders:
        raise ValidationError(_("Choose at least one transcript and one coder."), code="assignment_empty")
    if any(t.study_id != study.pk for t in transcripts):
        raise ValidationError(_("A transcript of another study cannot be assigned here."),
                              code="transcripts_other_study")
    may_code = set(Membership.objects.filter(study=study, role__in=[Role.OWNER, Role.RESEARCHER])
                   .values_list("user_id", flat=True))
    if any(c.pk not in may_code for c in coders):
        raise ValidationError(_("Only the study's owners and researchers can be assigned transcripts."),
                              code="coder_not_member")
    existing = set(Assignment.objects.filter(transcript__in=transcripts, coder__in=coders)
                   .values_list("transcript_id", "coder_id"))
    new = [Assignment(study=study, transcript=t, coder=c, assigned_by=by)
           for t in transcripts for c in coders if (t.pk, c.pk) not in existing]
    with transaction.atomic():
        return Assignment.objects.bulk_create(new)


def _link_rows(transcript):
    """(excerpt id, coder id, start, end, theme id) of every excerpt-theme link of `transcript`.
    One query."""
    return list(
        CodedExcerpt.themes.through.objects.filter(codedexcerpt__transcript=transcript).order_by()
        .values_list("codedexcerpt_id", "codedexcerpt__coder_id", "codedexcerpt__start",
                     "codedexcerpt__end", "theme_id")
    )


def adjudication_create(*, transcript, theme, start, end, coders, action, by, coder=None,
                        merge_start=None, merge_end=None, note=""):
    """Settle the disagreement of `coders` over `theme` at `start`–`end` on `transcript` into the
    study's consensus layer: `action` "accept" takes `coder`'s passages (none, if that coder did
    not code it: the decision is still recorded), "both" every coder's, "merge" one passage
    `merge_start`–`merge_end` (default: the whole disagreement). The disagreement is computed
    again from the excerpts as they are now, so a page that went stale is refused, as is one
    already settled. Returns the Adjudication; nothing is saved if anything is refused."""
    coder_ids = {c.pk for c in coders}
    found = disagreements(_link_rows(transcript), coder_ids)
    disagreement = next((d for d in found if (d.theme_id, d.start, d.end) == (theme.pk, start, end)), None)
    if disagreement is None:
        raise ValidationError(_("This disagreement is no longer there: the coders' excerpts changed. "
                                "Reload the page."), code="disagreement_gone")
    if Adjudication.objects.filter(transcript=transcript, theme=theme, undone_at__isnull=True,
                                   start__lt=end, end__gt=start).exists():
        raise ValidationError(_("This passage is already settled for this theme. Undo that decision first."),
                              code="already_settled")
    if action == AdjudicationAction.ACCEPT and (coder is None or coder.pk not in coder_ids):
        raise ValidationError(_("Choose whose version to accept."), code="coder_missing")
    if action == AdjudicationAction.MERGE:
        merge_start = disagreement.start if merge_start is None else merge_start
        merge_end = disagreement.end if merge_end is None else merge_end
        if not 0 <= merge_start < merge_end <= len(transcript.text):
            raise ValidationError(_("The merged passage must start before it ends, inside the text."),
                                  code="merge_out_of_range")
    spans = consensus_spans(disagreement, action, coder.pk if coder else None, merge_start, merge_end)
    sources = [[c, s, e] for c, passages in sorted(disagreement.spans.items())
               for s, e, _pk in sorted(passages)]
    with transaction.atomic():
        layer = ConsensusLayer.objects.for_study(transcript.study)
        adjudication = Adjudication.objects.create(
            study_id=transcript.study_id, transcript=transcript, theme=theme, start=start, end=end,
            action=action, chosen_coder=coder if action == AdjudicationAction.ACCEPT else None,
            sources=sources, note=note, adjudicator=by,
        )
        adjudication.excerpts.set([
            excerpt_create(transcript=transcript, start=s, end=e, themes=[theme], coder=layer.coder)
            for s, e in spans
        ])
    return adjudication


def adjudication_undo(*, adjudication, user):
    """Take an adjudication back: its consensus excerpts leave the consensus layer (deleted
    outright: they were only ever the adjudication's), and it is kept, marked undone by `user`."""
    if adjudication.undone_at is not None:
        raise ValidationError(_("This decision was already undone."), code="already_undone")
    with transaction.atomic():
        ids = list(adjudication.excerpts.values_list("pk", flat=True))
        for excerpt in CodedExcerpt.objects.filter(pk__in=ids):
            excerpt.delete()
        adjudication.undone_at, adjudication.undone_by = timezone.now(), user
        adjudication.save(update_fields=["undone_at", "undone_by"])
    return adjudication


def _transcripts_blind_set(study, blind_ids):
    """Mark exactly `blind_ids` of the study's transcripts blind; each transcript whose flag
    changes gets its row in the study's history (one bulk UPDATE per direction, not one per
    transcript: audit records them through rows_bulk_written)."""
    rows = []
    for pk, title, was in Transcript.objects.filter(study=study).values_list("pk", "title", "is_blind"):
        if was != (pk in blind_ids):
            rows.append((pk, title, {"is_blind": [was, not was]}))
    for value in (True, False):
        Transcript.objects.filter(pk__in=[pk for pk, _t, d in rows if d["is_blind"][1] is value]).update(
            is_blind=value)
    if rows:
        rows_bulk_written.send(sender=study_blind_set, study_id=study.pk, model="interviews.transcript",
                               action="update", rows=rows)


@transaction.atomic
def study_blind_set(*, study, blind, transcripts=()):
    """Put the study in blind coding (issue 13): `blind` is a BlindMode, the whole study or the
    `transcripts` chosen (then exactly those are marked blind), or off. Off is not a reveal:
    it is for a mode turned on by mistake; study_layers_reveal ends a blind round. Logged in the
    study's history (the study's row, and each transcript whose flag changes)."""
    if blind not in BlindMode.values:
        raise ValidationError(_("Choose the whole study, the transcripts marked blind, or off."),
                              code="blind_invalid")
    if any(t.study_id != study.pk for t in transcripts):
        raise ValidationError(_("A transcript of another study cannot be marked blind here."),
                              code="transcripts_other_study")
    if blind == BlindMode.TRANSCRIPTS and not transcripts:
        raise ValidationError(_("Choose the transcripts to code blind."), code="blind_no_transcripts")
    _transcripts_blind_set(study, {t.pk for t in transcripts} if blind == BlindMode.TRANSCRIPTS else set())
    study.blind = blind
    study.save(update_fields=["blind"])
    return study


@transaction.atomic
def study_layers_reveal(*, study, by):
    """End a blind round: every member sees every coder's layer again. The study's history
    records the reveal (who and when, on the study's row) and each transcript unmarked."""
    if not study.blind:
        raise ValidationError(_("The layers are not hidden: blind coding is off."), code="not_blind")
    _transcripts_blind_set(study, set())
    study.blind, study.layers_revealed_at, study.layers_revealed_by = BlindMode.OFF, timezone.now(), by
    study.save(update_fields=["blind", "layers_revealed_at", "layers_revealed_by"])
    return study
