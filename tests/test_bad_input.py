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
def cleaned(cleaned_round: RoundPaths) -> tuple[RoundPaths, bytes]:
    """The copied round, cleaned once with good input; cwd is its repo."""
    return cleaned_round, cleaned_round.figures.read_bytes()


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
    line = replace_once(paths.corrections, 'as_printed: "13,0"', 'as_printed: "13,5"')
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message
    correction_line = (
        paths.corrections.read_text(encoding="utf-8").split("\n").index(
            "  - id: fm-forskrift-2024") + 1
    )
    assert f"linje {correction_line}" in message and line > correction_line
    assert "tallgrunnlag-tabell-07.tsv linje 9 kolonne 1" in message
    assert "'13,0'" in message and "13,5" in message


def test_correction_naming_a_row_that_does_not_exist(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.corrections, "row: Forskrivningsmodulen FM,",
                        "row: Forskrivningsmodulen XM,")
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message and f"linje {line}" in message
    assert "tallgrunnlag-tabell-07.tsv" in message and "'Forskrivningsmodulen XM'" in message


def test_correction_naming_a_column_that_does_not_exist(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.corrections, "column: Forskrift 2024,", "column: Forskrift 2042,")
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message and f"linje {line}" in message
    assert "'Forskrift 2042'" in message and "Forskrift 2024" in message  # what exists


def test_correction_whose_line_no_longer_names_its_row(cleaned, capsys):
    """The optional line is a cross-check: a label that now stands on another line is
    reported rather than silently corrected."""
    paths, before = cleaned
    line = replace_once(paths.corrections, "{row: Forskrivningsmodulen FM,",
                        "{row: Forskrivningsmodulen FM, line: 11,")
    message = clean_fails(paths, before, capsys)
    assert f"linje {line}" in message and "linje 10 i tallgrunnlag-tabell-07.tsv" in message
    assert "ikke linje 11" in message


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


@pytest.mark.slow  # `tbu analyse` twice
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


# --- one mechanism for every round input (issue 10 point 2, issue 11 points 7, 10–15) -------


def manifest_line(paths: RoundPaths, text: str) -> int:
    """The 1-based line of the first line of the manifest that contains ``text``."""
    lines = paths.manifest.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_manifest_table_role_outside_the_vocabulary(cleaned, capsys):
    """``role: detail`` (for ``detalj``) used to be accepted and dropped the table from the
    solution report; now it is refused with the allowed values."""
    paths, before = cleaned
    line = replace_once(paths.manifest, "role: detalj", "role: detail")
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "nøkkel tables[6].role" in message and "'detail'" in message
    for allowed in ("oversikt", "prognose", "overforte_midler", "vekst", "detalj"):
        assert allowed in message


def test_manifest_column_measure_outside_the_vocabulary(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.manifest, "measure: prognoseavvik", "measure: avvik")
    message = clean_fails(paths, before, capsys)
    assert f"linje {line}" in message and "'avvik'" in message
    assert "columns.4.measure" in message and "prognoseavvik" in message


@pytest.mark.parametrize(
    ("old", "new", "key", "shown"),
    [
        ("header_rows: 3", "header_rows: 0", "tables[5].header_rows", "må være ≥ 1"),
        ("rows_are: items", "rows_are: rader", "tables[6].rows_are", "'rader'"),
        ("percent_decimals: 1", "percent_decimals: en", "tables[6].percent_decimals",
         "må være et heltall"),
        ("lines: [73, 81]", "lines: [81, 73]", "tables[1].lines", "første linje"),
        ("season: høst", "season: haust", "season", "'haust'"),
    ],
)
def test_manifest_values_out_of_bounds(cleaned, capsys, old, new, key, shown):
    paths, before = cleaned
    line = replace_once(paths.manifest, old, new)
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert f"nøkkel {key}" in message and shown in message


