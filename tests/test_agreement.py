"""team.agreement, the computation behind the agreement page and command: checked against
published worked examples, the `krippendorff` package, and layers whose answer is known."""

import krippendorff
import numpy as np
import pytest

from team.agreement import Layers, alpha_from_reliability_data, alpha_nominal, compute, kappa_from_table

nan = np.nan

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers,
# twelve units, values 1-5, with missing values. Nominal α = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def layers(length, first, second, *, n_themes=1, assigned=None):
    """One transcript of `length` characters; `first` and `second` are (theme, start, end)
    codings of coders 0 and 1."""
    codings = [(0, 0, t, s, e) for t, s, e in first] + [(0, 1, t, s, e) for t, s, e in second]
    return Layers(lengths=np.array([length]), assigned=np.array(assigned or [[True, True]]),
                  codings=np.array(codings, dtype=np.int64).reshape(-1, 5), n_themes=n_themes)


def test_it_reproduces_krippendorffs_2011_nominal_example():
    alpha, n = alpha_from_reliability_data(KRIPPENDORFF_2011)
    assert round(alpha, 3) == 0.743
    assert n == 40  # pairable values, as in the paper
    assert alpha == pytest.approx(krippendorff.alpha(reliability_data=KRIPPENDORFF_2011,
                                                     level_of_measurement="nominal"), abs=1e-12)


def test_it_agrees_with_the_krippendorff_package_on_random_data_with_missing_values():
    rng = np.random.default_rng(7)
    for coders in (2, 3, 5):
        data = rng.integers(0, 3, size=(coders, 400)).astype(float)
        data[rng.random(data.shape) < 0.25] = nan
        ours, _n = alpha_from_reliability_data(data)
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert ours == pytest.approx(theirs, abs=1e-12)


def test_pattern_weights_give_what_repeated_units_give():
    patterns = np.array([[2, 0], [1, 1], [0, 3], [1, 2]])
    weights = np.array([5, 2, 4, 1])
    repeated = np.repeat(patterns, weights, axis=0)
    assert alpha_nominal(patterns, weights)[0] == pytest.approx(alpha_nominal(repeated)[0])


def test_it_reproduces_a_published_cohens_kappa_example():
    """Wikipedia, "Cohen's kappa", section "Simple example" (retrieved 2026): 50 grant proposals
    read by A and B; both yes 20, both no 15, A yes B no 5, A no B yes 10: p_o = 0.70,
    p_e = 0.50, κ = 0.40. Here as characters: 50 characters, the theme present where a reader
    said yes."""
    assert kappa_from_table(20, 5, 10, 15) == (0.7, pytest.approx(0.4))
    result = compute(layers(50, [(0, 0, 25)], [(0, 0, 20), (0, 25, 35)]))
    figures = result.themes[0]
    assert round(figures.percent, 3) == 0.700
    assert round(figures.kappa, 3) == 0.400
    assert figures.kappa_n == 50


def test_the_character_layers_match_the_krippendorff_package():
    first = np.zeros(50)
    first[:25] = 1
    second = np.zeros(50)
    second[:20] = second[25:35] = 1
    result = compute(layers(50, [(0, 0, 25)], [(0, 0, 20), (0, 25, 35)]))
    expected = krippendorff.alpha(reliability_data=[first, second], level_of_measurement="nominal")
    assert result.themes[0].alpha == pytest.approx(expected, abs=1e-12)
    assert (result.themes[0].alpha_n, result.themes[0].alpha_units) == (100, 50)


def test_identical_layers_agree_perfectly():
    coding = [(0, 5, 20), (1, 10, 40), (0, 60, 70)]
    result = compute(layers(100, coding, coding, n_themes=2))
    for figures in [*result.themes, result.overall]:
        assert (figures.percent, figures.kappa, figures.alpha, figures.segment) == (1.0, 1.0, 1.0, 1.0)
    assert result.overall.kappa_n == 200  # 100 characters × 2 themes
    assert result.themes[0].excerpts == [2, 2]


def test_disjoint_layers_agree_below_chance():
    result = compute(layers(100, [(0, 0, 50)], [(0, 50, 100)]))
    figures = result.themes[0]
    assert figures.percent == 0.0
    assert figures.kappa == pytest.approx(-1.0)
    assert figures.alpha < 0
    assert figures.segment == 0.0
    assert figures.matched == [0, 0]


def test_overlapping_excerpts_of_one_coder_count_once():
    once = compute(layers(100, [(0, 0, 50)], [(0, 0, 50)]))
    twice = compute(layers(100, [(0, 0, 50), (0, 10, 40)], [(0, 0, 50)]))
    assert twice.themes[0].kappa == once.themes[0].kappa == 1.0


def test_a_theme_nobody_used_has_no_kappa_or_alpha():
    figures = compute(layers(100, [(0, 0, 10)], [(0, 0, 10)], n_themes=2)).themes[1]
    assert figures.kappa is None and figures.alpha is None
    assert figures.percent == 1.0
    assert figures.segment is None


