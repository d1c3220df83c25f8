"""Every round input is read through one mechanism (``common.inputs``): pydantic models with
unknown keys refused, fixed vocabularies and bounds, and one message naming file, line, key
and text. These tests exercise the models directly; ``test_bad_input`` runs the CLI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from tbu_analysis.analysis.claims import ClaimEntry, ClaimsFile, TermEntry
from tbu_analysis.analysis.findings import FindingEntry, FindingsFile, load_findings
from tbu_analysis.analysis.indexing import IndexRow, PriceIndex
from tbu_analysis.analysis.series import BillingUnitRow, load_billing_units
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_csv_models, load_yaml_model, read_text
from tbu_analysis.common.yamlio import parse_yaml
from tbu_analysis.rounds import manifest as manifest_module
from tbu_analysis.rounds.corrections import (
    CellEntry,
    CorrectionEntry,
    CorrectionsFile,
    EvidenceEntry,
    load_corrections,
)
from tbu_analysis.rounds.manifest import ManifestFile, load_manifest
from tbu_analysis.rounds.names import NameMap, NameRow

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
ROUND = RAW / "2024-host"

MODELS: list[type[BaseModel]] = [
    ManifestFile, manifest_module.TableSpec, manifest_module.ColumnSpec,
    manifest_module.PriceBasis, manifest_module.TotalSpec, manifest_module.IdentitySpec,
    manifest_module.AnnotationSpec, manifest_module.SourceEntry, CorrectionsFile,
    CorrectionEntry, CellEntry, EvidenceEntry, ClaimsFile, ClaimEntry, TermEntry, FindingsFile,
    FindingEntry, NameRow, IndexRow, BillingUnitRow,
]


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_round_input_model_refuses_unknown_keys_and_is_frozen(model):
    assert issubclass(model, InputModel)
    assert model.model_config["extra"] == "forbid" and model.model_config["frozen"]


# --- the shipped inputs load, with the numbers the source gives -----------------------------


def test_shipped_manifest_loads_every_table_with_lines():
    manifest = load_manifest(ROUND / "manifest.yaml")
    assert len(manifest.tables) == 12 and manifest.primary.id == "tg-t3"
    assert manifest.table("tg-t5").role == "detalj" and manifest.table("tg-t5").lines == (446, 460)
    column = manifest.table("notat-t1").columns[4]
    assert (column.header, column.measure, column.year) == ("Estimat 2026", "kostnadsnivå", 2026)
    assert column.line == 76 and manifest.table("notat-t1").line == 61
    assert manifest.source["sha256"].startswith("4fff594f") and manifest.source_line == 9
    # The note's own date, with the source's words for it (the cover prints it).
    assert manifest.source["date"] == "27.09.24"
    assert manifest.source["date_quote"] == "**Dato** 27.09.24"


def test_shipped_registers_load():
    corrections = load_corrections(ROUND / "corrections.yaml")
    assert [c.id for c in corrections] == ["kj-etiketter", "fm-forskrift-2024"]
    assert sum(len(c.cells) for c in corrections) == 9
    assert corrections[1].cells[1].corrected == "13,0"
    assert len(load_findings(ROUND / "findings.yaml").findings) == 12
    assert PriceIndex.from_csv(RAW / "2024-host" / "index.csv").rates == {2023: 4.121}
    names = NameMap.from_csv(RAW / "2024-host" / "names.csv")
    assert names.solutions[:2] == ("Helsenorge", "Kjernejournal")
    assert names.lookup("Grunddata og HelselD").solution == "Grunndata og HelseID"
    units = load_billing_units(RAW / "2024-host" / "billing_units.csv")
    assert len(units) == 6 and units["unit"].iloc[0] == "Helsenorge"


# --- the one message ------------------------------------------------------------------------


def test_read_text_names_the_line_and_column_of_the_first_bad_byte(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a,b\nø,1\n".encode("latin-1"))
    error = error_of(read_text, path)
    assert (error.path, error.line, error.column, error.text) == (path, 2, 1, "f8 2c 31 0a")


def test_read_text_drops_a_byte_order_mark(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n")
    assert read_text(path) == "a,b\n"


def test_csv_rows_with_a_byte_order_mark_and_their_lines(tmp_path):
    path = tmp_path / "index.csv"
    path.write_bytes(b"\xef\xbb\xbffrom_year,to_year,rate_pct,source\n\n"
                     b'2023,2024,"4,121",notat\n2024,2025,"3,5",x\n')
    rows = load_csv_models(path, IndexRow)
    assert [(line, row.from_year, row.rate_pct) for line, row in rows] == [
        (3, 2023, 4.121), (4, 2024, 3.5)]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('from_year,to_year,rate_pct,source\n2023,2024,"-100",x\n', 2, "rate_pct", "> -50"),
        ('from_year,to_year,rate_pct,source\n2023,2024,"100",x\n', 2, "rate_pct", "< 100"),
        ('from_year,to_year,rate_pct,source\n2023,2025,"4,1",x\n', 2, None, "det neste"),
        ('from_year,to_year,rate_pct,source\n1066,1067,"4,1",x\n', 2, "from_year", "≥ 2000"),
        ('from_year,to_year,rate_pct,source\n2023,2024,"",x\n', 2, "rate_pct", "mangler sats"),
        ('from_year,to_year,rate_pct,source\n2023,2024\n', 2, None, "2 celler"),
        ('from_year,to_year,rate_pct,source,kilde\n', 1, None, "ukjent kolonne"),
        ('from_year,rate_pct,source\n', 1, None, "to_year"),
        ('from_year,to_year,rate_pct,source\n2023,2024,"4,1",x\n2023,2024,"4,2",y\n', 3,
         "from_year", "to ganger"),
    ],
)
def test_malformed_index(tmp_path, text, line, column, message):
    error = error_of(PriceIndex.from_csv, write(tmp_path, "index.csv", text))
    assert error.path == tmp_path / "index.csv" and error.line == line
    assert error.column == column and message in str(error)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("scope,printed,solution,item,note\n,Helsenorge\n", 2, "2 celler"),
        ("scope,printed,solution,item\nHelsenorge,Innhold,Helsenorge,Innhold\n", 2,
         "ukjent løsning"),
        ("scope,printed,solution,item\n,Helsenorge,Helsenorge,\n,Helsenorge,Helsenorge,\n", 3,
         "to ganger"),
        ("scope,printed,solution,item\n,,Helsenorge,\n", 2, "kan ikke være tom"),
        ("scope,printed,item\n", 1, "solution"),
        ("scope,printed,solution,item\n,Helsenorge,Helsenorge,\n"
         "Helsenorgee,Innhold,Helsenorge,Innhold\n", 3, "ukjent scope"),
    ],
)
def test_malformed_names(tmp_path, text, line, message):
    error = error_of(NameMap.from_csv, write(tmp_path, "names.csv", text))
    assert error.path == tmp_path / "names.csv" and error.line == line and message in str(error)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("unit,solution,item,note\nHelsenorge\n", 2, "1 celler"),
        ("unit,solution,item,note\nA,Helsenorge,,\nA,Kjernejournal,,\n", 3, "to ganger"),
        ("unit,item\n", 1, "solution"),
        ("unit,solution,item,pris\n", 1, "ukjent kolonne"),
    ],
)
def test_malformed_billing_units(tmp_path, text, line, message):
    error = error_of(load_billing_units, write(tmp_path, "billing_units.csv", text))
    assert error.line == line and message in str(error)
    assert "billing_units.csv" in str(error)


def _manifest_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped manifest beside copies of its tables, with one edit."""
    import shutil

    shutil.copytree(ROUND / "tables", tmp_path / "tables")
    text = (ROUND / "manifest.yaml").read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, "manifest.yaml", text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("role: detalj", "role: detail", "tables[6].role", "tillatt: 'oversikt'"),
        ("    primary: true\n", "", "tables", "primary: true"),
        ("id: tg-t2\n", "id: tg-t1\n", "tables", "tg-t1 står to ganger"),
        ("base_column: 1", "base_column: 11", "tables[5].base_column", "ikke en av kolonnene"),
        ("{result: 4, parts: [3, -2]", "{result: 4, parts: [3, -6]", "tables[2].identities",
         "kolonne 6"),
        ("    solution: Helsenorge\n", "", "tables[6]", "«solution»"),
        ("{row: Sum, column: 3,", "{row: Sum, column: 7,", "tables[1].annotations",
         "kolonne 7"),
        ("header_rows: 2", "header_rows: 11", "tables[1].header_rows", "≤ 10"),
        ("forskrift, year: 2023", "forskrift, year: 23", "tables[1].columns.1.year", "≥ 2000"),
        ("forskrift, year: 2023", "forskrift, year: '2023'", "tables[1].columns.1.year", "heltall"),
        ("unit: MNOK", "unit: NOK", "unit", "MNOK"),
        ("sha256: 4fff", "sha256: xfff", "source.sha256", "ugyldig form"),
        ("    lines: [324, 331]\n", "", "tables", "tg-t1 mangler «lines»"),
    ],
)
def test_malformed_manifest(tmp_path, old, new, key, message):
    error = error_of(load_manifest, _manifest_with(tmp_path, old, new))
    assert error.path == tmp_path / "manifest.yaml" and error.line is not None
    assert error.key == key and message in str(error)


