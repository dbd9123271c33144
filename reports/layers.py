"""Which coder layer a report counts (issue 13): every coder's (the default: the consensus layer
is left out, so that a settled passage does not count twice), the consensus layer alone, or one
coder's. The `layer` GET parameter of the theme report and its exports, the overview and the
matrix: "" or "coders", "consensus", or a coder's id. An id of someone who never coded in the
study simply counts nothing: the filter runs inside the study."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _

from coding.models import ALL_CODERS, CONSENSUS, CodedExcerpt, blind_q


def parse_layer(value):
    """The layer named by `value`, as coding.models.layer_q takes it. No query."""
    if value in (None, "", ALL_CODERS):
        return ALL_CODERS
    if value == CONSENSUS:
        return CONSENSUS
    if value.isdecimal() and len(value) < 12:
        return int(value)
    raise ValidationError(_("Choose every coder, the consensus layer or one coder."), code="bad_layer")


def layer_or_400(request):
    """(layer, None), or (None, a 400 response) for a `layer` parameter that names none."""
    try:
        return parse_layer(request.GET.get("layer")), None
    except ValidationError as error:
        return None, HttpResponseBadRequest(error.messages[0], content_type="text/plain; charset=utf-8")


def kept(request, *names):
    """The page's other GET parameters, for the layer form's hidden fields."""
    return [(k, v) for k, v in request.GET.items() if k not in ("layer", "page", *names)]


def layer_choices(study, layer, membership=None):
    """The layer select: (value, label, selected), every coder, the consensus layer, then each
    coder who coded in the study (blind coding: only those `membership` may see). One query:
    per account, whether one excerpt of theirs exists (an index probe on the coder), not every
    excerpt of the study joined and made distinct."""
    coded = CodedExcerpt.objects.filter(blind_q(membership), study=study, coder=OuterRef("pk"))
    coders = (get_user_model().objects.filter(Exists(coded))
              .exclude(consensus_layer__study=study)
              .order_by("username").values_list("pk", "username"))
    return [(ALL_CODERS, _("Every coder"), layer == ALL_CODERS),
            (CONSENSUS, _("Consensus layer"), layer == CONSENSUS)] + [
        (pk, name, layer == pk) for pk, name in coders]


def layer_label(layer):
    """Which excerpts a report reads, for its header: every coder's, the consensus layer's, or
    one coder's (one query, for a coder only)."""
    if layer in (None, ALL_CODERS):
        return _("every coder's excerpts")
    if layer == CONSENSUS:
        return _("the consensus layer's excerpts")
    name = get_user_model().objects.filter(pk=layer).values_list("username", flat=True).first()
    return _("%(coder)s's excerpts") % {"coder": name or layer}
