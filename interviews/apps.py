from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = _("Interviews")

    def ready(self):
        from interviews.lemmas import transcript_saved
        from interviews.models import Transcript

        # The search's word forms follow every save of a transcript's text (interviews.lemmas).
        post_save.connect(transcript_saved, sender=Transcript, dispatch_uid="interviews_word_forms")
