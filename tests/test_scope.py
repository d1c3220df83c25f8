"""Scope changes and underlying growth (issue 19 point 1): the register is checked against the
source and its tables, and growth splits into prisjustering, omfangsendringer and underliggende
vekst with the real figures of the autumn 2024 round."""

from __future__ import annotations

import pandas as pd
import pytest

from tbu_analysis.analysis import scope
from tbu_analysis.cli import main
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.names import ALL_SOLUTIONS

ROUND_ID = "2024-host"


@pytest.fixture(scope="module")
def underlying(analysis) -> pd.DataFrame:
    return analysis.underlying.set_index(["solution", "from_year", "to_year"])


def row(underlying: pd.DataFrame, solution: str, start: int, end: int) -> pd.Series:
    return underlying.loc[(solution, start, end)]


def test_register_has_every_change_the_source_lists(project_root, analysis):
    from tbu_analysis.config import round_paths

    entries = scope.load_scope(round_paths(ROUND_ID, project_root), analysis.figures)
    listed = {(e.year, e.listed) for e in entries if e.listed}
    # the note's Tabell 1, row «Nye tjenester i digital samhandling», mark for mark
    assert listed == {(2024, "+ VKP"), (2024, "+Journaldoks"), (2025, "+SFM"),
                      (2025, "-Måledata"), (2025, "Journaldok(økt)"), (2026, "+Prøvesvar")}
    by_id = {e.id: e for e in entries}
    assert by_id["felles-tjenester-ut"].value == 30.0
    assert by_id["fellesfunksjoner-kjernejournal"].amount is None  # unquantified, not invented
    assert not by_id["journaldokumenter-okt"].counted  # growth of a service already inside


def test_total_underlying_growth_per_pair(underlying):
    """Nominal = index + scope + underlying, with the round's real figures."""
    first = row(underlying, ALL_SOLUTIONS, 2023, 2024)
    # 941 is 2023 in 2024 kroner (justert med 4,121 %): nominal 2023 was 903,8
    assert first["from_nominal"] == pytest.approx(941 / 1.04121)
    assert first["nominal_mnok"] == pytest.approx(1038 - 941 / 1.04121)
    assert first["index_mnok"] == pytest.approx(941 - 941 / 1.04121)  # 37,2
    assert first["scope_mnok"] == pytest.approx(28.2 + 8)  # + VKP + Journaldoks
    assert first["underlying_mnok"] == pytest.approx(60.8)

    second = row(underlying, ALL_SOLUTIONS, 2024, 2025)
    assert second["nominal_mnok"] == pytest.approx(51)  # 1 038 → 1 089
    assert second["index_mnok"] == 0  # «Tall er ikke indeksregulert»: no rate is invented
    assert second["scope_mnok"] == pytest.approx(54 + 5 + 1.2 - 3)  # SFM, Helsenorge, …
    assert second["underlying_mnok"] == pytest.approx(-6.2)

    third = row(underlying, ALL_SOLUTIONS, 2025, 2026)
    assert third["nominal_mnok"] == pytest.approx(-13)  # 1 089 → 1 076
    assert third["scope_mnok"] == pytest.approx(17 - 30)  # + Prøvesvar, − felles tjenester
    assert third["underlying_mnok"] == pytest.approx(0)


@pytest.mark.parametrize(("solution", "start", "end", "scope_mnok", "underlying_mnok"), [
    ("E-resept", 2024, 2025, 54, -4.6),  # 142,6 → 192,0 with SFM's 54 entering
    ("Grunndata og HelseID", 2024, 2025, -1.8, 2.0),  # måledata −3, fødselsmelding +1,2
    ("Helsenorge", 2024, 2025, 5, 11.0),
    ("Helsenettet", 2024, 2025, 0, -3.7),  # the moves between its items net to zero
    ("Helsenettet", 2023, 2024, 28.2, 1.4),
    ("Kjernejournal", 2023, 2024, 8, 1.1),
    ("Helsenettet", 2025, 2026, -30, 0.0),  # 299,9 → 269,9 (Tabell 11's parts), 30 leaving
    ("Kjernejournal", 2025, 2026, 17, 0.0),  # 118,6 → 135,6 is Prøvesvar
    ("Helsenorge", 2025, 2026, 0, 14.0),
    ("Grunndata og HelseID", 2023, 2024, 0, 34.6),
])
def test_solution_underlying_growth(underlying, solution, start, end, scope_mnok,
                                    underlying_mnok):
    found = row(underlying, solution, start, end)
    assert found["scope_mnok"] == pytest.approx(scope_mnok)
    assert found["underlying_mnok"] == pytest.approx(underlying_mnok)
    assert found["nominal_mnok"] == pytest.approx(
        found["index_mnok"] + found["scope_mnok"] + found["underlying_mnok"])


