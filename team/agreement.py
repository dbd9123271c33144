"""Inter-coder agreement, with the transcript's characters as units (pure Python and numpy; no
Django here, so the command, the page, the exports and the benchmark share one computation).

For every theme, each coder's layer says, for each character of a transcript, whether the theme
is present (some excerpt of that coder with that theme covers it) or absent. A coder who was not
assigned a transcript has no value there: missing data. From that:

- **percent agreement** and **Cohen's κ** (exactly two coders): the 2×2 table of present/absent
  over the characters of the transcripts both coders were assigned, as NVivo's coding comparison
  does. κ = (p_o − p_e) / (1 − p_e), Cohen (1960).
- **Krippendorff's α (nominal)**, two or more coders: the coincidence matrix of Krippendorff,
  "Computing Krippendorff's Alpha-Reliability" (2011), over every character that at least two
  coders were assigned; α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k.
- **segment agreement**: the share of a coder's excerpts (one per excerpt and theme) matched by
  another coder's excerpt with the same theme in the same transcript whose overlap (characters
  shared / characters covered by either, as MAXQDA) is at least `overlap` percent.

"Overall" pools the themes: its units are (character, theme) pairs.

Why α is not computed by calling `krippendorff.alpha` on the characters: that function wants one
row per unit, and at 100 transcripts × 10,000 characters it takes about 0.5 s per theme (10 s for
20 themes; about 1 GB for the pooled overall). The coincidence matrix is a sum over units, and a
unit's share of it depends only on how many coders gave each value, so `alpha_nominal` takes
those value-count patterns once each with how often they occur. tests/test_agreement.py checks
it against the `krippendorff` package on Krippendorff's own example and on random data.
"""

from dataclasses import dataclass, field

import numpy as np


def alpha_nominal(patterns, weights=None):
    """Krippendorff's α for nominal data from value-count patterns.

    `patterns` is a (P, V) array: row p says how many coders gave each of the V values to a unit
    of pattern p; `weights[p]` is how many units have that pattern (1 each by default, so a
    plain value-counts matrix works too). Units with fewer than two values are not pairable and
    are left out, as Krippendorff does. Returns (α, n pairable values); α is None when there is
    nothing to compare or every value is the same (α is undefined then)."""
    patterns = np.asarray(patterns, dtype=np.float64)
    weights = np.ones(len(patterns)) if weights is None else np.asarray(weights, dtype=np.float64)
    m = patterns.sum(axis=1)
    keep = (m >= 2) & (weights > 0)
    patterns, weights, m = patterns[keep], weights[keep], m[keep]
    if not len(patterns):
        return None, 0
    # o_ck = Σ_u (n_uc·n_uk − [c = k]·n_uc) / (m_u − 1), each pattern counted `weights` times.
    scaled = patterns * (weights / (m - 1))[:, None]
    o = scaled.T @ patterns - np.diag(scaled.sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    expected = n * n - (n_c ** 2).sum()
    if expected <= 0:
        return None, int(round(n))
    return float(1 - (n - 1) * (n - np.trace(o)) / expected), int(round(n))


def alpha_from_reliability_data(data):
    """α (nominal) for a coders × units matrix with NaN for missing values (Krippendorff's own
    layout), through alpha_nominal."""
    data = np.asarray(data, dtype=np.float64)
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1)
    return alpha_nominal(counts)


def kappa_from_table(both, only_first, only_second, neither):
    """(percent agreement, Cohen's κ) from a 2×2 table of counts; κ is None where chance
    agreement is total (both coders used a single category, so κ is undefined)."""
    n = both + only_first + only_second + neither
    if n == 0:
        return None, None
    observed = (both + neither) / n
    first_yes, second_yes = (both + only_first) / n, (both + only_second) / n
    chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    kappa = None if chance >= 1 else (observed - chance) / (1 - chance)
    return observed, kappa


