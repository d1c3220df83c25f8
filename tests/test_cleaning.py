"""The shipped round cleans to the figures the source prints, each traceable to its cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tbu_analysis.cli import main
from tbu_analysis.config import round_paths
from tbu_analysis.rounds.corrections import load_corrections
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import Measure

ROUND_ID = "2024-host"


@pytest.fixture(scope="module")
def shipped(project_root):
    return round_paths(ROUND_ID, project_root)


@pytest.fixture(scope="module")
def manifest(shipped):
    return load_manifest(shipped.manifest)


@pytest.fixture(scope="module")
def source_path(shipped, manifest) -> Path:
    path = (shipped.root / manifest.source["file"]).resolve()
    assert path.is_file(), f"kilden mangler: {manifest.source['file']}"
    return path


def pick(figures: pd.DataFrame, table: str, **keys) -> pd.DataFrame:
    rows = figures[figures["table"] == table]
    for key, value in keys.items():
        rows = rows[rows[key] == value]
    return rows


def one(figures: pd.DataFrame, table: str, **keys) -> pd.Series:
    rows = pick(figures, table, **keys)
    assert len(rows) == 1, f"{table} {keys}: {len(rows)} rader"
    return rows.iloc[0]


# --- real figures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column"),
    [("notat-t1", "value_mnok"), ("tg-t3", "value_mnok"), ("tg-t4", "value_mnok")],
)
def test_funding_need_2025_of_all_solutions_is_1054(figures, table, column):
    row = one(
        figures,
        table,
        solution=ALL_SOLUTIONS,
        measure="finansieringsbehov",
        year=2025,
        row_kind="total",
    )
    assert row[column] == 1054
    assert row["decimals"] == 0


def test_notat_sum_2025_keeps_its_annotation_apart_from_the_number(figures):
    row = one(figures, "notat-t1", solution=ALL_SOLUTIONS, measure="finansieringsbehov", year=2025)
    assert row["note"] == "Beløp korrigert for 34,5 mill. kr. i udisp. midler fra 2022/23"
    assert row["text_as_printed"].startswith("<b>1 054</b>")


def test_notat_table_1_sums_read_with_a_thousands_space(figures):
    sums = pick(figures, "notat-t1", solution=ALL_SOLUTIONS).set_index("year")["value_mnok"]
    assert sums.to_dict() == {2023: 941, 2024: 1038, 2025: 1054, 2026: 1076}


def test_kjernejournal_forskrift_2024_is_130_1(figures):
    growth = one(figures, "tg-t4", solution="Kjernejournal", measure="forskrift", year=2024)
    detail = one(
        figures,
        "tg-t6",
        solution="Kjernejournal",
        item="",
        measure="forskrift",
        year=2024,
        row_kind="total",
    )
    assert growth["value_mnok"] == detail["value_mnok"] == 130.1
    assert growth["decimals"] == detail["decimals"] == 1


def test_corrected_kjernejournal_labels_put_journaldokumenter_on_its_own_figures(figures):
    rows = pick(figures, "tg-t6", item="Pasientens journaldokumenter")
    assert one(rows, "tg-t6", measure="forskrift", year=2024)["value_mnok"] == 8.0
    investment = one(rows, "tg-t6", measure="endring", category="investeringer", year=2025)
    assert investment["value_mnok"] == 9.5
    assert rows["corrected"].all()
    assert set(rows["correction_ids"]) == {"kj-etiketter"}
    assert set(rows["label_as_printed"]) == {"Testunivers (syntetisk testdata)"}


def test_every_kjernejournal_item_row_is_marked_corrected_and_the_sum_is_not(figures):
    table = pick(figures, "tg-t6")
    items = table[table["row_kind"] == "item"]
    assert items["corrected"].all()
    assert (items["correction_ids"] == "kj-etiketter").all()
    assert not table[table["row_kind"] != "item"]["corrected"].any()
    assert list(dict.fromkeys(items["item"])) == [
        "Drift og produksjon",
        "Kjernejournal Portal",
        "Kritisk info",
        "Legemidler",
        "Pasientens journaldokumenter",
        "Testunivers (syntetiske testdata)",
        "Prinsipper for sentral og lokal lagring",
    ]
    # The last row lost its label in the extraction; the correction restores it.
    last = one(table, "tg-t6", item="Prinsipper for sentral og lokal lagring", measure="forskrift")
    assert (last["label_as_printed"], last["value_mnok"]) == ("", 4.0)


def test_forskrivningsmodulen_gets_the_forskrift_2024_amount(figures):
    fm = pick(figures, "tg-t7", item="Forskrivningsmodulen (FM)")
    assert one(fm, "tg-t7", measure="forskrift", year=2024)["value_mnok"] == 13.0
    assert one(fm, "tg-t7", category="effektivisering")["value_mnok"] == -0.6
    assert one(fm, "tg-t7", measure="kostnadsnivå", year=2025)["value_mnok"] == 12.4
    assert (fm["correction_ids"] == "fm-forskrift-2024").all()
    sfm = pick(figures, "tg-t7", item="Godkjenningsprosessen SFM")
    assert pick(sfm, "tg-t7", measure="forskrift").empty
    assert one(sfm, "tg-t7", category="investeringer")["value_mnok"] == 4


def test_blank_cells_are_absent_not_zero(figures):
    helsenorge = pick(figures, "tg-t4", solution="Helsenorge")
    assert pick(helsenorge, "tg-t4", category="ny_funksjonalitet").empty
    assert pick(helsenorge, "tg-t4", category="endrede_forutsetninger").empty
    # A printed zero is a figure: Tabell 6 prints 0,00 for ny funksjonalitet in its Sum row.
    printed_zero = one(
        figures, "tg-t6", row_kind="total", category="ny_funksjonalitet", measure="endring"
    )
    assert printed_zero["value_mnok"] == 0 and printed_zero["decimals"] == 2
    # Tabell 4: 7 amount rows × 10 columns, of which 46 cells print a number.
    amounts = pick(figures, "tg-t4")["value_mnok"]
    assert amounts.notna().sum() == 46


def test_percentages_are_in_their_own_rows(figures):
    percents = figures[figures["measure"] == Measure.VEKST_PROSENT]
    assert percents["value_mnok"].isna().all()
    assert percents["value_pct"].notna().all()
    assert (percents["row_kind"] == "percent").all()
    assert figures.loc[figures["measure"] != Measure.VEKST_PROSENT, "value_pct"].isna().all()
    efficiency = one(figures, "tg-t4", measure=Measure.VEKST_PROSENT, category="effektivisering")
    assert efficiency["value_pct"] == -4.9
    assert efficiency["text_as_printed"] == "-4,9 %"
    assert (
        one(figures, "tg-t4", measure=Measure.VEKST_PROSENT,
            category="finansieringsbehov")["value_pct"]
        == 1.5
    )


def test_padded_percentages_in_table_5_count_as_one_decimal(figures):
    row = one(figures, "tg-t5", measure=Measure.VEKST_PROSENT, category="effektivisering")
    assert (row["value_pct"], row["decimals"]) == (-5.2, 1)


def test_footnote_marks_are_recorded(figures):
    row = one(figures, "tg-t4", solution="E-resept", category="investeringer")
    assert (row["value_mnok"], row["footnote"], row["text_as_printed"]) == (54, "*", "54*")


# --- completeness and provenance -----------------------------------------------------------


def test_every_table_in_the_manifest_is_read(figures, manifest):
    ids = [t.id for t in manifest.tables]
    assert len(ids) == 12
    assert set(figures["table"]) == set(ids)
    counts = figures.groupby("table").size()
    assert (counts[ids] > 0).all()


def test_the_clean_log_lists_every_table(shipped, manifest):
    from tbu_analysis.rounds.cleaning import clean_round

    log = clean_round(shipped).log
    assert list(log["table"]) == [t.id for t in manifest.tables]
    assert log.set_index("table").loc["tg-t7", "corrected_figures"] == 7


def _raw_cell(root: Path, figure: pd.Series) -> str:
    path = root / figure["source_file"]
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[int(figure["source_row"]) - 1].split("\t")[int(figure["source_col"])]


def _corrected_cells(shipped) -> set[tuple[str, int, int]]:
    from tbu_analysis.rounds.cleaning import clean_round

    applied = clean_round(shipped).corrections
    return set(zip(applied["file"], applied["line"].astype(int), applied["column"].astype(int),
                   strict=True))


def test_corrections_resolve_to_the_cells_they_were_written_for(shipped):
    """Corrections name cells by row label and column header; they land on the raw lines and
    columns the source's extraction misplaced (Tabell 6 lines 4–10, Tabell 7 lines 9–10)."""
    from tbu_analysis.rounds.cleaning import clean_round

    applied = clean_round(shipped).corrections
    assert list(zip(applied["id"], applied["line"], applied["column"], strict=True)) == [
        *(("kj-etiketter", line, 0) for line in range(4, 11)),
        ("fm-forskrift-2024", 9, 1), ("fm-forskrift-2024", 10, 1)]


