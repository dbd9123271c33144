"""Writes of team coding that span models: giving transcripts to coders."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from studies.models import Membership, Role
from team.models import Assignment


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
