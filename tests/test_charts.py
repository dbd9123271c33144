"""Server-rendered SVG charts (reports/charts.py): labelled, escaped, drawn to scale."""

import re

from reports.charts import Bar, bar_chart


def words(n):
    return f"{n} excerpts"


def test_it_labels_the_chart_with_a_title_and_a_text_description():
    svg = bar_chart(chart_id="c", title="Excerpts per theme", describe=words,
                    bars=[Bar("Youth", 4), Bar("Gender", 2)])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Excerpts per theme</title>' in svg
    assert '<desc id="c-desc">Youth: 4 excerpts; Gender: 2 excerpts</desc>' in svg
    assert "<g><title>Youth: 4 excerpts</title>" in svg


def test_a_chart_whose_labels_are_links_is_a_group_not_an_image():
    svg = bar_chart(chart_id="c", title="t", describe=words, bars=[Bar("Youth", 4, href="/r")])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="group"')
    assert '<a href="/r">' in svg


def test_it_draws_bars_to_scale():
    svg = bar_chart(chart_id="c", title="t", describe=words, bars=[Bar("A", 4), Bar("B", 1), Bar("C", 0)])
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert widths == [350.0, 87.5, 0.0]


def test_it_escapes_labels_colours_and_links():
    svg = bar_chart(chart_id="c", title="<b>t</b>", describe=words,
                    bars=[Bar("<script>x</script>", 1, colour='red" onload="x', href='/r?a=1&b="2"')])
    assert "<script>" not in svg and "<b>" not in svg
    assert 'onload="x' not in svg
    assert 'href="/r?a=1&amp;b=&quot;2&quot;"' in svg


def test_it_shortens_long_labels_but_keeps_them_whole_in_the_tooltip():
    label = "Impact and challenges of the International Cooperation strategy"
    svg = bar_chart(chart_id="c", title="t", describe=words, bars=[Bar(label, 3, depth=2)])
    assert f"<title>{label}: 3 excerpts</title>" in svg
    assert ">Impact and challenges of the In…</text>" in svg
    assert '<text x="24"' in svg


def test_it_draws_an_empty_chart_without_failing():
    svg = bar_chart(chart_id="c", title="t", describe=words, bars=[])
    assert '<desc id="c-desc"></desc>' in svg and svg.endswith("</svg>")