@dataclass
class Layers:
    """What agreement is computed from, as plain arrays.

    `lengths[i]` is transcript i's length in characters; `assigned[i, c]` whether coder c's layer
    counts in transcript i; `codings` has one row per (excerpt, theme): transcript index, coder
    index, theme index, start, end (code points)."""

    lengths: np.ndarray
    assigned: np.ndarray
    codings: np.ndarray
    n_themes: int


@dataclass
class Figures:
    """One row of the table: a theme, or all themes pooled."""

    percent: float | None = None
    kappa: float | None = None
    kappa_n: int = 0  # characters (× themes, for the overall row) both coders were assigned
    alpha: float | None = None
    alpha_n: int = 0  # pairable values: characters × coders that were assigned
    alpha_units: int = 0  # characters (× themes) at least two coders were assigned
    excerpts: list = field(default_factory=list)  # per coder: excerpts (with this theme)
    matched: list = field(default_factory=list)  # per coder: those matched by another coder

    @property
    def segment(self):
        """Share of all coders' excerpts matched by another coder's, or None without excerpts."""
        total = sum(self.excerpts)
        return sum(self.matched) / total if total else None

    @property
    def percent_points(self):
        return None if self.percent is None else self.percent * 100

    @property
    def segment_points(self):
        return None if self.segment is None else self.segment * 100

    @property
    def excerpt_count(self):
        return sum(self.excerpts)


@dataclass
class Agreement:
    themes: list  # Figures per theme, in the order of the theme indices
    overall: Figures
    characters: int  # characters of the transcripts at least two coders were assigned
    transcripts: int  # how many such transcripts


def _usable(layers):
    """The codings that count: in a transcript their coder was assigned, which at least two
    coders were assigned, with ends clamped to the text."""
    rows = layers.codings
    rows = rows[layers.assigned[rows[:, 0], rows[:, 1]]]
    rows = rows[layers.assigned.sum(axis=1)[rows[:, 0]] >= 2].copy()
    rows[:, 4] = np.minimum(rows[:, 4], layers.lengths[rows[:, 0]])
    return rows[rows[:, 4] > rows[:, 3]]


def compute(layers, overlap=90):
    """Agreement of every coder in `layers` (two or more), per theme and overall.

    No array per character: every (theme, transcript) is laid end to end on one line, each
    coder's excerpts become +1/−1 events on it, and between two consecutive events every coder's
    state is constant. So the work grows with the number of excerpts, not of characters: the
    stretches nobody coded are what is left of each theme's characters."""
    n_coders, n_themes = layers.assigned.shape[1], layers.n_themes
    lengths = np.asarray(layers.lengths, dtype=np.int64)
    m = layers.assigned.sum(axis=1)
    pairable = (m >= 2) & (lengths > 0)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    line = int(offsets[-1])  # one theme's stretch of the line
    rows = _usable(layers)
    where = rows[:, 2] * line + offsets[rows[:, 0]]
    events = np.concatenate([where + rows[:, 3], where + rows[:, 4]])
    points, at = np.unique(events, return_inverse=True)
    # depth[c, i]: coder c's excerpts covering the stretch from points[i] to points[i + 1]
    coder = np.concatenate([rows[:, 1], rows[:, 1]])
    step = np.concatenate([np.ones(len(rows), dtype=np.int64), -np.ones(len(rows), dtype=np.int64)])
    depth = np.zeros((n_coders, len(points)), dtype=np.int64)
    np.add.at(depth, (coder, at), step)
    present = np.cumsum(depth, axis=1)[:, :-1] > 0
    width = np.diff(points)
    k = present.sum(axis=0)
    covered = k > 0  # such a stretch lies inside one theme's transcript
    theme = points[:-1][covered] // max(line, 1)
    transcript = np.searchsorted(offsets, points[:-1][covered] % max(line, 1), side="right") - 1
    width, k, present = width[covered], k[covered], present[:, covered]
    stretch_m = m[transcript]

    # patterns[t, m, k]: characters where m coders were assigned and k of them code theme t
    patterns = np.zeros((n_themes, n_coders + 1, n_coders + 1), dtype=np.int64)
    np.add.at(patterns, (theme, stretch_m, k), width)
    per_m = np.bincount(m[pairable], weights=lengths[pairable], minlength=n_coders + 1).astype(np.int64)
    patterns[:, :, 0] += per_m[None, :] - patterns.sum(axis=2)
    tables = np.zeros((n_themes, 4), dtype=np.int64)  # both, only first, only second, neither
    kappa_n = 0
    if n_coders == 2:
        kappa_n = int(per_m[2])
        for column, mask in enumerate([present[0] & present[1], present[0] & ~present[1],
                                       ~present[0] & present[1]]):
            tables[:, column] = np.bincount(theme[mask], weights=width[mask], minlength=n_themes)
        tables[:, 3] = kappa_n - tables[:, :3].sum(axis=1)
    excerpts, matched = segment_counts(rows, n_themes, n_coders, overlap)
    result = [
        _figures(tables[t], kappa_n, patterns[t], excerpts[t], matched[t], n_coders == 2)
        for t in range(n_themes)
    ]
    overall = _figures(tables.sum(axis=0), kappa_n * n_themes, patterns.sum(axis=0),
                       excerpts.sum(axis=0), matched.sum(axis=0), n_coders == 2)
    return Agreement(themes=result, overall=overall, characters=int(lengths[pairable].sum()),
                     transcripts=int(pairable.sum()))