def test_manifest_tables_that_are_not_a_list(cleaned, capsys):
    paths, before = cleaned
    text = paths.manifest.read_text(encoding="utf-8")
    paths.manifest.write_text(text[: text.index("tables:")] + "tables: 5\n", encoding="utf-8")
    message = clean_fails(paths, before, capsys)
    assert f"linje {manifest_line(paths, 'tables: 5')}" in message
    assert "nøkkel tables" in message and "må være en liste" in message


def test_manifest_unknown_key_names_the_allowed_ones(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.manifest, "    header_rows: 2\n", "    header_row: 2\n")
    message = clean_fails(paths, before, capsys)
    assert f"linje {line}" in message and "nøkkel tables[1].header_row" in message
    assert "ukjent nøkkel" in message and "header_rows" in message


@pytest.mark.parametrize("target", ["../../etc/passwd", "/etc/passwd", "../names.csv"])
def test_manifest_table_file_outside_the_round(cleaned, capsys, target):
    paths, before = cleaned
    line = replace_once(paths.manifest, "file: tables/tallgrunnlag-tabell-04.tsv",
                        f"file: {target}")
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "tables[5].file" in message and repr(target) in message
    assert "rundens mappe" in message


def test_manifest_source_checksum_is_checked(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.manifest, "sha256: 4fff", "sha256: 5fff")
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and "source.sha256" in message
    assert f"linje {line - 3}" in message  # the source entry's line
    assert "4fff594fb5c74351c97f94388d1aba875a472e655616c30fe2c72b16e20bcec4" in message


@pytest.mark.parametrize(("old", "new"), [
    ('date: "27.09.24"', 'date: "28.09.24"'),  # a date the quote does not give
    ('date_quote: "**Dato** 27.09.24"', 'date_quote: "Dato: 27.09.24"'),  # not the source's
])
def test_manifest_source_date_must_be_quoted_from_the_source(cleaned, capsys, old, new):
    """The cover prints the source's date: only a date the source itself gives (sources only)."""
    paths, before = cleaned
    replace_once(paths.manifest, old, new)
    source_line = paths.manifest.read_text(encoding="utf-8").split("\n").index("source:") + 1
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and "source.date_quote" in message
    assert "kildens dato" in message and f"linje {source_line}" in message


@pytest.mark.parametrize("target", ["data/raw/cost_sharing/alternativ-1.yaml", "/etc/passwd"])
def test_manifest_source_outside_the_round(cleaned, capsys, target):
    paths, before = cleaned
    line = replace_once(paths.manifest,
                        "file: data/raw/2024-host/source/000_0a93e98d5add182d.txt",
                        f"file: {target}")
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and "source.file" in message
    assert f"linje {line - 2}" in message and repr(target) in message
    assert "rundens mappe" in message


def test_edited_raw_table_no_longer_matches_the_source(cleaned, capsys):
    """A valid number typed over a raw cell is caught: the table is no longer the source's
    lines (corrections belong in corrections.yaml)."""
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-04.tsv"
    assert edit_cell(table, 5, 1, "131,1") == "130,1"
    message = clean_fails(paths, before, capsys)
    assert str(TABLES / "tallgrunnlag-tabell-04.tsv") in message and "linje 5" in message
    assert "linje 426 i kilden" in message and "131,1" in message


def test_manifest_line_range_that_does_not_match_the_table(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.manifest, "lines: [422, 432]", "lines: [421, 432]")
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-04.tsv" in message and "linje 1" in message
    assert "linje 421 i kilden" in message
    assert line > 0


def test_correction_line_that_is_not_a_number(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.corrections, "{column: label, as_printed: Kritisk info,",
                        "{line: abc, column: label, as_printed: Kritisk info,")
    message = clean_fails(paths, before, capsys)
    assert "corrections.yaml" in message and f"linje {line}" in message
    assert "nøkkel corrections[1].cells[2].line" in message
    assert "må være et heltall" in message and "'abc'" in message


def test_correction_with_an_unknown_key(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.corrections, "    reason: >-", "    grunn: x\n    reason: >-")
    message = clean_fails(paths, before, capsys)
    assert f"linje {line}" in message and "corrections[1].grunn" in message
    assert "ukjent nøkkel" in message


