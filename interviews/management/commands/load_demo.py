from django.core.management.base import BaseCommand

from interviews.demo import demo_study_load, demo_users_create


class Command(BaseCommand):
    help = "Load the Pasto demo study and the demo users. Running it twice changes nothing."

    def handle(self, *args, **options):
        users = demo_users_create()
        counts = demo_study_load()
        self.stdout.write(
            "Demo study: {participants} participants, {transcripts} transcripts, "
            "{themes} themes, {excerpts} coded excerpts.".format(**counts)
        )
        self.stdout.write("Demo logins (local use only):")
        for username, password, role in users:
            self.stdout.write(f"  {role:<10} {username:<6} / {password}")