def test_a_table_file_linked_out_of_the_round_is_refused(tmp_path):
    path = _manifest_with(tmp_path, "file: tables/tallgrunnlag-tabell-04.tsv",
                          "file: tables/lenke.tsv")
    (tmp_path / "tables" / "lenke.tsv").symlink_to(RAW / "2024-host" / "names.csv")
    error = error_of(load_manifest, path)
    assert error.key == "tables[5].file" and "peker ut" in str(error)


def test_claim_entry_fields_in_the_order_they_are_checked():
    """``unit`` is checked against ``of`` and ``value`` against ``unit``: the order matters."""
    fields = list(ClaimEntry.model_fields)
    assert fields.index("of") < fields.index("unit") < fields.index("value")


def test_malformed_corrections(tmp_path):
    text = (ROUND / "corrections.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, "corrections.yaml",
                 text.replace("- id: fm-forskrift-2024", "- id: kj-etiketter"))
    error = error_of(load_corrections, path)
    assert error.key == "id" and "to ganger" in str(error) and error.text == "kj-etiketter"
    path = write(tmp_path, "corrections.yaml",
                 text.replace("{row: Godkjenningprosessen SFM, ", "{", 1))
    error = error_of(load_corrections, path)
    assert error.key == "corrections[2].cells[1]" and "«row»" in str(error)


