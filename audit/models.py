from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class ChangeQuerySet(models.QuerySet):
    def for_history_log(self, study, *, user_id=None, since=None, until=None):
        """History log page (a study's owners): the study's changes, newest first, filtered; one
        query per page plus the count."""
        qs = self.filter(study=study).select_related("user").order_by("-at", "-pk")
        if user_id:
            qs = qs.filter(user_id=user_id)
        if since:
            qs = qs.filter(at__date__gte=since)
        if until:
            qs = qs.filter(at__date__lte=until)
        return qs

    def for_object(self, study, model_label, object_id):
        """An object's own history page, oldest first. `study` too, because object ids are
        only unique per model and a row of another study must never show."""
        return (
            self.filter(study=study, model=model_label, object_id=str(object_id))
            .select_related("user")
            .order_by("at", "pk")
        )


class Change(models.Model):
    """One create, change or delete of a participant, transcript, theme, coded excerpt, study
    or membership, in the study it belongs to.

    `data` holds the whole object for create and delete, and {field: [old, new]} for a change,
    so any version can be rebuilt by replaying the rows of one object in order.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="changes", verbose_name=_("study")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("model"), max_length=60, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["model", "object_id"], name="change_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.model} {self.object_id}"
