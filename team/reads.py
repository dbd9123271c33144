"""Read paths of the team pages: the progress page's counts and the agreement report. Each
reads offsets and ids only, never transcript texts (their lengths come from the database)."""

from dataclasses import dataclass

import numpy as np
from django.db.models.functions import Length
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coding.models import CodedExcerpt, ConsensusLayer, Theme, transcript_blind_for
from interviews.models import Transcript, coverage
from team import agreement, compare, services
from team.models import Adjudication, Assignment


def progress_rows(membership):
    """Progress page: the study's assignments (Assignment.objects.for_progress_page), each with
    `excerpt_count` and `coverage` (share of the transcript's text the coder's excerpts cover),
    both None (`hidden`) for another coder's work that blind coding hides from `membership`.
    Two queries whatever the number of assignments: the assignments, the assigned coders'
    excerpt spans on the assigned transcripts."""
    study = membership.study
    assignments = list(Assignment.objects.for_progress_page(study))
    spans = {}
    pairs = {(a.transcript_id, a.coder_id) for a in assignments}
    for transcript_id, coder_id, start, end in (
        CodedExcerpt.objects.filter(study=study, transcript__in={t for t, _c in pairs},
                                    coder__in={c for _t, c in pairs})
        .order_by().values_list("transcript_id", "coder_id", "start", "end")
    ):
        spans.setdefault((transcript_id, coder_id), []).append((start, end))
    for a in assignments:
        found = spans.get((a.transcript_id, a.coder_id), [])
        a.excerpt_count, a.coverage = len(found), coverage(found, a.length)
        a.hidden = a.coder_id != membership.user_id and transcript_blind_for(membership, a.transcript)
        if a.hidden:
            a.excerpt_count = a.coverage = None
    return assignments


@dataclass
class Report:
    """The agreement table: `rows` are (theme, agreement.Figures) by the themes' order, then name."""

    coders: list
    rows: list
    overall: agreement.Figures
    characters: int
    transcripts: int  # transcripts at least two of the coders were assigned
    study_transcripts: int
    overlap: int

    @property
    def pair(self):
        return len(self.coders) == 2

    def lines(self):
        """The page's rows: (name, figures, [(coder, excerpts, matched)]) per theme, then
        "Overall"."""
        named = [(theme.name, fig) for theme, fig in self.rows] + [(_("Overall"), self.overall)]
        return [(name, fig, list(zip(self.coders, fig.excerpts, fig.matched, strict=True)))
                for name, fig in named]


def agreement_report(study, coders, transcripts=None, themes=None, overlap=90, progress=None):
    """Agreement of `coders` (users, two or more) in `study`, on `transcripts` (default: all the
    study's) and `themes` (default: every theme any of them used there). Five queries: the
    transcripts with their lengths, the assignments, the codings, the themes, the study's
    transcript count. `progress(done, total, message)`, if given, hears of each stage (a job's)."""
    progress = progress or (lambda done, total, message: None)
    progress(0, 3, _("Reading the transcripts and assignments"))
    chosen = Transcript.objects.filter(study=study)
    if transcripts:
        chosen = chosen.filter(pk__in=[t.pk for t in transcripts])
    found = list(chosen.order_by("pk").annotate(length=Length("text")).values_list("pk", "length"))
    t_index = {pk: i for i, (pk, _length) in enumerate(found)}
    c_index = {c.pk: j for j, c in enumerate(coders)}
    assigned = np.zeros((len(found), len(coders)), dtype=bool)
    planned = set()
    for transcript_id, coder_id in (
        Assignment.objects.filter(study=study, transcript__in=list(t_index))
        .values_list("transcript_id", "coder_id")
    ):
        planned.add(transcript_id)
        if coder_id in c_index:
            assigned[t_index[transcript_id], c_index[coder_id]] = True
    # A transcript nobody was assigned counts for every coder chosen (a study without assignments).
    for pk, i in t_index.items():
        if pk not in planned:
            assigned[i] = True
    progress(1, 3, _("Reading the codings"))
    Link = CodedExcerpt.themes.through
    links = Link.objects.filter(codedexcerpt__study=study, codedexcerpt__coder__in=list(c_index),
                                codedexcerpt__transcript__in=list(t_index))
    if themes:
        links = links.filter(theme__in=[t.pk for t in themes])
    raw = list(links.order_by().values_list("codedexcerpt__transcript_id", "codedexcerpt__coder_id",
                                            "theme_id", "codedexcerpt__start", "codedexcerpt__end"))
    if themes:
        theme_list = list(themes)
    else:
        theme_list = list(Theme.objects.filter(study=study, pk__in={r[2] for r in raw}))
    theme_list.sort(key=lambda t: (t.order, t.name))
    h_index = {t.pk: k for k, t in enumerate(theme_list)}
    codings = np.array(
        [(t_index[t], c_index[c], h_index[h], s, e) for t, c, h, s, e in raw if h in h_index],
        dtype=np.int64,
    ).reshape(-1, 5)
    layers = agreement.Layers(lengths=np.array([length for _pk, length in found], dtype=np.int64),
                              assigned=assigned, codings=codings, n_themes=len(theme_list))
    progress(2, 3, _("Computing agreement"))
    result = agreement.compute(layers, overlap=overlap)
    return Report(
        coders=list(coders), rows=list(zip(theme_list, result.themes, strict=True)), overall=result.overall,
        characters=result.characters, transcripts=result.transcripts,
        study_transcripts=Transcript.objects.filter(study=study).count(), overlap=overlap,
    )