def test_malformed_findings(tmp_path):
    path = write(tmp_path, "findings.yaml", "findings:\n  - checks: []\n    explanation: x\n")
    error = error_of(load_findings, path)
    assert error.line == 2 and error.key == "findings[1].checks" and "minst 1" in str(error)


def test_yaml_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    started = time.perf_counter()
    error = error_of(parse_yaml, "\n".join(lines), "bomb.yaml")
    assert "YAML-aliasene" in str(error) and "bomb.yaml" in str(error)
    assert time.perf_counter() - started < 30  # a bound on runaway, not a speed target


def test_a_few_aliases_are_still_allowed():
    data = parse_yaml("a: &a {x: 1}\nb: *a\nc: *a\n")
    assert data["b"] == data["c"] == {"x": 1}


def test_yaml_model_names_the_line_of_the_bad_key(tmp_path):
    path = write(tmp_path, "claims.yaml", "claims:\n  - id: a\n    document: brev\n")
    error = error_of(load_yaml_model, path, ClaimsFile)
    assert (error.line, error.key, error.text) == (3, "claims[1].document", "brev")
    assert "tillatt: 'notat', 'tallgrunnlag'" in str(error)


def test_check_ids_survive_a_row_inserted_above(tmp_path):
    """Check ids name cells by table, row label and column header: shifting every line of a
    table (a row inserted above it in a copied round) leaves the ids, and so the findings
    register, as they were."""
    from tbu_analysis.analysis.claims import evaluate_claims, load_claims
    from tbu_analysis.analysis.findings import attach_explanations
    from tbu_analysis.analysis.reconciliation import reconcile
    from tbu_analysis.config import round_paths
    from tbu_analysis.rounds.cleaning import clean_round

    paths = round_paths("2024-host", ROOT)
    figures = clean_round(paths).figures
    manifest = load_manifest(paths.manifest)
    shifted = figures.assign(source_row=figures["source_row"] + (figures["table"] == "tg-t5"))
    claims = evaluate_claims(load_claims(paths.claims, figures), figures)
    before, after = reconcile(figures, manifest, claims), reconcile(shifted, manifest, claims)
    assert before["check_id"].tolist() == after["check_id"].tolist()
    assert "tg-t5:rad:Plattform:Finansieringsbehov 2025**" in set(after["check_id"])
    explained = attach_explanations(after, paths.findings)
    plattform = explained.set_index("check_id").loc[
        "tg-t5:rad:Plattform:Finansieringsbehov 2025**"]
    assert "48,7" in plattform["explanation"]
    assert (explained["explanation"] != "").sum() == 28  # every discrepancy is explained


def test_two_columns_with_one_header_are_refused(tmp_path):
    error = error_of(load_manifest, _manifest_with(
        tmp_path, "2: {header: Forskrift 2024, measure: forskrift, year: 2024, role: value",
        "2: {header: Forskrift 2023, measure: forskrift, year: 2024, role: value"))
    assert error.key == "tables[1].columns" and "to kolonner" in str(error)


def test_a_term_category_outside_the_vocabulary_names_its_key(tmp_path):
    path = write(tmp_path, "claims.yaml", (
        "claims:\n  - id: a\n    document: notat\n    section: s\n    quote: q\n"
        "    equals: e\n    terms:\n"
        "      - {table: t, solution: s, measure: endring, category: foo, year: 2024}\n"
        "    unit: MNOK\n    value: \"1\"\n"))
    error = error_of(load_yaml_model, path, ClaimsFile)
    assert (error.line, error.key, error.text) == (8, "claims[1].terms[1].category", "foo")
    assert "'investeringer'" in str(error) and "'sum_endring'" in str(error)
