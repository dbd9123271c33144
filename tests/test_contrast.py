"""Colour contrast by the WCAG 2.x formula (coding/contrast.py), over every colour the pages
derive: the matrix and co-occurrence shades, the charts, the theme palette and any colour a user
may choose for a theme. Text needs 4.5:1 (WCAG 1.4.3); bars, stripes, underlines and focus
outlines 3:1 against the white page (1.4.11)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coding.contrast import BLACK, TEXT, WHITE, contrast, ink, mix, text_on
from coding.forms import PALETTE
from reports.charts import HEAT, Bar, bar_chart, heat_colours

# The default theme colours the accessibility audit found below 3:1 as underlines on white.
AUDITED = ["#fd7e14", "#40c057", "#15aabf", "#fab005", "#82c91e"]
FOCUS = "#0a3a82"  # static/css/app.css --pc-focus
any_colour = st.from_regex(r"\A#[0-9a-f]{6}\Z")


def test_the_formula_gives_the_audits_figures():
    assert contrast(WHITE, BLACK) == pytest.approx(21)
    assert contrast(WHITE, WHITE) == pytest.approx(1)
    assert contrast("#6c757d", "#f8f9fa") == pytest.approx(4.44, abs=0.01)  # the old "Log out"
    assert contrast("#fd7e14", WHITE) < 3


@pytest.mark.parametrize("percent", range(0, 101))
def test_every_matrix_shade_has_legible_text(percent):
    background, text = heat_colours(percent / 100)
    assert contrast(background, text) >= 4.5


def test_the_darkest_and_empty_matrix_cells():
    assert heat_colours(1) == (HEAT, WHITE)
    assert heat_colours(0) == (WHITE, BLACK)
    zero = mix(TEXT, WHITE, 0.75)  # a "0" cell: Bootstrap's secondary text colour on white
    assert contrast(zero, WHITE) >= 4.5


@pytest.mark.parametrize("colour", PALETTE + AUDITED + [Bar("x", 1).colour])
def test_every_palette_and_chart_colour_makes_a_visible_line(colour):
    assert contrast(ink(colour), WHITE) >= 3


def test_a_dark_enough_colour_is_left_as_it_is():
    assert ink("#1f77b4") == "#1f77b4"
    assert ink("#fab005") != "#fab005"


@given(any_colour)
def test_any_chosen_colour_is_darkened_to_three_to_one(colour):
    assert contrast(ink(colour), WHITE) >= 3


@given(any_colour)
def test_text_on_any_theme_tint_stays_legible(colour):
    highlight = mix(colour, WHITE, 0x55 / 255)  # the coding page's highlight: colour + "55"
    badge = mix(colour, WHITE, 0.30)  # .theme-badge: color-mix(in srgb, var(--c) 30%, white)
    assert contrast(highlight, TEXT) >= 4.5
    assert contrast(badge, TEXT) >= 4.5
    assert contrast(colour, text_on(colour)) >= 4.5


def test_chart_bars_are_drawn_darkened_and_labels_legible():
    svg = bar_chart(chart_id="c", title="t", describe=str, bars=[Bar("Pale", 2, "#fab005")])
    assert f'fill="{ink("#fab005")}"' in svg
    assert 'fill="#fab005"' not in svg
    assert contrast(TEXT, WHITE) >= 4.5  # every label and value is #212529 on white


def test_focus_outline_and_speaker_labels():
    for page in (WHITE, "#f8f9fa"):  # the page and the navbar
        assert contrast(FOCUS, page) >= 3
    assert contrast("#0a3a82", WHITE) >= 4.5  # ::highlight(pc-speaker) text colour
