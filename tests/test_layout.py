"""Typesetting rules that do not need a rendering: one precision per column, titles with an
en dash, thousands with a no-break space, one footnote per text under a table."""

from __future__ import annotations

import pandas as pd
import pytest

from tbu_analysis.common.formatting import column_places, group_thousands, title_text
from tbu_analysis.reports import committee, views
from tbu_analysis.rounds.manifest import load_manifest

NB = "\u00a0"


@pytest.fixture(scope="module")
def manifest(project_root):
    return load_manifest(project_root / "data" / "raw" / "2024-host" / "manifest.yaml")


def _decimals(cell: str) -> int:
    digits = cell.replace(NB, "").replace("\u2212", "").split(" ")[0].rstrip("%")
    return len(digits.split(",")[1]) if "," in digits else 0


def _amount_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Each numeric column's cells as shown, without the percentage row and missing cells."""
    rows = frame[~frame.iloc[:, 0].astype(str).str.startswith(("Vekst i %", "I % av"))]
    return {column: [c for c in rows[column] if c not in {"\u2013", ""}]
            for column in frame.columns[1:]}


def test_a_source_table_keeps_the_decimals_the_source_printed(figures, manifest):
    # Tabell 6 (Kjernejournal) prints Drift og produksjon's forskrift 2024 as 40,00 beside
    # Kritisk info's 38,1, the testunivers shares as 1,25 beside −5,0, and the funding need's
    # sum as a whole 93. A reproduction shows each as printed: 93,0 would claim a precision
    # the source does not give (and the rounding checks read the precision from the print).
    frame = views.table_view(figures, manifest.table("tg-t6"), as_printed=True)
    assert frame["Forskrift 2024"].tolist()[:2] == ["40,00", "38,1"]
    assert {"1,25", "\u22125,0", "\u22124,0"} <= set(frame["Endrede forutsetninger"])
    total = frame[frame["Post"].str.startswith("Sum")].iloc[0]
    assert total.iloc[-1] == "93" and total["Forskrift 2024"] == "130,1"
    # The percentage row keeps the source's own precision (34 % is not 34,0 %).
    percent = frame[frame["Post"] == "Vekst i %"].iloc[0]
    assert "\u221228,7\u00a0%" in percent.tolist()
    e_resept = views.table_view(figures, manifest.table("tg-t7"), as_printed=True)
    assert "34\u00a0%" in e_resept[e_resept["Post"] == "Vekst i %"].iloc[0].tolist()


def test_a_driver_table_shows_each_amount_as_the_source_prints_it_and_no_empty_driver(
        analysis):
    # Kjernejournal's items 2024–2025 (Tabell 6, l. 594–601): the testunivers is spread with
    # 1,25 per activity, and the source prints −5,0, −4,0 and the sum −4,0 beside them (not
    # −5,00); Legemidler's −11 is printed whole.
    frame = views.drivers_view(analysis.drivers, "tg-t6", by="item", figures=analysis.figures)
    columns = _amount_columns(frame)
    assert columns["Endrede forutsetninger"] == ["1,25"] * 4 + ["\u22125,0", "\u22124,0",
                                                                "\u22124,0"]
    assert columns["Effektivisering"] == ["\u22121,5", "\u22124,5", "\u221211", "\u221217,0"]
    assert "Ny funksjonalitet / nye løsninger" not in frame.columns  # no item has one
    # Tabell 4 rounds to whole millions (l. 419): Helsenorge's 14 is not 14,0, its −8,6 stays.
    main = views.drivers_view(analysis.drivers, "tg-t4", figures=analysis.figures)
    helsenorge = main[main["Løsning"] == "Helsenorge"].iloc[0]
    assert helsenorge["Økte kostnader grunnet investeringer"] == "14"
    assert helsenorge["Tilbakeføring tidligere års midler"] == "\u22128,6"
    # Without the figures every column has one precision, as before.
    plain = _amount_columns(views.drivers_view(analysis.drivers, "tg-t6", by="item"))
    assert all(len({_decimals(c) for c in cells}) == 1 for cells in plain.values())
    # The percentages have one decimal.
    shares = main[main["Løsning"] == "I % av utgangsnivået"].iloc[0].tolist()[1:]
    assert shares and all(_decimals(s) == 1 for s in shares if s != "\u2013")


