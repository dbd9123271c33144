"""The access helpers of the report pages, built on studies.access: a member of the study
reads every report; only researchers and owners of a live study auto-code or undo a run.
An id of another study is a 404, never its data. Themes come from coding.access (one helper
per object type)."""

from coding.models import AutoCodingRun
from studies.access import get_in_study, require_rw


def get_auto_coding_run_for_user_rw(request, slug, pk):
    """The auto-coding run `pk` of study `slug`, for its undo: 404 outside the study, 403 for a
    reviewer or in an archived study."""
    membership, run = get_in_study(request, slug, AutoCodingRun.objects.select_related("theme"), pk=pk)
    require_rw(membership)
    return run