def _first_non_ascii_line(text: str) -> int:
    at = next(i for i, char in enumerate(text) if ord(char) > 127)
    return text[:at].count("\n") + 1


@pytest.mark.parametrize(
    ("relative", "command"),
    [
        ("data/raw/2024-host/tables/tallgrunnlag-tabell-04.tsv", "clean"),
        ("data/raw/2024-host/manifest.yaml", "clean"),
        ("data/raw/2024-host/corrections.yaml", "clean"),
        ("data/raw/2024-host/names.csv", "clean"),
        ("data/raw/2024-host/index.csv", "analyse"),
        ("data/raw/2024-host/claims.yaml", "analyse"),
        # read before the analysis computes anything (``findings.read_register``): cheap
        ("data/raw/2024-host/findings.yaml", "analyse"),
    ],
)
def test_latin1_input_is_one_message(cleaned, capsys, relative, command):
    paths, before = cleaned
    path = paths.root / relative
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    message = fails([command, "--round", ROUND_ID], capsys)
    assert relative in message and "ikke UTF-8" in message
    assert f"linje {_first_non_ascii_line(text)}" in message
    assert paths.figures.read_bytes() == before


@pytest.mark.parametrize("relative", ["data/raw/2024-host/tables/tallgrunnlag-tabell-03.tsv",
                                      "data/raw/2024-host/names.csv",
                                      "data/raw/2024-host/manifest.yaml"])
def test_random_bytes_are_one_message(cleaned, capsys, relative):
    paths, before = cleaned
    (paths.root / relative).write_bytes(bytes(range(256)) * 4)
    message = clean_fails(paths, before, capsys)
    assert relative in message and "linje" in message
    assert "nullbyte" in message or "ikke UTF-8" in message


def test_names_with_a_short_row(cleaned, capsys):
    paths, before = cleaned
    with paths.names.open("a", encoding="utf-8") as handle:
        handle.write(",Helsenorge.no\n")
    line = len(paths.names.read_text(encoding="utf-8").splitlines())
    message = clean_fails(paths, before, capsys)
    assert "names.csv" in message and f"linje {line}" in message
    assert "2 celler" in message and "'" + ",Helsenorge.no" + "'" in message


def test_names_sending_two_rows_of_one_table_to_one_item(cleaned, capsys):
    paths, before = cleaned
    text = paths.names.read_text(encoding="utf-8")
    paths.names.write_text(
        text.replace("Grunndata og HelseID,Virksomhet,Grunndata og HelseID,Virksomhet,",
                     "Grunndata og HelseID,Virksomhet,Grunndata og HelseID,Person,"),
        encoding="utf-8")
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-08.tsv" in message and "linje 5" in message
    assert "'Virksomhet'" in message and "linje 4" in message  # Person's row
    assert "Grunndata og HelseID / Person" in message and "names.csv" in message


@pytest.mark.slow  # `tbu clean` and `tbu analyse`: the data stage twice
def test_a_byte_order_mark_before_a_csv_header_is_read(cleaned, capsys):
    paths, before = cleaned
    for path in (paths.names, paths.index):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert main(["clean", "--round", ROUND_ID]) == 0
    assert main(["analyse", "--round", ROUND_ID]) == 0
    assert "560 stemmer, 13 avrundingsforskjell, 4 usannsynlig avrunding, 27 avvik" in \
        capsys.readouterr().out
    assert paths.figures.read_bytes() == before


def test_a_400_digit_cell_is_refused_not_written_as_inf(cleaned, capsys):
    paths, before = cleaned
    table = paths.raw / "tables" / "tallgrunnlag-tabell-04.tsv"
    edit_cell(table, 5, 1, "9" * 400)
    message = clean_fails(paths, before, capsys)
    assert "tallgrunnlag-tabell-04.tsv" in message and "linje 5" in message
    assert "kolonne 1" in message and "for mange sifre" in message


