"""The study: the unit of everything. Every participant, transcript, theme and excerpt belongs to
one study, and who may see or change it is decided by the user's membership of that study."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A deleted study waits this long in the trash, where a site admin can restore it.
TRASH_DAYS = 30
# Site-level addresses under /studies/ that a study's short name must not shadow.
RESERVED_SLUGS = {"new", "import", "trash"}


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    RESEARCHER = "researcher", _("Researcher")
    REVIEWER = "reviewer", _("Reviewer")


class BlindMode(models.TextChoices):
    """Blind coding (issue 13): while on, researchers and reviewers see only their own coder
    layer (coding.models.blind_q) in the whole study, or in the transcripts marked blind."""

    OFF = "", _("Off: every member sees every coder's layer")
    STUDY = "study", _("The whole study")
    TRANSCRIPTS = "transcripts", _("The transcripts marked blind")


ROLE_DESCRIPTIONS = {
    Role.OWNER: _("manages members and settings, keeps participant records, and codes"),
    Role.RESEARCHER: _("codes, imports transcripts and manages the codebook"),
    Role.REVIEWER: _("reads transcripts, excerpts and reports, and changes nothing"),
}


class StudyQuerySet(models.QuerySet):
    def live(self):
        """Studies not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def for_home(self, user):
        """Home page: the user's live studies, each with `role` (theirs) and how many
        transcripts and members it has. One query whatever the number of studies.

        Transcripts are counted through their reverse relation (interviews sits above this
        app, so it is not imported); members by a subquery, since the join that finds the
        user's own membership must not also be the one that counts the members."""
        members = (
            Membership.objects.filter(study=models.OuterRef("pk"))
            .order_by()
            .values("study")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.live()
            .filter(memberships__user=user)
            .annotate(
                role=models.F("memberships__role"),
                transcript_count=Count("transcripts", distinct=True),
                member_count=models.Subquery(members, output_field=models.IntegerField()),
            )
            .order_by("archived_at", "name")
        )

    def for_trash(self):
        """Site admins' study trash: deleted studies still within TRASH_DAYS, newest first."""
        since = timezone.now() - timedelta(days=TRASH_DAYS)
        return self.filter(deleted_at__gte=since).select_related("deleted_by").order_by("-deleted_at")


def new_setup_token():
    return uuid.uuid4().hex


class Study(models.Model):
    """A research project with its own team, participants, transcripts, codebook and consent."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Used in addresses: letters, digits and hyphens, e.g. “pasto”."),
    )
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of its transcripts"),
        max_length=20,
        default="es",
        help_text=_("A language tag, e.g. es or en."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    archived_at = models.DateTimeField(
        _("archived at"), null=True, blank=True,
        help_text=_("An archived study is read-only for everyone."),
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("deleted by"),
    )
    blind = models.CharField(
        _("blind coding"), max_length=20, choices=BlindMode.choices, blank=True, default=BlindMode.OFF,
        help_text=_("While on, researchers and reviewers see only their own excerpts; owners see "
                    "every layer and reveal them when coding is done."),
    )
    layers_revealed_at = models.DateTimeField(_("layers revealed at"), null=True, blank=True)
    layers_revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("layers revealed by"),
    )
    # A new random value whenever a theme or an attribute of the study is added, changed or
    # removed, set by the database itself (triggers: studies/migrations/0005), whatever the code
    # path. A page that changes nothing reads it with the membership and reuses what it built
    # from the themes and attributes under the same value, without reading them again
    # (reports.queries.ThemeTree, reports.crosstab.study_attributes).
    setup_token = models.CharField(_("setup token"), max_length=32, default=new_setup_token, editable=False)

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="study_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="study_slug_not_empty"),
            models.CheckConstraint(condition=Q(blind__in=BlindMode.values), name="study_blind_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("transcripts:transcript-list", args=[self.slug])

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": ValidationError(
                _("“%(slug)s” is reserved; choose another short name."), code="slug_reserved",
                params={"slug": self.slug},
            )})

    @property
    def is_archived(self):
        return self.archived_at is not None


class MembershipQuerySet(models.QuerySet):
    def for_members_page(self, study):
        """Members page: the study's members with their user, by role then username. One query."""
        order = models.Case(
            *[models.When(role=role, then=i) for i, role in enumerate(Role.values)],
            output_field=models.IntegerField(),
        )
        return (
            self.filter(study=study)
            .select_related("user")
            .order_by(order, "user__username")
        )


class Membership(models.Model):
    """A user's role in one study. A user holds at most one role per study, and may hold
    different roles in different studies."""

    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("study")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["study", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="membership_one_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.study} · {self.get_role_display()}"

    # What each role may do. Owners can do everything researchers can.

    @property
    def can_code(self):
        """Code, import transcripts and manage the codebook; never in an archived study."""
        return self.role in (Role.OWNER, Role.RESEARCHER) and not self.study.is_archived

    @property
    def is_owner(self):
        return self.role == Role.OWNER

    @property
    def can_manage(self):
        """Manage members, settings and participant records; never in an archived study
        (except un-archiving, which the settings page allows owners)."""
        return self.is_owner and not self.study.is_archived

    @property
    def sees_every_layer(self):
        """Whether blind coding hides nothing from this member: owners (who adjudicate and
        reveal) always, everyone else only while the study is not blind. No query."""
        return self.is_owner or not self.study.blind

    @property
    def can_see_identifying_fields(self):
        return self.is_owner
