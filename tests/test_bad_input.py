"""Bad input ends in one clear message (file, line, column, text), exit 2, and no damage.

Each test breaks one thing in a copy of the round, runs the real command line, and checks
that the earlier good output is left byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tbu_analysis.cli import main
from tbu_analysis.config import RoundPaths

ROUND_ID = "2024-host"
TABLES = Path("data/raw/2024-host/tables")


@pytest.fixture
def cleaned(tmp_round: RoundPaths, monkeypatch, capsys) -> tuple[RoundPaths, bytes]:
    """The copied round, cleaned once with good input; cwd is its repo."""
    monkeypatch.chdir(tmp_round.root)
    assert main(["clean", "--round", ROUND_ID]) == 0
    capsys.readouterr()
    return tmp_round, tmp_round.figures.read_bytes()


def fails(argv: list[str], capsys) -> str:
    """Run the CLI expecting bad input: exit 2, nothing on stdout, one line on stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("feil: ")
    return lines[0]


def edit_cell(path: Path, line: int, column: int, text: str) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line - 1].split("\t")
    old, cells[column] = cells[column], text
    lines[line - 1] = "\t".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    return old


def edit_line(path: Path, line: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence; return its 1-based line."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def clean_fails(paths: RoundPaths, before: bytes, capsys) -> str:
    message = fails(["clean", "--round", ROUND_ID], capsys)
    assert paths.figures.read_bytes() == before
    return message


def test_unparseable_number(cleaned, capsys):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-04.tsv"
    assert edit_cell(table, 5, 1, "13O,1") == "130,1"  # Kjernejournal forskrift 2024
    message = clean_fails(paths, before, capsys)
    assert str(TABLES / "tallgrunnlag-tabell-04.tsv") in message
    assert "linje 5" in message and "kolonne 1" in message and "'13O,1'" in message


def test_percent_sign_in_an_amount_row(cleaned, capsys):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-04.tsv"
    edit_cell(table, 4, 1, "344 %")
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-04.tsv" in message
    assert "linje 4" in message and "kolonne 1" in message and "'344 %'" in message


@pytest.mark.parametrize("change", ["more", "fewer"])
def test_row_with_wrong_number_of_cells(cleaned, capsys, change):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-03.tsv"
    row = table.read_text(encoding="utf-8").split("\n")[3]  # Kjernejournal
    assert row.startswith("Kjernejournal\t")
    edited = row + "\t7" if change == "more" else row.rsplit("\t", 1)[0]
    edit_line(table, 4, edited)
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-03.tsv" in message and "linje 4" in message
    assert ("6 celler" if change == "more" else "4 celler") in message
    assert "overskriften har 5" in message
    assert repr(edited) in message


def test_unknown_solution_in_a_summary_table(cleaned, capsys):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-03.tsv"
    assert edit_cell(table, 5, 0, "E-reseptt") == "E-resept"
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-03.tsv" in message
    assert "linje 5" in message and "kolonne 0" in message and "'E-reseptt'" in message
    assert "names.csv" in message  # tells where to add the name


def test_unknown_item_in_a_detail_table(cleaned, capsys):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-08.tsv"
    old = edit_cell(table, 5, 0, "Virksomheter")
    assert old == "Virksomhet"
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-08.tsv" in message and "linje 5" in message
    assert "kolonne 0" in message and "'Virksomheter'" in message
    assert "Grunndata og HelseID" in message


def test_manifest_names_a_missing_file(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(
        paths.manifest,
        "file: tables/tallgrunnlag-tabell-04.tsv",
        "file: tables/tallgrunnlag-tabell-40.tsv",
    )
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "'tables/tallgrunnlag-tabell-40.tsv'" in message


def test_manifest_names_a_column_beyond_the_table(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(
        paths.manifest, "      4: {header: Estimat 2026,", "      9: {header: Estimat 2026,"
    )
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "kolonne 9 finnes ikke" in message and "notat-tabell-01.tsv" in message
    assert "'Estimat 2026'" in message


def test_manifest_header_does_not_match(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(
        paths.manifest, "1: {header: Forskrift 2023,", "1: {header: Forskrift 2022,"
    )
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "kolonne 1" in message and "'Forskrift 2022'" in message
    assert "Forskrift 2023" in message  # shows what is printed


def test_manifest_names_a_total_row_that_does_not_exist(cleaned, capsys):
    paths, before = cleaned
    replace_once(
        paths.manifest,
        "- row: Delsum Forskrivningsmodulene (FM og SFM)",
        "- row: Delsum Forskrivningsmodulen",
    )
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and "tallgrunnlag-tabell-07.tsv" in message
    assert "'Delsum Forskrivningsmodulen'" in message


@pytest.mark.parametrize("round_id", ["../x", "a/b", "..", "2024-host/../2024-host"])
def test_round_id_that_could_leave_data_raw(cleaned, capsys, round_id):
    paths, before = cleaned
    for command in ("clean", "analyse"):
        message = fails([command, "--round", round_id], capsys)
        assert "ugyldig runde-id" in message and repr(round_id) in message
    assert paths.figures.read_bytes() == before
    assert not (paths.root / "data" / "processed" / "growth.csv").exists()


def test_unknown_round(cleaned, capsys):
    paths, before = cleaned
    message = fails(["clean", "--round", "2099-var"], capsys)
    assert "'2099-var'" in message and "data/raw/2099-var" in message
    assert paths.figures.read_bytes() == before


def test_correction_that_does_not_match_the_raw_cell(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(
        paths.corrections, "as_printed: Kritisk info,", "as_printed: Kritisk informasjon,"
    )
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message
    correction_line = (
        paths.corrections.read_text(encoding="utf-8").split("\n").index("  - id: kj-etiketter") + 1
    )
    assert f"linje {correction_line}" in message and line > correction_line
    assert "tallgrunnlag-tabell-06.tsv linje 5 kolonne 0" in message
    assert "'Kritisk info'" in message and "Kritisk informasjon" in message


def test_correction_naming_a_cell_outside_the_table(cleaned, capsys):
    paths, before = cleaned
    replace_once(
        paths.corrections,
        '{line: 10, column: 1, as_printed: ""',
        '{line: 99, column: 1, as_printed: ""',
    )
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message and "linje 99" in message
    assert "tallgrunnlag-tabell-07.tsv" in message


def test_index_missing_a_year(cleaned, capsys):
    paths, _ = cleaned
    lines = paths.index.read_text(encoding="utf-8").split("\n")
    paths.index.write_text(lines[0] + "\n", encoding="utf-8")  # drop the 2023 row
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "index.csv" in message and "2023" in message
    for name in ("growth.csv", "reconciliation.csv", "levels.csv", f"tbu-{ROUND_ID}.xlsx"):
        assert not (paths.processed / name).exists(), name


def test_index_with_an_unreadable_rate(cleaned, capsys):
    paths, _ = cleaned
    text = paths.index.read_text(encoding="utf-8")
    paths.index.write_text(text.replace('"4,121"', '"4.121"'), encoding="utf-8")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "index.csv" in message and "linje 2" in message
    assert "kolonne rate_pct" in message and "'4.121'" in message
    assert not (paths.processed / "growth.csv").exists()


def test_bad_index_override_on_the_command_line(cleaned, capsys):
    paths, _ = cleaned
    message = fails(["analyse", "--round", ROUND_ID, "--index", "2023=fem"], capsys)
    assert "fem" in message
    assert not (paths.processed / "growth.csv").exists()


def test_analysis_left_untouched_by_a_failed_rerun(cleaned, capsys):
    paths, _ = cleaned
    assert main(["analyse", "--round", ROUND_ID]) == 0
    capsys.readouterr()
    outputs = {p.name: p.read_bytes() for p in paths.processed.iterdir()}
    paths.index.write_text("from_year,to_year,rate_pct,source\n", encoding="utf-8")
    fails(["analyse", "--round", ROUND_ID], capsys)
    assert {p.name: p.read_bytes() for p in paths.processed.iterdir()} == outputs


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (
            "table: tg-t3, solution: Alle løsninger, measure: finansieringsbehov",
            "table: tg-t33, solution: Alle løsninger, measure: finansieringsbehov",
            "'tg-t33'",
        ),
        (
            "table: tg-t3, solution: Alle løsninger, measure: finansieringsbehov",
            "table: tg-t3, solution: Alle løsninger, item: Finnes ikke, "
            "measure: finansieringsbehov",
            "'Finnes ikke'",
        ),
    ],
)
def test_claim_naming_a_figure_that_does_not_exist(cleaned, capsys, old, new, shown):
    paths, before = cleaned
    line = replace_once(paths.claims, old, new)
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "claims.yaml" in message and f"linje {line}" in message and shown in message
    assert paths.figures.read_bytes() == before
    for name in ("growth.csv", "reconciliation.csv", f"tbu-{ROUND_ID}.xlsx"):
        assert not (paths.processed / name).exists(), name