@pytest.mark.parametrize(("rate", "shown"), [("-100", "> -50"), ("250", "< 100")])
def test_index_rate_out_of_bounds(cleaned, capsys, rate, shown):
    paths, _ = cleaned
    text = paths.index.read_text(encoding="utf-8")
    paths.index.write_text(text.replace('"4,121"', f'"{rate}"'), encoding="utf-8")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "index.csv" in message and "linje 2" in message
    assert "kolonne rate_pct" in message and shown in message
    assert not (paths.processed / "growth.csv").exists()


@pytest.mark.parametrize("override", ["2023=-100", "2023=1000"])
def test_index_override_out_of_bounds(cleaned, capsys, override):
    paths, _ = cleaned
    message = fails(["analyse", "--round", ROUND_ID, "--index", override], capsys)
    assert "--index" in message and "mellom -50 og 100" in message
    assert not (paths.processed / "growth.csv").exists()


def test_yaml_alias_bomb_in_the_manifest_is_refused(cleaned, capsys):
    paths, before = cleaned
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    paths.manifest.write_text("\n".join(bomb) + "\n" + paths.manifest.read_text(
        encoding="utf-8"), encoding="utf-8")
    message = clean_fails(paths, before, capsys)
    assert "manifest.yaml" in message and "YAML-aliasene" in message


def test_findings_with_checks_that_are_not_a_list(cleaned, capsys):
    paths, _ = cleaned
    paths.findings.write_text("# x\nfindings:\n  - checks: tg-t5:rad:Plattform:2025\n"
                              "    explanation: tekst\n", encoding="utf-8")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "findings.yaml" in message and "linje 3" in message
    assert "nøkkel findings[1].checks" in message and "må være en liste" in message
    assert not (paths.processed / "reconciliation.csv").exists()


def test_findings_naming_a_check_that_holds(cleaned, capsys):
    paths, _ = cleaned
    paths.findings.write_text("findings:\n  - explanation: tekst\n"
                              "    checks: [tg-t4:rad:Helsenorge:kostnadsnivå 2025]\n",
                              encoding="utf-8")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "findings.yaml" in message and "linje 3" in message
    assert "'tg-t4:rad:Helsenorge:kostnadsnivå 2025'" in message and "foreldet" in message


def test_claim_with_a_document_outside_the_vocabulary(cleaned, capsys):
    paths, before = cleaned
    line = replace_once(paths.claims, "document: notat", "document: notatet")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert "claims.yaml" in message and f"linje {line}" in message
    assert "'notatet'" in message and "tallgrunnlag" in message
    assert paths.figures.read_bytes() == before


@pytest.mark.parametrize(("old", "new", "key", "message", "shown"), [
    ("    explanation: Sentral forskrivningsmodul (E-resept)\n",
     "    forklaring: Sentral forskrivningsmodul (E-resept)\n",
     "abbreviations[4].forklaring", "ukjent nøkkel (tillatt: quote, section, abbreviation, "
     "explanation, also)", None),
    ("    quote: Sentral forskrivningsmodul (SFM)\n",
     "    quote: Sentral forskrivningsmodul (SFMX)\n",
     "abbreviations[4].quote", "sitatet finnes ikke i kilden", "Sentral forskrivningsmodul (SFMX)"),
    ("  - abbreviation: FM\n", "  - abbreviation: SFM\n",
     None, "gjentatt forkortelse SFM (linje", None),
], ids=["unknown-key", "stale-quote", "twice"])
def test_bad_abbreviations_register(cleaned, capsys, old, new, key, message, shown):
    """abbreviations.yaml is checked like every register (review8 H1): one message with file,
    line, key and text, exit 2, the cleaned figures untouched."""
    paths, before = cleaned
    path = paths.raw / "abbreviations.yaml"
    line = replace_once(path, old, new)
    text = clean_fails(paths, before, capsys)
    assert "abbreviations.yaml" in text and message in text
    if key is not None:
        assert f"linje {line}" in text and f"nøkkel {key}" in text
    else:  # both entries' lines: the first, and the one the edit made a second
        first = path.read_text(encoding="utf-8").index("  - abbreviation: SFM\n")
        first_line = path.read_text(encoding="utf-8")[:first].count("\n") + 1
        assert f"(linje {first_line}, {line})" in text
    if shown is not None:
        assert f"'{shown}'" in text


