"""The claims register: the shipped claims load, give the known outcomes, and bad input is named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tbu_analysis.analysis.claims import (
    RESULT_COLUMNS,
    evaluate_claims,
    load_claims,
)
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.config import round_paths
from tbu_analysis.rounds.cleaning import clean_round
from tbu_analysis.rounds.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"


@pytest.fixture(scope="module")
def paths():
    return round_paths(ROUND, root=ROOT)


@pytest.fixture(scope="module")
def figures(paths) -> pd.DataFrame:
    return clean_round(paths).figures


@pytest.fixture(scope="module")
def source_text(paths) -> str:
    source = (paths.root / load_manifest(paths.manifest).source["file"]).resolve()
    assert source.is_file(), f"kilden mangler: {source}"
    return source.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def claims(paths, figures):
    return load_claims(paths.claims, figures)


@pytest.fixture(scope="module")
def results(claims, figures) -> pd.DataFrame:
    return evaluate_claims(claims, figures).set_index("check_id", drop=False)


def test_results_have_the_shared_columns(results):
    assert list(results.columns) == RESULT_COLUMNS
    assert set(results["check_type"]) == {"påstand"}
    assert set(results["status"]) <= {"ok", "rounding", "discrepancy"}
    assert results["check_id"].is_unique


def test_every_quote_occurs_in_the_source(claims, source_text):
    text = collapse(source_text)
    missing = [c.id for c in claims if collapse(c.quote) not in text]
    assert missing == []


def test_every_value_is_printed_in_its_quote(claims):
    # "1.25" is printed with a decimal point; the register writes it Norwegian-style.
    for claim in claims:
        printed = claim.value_text.lstrip("-").replace(",25", ".25")
        assert printed in claim.quote.replace(",25", ".25"), claim.id


def test_headline_growth_in_forskrift_is_ok(results):
    assert results.loc["notat-3-forskrift-vekst-mnok", "status"] == "ok"
    assert results.loc["notat-3-forskrift-vekst-mnok", "computed"] == pytest.approx(16.0)
    assert results.loc["notat-3-forskrift-vekst-prosent", "status"] == "ok"
    assert results.loc["notat-3-forskrift-vekst-prosent", "computed"] == pytest.approx(
        100 * 16 / 1038)


def test_cost_growth_of_49_disagrees_with_the_cost_level(results):
    row = results.loc["notat-3-kostnadsvekst-mnok"]
    assert row["status"] == "discrepancy"
    assert row["computed"] == pytest.approx(51.0)
    assert row["difference"] == pytest.approx(-2.0)
    assert row["message"] == "Teksten sier 49 mill. kroner, tabellene gir 51,0 (avvik −2,0)."


def test_known_prose_conflicts_are_discrepancies(results):
    for claim_id, computed in [("tg-54-person-forskrift", 35.6),
                               ("tg-54-personell-forskrift", 29.0),
                               ("tg-51-okosystem-volum", 1.4),
                               ("tg-51-okosystem-effektivisering", 1.2)]:
        assert results.loc[claim_id, "status"] == "discrepancy", claim_id
        assert results.loc[claim_id, "computed"] == pytest.approx(computed), claim_id


def test_kjernejournal_118_5_is_a_discrepancy_against_118_6(results):
    # Both printed with one decimal: no value rounds half up to both 118,5 and 118,6, so a
    # difference of exactly 0,05 + 0,05 is not rounding.
    row = results.loc["notat-323-kjernejournal-kostnadsniva"]
    assert row["status"] == "discrepancy"
    assert row["difference"] == pytest.approx(-0.1)


def test_some_claims_are_rounding(results):
    assert (results["status"] == "rounding").any()


def test_claims_on_corrected_cells_are_marked(results):
    assert results.loc["tg-52-legemidler-effektivisering", "involves_correction"]
    assert not results.loc["notat-3-forskrift-vekst-mnok", "involves_correction"]


def test_table_columns_name_every_table_used(results):
    row = results.loc["notat-3-forskrift-vekst-prosent"]
    assert row["table"] == "tg-t3"
    assert row["table_number"] == "Tabell 3"
    assert row["solution"] == "Alle løsninger"


def test_source_check_in_loader(paths, figures, source_text):
    assert load_claims(paths.claims, figures, source_text=source_text)


# --- bad input ---------------------------------------------------------------------------

GOOD_TERM = "{table: tg-t3, solution: Alle løsninger, measure: forskrift, year: 2024}"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claims:\n"
        "  - id: test-claim\n"
        "    document: notat\n"
        "    section: 3 Test\n"
        "    quote: Beløpet på 1 038 mill. kroner, 35,6 mill. og 1,5 %\n"
        f"{body}",
        encoding="utf-8",
    )
    return path


def _error(path: Path, figures: pd.DataFrame) -> str:
    with pytest.raises(InputError) as info:
        load_claims(path, figures)
    return str(info.value)


def test_good_minimal_claim_loads(tmp_path, figures):
    path = _write(tmp_path, f'    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
                  f"      - {GOOD_TERM}\n")
    (claim,) = load_claims(path, figures)
    assert claim.terms[0].table == "tg-t3"


def test_unknown_table_names_file_and_line(tmp_path, figures):
    path = _write(tmp_path,
                  '    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
                  "      - {table: tg-t99, solution: Alle løsninger, measure: forskrift,"
                  " year: 2024}\n")
    message = _error(path, figures)
    assert str(path) in message
    assert "linje 10" in message
    assert "tg-t99" in message
    assert "tg-t3" in message  # what exists instead


def test_unknown_item_names_file_line_and_items(tmp_path, figures):
    path = _write(tmp_path,
                  '    value: "35,6"\n    unit: MNOK\n    equals: x\n    terms:\n'
                  "      - {table: tg-t8, solution: Grunndata og HelseID, item: Persn,"
                  " measure: forskrift, year: 2024}\n")
    message = _error(path, figures)
    assert str(path) in message
    assert "linje 10" in message
    assert "Persn" in message
    assert "«Person»" in message and "«Personell»" in message


def test_percent_without_of_names_file_and_line(tmp_path, figures):
    path = _write(tmp_path,
                  '    value: "1,5"\n    unit: prosent\n    equals: x\n    terms:\n'
                  f"      - {GOOD_TERM}\n")
    message = _error(path, figures)
    assert str(path) in message
    assert "linje 7" in message
    assert "of" in message


@pytest.mark.parametrize(("body", "line", "text"), [
    ('    value: "1 038"\n    unit: MNOK\n    equals: x\n    colour: red\n    terms:\n'
     f"      - {GOOD_TERM}\n", 9, "colour"),
    ('    value: "1 038"\n    unit: MNOK\n    terms:\n'
     f"      - {GOOD_TERM}\n", 2, "equals"),
    ('    value: "1 038"\n    unit: mill\n    equals: x\n    terms:\n'
     f"      - {GOOD_TERM}\n", 7, "mill"),
    ('    value: "tusen"\n    unit: MNOK\n    equals: x\n    terms:\n'
     f"      - {GOOD_TERM}\n", 6, "tusen"),
    ('    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
     "      - {table: tg-t3, solution: Alle løsninger, measure: forskrift, year: 2031}\n",
     10, "2031"),
    ('    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
     "      - {table: tg-t3, solution: Alle løsninger, measure: vekst, year: 2024}\n",
     10, "vekst"),
])
def test_other_bad_input_names_file_and_line(tmp_path, figures, body, line, text):
    message = _error(_write(tmp_path, body), figures)
    assert str(tmp_path / "claims.yaml") in message
    assert f"linje {line}" in message
    assert text in message


def test_quote_missing_from_source_is_an_error(tmp_path, figures):
    path = _write(tmp_path, f'    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
                  f"      - {GOOD_TERM}\n")
    with pytest.raises(InputError, match="sitatet finnes ikke"):
        load_claims(path, figures, source_text="en helt annen tekst")


def test_a_blank_total_cell_is_blamed_on_the_table_not_the_claim(paths, figures):
    """Figures cleaned from a table whose total cell is blank lack the total; the message
    points at that cell of the raw table, not at the claim that needs it."""
    total = (figures["table"] == "tg-t3") & (figures["solution"] == "Alle løsninger") \
        & (figures["measure"] == "finansieringsbehov") & (figures["year"] == 2025)
    assert figures.loc[total, "value_mnok"].tolist() == [1054.0]
    with pytest.raises(InputError) as info:
        load_claims(paths.claims, figures[~total], manifest=load_manifest(paths.manifest))
    message = str(info.value)
    assert message.startswith(str(paths.raw / "tables" / "tallgrunnlag-tabell-03.tsv"))
    assert "linje 8" in message and "kolonne 3" in message
    assert "«Sum»" in message and "er tom" in message and "claims.yaml" in message


def test_claim_value_with_a_percent_sign_in_an_amount(tmp_path, figures):
    path = _write(tmp_path, '    unit: MNOK\n    value: "4,5 %"\n    equals: x\n    terms:\n'
                  f"      - {GOOD_TERM}\n")
    message = _error(path, figures)
    assert "linje 7" in message and "'4,5 %'" in message and "enheten MNOK" in message


def test_duplicate_claim_ids_are_refused(tmp_path, figures):
    claim = (f'    value: "1 038"\n    unit: MNOK\n    equals: x\n    terms:\n'
             f"      - {GOOD_TERM}\n")
    path = _write(tmp_path, claim + "  - id: test-claim\n    document: notat\n"
                  "    section: 3 Test\n    quote: Beløpet 1 038\n" + claim)
    message = _error(path, figures)
    assert "linje 11" in message and "to ganger" in message and "'test-claim'" in message