def test_segment_agreement_needs_the_overlap_asked_for():
    # 0-100 against 5-100: 95 shared of 100 covered, 95%
    pair = ([(0, 0, 100)], [(0, 5, 100)])
    assert compute(layers(200, *pair), overlap=90).themes[0].matched == [1, 1]
    assert compute(layers(200, *pair), overlap=96).themes[0].matched == [0, 0]
    # another theme on the same span is no match
    assert compute(layers(200, [(0, 0, 100)], [(1, 0, 100)], n_themes=2)).overall.matched == [0, 0]


def test_a_transcript_a_coder_was_not_assigned_is_missing_data():
    # transcript 0: both coders, identical; transcript 1: only coder 0, who codes half of it
    data = Layers(lengths=np.array([100, 100]), assigned=np.array([[True, True], [True, False]]),
                  codings=np.array([[0, 0, 0, 0, 30], [0, 1, 0, 0, 30], [1, 0, 0, 0, 50],
                                    [1, 1, 0, 50, 100]]),
                  n_themes=1)
    result = compute(data)
    figures = result.themes[0]
    assert (figures.kappa, figures.alpha) == (1.0, 1.0)
    assert (figures.kappa_n, figures.alpha_units, result.characters, result.transcripts) == (100, 100, 100, 1)
    assert figures.excerpts == [1, 1]


def test_three_coders_get_alpha_and_no_kappa():
    data = Layers(lengths=np.array([40]), assigned=np.array([[True, True, True]]),
                  codings=np.array([[0, 0, 0, 0, 20], [0, 1, 0, 0, 20], [0, 2, 0, 0, 10]]), n_themes=1)
    figures = compute(data).themes[0]
    reliability = np.zeros((3, 40))
    reliability[0, :20] = reliability[1, :20] = reliability[2, :10] = 1
    assert figures.kappa is None and figures.percent is None
    assert figures.alpha == pytest.approx(krippendorff.alpha(reliability_data=reliability,
                                                             level_of_measurement="nominal"))
    assert figures.matched == [1, 1, 0]


def naive_presence(data, transcript, coder, theme):
    """Coder's presence of `theme` per character of `transcript`, one character at a time."""
    found = np.zeros(data.lengths[transcript])
    for t, c, h, start, end in data.codings:
        if (t, c, h) == (transcript, coder, theme):
            found[start:end] = 1
    return found


def test_it_matches_the_krippendorff_package_and_a_plain_2x2_table_on_random_layers():
    """Random studies (lengths, assignments, overlapping excerpts), each figure against the
    package on the characters themselves (NaN where a coder was not assigned), and κ against a
    2×2 table counted character by character."""
    rng = np.random.default_rng(13)
    for n_coders in (2, 3):
        lengths = rng.integers(50, 300, size=6)
        assigned = rng.random((6, n_coders)) < 0.8
        rows = []
        for t, length in enumerate(lengths):
            for c in range(n_coders):
                for _ in range(rng.integers(0, 8)):
                    start = int(rng.integers(0, length - 10))
                    rows.append((t, c, int(rng.integers(0, 3)), start, start + int(rng.integers(1, 60))))
        data = Layers(lengths=lengths, assigned=assigned, codings=np.array(rows, dtype=np.int64), n_themes=3)
        result = compute(data)
        usable = [t for t in range(6) if assigned[t].sum() >= 2]
        for theme in range(3):
            columns = [
                np.stack([naive_presence(data, t, c, theme) if assigned[t, c] else np.full(lengths[t], nan)
                          for c in range(n_coders)])
                for t in usable
            ]
            reliability = np.concatenate(columns, axis=1)
            expected = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
            assert result.themes[theme].alpha == pytest.approx(expected, abs=1e-9)
            if n_coders == 2:
                both = ~np.isnan(reliability).any(axis=0)
                first, second = reliability[0, both], reliability[1, both]
                table = [int(((first == 1) & (second == 1)).sum()), int(((first == 1) & (second == 0)).sum()),
                         int(((first == 0) & (second == 1)).sum()), int(((first == 0) & (second == 0)).sum())]
                assert result.themes[theme].kappa == pytest.approx(kappa_from_table(*table)[1])
                assert result.themes[theme].kappa_n == both.sum()


def test_no_codings_and_no_transcripts_give_no_figures():
    empty = compute(Layers(lengths=np.array([], dtype=np.int64), assigned=np.zeros((0, 2), dtype=bool),
                           codings=np.zeros((0, 5), dtype=np.int64), n_themes=1))
    assert (empty.overall.alpha, empty.overall.kappa, empty.characters) == (None, None, 0)
    uncoded = compute(layers(40, [], [], n_themes=2))
    assert uncoded.overall.percent == 1.0 and uncoded.overall.kappa is None and uncoded.overall.alpha is None