# --- the findings register's readings and the explanations register's pointers (review 8 M1,
# M2): refused by `tbu check` and `tbu analyse`, with file, line and text, not first when the
# report is built

#: (register, text replaced, its replacement, line of the key below the replaced text's first,
#:  the message after «<file>, linje N, nøkkel »)
_BAD_ENTRIES = {
    # a reading's amount is read the project's way, then looked for in the statement
    "reading whose change is not a number": (
        "findings.yaml", 'change: "-6"', 'change: "abc"', 0,
        "readings[1].change: «abc» er ikke et tall: 'abc'"),
    "reading whose change is not in its statement": (
        "findings.yaml", 'change: "-6"', 'change: "1 054"', 0,
        "readings[1].change: beløpet 1 054 står ikke i utsagnet: '1 054'"),
    "reading that matches no contradiction": (
        "findings.yaml", "quantity: prognosen for 2024 for VKP",
        "quantity: prognosen for 2025 for VKP", 0,
        "quantity: kilden sier ikke to ulike ting om denne størrelsen: "
        "'prognosen for 2025 for VKP'"),
    "pointer naming an unknown solution": (
        "explanations.yaml", "  - solutions: [Helsenorge]", "  - solutions: [Helse Norge]", 0,
        "pointers[2].solutions[1]: løsningen står ikke i navnefilen (names.csv): 'Helse Norge'"),
    "pointer with its years reversed": (
        "explanations.yaml",
        "    from_year: 2023\n    to_year: 2024\n    statement: >-\n"
        "      Tallgrunnlaget gjengir også",
        "    from_year: 2023\n    to_year: 2022\n    statement: >-\n"
        "      Tallgrunnlaget gjengir også",
        1, "pointers[2].to_year: to_year må være etter from_year (2023): '2022'"),
    "pointer that no question uses": (
        "explanations.yaml",
        "  - solutions: [Helsenorge]\n    from_year: 2023\n    to_year: 2024",
        "  - solutions: [Helsenorge]\n    from_year: 2022\n    to_year: 2024", 0,
        "solutions: ingen spørsmål om underliggende vekst bruker denne pekeren (2022–2024): "
        "'Helsenorge'"),
}
#: The entries that need the run's checks or names are tried through both front doors.
_BOTH_COMMANDS = {"reading whose change is not a number", "reading that matches no contradiction",
                  "pointer naming an unknown solution", "pointer that no question uses"}


@pytest.mark.parametrize(("case", "command"), [
    (case, command) for case in _BAD_ENTRIES
    for command in (("check", "analyse") if case in _BOTH_COMMANDS else ("check",))])
def test_a_bad_reading_or_pointer_is_refused_with_its_line(cleaned, capsys, case, command):
    paths, before = cleaned
    register, old, new, below, tail = _BAD_ENTRIES[case]
    line = replace_once(paths.raw / register, old, new) + below
    message = fails([command, "--round", ROUND_ID], capsys)
    assert message.endswith(f"data/raw/{ROUND_ID}/{register}, linje {line}, nøkkel {tail}"), \
        message
    assert paths.figures.read_bytes() == before


def test_pointer_naming_a_solution_its_quotes_do_not(cleaned, capsys):
    """A solution is named by its names or its canonical items («HelseID» names Grunndata og
    HelseID), never by splitting its name on « og »."""
    paths, before = cleaned
    line = replace_once(paths.raw / "explanations.yaml", "  - solutions: [Helsenorge]",
                        "  - solutions: [Helsenorge, E-resept]")
    message = fails(["analyse", "--round", ROUND_ID], capsys)
    assert message.endswith(f"data/raw/{ROUND_ID}/explanations.yaml, linje {line}, nøkkel "
                            "pointers[2]: løsningen "
                            "E-resept står ikke i sitatene"), message
    assert paths.figures.read_bytes() == before
