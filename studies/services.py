"""Writes on studies and memberships. Views, management commands, the demo and the REFI-QDA
import call the same functions."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studies.models import Membership, Role, Study


@transaction.atomic
def study_create(*, name, slug, creator, description="", language="es"):
    """A new study, with `creator` as its owner."""
    if Study.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ValidationError(
            _("The short name “%(slug)s” is taken; choose another."), code="slug_taken",
            params={"slug": slug},
        )})
    study = Study(name=name, slug=slug, description=description, language=language, created_by=creator)
    study.full_clean()
    study.save()
    Membership.objects.create(study=study, user=creator, role=Role.OWNER)
    return study


def user_find(identifier):
    """The active user whose username or e-mail is `identifier` (case-insensitive), or a
    ValidationError that says so."""
    identifier = (identifier or "").strip()
    users = list(
        get_user_model().objects.filter(
            Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True
        )[:2]
    ) if identifier else []
    if len(users) != 1:
        raise ValidationError({"user": ValidationError(
            _("There is no user with the username or e-mail “%(name)s”.") if not users
            else _("More than one user has the e-mail “%(name)s”; give the username."),
            code="unknown_user", params={"name": identifier},
        )})
    return users[0]


@transaction.atomic
def membership_add(*, study, user, role):
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Choose a role."), code="invalid_role")})
    if Membership.objects.filter(study=study, user=user).exists():
        raise ValidationError({"user": ValidationError(
            _("%(name)s is already a member of this study."), code="already_member",
            params={"name": user.get_username()},
        )})
    return Membership.objects.create(study=study, user=user, role=role)


def _require_another_owner(membership):
    others = Membership.objects.filter(study_id=membership.study_id, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError(
            _("A study needs at least one owner: make someone else an owner first."),
            code="last_owner",
        )


@transaction.atomic
def membership_role_set(*, membership, role):
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Choose a role."), code="invalid_role")})
    # Lock the study's owner rows so two owners cannot demote each other at the same moment.
    list(Membership.objects.select_for_update().filter(study_id=membership.study_id, role=Role.OWNER))
    if role != Role.OWNER:
        _require_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership):
    list(Membership.objects.select_for_update().filter(study_id=membership.study_id, role=Role.OWNER))
    _require_another_owner(membership)
    membership.delete()


@transaction.atomic
def membership_claim_ownership(*, study, user):
    """A site admin makes themselves an owner of `study` (logged by the audit app)."""
    membership, _created = Membership.objects.update_or_create(
        study=study, user=user, defaults={"role": Role.OWNER}
    )
    return membership


def study_archive(*, study, archived):
    study.archived_at = timezone.now() if archived else None
    study.save(update_fields=["archived_at"])
    return study


def study_delete(*, study, user, confirm_name):
    """Move a study to the trash. The owner must type its name exactly."""
    if confirm_name != study.name:
        raise ValidationError({"confirm_name": ValidationError(
            _("Type the study's name exactly to delete it."), code="name_mismatch"
        )})
    study.deleted_at, study.deleted_by = timezone.now(), user
    study.save(update_fields=["deleted_at", "deleted_by"])
    return study


def study_restore(*, study):
    """Bring a study back from the trash (site admins, within TRASH_DAYS)."""
    if study.deleted_at is None or not Study.objects.for_trash().filter(pk=study.pk).exists():
        raise ValidationError(_("This study can no longer be restored."), code="not_restorable")
    study.deleted_at, study.deleted_by = None, None
    study.save(update_fields=["deleted_at", "deleted_by"])
    return study