def test_corrections_survive_a_row_inserted_above(shipped, manifest):
    """A row inserted above the corrected rows (as in a copied round) moves their lines; the
    fixes still find their cells by label and header."""
    from tbu_analysis.rounds.corrections import apply_corrections
    from tbu_analysis.rounds.raw_tables import RawRow, read_raw_table

    spec = manifest.table("tg-t7")
    raw = read_raw_table(spec.file, spec.header_rows)
    inserted = RawRow(line=4, cells=("Ny aktivitet",) + ("",) * (raw.width - 1))
    shifted = raw.with_rows((inserted, *(RawRow(r.line + 1, r.cells) for r in raw.rows)))
    fixes = tuple(c for c in load_corrections(shipped.corrections) if c.table == "tg-t7")
    headers = {i: c.header for i, c in spec.columns.items()}
    table, touched, applied = apply_corrections(shifted, fixes, shipped.corrections, headers)
    assert [(a.line, a.column) for a in applied] == [(10, 1), (11, 1)]
    cells = {r.line: r.cells for r in table.rows}
    assert cells[10][1] == "" and cells[11][1] == "13,0"
    assert touched == {10: ["fm-forskrift-2024"], 11: ["fm-forskrift-2024"]}


def test_every_figure_points_to_the_raw_cell_it_was_read_from(figures, shipped):
    fixed = _corrected_cells(shipped)
    wrong = []
    for _, figure in figures.iterrows():
        key = (figure["source_file"], int(figure["source_row"]), int(figure["source_col"]))
        if key in fixed:
            continue  # checked by the test below
        if _raw_cell(shipped.root, figure) != figure["text_as_printed"]:
            wrong.append(key)
    assert not wrong
    assert len(figures) == 485