def _number(value):
    return number_format(value, force_grouping=True)


def _figure(value, places=2):
    """In the active language's notation: 0.81 in English, 0,81 in Spanish."""
    return "—" if value is None else number_format(value, decimal_pos=places)


def methods_paragraph(report):
    """A paragraph for a methods section, with the figures and their n."""
    coders = len(report.coders)
    parts = [ngettext(
        "%(coders)s coders independently coded %(done)s of %(total)s transcript (%(chars)s characters).",
        "%(coders)s coders independently coded %(done)s of %(total)s transcripts (%(chars)s characters).",
        report.study_transcripts,
    ) % {"coders": coders, "done": report.transcripts, "total": report.study_transcripts,
         "chars": _number(report.characters)}]
    overall = report.overall
    if overall.alpha is not None:
        rated = [(fig.alpha, theme.name) for theme, fig in report.rows if fig.alpha is not None]
        sentence = _("Krippendorff's α (nominal, characters as units) = %(alpha)s over %(themes)s themes "
                     "(n = %(n)s character–theme units)") % {
            "alpha": _figure(overall.alpha), "themes": len(report.rows), "n": _number(overall.alpha_units)}
        if len(rated) > 1:
            low, high = min(rated), max(rated)
            sentence += _(", from %(low)s (%(low_theme)s) to %(high)s (%(high_theme)s)") % {
                "low": _figure(low[0]), "low_theme": low[1], "high": _figure(high[0]), "high_theme": high[1]}
        parts.append(sentence + ".")
    if report.pair and overall.kappa is not None:
        parts.append(_("Cohen's κ = %(kappa)s and percent agreement = %(percent)s%% (n = %(n)s "
                       "character–theme units).") % {
            "kappa": _figure(overall.kappa), "percent": _figure(overall.percent * 100, 1),
            "n": _number(overall.kappa_n)})
    if overall.segment is not None:
        parts.append(_("%(share)s%% of %(n)s coded segments were matched by another coder's segment "
                       "with the same theme overlapping at least %(overlap)s%%.") % {
            "share": _figure(overall.segment * 100, 1), "n": _number(overall.excerpt_count),
            "overlap": report.overlap})
    return " ".join(parts)


def table(report):
    """The agreement table as rows of plain values (CSV, XLSX, the command): a header, then
    each theme, then the overall row."""
    header = [_("Theme"), _("Percent agreement"), _("Cohen's κ"), _("Characters (κ)"),
              _("Krippendorff's α"), _("Characters (α)"), _("Pairable values (α)")]
    for coder in report.coders:
        header += [_("Excerpts by %(coder)s") % {"coder": coder.username},
                   _("Matched (%(coder)s)") % {"coder": coder.username}]
    header.append(_("Segment agreement"))
    rows = [header]
    for name, fig in [(theme.name, fig) for theme, fig in report.rows] + [(_("Overall"), report.overall)]:
        row = [name, _round(fig.percent), _round(fig.kappa), fig.kappa_n, _round(fig.alpha), fig.alpha_units,
               fig.alpha_n]
        for count, matched in zip(fig.excerpts, fig.matched, strict=True):
            row += [count, matched]
        row.append(_round(fig.segment))
        rows.append(row)
    return rows


def _round(value):
    """Four places; -0.0 (a κ of nothing beyond chance, on some row orders) is written 0.0, as a
    job's copy of the table stored in PostgreSQL's jsonb reads back."""
    return None if value is None else round(value, 4) + 0.0


@dataclass
class Comparison:
    """The comparison page of one transcript: `stripes` are (label, [(left %, width %, colour,
    theme name, excerpt id)]) per chosen coder, then the consensus layer; `found` the
    Disagreements (team.compare), each with its theme and whether it is settled."""

    coders: list
    stripes: list
    found: list
    themes: dict
    length: int


def comparison(transcript, coders):
    """Comparison page: `coders` (users, two or more) on `transcript`, with the consensus layer.
    Four queries: the excerpt-theme links, the study's consensus layer, the themes, the
    standing adjudications."""
    rows = services._link_rows(transcript)
    study_id = transcript.study_id
    layer = ConsensusLayer.objects.filter(study_id=study_id).values_list("coder_id", flat=True).first()
    themes = {t.pk: t for t in Theme.objects.filter(study_id=study_id).only("pk", "name", "colour")}
    length = max(len(transcript.text), 1)
    found = compare.settle(compare.disagreements(rows, [c.pk for c in coders]),
                           list(Adjudication.objects.for_comparison(transcript)))
    for d in found:
        d.theme = themes[d.theme_id]
        d.passages = [(c, sorted(d.spans.get(c.pk, []))) for c in coders]

    in_order = sorted(rows, key=lambda r: (r[2], r[3]))

    def stripe(coder_id):
        return [(f"{100 * s / length:.3f}", f"{max(100 * (e - s) / length, 0.2):.3f}", themes[t].colour,
                 themes[t].name, pk) for pk, c, s, e, t in in_order if c == coder_id]

    stripes = [(c.get_username(), stripe(c.pk)) for c in coders]
    stripes.append((_("Consensus"), stripe(layer) if layer else []))
    return Comparison(coders=coders, stripes=stripes, found=found, themes=themes, length=len(transcript.text))
