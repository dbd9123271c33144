"""One definition of every count, on the demo: a theme's count in reports is its excerpts and
those of its sub-themes, each excerpt once, from participants who count (consent given, not
withdrawn). The overview, the theme report, the matrix, the case × theme table and the codebook
report give the same number for every theme; the codebook page counts what its column says,
codings with the theme itself from every participant."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from reports.queries import counts_q
from tests.conftest import client_for


@pytest.fixture
def rosa(site_groups, django_user_model):
    call_command("load_demo", stdout=StringIO())
    return django_user_model.objects.get(username="rosa")


def test_every_page_counts_a_theme_the_same_way(rosa):
    client = client_for(rosa)
    themes = {t.pk: t for t in Theme.objects.filter(study__slug="pasto")}
    overview = {row.theme.pk: row.total for row in
                client.get(reverse("reports:study-overview", args=["pasto"])).context["rows"]}
    matrix = client.get(reverse("reports:theme-matrix", args=["pasto"])).context["matrix"]
    codebook_report = {s["theme"].pk: s["counts"] for s in
                       client.get(reverse("reports:codebook-report", args=["pasto"])).context["sections"]}
    codebook_page = {t.pk: t.excerpt_count for t, _depth in
                     client.get(reverse("coding:codebook", args=["pasto"])).context["rows"]}
    assert set(overview) == set(themes) == set(codebook_report)
    for pk, theme in themes.items():
        report = client.get(reverse("reports:theme-report", args=["pasto", pk])).context["report"]
        row_sum = sum(matrix.counts.get((pk, p.pk), 0) for p in matrix.participants)
        assert (report.totals.excerpts, report.totals.participants) == (
            overview[pk].excerpts, overview[pk].participants) == (
            codebook_report[pk].excerpts, codebook_report[pk].participants), theme.name
        assert row_sum == report.totals.excerpts, theme.name
        direct = client.get(reverse("reports:theme-report", args=["pasto", pk]), {"subthemes": "0"})
        uncounted = CodedExcerpt.objects.filter(themes=theme).exclude(counts_q()).count()
        assert codebook_page[pk] == direct.context["report"].totals.excerpts + uncounted, theme.name
    learning = Theme.objects.get(study__slug="pasto", name__startswith="Learning acquired")
    assert codebook_page[learning.pk] == 0 and overview[learning.pk].excerpts > 0  # sub-themes only
    body = client.get(reverse("coding:codebook", args=["pasto"])).content.decode()
    assert "Coded directly" in body


def test_the_case_table_counts_as_the_matrix(rosa):
    import csv
    import io

    client = client_for(rosa)
    matrix = client.get(reverse("reports:theme-matrix", args=["pasto"])).context["matrix"]
    response = client.get(reverse("reports:case-theme-export", args=["pasto", "csv"]), {"measure": "count"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    codes = {p.code: p.pk for p in matrix.participants}
    names = rows[0][5:]
    themes = [t for t, _depth in matrix.tree.rows]
    assert names == [t.name for t in themes]
    for row in rows[1:]:
        assert [int(v) for v in row[5:]] == [matrix.counts.get((t.pk, codes[row[0]]), 0) for t in themes]