def test_text_as_printed_of_corrected_cell_matches_raw_cell(figures, shipped):
    """A figure moved by a correction still reports what its raw cell prints."""
    fixed = _corrected_cells(shipped)
    moved = [
        f
        for _, f in figures.iterrows()
        if (f["source_file"], int(f["source_row"]), int(f["source_col"])) in fixed
    ]
    assert moved, "the FM forskrift 2024 figure is read from a corrected cell"
    mismatched = [
        (
            f["source_file"],
            int(f["source_row"]),
            int(f["source_col"]),
            f["text_as_printed"],
            _raw_cell(shipped.root, f),
        )
        for f in moved
        if _raw_cell(shipped.root, f) != f["text_as_printed"]
    ]
    assert not mismatched


def test_labels_as_printed_are_the_raw_labels(figures, shipped):
    for _, figure in figures.drop_duplicates(["source_file", "source_row"]).iterrows():
        path = shipped.root / figure["source_file"]
        line = path.read_text(encoding="utf-8").split("\n")[int(figure["source_row"]) - 1]
        label = line.split("\t")[0].replace("<b>", "").replace("</b>", "")
        label = label.replace("<i>", "").replace("</i>", "").strip()
        assert label == figure["label_as_printed"]


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "printed", "solution", "item"),
    [
        ("tg-t4", "Grunndata og HelselID", "Grunndata og HelseID", ""),
        ("tg-t11", "Grunddata og HelselD", "Grunndata og HelseID", ""),
        ("tg-t4", "Helsenettet -VKP", "Helsenettet", "Velferdsteknologisk knutepunkt (VKP)"),
        (
            "tg-t4",
            "Helsenettet – eksterne- og felles tjenester",
            "Helsenettet",
            "Helsenettet eksterne og felles tjenester",
        ),
        ("notat-t1", "Helsenettet inkludert VKP", "Helsenettet", ""),
        ("tg-t9", "Sentral netverksinfrastruktur", "Helsenettet", "Sentral nettverksinfrastruktur"),
    ],
)
def test_misprinted_names_map_to_canonical_names(figures, table, printed, solution, item):
    rows = pick(figures, table, label_as_printed=printed)
    assert len(rows) > 0
    assert set(zip(rows["solution"], rows["item"], strict=True)) == {(solution, item)}


def test_grunndata_forskrift_agrees_across_misspellings(figures):
    value = one(figures, "tg-t4", solution="Grunndata og HelseID", measure="forskrift")
    level = one(
        figures, "tg-t11", solution="Grunndata og HelseID", measure="kostnadsnivå", year=2025
    )
    assert (value["value_mnok"], level["value_mnok"]) == (117.6, 117.8)


# --- determinism and verbatim raw tables ---------------------------------------------------


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_cleaning_twice_gives_byte_identical_figures(tmp_round, monkeypatch, capsys):
    monkeypatch.chdir(tmp_round.root)
    assert main(["clean", "--round", ROUND_ID]) == 0
    first = tmp_round.figures.read_bytes()
    tmp_round.figures.unlink()
    assert main(["clean", "--round", ROUND_ID]) == 0
    assert tmp_round.figures.read_bytes() == first
    assert "485 tall fra 12 tabeller" in capsys.readouterr().out
    written = pd.read_csv(tmp_round.figures, keep_default_na=False)
    assert len(written) == 485


def test_every_correction_quote_occurs_in_the_source(shipped, source_path):
    source = " ".join(source_path.read_text(encoding="utf-8").split())
    corrections = load_corrections(shipped.corrections)
    quotes = [e.quote for c in corrections for e in c.evidence]
    assert len(quotes) == 10
    missing = [q for q in quotes if " ".join(q.split()) not in source]
    assert not missing


def test_raw_tables_are_verbatim_source_lines(manifest, source_path):
    source = source_path.read_bytes().split(b"\n")
    for table in manifest.tables:
        first, last = table.lines
        expected = b"\n".join(source[first - 1 : last]) + b"\n"
        assert table.file.read_bytes() == expected, table.id


def test_source_matches_the_manifest_checksum(manifest, source_path):
    import hashlib

    assert hashlib.sha256(source_path.read_bytes()).hexdigest() == manifest.source["sha256"]
