from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from pasto_coop.roles import roles_sync

    roles_sync(Group, Permission)


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = _("Coding")

    def ready(self):
        # Keep the role groups equal to pasto_coop/roles.py after every migrate, so a change
        # there reaches existing databases too (the 0002 migration only makes the first ones).
        # Runs after auth has created this app's permissions: auth connects its handler first.
        post_migrate.connect(_sync_roles, sender=self)
