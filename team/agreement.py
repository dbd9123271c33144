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
    def excerpt_count(self):
        return sum(self.excerpts)


@dataclass
class Agreement:
    themes: list  # Figures per theme, in the order of the theme indices
    overall: Figures
    characters: int  # characters of the transcripts at least two coders were assigned
    transcripts: int  # how many such transcripts


def presence(layers, i, coders):
    """(len(coders), n_themes, length) booleans: does coder coders[j] code theme t at each
    character of transcript i. Union of the coder's excerpts, so overlapping excerpts of one
    coder count once."""
    length, n_themes = int(layers.lengths[i]), layers.n_themes
    rows = layers.codings[layers.codings[:, 0] == i]
    index = np.full(len(layers.assigned[i]), -1)
    index[coders] = np.arange(len(coders))
    rows = rows[index[rows[:, 1]] >= 0]
    slot = (index[rows[:, 1]] * n_themes + rows[:, 2]) * (length + 1)
    size = len(coders) * n_themes * (length + 1)
    diff = (np.bincount(slot + np.minimum(rows[:, 3], length), minlength=size)
            - np.bincount(slot + np.minimum(rows[:, 4], length), minlength=size))
    covered = np.cumsum(diff.reshape(len(coders), n_themes, length + 1), axis=2, dtype=np.int32) > 0
    return covered[:, :, :length]


def compute(layers, overlap=90):
    """Agreement of every coder in `layers` (two or more), per theme and overall."""
    n_coders, n_themes = layers.assigned.shape[1], layers.n_themes
    tables = np.zeros((n_themes, 4), dtype=np.int64)  # both, only first, only second, neither
    kappa_n = 0
    # patterns[t, m, k]: characters where m coders were assigned and k of them code theme t
    patterns = np.zeros((n_themes, n_coders + 1, n_coders + 1), dtype=np.int64)
    characters = transcripts = 0
    for i, length in enumerate(layers.lengths):
        coders = np.flatnonzero(layers.assigned[i])
        m = len(coders)
        if m < 2 or length == 0:
            continue
        transcripts += 1
        characters += int(length)
        present = presence(layers, i, coders)
        k = present.sum(axis=0, dtype=np.int64)  # (themes, length)
        counts = np.bincount((np.arange(n_themes)[:, None] * (m + 1) + k).ravel(),
                             minlength=n_themes * (m + 1))
        patterns[:, m, : m + 1] += counts.reshape(n_themes, m + 1)
        if n_coders == 2:
            first, second = present[0], present[1]
            both = (first & second).sum(axis=1)
            only_first = first.sum(axis=1) - both
            only_second = second.sum(axis=1) - both
            tables += np.stack([both, only_first, only_second, length - both - only_first - only_second],
                               axis=1)
            kappa_n += int(length)
    excerpts, matched = segment_counts(layers, overlap)
    rows = [
        _figures(tables[t], kappa_n, patterns[t], excerpts[t], matched[t], n_coders == 2)
        for t in range(n_themes)
    ]
    overall = _figures(tables.sum(axis=0), kappa_n * n_themes, patterns.sum(axis=0),
                       excerpts.sum(axis=0), matched.sum(axis=0), n_coders == 2)
    return Agreement(themes=rows, overall=overall, characters=characters, transcripts=transcripts)


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


def segment_counts(layers, overlap):
    """(excerpts, matched), each (themes, coders): per theme and coder, how many of the coder's
    codings lie in transcripts they were assigned, and how many of those another assigned
    coder matched (same transcript and theme, overlap ≥ `overlap` percent of the union)."""
    n_coders = layers.assigned.shape[1]
    excerpts = np.zeros((layers.n_themes, n_coders), dtype=np.int64)
    matched = np.zeros_like(excerpts)
    rows = layers.codings
    if not len(rows):
        return excerpts, matched
    rows = rows[layers.assigned[rows[:, 0], rows[:, 1]]]
    # only transcripts at least two coders were assigned take part
    rows = rows[layers.assigned.sum(axis=1)[rows[:, 0]] >= 2]
    np.add.at(excerpts, (rows[:, 2], rows[:, 1]), 1)
    order = np.lexsort((rows[:, 1], rows[:, 2], rows[:, 0]))
    rows = rows[order]
    keys = rows[:, 0] * layers.n_themes + rows[:, 2]
    bounds = np.flatnonzero(np.diff(keys)) + 1
    for group in np.split(rows, bounds):
        if len(np.unique(group[:, 1])) < 2:
            continue
        start, end, coder = group[:, 3], group[:, 4], group[:, 1]
        shared = np.minimum(end[:, None], end[None, :]) - np.maximum(start[:, None], start[None, :])
        union = np.maximum(end[:, None], end[None, :]) - np.minimum(start[:, None], start[None, :])
        good = (shared > 0) & (shared * 100 >= overlap * union) & (coder[:, None] != coder[None, :])
        hit = good.any(axis=1)
        np.add.at(matched, (group[hit, 2], group[hit, 1]), 1)
    return excerpts, matched
