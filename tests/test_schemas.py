"""Every output file is checked against its schema before it is written, and the README's data
dictionary is the one the schemas and the vocabulary give."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from tbu_analysis import vocab
from tbu_analysis.analysis import schemas
from tbu_analysis.analysis.analyse import write_analysis
from tbu_analysis.common.errors import InputError
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.schema import (
    CLEAN_LOG_SCHEMA,
    CORRECTIONS_APPLIED_SCHEMA,
    check_frame,
    validate_figures,
)


def test_the_real_outputs_pass_their_schemas(analysis):
    schemas.check_outputs(analysis)
    levels = analysis.levels
    funding_2025 = levels[(levels["series"] == "finansieringsbehov")
                          & (levels["solution"] == ALL_SOLUTIONS) & (levels["item"] == "")
                          & (levels["year"] == 2025)]
    assert funding_2025["value_mnok"].tolist() == [1054.0]  # the 2025 total of 1 054 MNOK
    # 600 checks of the tables and the claims, and 4 scope amounts no claim already checks
    assert len(analysis.reconciliation) == 604  # with VKP's 28,2 quoted (reader7 Q25)


def test_checking_changes_nothing(analysis):
    before = analysis.growth.copy()
    schemas.check_frame(schemas.GROWTH_SCHEMA, analysis.growth, "growth.csv")
    pd.testing.assert_frame_equal(analysis.growth, before)


def test_the_cleaners_logs_pass_their_schemas(project_root):
    from tbu_analysis.config import round_paths
    from tbu_analysis.rounds.cleaning import clean_round

    result = clean_round(round_paths("2024-host", project_root))
    check_frame(CORRECTIONS_APPLIED_SCHEMA, result.corrections, "corrections_applied.csv")
    check_frame(CLEAN_LOG_SCHEMA, result.log, "clean_log.csv")
    assert int(result.log["figures"].sum()) == 485


def _broken(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


def test_an_unknown_status_names_file_line_column_and_value(analysis):
    broken = _broken(analysis.reconciliation, 3, "status", "nesten")
    with pytest.raises(InputError) as caught:
        schemas.check_frame(schemas.RECONCILIATION_SCHEMA, broken, "reconciliation.csv")
    message = str(caught.value)
    assert message.startswith("reconciliation.csv, linje 5, kolonne status")
    assert "ukjent kode; Status har ok, rounding, unlikely_rounding, discrepancy" in message
    assert message.endswith("'nesten'")


def test_an_unknown_driver_is_refused(analysis):
    broken = _broken(analysis.drivers, 0, "category", "inflasjon")
    with pytest.raises(InputError, match=r"drivers\.csv, linje 2, kolonne category.*'inflasjon'"):
        schemas.check_frame(schemas.DRIVERS_SCHEMA, broken, "drivers.csv")


def test_a_growth_price_basis_outside_the_vocabulary_is_refused(analysis):
    broken = _broken(analysis.growth, 0, "price_basis", "faste kroner")
    with pytest.raises(InputError, match=r"kolonne price_basis.*'faste kroner'"):
        schemas.check_frame(schemas.GROWTH_SCHEMA, broken, "growth.csv")


def test_a_change_backwards_in_time_is_refused(analysis):
    broken = _broken(analysis.growth, 0, "to_year", 2020)
    with pytest.raises(InputError, match="growth.csv, linje 2: .*tidligere år til et senere$"):
        schemas.check_frame(schemas.GROWTH_SCHEMA, broken, "growth.csv")


def test_a_missing_or_mistyped_column_is_refused(analysis):
    with pytest.raises(InputError, match="levels.csv, kolonne fixed_price_year: .*mangler"):
        schemas.check_frame(schemas.LEVELS_SCHEMA, analysis.levels.drop(columns="fixed_price_year"),
                            "levels.csv")
    with pytest.raises(InputError, match="levels.csv, kolonne extra: .*hører ikke til fila"):
        schemas.check_frame(schemas.LEVELS_SCHEMA, analysis.levels.assign(extra=1), "levels.csv")
    mistyped = analysis.levels.assign(year=analysis.levels["year"].astype(float))
    with pytest.raises(InputError, match="levels.csv, kolonne year: .*int64: 'float64'"):
        schemas.check_frame(schemas.LEVELS_SCHEMA, mistyped, "levels.csv")


def test_an_empty_amount_is_refused(analysis):
    broken = _broken(analysis.drivers, 4, "value_mnok", float("nan"))
    with pytest.raises(InputError, match="drivers.csv, linje 6, kolonne value_mnok: .*tom verdi"):
        schemas.check_frame(schemas.DRIVERS_SCHEMA, broken, "drivers.csv")


def test_a_check_id_given_twice_is_refused(analysis):
    checks = analysis.reconciliation
    broken = _broken(checks, 1, "check_id", checks.loc[0, "check_id"])
    with pytest.raises(InputError, match="linje 3, kolonne check_id: .*finnes fra før"):
        schemas.check_frame(schemas.RECONCILIATION_SCHEMA, broken, "reconciliation.csv")


def test_an_explained_check_that_holds_is_refused(analysis):
    checks = analysis.reconciliation
    ok = int(checks.index[checks["status"] == "ok"][0])
    broken = _broken(checks, ok, "explanation", "forklart")
    with pytest.raises(InputError, match="bare et avvik kan ha en forklaring"):
        schemas.check_frame(schemas.RECONCILIATION_SCHEMA, broken, "reconciliation.csv")


def test_a_broken_output_writes_nothing(analysis, tmp_round):
    broken = dataclasses.replace(
        analysis, reconciliation=_broken(analysis.reconciliation, 0, "check_type", "gjett"))
    with pytest.raises(InputError, match="reconciliation.csv.*'gjett'"):
        write_analysis(tmp_round, broken)
    assert not any(tmp_round.processed.glob("*")) if tmp_round.processed.exists() else True


def test_figures_refuse_a_table_role_outside_the_vocabulary(figures):
    broken = _broken(figures, 0, "table_role", "detail")  # `detalj` misspelt in a manifest
    with pytest.raises(InputError, match=r"figures\.csv, linje 2, kolonne table_role.*'detail'"):
        validate_figures(broken)


def test_readme_data_dictionary_is_generated_from_the_schemas(project_root):
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    assert schemas.readme_section(readme) == schemas.data_dictionary(), (
        "README's data dictionary is stale: run "
        "`.venv/bin/python -m tbu_analysis.analysis.schemas --write README.md`")


def test_every_output_column_and_code_is_documented():
    text = schemas.data_dictionary()
    for schema in schemas.OUTPUT_SCHEMAS:
        assert f"### `{schema.name}`" in text
        for name, column in schema.columns.items():
            assert column.description, f"{schema.name}: {name} has no description"
            assert f"| `{name}` |" in text
    for kind in vocab.VOCABULARIES:
        for member in kind:
            assert f"| `{member.value}` | {member.label} | {member.meaning} |" in text
    used = {name for schema in schemas.OUTPUT_SCHEMAS for name in schema.columns}
    assert set(vocab.FIELDS) <= used, f"described but in no output: {set(vocab.FIELDS) - used}"