def _figures(table, kappa_n, patterns, excerpts, matched, two):
    figures = Figures(excerpts=[int(x) for x in excerpts], matched=[int(x) for x in matched])
    if two and kappa_n:
        figures.percent, figures.kappa = kappa_from_table(*(int(x) for x in table))
        figures.kappa_n = kappa_n
    m = np.arange(patterns.shape[0])[:, None]
    k = np.arange(patterns.shape[1])[None, :]
    valid = (k <= m) & (patterns > 0)
    rows = np.stack([(m - k)[valid], np.broadcast_to(k, patterns.shape)[valid]], axis=1)
    figures.alpha, figures.alpha_n = alpha_nominal(rows, patterns[valid])
    figures.alpha_units = int(patterns.sum())
    return figures


def segment_counts(rows, n_themes, n_coders, overlap):
    """(excerpts, matched), each (themes, coders): per theme and coder, how many of the coder's
    usable codings there are, and how many another coder matched (same transcript and theme,
    overlap ≥ `overlap` percent of the union). Every pair within a (transcript, theme) is
    compared at once: a few excerpts each, so the pairs stay few."""
    excerpts = np.zeros((n_themes, n_coders), dtype=np.int64)
    matched = np.zeros_like(excerpts)
    if not len(rows):
        return excerpts, matched
    np.add.at(excerpts, (rows[:, 2], rows[:, 1]), 1)
    rows = rows[np.lexsort((rows[:, 2], rows[:, 0]))]
    keys = rows[:, 0] * n_themes + rows[:, 2]
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    size = np.diff(np.concatenate([first, [len(rows)]]))
    group_start = np.repeat(first, size)
    group_size = np.repeat(size, size)
    mine = np.repeat(np.arange(len(rows)), group_size)
    theirs = np.repeat(group_start, group_size) + (
        np.arange(len(mine)) - np.repeat(np.cumsum(group_size) - group_size, group_size))
    start, end, coder = rows[:, 3], rows[:, 4], rows[:, 1]
    shared = np.minimum(end[mine], end[theirs]) - np.maximum(start[mine], start[theirs])
    union = np.maximum(end[mine], end[theirs]) - np.minimum(start[mine], start[theirs])
    good = (coder[mine] != coder[theirs]) & (shared > 0) & (shared * 100 >= overlap * union)
    hit = np.zeros(len(rows), dtype=bool)
    hit[mine[good]] = True
    np.add.at(matched, (rows[hit, 2], rows[hit, 1]), 1)
    return excerpts, matched