def test_moves_and_announced_changes_are_shown_not_subtracted(underlying):
    helsenettet = row(underlying, "Helsenettet", 2024, 2025)
    assert set(helsenettet["other_ids"].split()) == {"soc-flytting", "apt-flytting"}
    kjernejournal = row(underlying, "Kjernejournal", 2025, 2026)
    assert kjernejournal["scope_ids"] == "provesvar-inn"
    assert "fellesfunksjoner-kjernejournal" in kjernejournal["other_ids"].split()


def test_underlying_csv_is_written(analysis, project_root):
    path = project_root / "data" / "processed" / ROUND_ID / "underlying.csv"
    from tbu_analysis.analysis.analyse import write_analysis
    from tbu_analysis.config import round_paths

    write_analysis(round_paths(ROUND_ID, project_root), analysis)
    written = pd.read_csv(path, keep_default_na=False)
    assert list(written.columns) == scope.UNDERLYING_COLUMNS
    assert len(written) == 18  # 5 solutions and the total × 3 pairs


# --- bad registers stop `tbu analyse` with one message ------------------------------------


@pytest.fixture
def cleaned(cleaned_round: RoundPaths) -> RoundPaths:
    return cleaned_round


def analyse_fails(capsys) -> str:
    assert main(["analyse", "--round", ROUND_ID]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().split("\n")) == 1, err
    return err


def edit(paths: RoundPaths, old: str, new: str) -> int:
    path = paths.raw / scope.SCOPE_FILE
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text[:at].count("\n") + 1


def test_amount_that_disagrees_with_the_tables(cleaned, capsys):
    line = edit(cleaned, 'amount: "28,2"', 'amount: "29,2"')
    message = analyse_fails(capsys)
    assert "scope.yaml" in message and f"linje {line}" in message and "29,2" in message
    assert not (cleaned.processed / "underlying.csv").exists()


def test_the_scope_amounts_are_checks_of_the_reconciliation(analysis):
    """Every scope amount the source prints is checked with the other checks; one a claim
    already checks against the same figures is not checked twice."""
    rows = analysis.reconciliation[analysis.reconciliation["check_id"].str.startswith(
        f"{scope.CHECK_PREFIX}:")]
    # VKP's 28,2 is quoted from Tabell 4's Forskrift 2024 column (reader7 Q25) and checked
    # against Tabell 9; the 5.5 claim checks the text's rounded 28, another printed value
    assert set(rows["check_id"]) == {"omfang:sfm-inn", "omfang:maledata-ut",
                                     "omfang:helsenorge-oppdrag-inn", "omfang:vkp-inn"}
    assert (rows["status"] == "ok").all()
    maledata = rows[rows["check_id"] == "omfang:maledata-ut"].iloc[0]
    assert (maledata["printed"], maledata["computed"]) == (3, 3)  # 9 out less the 6 in


def test_a_printed_scope_amount_the_tables_do_not_give_is_a_deviation(cleaned, capsys):
    """The source's own word stays (no input error), and the reconciliation reports it, with
    no claim covering the same figure."""
    edit(cleaned, "category: endret_finansieringskilde, year: 2025}\n    quote: For Helsenorge",
         "category: volum_beredskap, year: 2025}\n    quote: For Helsenorge")
    assert main(["analyse", "--round", ROUND_ID]) == 0
    capsys.readouterr()
    checks = pd.read_csv(cleaned.processed / "reconciliation.csv")
    row = checks[checks["check_id"] == "omfang:helsenorge-oppdrag-inn"].iloc[0]
    assert row["status"] == "discrepancy" and row["printed"] == 5
    assert row["computed"] == pytest.approx(14.9)  # Helsenorge's volum / beredskap 2025


def test_quote_not_in_the_source(cleaned, capsys):
    edit(cleaned, "vil da bli 54 mill. kroner.", "vil da bli 55 mill. kroner.")
    assert "sitatet finnes ikke i kilden" in analyse_fails(capsys)


def test_a_listed_service_without_an_entry(cleaned, capsys):
    edit(cleaned, '    listed: "+Prøvesvar"\n', "")
    message = analyse_fails(capsys)
    assert "notat-tabell-01.tsv" in message and "+Prøvesvar" in message


def test_an_amount_neither_in_the_quote_nor_in_the_tables(cleaned, capsys):
    entry = edit(cleaned, "- id: fodselsmelding-ut-mulig", "- id: fodselsmelding-ut-mulig")
    edit(cleaned, 'amount: "5"\n    counted: false', 'amount: "6"\n    counted: false')
    message = analyse_fails(capsys)
    assert f"linje {entry}" in message and "står ikke i sitatet" in message
