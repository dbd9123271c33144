"""The coding page's annotations: passages commented without being coded, drawn in the margin
beside the coding stripes (static/js/transcript_memos.js). The coding app cannot import memos,
so the page fetches them from here after it has loaded; opening it costs nothing more."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interviews.access import get_transcript_for_user, get_transcript_for_user_rw
from interviews.text import codepoint_to_utf16_converter, utf16_to_codepoint
from memos.forms import AnnotationForm
from memos.models import MemoSpan
from memos.services import span_annotate
from studies.access import get_membership


def _row(span, memo, to_utf16):
    return {"id": memo.pk, "s": to_utf16(span.start), "e": to_utf16(span.end), "title": memo.title,
            "text": memo.body_text, "url": memo.get_absolute_url(), "review": span.needs_review}


@login_required
def transcript_annotations(request, study, pk):
    """The passages of this transcript that memos the user may see are pinned to, in UTF-16
    offsets (what the browser counts). Two queries after access: the spans with their memos."""
    transcript = get_transcript_for_user(request, study, pk)
    s = get_membership(request, study).study
    spans = (MemoSpan.objects.filter(transcript=transcript, memo__deleted_at__isnull=True)
             .filter(memo__in=s.memos.visible_to(request.user))
             .select_related("memo__study").order_by("start", "pk"))
    to_utf16 = codepoint_to_utf16_converter(transcript.text)
    return JsonResponse({"annotations": [_row(span, span.memo, to_utf16) for span in spans]})


@login_required
@require_POST
def transcript_annotate(request, study, pk):
    """Pin a comment to the selected passage without coding it: 201 with the annotation, or 400
    (409 if the text was corrected since the page loaded) with a message; nothing is saved."""
    transcript = get_transcript_for_user_rw(request, study, pk)
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = form.cleaned_data
    if data["text_version"] and data["text_version"] != transcript.text_version:
        return JsonResponse({"errors": {"__all__": [_("The transcript text was corrected after you opened "
                                                      "the page. Reload it and select the passage again.")]}},
                            status=409)
    try:
        start = utf16_to_codepoint(transcript.text, data["start_utf16"])
        end = utf16_to_codepoint(transcript.text, data["end_utf16"])
        memo = span_annotate(transcript=transcript, start=start, end=end, author=request.user,
                             body=data["body"], title=data["title"])
    except ValueError:
        message = _("The passage lies outside the transcript.")
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    except ValidationError as error:
        return JsonResponse({"errors": {"__all__": error.messages}}, status=400)
    span = memo.spans.get()
    return JsonResponse({"annotation": _row(span, memo, codepoint_to_utf16_converter(transcript.text)),
                         "message": _("Annotation saved.")}, status=201)
