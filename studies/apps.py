from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from studies.roles import roles_sync

    roles_sync(Group, Permission)


class StudiesConfig(AppConfig):
    name = "studies"
    verbose_name = _("Studies")

    def ready(self):
        # Keep the site groups equal to studies/roles.py after every migrate, so a change there
        # reaches existing databases too. Runs after auth has created the permissions: auth
        # connects its handler first. Sent once per app: the last one (exchange) has all models.
        post_migrate.connect(_sync_roles, sender=self)
