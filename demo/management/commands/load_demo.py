from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.loader import demo_load, demo_logins
from studies.cli import TranslatedCommand
from studies.roles import GROUP_LABELS


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Load the demo studies (Pasto, Huertas urbanas) and their users. Running it twice changes nothing."
    )

    def handle(self, *args, **options):
        users, studies = demo_load()
        for study, counts in studies:
            self.stdout.write(_(
                "Demo study “%(name)s” (%(slug)s): %(participants)d participants, %(transcripts)d "
                "transcripts, %(themes)d themes, %(excerpts)d coded excerpts."
            ) % {"name": study.name, "slug": study.slug, **counts})
        self.stdout.write(_("Demo logins (local use only):"))
        for username, password, site_group, memberships in demo_logins(users):
            roles = [str(GROUP_LABELS.get(site_group, site_group))] if site_group else []
            roles += [_("%(study)s (%(slug)s): %(role)s")
                      % {"study": study.name, "slug": study.slug, "role": role}
                      for study, role in memberships]
            self.stdout.write(f"  {username:<6} / {password:<17} {'; '.join(roles)}")
