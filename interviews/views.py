from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from coding.models import Theme, theme_tree
from interviews.models import Participant, Transcript
from pasto_coop.roles import ROLE_DESCRIPTIONS, can_code, can_read, role_names


@login_required
def home(request):
    """The study at a glance. A user with no role sees only what to ask an admin for."""
    roles = role_names(request.user)
    ctx = {
        "roles": [(role, ROLE_DESCRIPTIONS[role]) for role in roles],
        "can_read": can_read(request.user),
        "can_code": can_code(request.user),
    }
    if ctx["can_read"]:
        ctx["participants"] = Participant.objects.for_home()
        ctx["transcripts"] = Transcript.objects.select_related("participant").defer("text")
        ctx["themes"] = theme_tree(Theme.objects.for_home())
    return render(request, "interviews/home.html", ctx)


@login_required
def transcript_list(request):
    if not can_read(request.user):
        raise PermissionDenied
    ctx = {"transcripts": Transcript.objects.for_transcript_list()}
    return render(request, "interviews/transcript_list.html", ctx)