def test_problem_lists_show_each_figure_with_its_own_precision(analysis):
    from tbu_analysis.analysis.tolerance import DISCREPANCY

    frame = views.problems_view(analysis.reconciliation, DISCREPANCY)
    # Tabell 5: Drift og produksjon's 82,6 printed against 83,6 computed; Innhold's whole 23
    # against 22,1 (as the questions to NHN say: "trykt 23, beregnet 22,1"), not 23,0 or 83,60.
    assert {"82,6", "23"} <= set(frame["Trykt"]) and "23,0" not in set(frame["Trykt"])
    assert {"83,6", "22,1"} <= set(frame["Beregnet"])
    assert not any("," in c and c.endswith("0")  # no trailing zero after the comma
                   for c in [*frame["Trykt"], *frame["Beregnet"], *frame["Forskjell"]])
    assert len({_decimals(c) for c in frame["Toleranse"]}) == 1  # the rule's own column


@pytest.mark.parametrize(("title", "expected"), [
    ("Helsenorge- Vekst og reduksjon i drift- og forvaltningskostnader fra 2024 – 2025",
     "Helsenorge \u2013 Vekst og reduksjon i drift- og forvaltningskostnader fra 2024\u20132025"),
    ("E-resept - Vekst og reduksjon", "E-resept \u2013 Vekst og reduksjon"),
    ("Helse- og omsorgsdepartementet", "Helse- og omsorgsdepartementet"),
    ("Grunndata og HelseID", "Grunndata og HelseID"),
])
def test_titles_take_an_en_dash_between_their_parts(title, expected):
    assert title_text(title) == expected


def test_every_source_title_reads_without_a_loose_hyphen(manifest):
    import re

    for spec in manifest.tables:
        shown = title_text(views.table_caption(manifest, spec.id))
        assert not re.search(r"\w- [A-ZÆØÅ]| - ", shown), shown


def test_prose_numbers_group_thousands_with_a_no_break_space():
    assert group_thousands("øker fra 1 038 til 1 089, altså 51") == (
        f"øker fra 1{NB}038 til 1{NB}089, altså 51")
    assert group_thousands("1 088,2 og 12 345 678") == f"1{NB}088,2 og 12{NB}345{NB}678"
    # A year beside an amount is two numbers, not one.
    assert group_thousands("2023 325,0, 2024 343,6") == "2023 325,0, 2024 343,6"


def test_column_places_chooses_from_the_data():
    assert column_places([40.0, 38.1, None, 8]) == 1
    assert column_places([4, 50.0]) == 0
    assert column_places([1.25, 9.5], least=1) == 2


def test_one_footnote_per_text_under_a_table():
    frame = pd.DataFrame({"Post": ["Portal", "Kritisk info"], "Sum": ["34,6", "20,0"]})
    note = "Testuniverset er fordelt med 1,25 per aktivitet."
    text = committee.marks_note(frame, [(0, "Sum", note), (1, "Sum", note)])
    assert text.count(note) == 1 and text.count(committee.MARK) == 1
    assert "Portal, Sum; Kritisk info, Sum" in text


def test_a_level_the_source_prints_whole_is_shown_whole(analysis):
    """Helsenorge's 2023 forskrift is printed 325 (Notatets tabell 1): not «325,0» in its
    levels by year or in the growth table in fixed kroner; a level the source prints with a
    decimal keeps it (E-resept 2025: 192,0 in Tabell 7), a level computed here (nominal) has
    one decimal."""
    from tbu_analysis.reports import context

    ctx = context.load("2024-host")
    helsenorge = ctx.solution_levels_view("Helsenorge").iloc[0]
    assert [helsenorge[c] for c in ("2023", "2024", "2025", "2026")] == [
        "325", "343,6", "351", "373,6"]
    assert ctx.solution_levels_view("E-resept").iloc[0]["2025"] == "192,0"
    tables = dict(ctx.growth_sections())
    fixed = "Forskriftsbeløp / finansieringsbehov 2023–2024, faste 2024-kroner"
    nominal = "Forskriftsbeløp / finansieringsbehov 2023–2024, nominelle kroner"
    assert ctx.growth_decimals(fixed, tables[fixed]) == {
        "2023": 0, "2024": 1, views.CHANGE_COLUMN: 1, "Endring (%)": 1}
    assert ctx.growth_decimals(nominal, tables[nominal])["2023"] == 1
