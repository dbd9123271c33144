"""Disagreements between coders on one transcript, for the comparison page and adjudication.

Per theme, every chosen coder's excerpts with it are laid on the text; passages that overlap
(across coders) form one cluster. A cluster some coder has no part in is a disagreement of
presence ("has it" / "doesn't"); a cluster every coder is in, where their passages cover
different characters, is a boundary difference. A cluster where all coders cover the same
characters is agreement and is not listed. Pure Python over rows already read: no queries.
"""

from dataclasses import dataclass, field

PRESENCE = "presence"
BOUNDARY = "boundary"


@dataclass
class Disagreement:
    theme_id: int
    start: int
    end: int
    kind: str  # PRESENCE or BOUNDARY
    spans: dict = field(default_factory=dict)  # {coder id: [(start, end, excerpt id)]}
    lacking: list = field(default_factory=list)  # coder ids with no passage here
    settled: object = None  # the standing Adjudication over it, if any

    @property
    def anchor(self):
        """The excerpt the "go to" link jumps to: the first passage of the cluster."""
        return min(s for spans in self.spans.values() for s in spans)[2]


def _union(spans):
    """The characters `spans` cover, as sorted disjoint (start, end) runs."""
    runs = []
    for start, end in sorted((s, e) for s, e, *_rest in spans):
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def disagreements(rows, coders):
    """`rows` are (excerpt id, coder id, start, end, theme id) of the chosen `coders` (ids) on one
    transcript; returns the Disagreements, by position then theme."""
    by_theme = {}
    for pk, coder_id, start, end, theme_id in rows:
        if coder_id in coders:
            by_theme.setdefault(theme_id, []).append((start, end, pk, coder_id))
    found = []
    for theme_id, spans in by_theme.items():
        spans.sort()
        cluster, reach = [], -1
        for span in spans + [None]:
            if span is not None and span[0] < reach:
                cluster.append(span)
                reach = max(reach, span[1])
                continue
            if cluster:
                found.extend(_judge(theme_id, cluster, coders))
            if span is not None:
                cluster, reach = [span], span[1]
    found.sort(key=lambda d: (d.start, d.end, d.theme_id))
    return found


def _judge(theme_id, cluster, coders):
    spans = {}
    for start, end, pk, coder_id in cluster:
        spans.setdefault(coder_id, []).append((start, end, pk))
    lacking = [c for c in coders if c not in spans]
    covered = {c: _union(s) for c, s in spans.items()}
    if not lacking and len({tuple(runs) for runs in covered.values()}) == 1:
        return []
    return [Disagreement(theme_id=theme_id, start=min(s[0] for s in cluster), end=max(s[1] for s in cluster),
                         kind=PRESENCE if lacking else BOUNDARY, spans=spans, lacking=lacking)]


def settle(found, adjudications):
    """Mark each disagreement with the standing adjudication of its theme that overlaps it."""
    for d in found:
        d.settled = next((a for a in adjudications
                          if a.theme_id == d.theme_id and a.start < d.end and d.start < a.end), None)
    return found


def consensus_spans(disagreement, action, coder_id=None, start=None, end=None):
    """The consensus excerpts' passages an adjudication makes of `disagreement`: one coder's
    passages (none if that coder lacks the theme here), both (every coder's passages, the
    same passage once), or one merged passage `start`–`end` (default: the whole cluster)."""
    if action == "accept":
        return sorted({(s, e) for s, e, _pk in disagreement.spans.get(coder_id, [])})
    if action == "both":
        return sorted({(s, e) for spans in disagreement.spans.values() for s, e, _pk in spans})
    return [(disagreement.start if start is None else start, disagreement.end if end is None else end)]
