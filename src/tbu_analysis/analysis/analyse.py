"""The analysis of one round: index adjustment, growth, drivers and reconciliation.

In: the round's ``figures.csv`` (or the figures in memory), its manifest, claims, findings,
scope register and the index. Out: ``levels.csv``, ``growth.csv``, ``drivers.csv``,
``reconciliation.csv``, ``underlying.csv``, ``comparison.csv`` (since the last round), the
workbook and ``run.json`` (the index rates
and price year the outputs were made with), in the round's folder for the shipped index and
in a folder named by the rates otherwise.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from tbu_analysis.analysis import comparison, explanations, findings, growth, questions, scope
from tbu_analysis.analysis.claims import evaluate_claims, load_claims
from tbu_analysis.analysis.findings import read_register
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.reconciliation import reconcile
from tbu_analysis.analysis.schemas import COMPARISON_SCHEMA, check_outputs
from tbu_analysis.analysis.series import computed_once
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import read_text
from tbu_analysis.common.store import OutputSet, Sheet, decimals_format, default_formats
from tbu_analysis.config import OutputName, RoundPaths, round_paths
from tbu_analysis.rounds.cleaning import clean_round
from tbu_analysis.rounds.manifest import Manifest, load_manifest
from tbu_analysis.rounds.schema import check_frame, read_figures
from tbu_analysis.vocab import COLUMN_HEADINGS, FIGURE_DETAIL_SHEETS, SHEET_NAMES


@dataclass(frozen=True)
class AnalysisResult:
    figures: pd.DataFrame
    levels: pd.DataFrame
    growth: pd.DataFrame
    drivers: pd.DataFrame
    reconciliation: pd.DataFrame
    index: PriceIndex
    scenario_index: PriceIndex
    manifest: Manifest
    index_rates: Mapping[int, float] = field(default_factory=dict)  # the run's overrides
    price_year: int | None = None
    # growth split into index, scope changes and underlying growth (scope.yaml)
    underlying: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=scope.UNDERLYING_COLUMNS))
    # since the last round, at every level (comparison.csv)
    comparison: pd.DataFrame = field(default_factory=lambda: comparison.empty_comparison())


def load_claims_checks(paths: RoundPaths, figures: pd.DataFrame) -> pd.DataFrame | None:
    if not paths.claims.is_file():
        return None
    manifest = load_manifest(paths.manifest)
    source = manifest.source.get("file")
    source_path = paths.root / source if source else None
    text = read_text(source_path, "kildefilen") if source_path and source_path.is_file() \
        else None  # every quote must stand in the source, where the round ships it
    claims = load_claims(paths.claims, figures, source_text=text, manifest=manifest)
    return evaluate_claims(claims, figures)


def _inputs_signature(paths: RoundPaths) -> tuple:
    files = [*sorted(paths.raw.rglob("*")), paths.figures]  # names and index are in raw
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())


_CACHE: dict[tuple, AnalysisResult] = {}


def analyse(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
            price_year: int | None = None, figures: pd.DataFrame | None = None
            ) -> AnalysisResult:
    """Everything computed, nothing written: a failure leaves earlier outputs untouched.

    ``figures`` (the cleaned figures in memory) replaces reading ``figures.csv``, so every
    input of a round can be checked before the first file is written. Cached per process
    while the inputs are unchanged: the notebooks of one report run share a kernel and so
    compute the analysis once.
    """
    rates = {int(k): float(v) for k, v in (index_rates or {}).items()}
    if figures is not None:
        return _analyse(paths, rates, price_year, figures)
    key = _cache_key(paths, rates, price_year)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _analyse(paths, rates, price_year, read_figures(paths.figures))
    return _CACHE[key]


def _cache_key(paths: RoundPaths, rates: Mapping[int, float], price_year: int | None) -> tuple:
    """``rates`` as :func:`analyse` converted them (a result's ``index_rates`` are those)."""
    return (str(paths.root), paths.round_id, tuple(sorted(rates.items())), price_year,
            _inputs_signature(paths))


def remember(paths: RoundPaths, result: AnalysisResult) -> None:
    """Keep ``result``, the analysis of the round's inputs as they are now (the stored report
    model's, checked against them by content), as :func:`analyse`'s answer in this process:
    the kernel that has loaded the model does not analyse the round again."""
    _CACHE.clear()
    _CACHE[_cache_key(paths, result.index_rates, result.price_year)] = result


def _analyse(paths: RoundPaths, index_rates: Mapping[int, float],
             price_year: int | None, figures: pd.DataFrame) -> AnalysisResult:
    # the levels, the growth and the scope ask for the same series of the same figures
    with computed_once():
        return _analysed(paths, index_rates, price_year, figures)


def _analysed(paths: RoundPaths, index_rates: Mapping[int, float],
              price_year: int | None, figures: pd.DataFrame) -> AnalysisResult:
    manifest = load_manifest(paths.manifest)
    index = PriceIndex.from_csv(paths.index)
    scenario = index.with_rates(index_rates)
    register = read_register(paths.findings)  # a bad register fails before the analysis
    claims = load_claims_checks(paths, figures)
    levels = growth.indexed_levels(figures, index, scenario, price_year)
    entries = scope.load_scope(paths, figures)
    # the scope amounts the source prints are checked with the claims (one list of checks)
    checked = scope.scope_checks(entries, figures, paths.raw / scope.SCOPE_FILE, manifest,
                                 claims)
    if len(checked):
        claims = checked if claims is None else pd.concat([claims, checked],
                                                          ignore_index=True)
    drivers = growth.drivers(figures)
    underlying = scope.underlying_growth(levels, entries, path=paths.raw / scope.SCOPE_FILE)
    # the registers' entries the report's questions use, each used: refused here, not first
    # when the report is built
    findings.contradictions(paths)
    questions.check_pointers(explanations.load_pointers(paths), underlying, drivers,
                             paths.raw / explanations.EXPLANATIONS_FILE)
    return AnalysisResult(
        figures=figures,
        levels=levels,
        growth=growth.growth_table(figures, index, scenario, price_year),
        drivers=drivers,
        reconciliation=reconcile(figures, manifest, claims, paths.findings, register),
        index=index,
        scenario_index=scenario,
        manifest=manifest,
        index_rates=dict(index_rates),
        price_year=price_year,
        underlying=underlying,
        comparison=round_comparison(paths, manifest, figures, index),
    )


def round_comparison(paths: RoundPaths, manifest: Manifest, figures: pd.DataFrame,
                     index: PriceIndex) -> pd.DataFrame:
    """Since the last round, at every level, when the manifest names a previous round whose
    tables are in ``data/raw/`` (cleaned here from its own raw files, with its own index);
    else the columns only."""
    previous = None
    if manifest.previous_round and \
            (paths.project.raw / manifest.previous_round / "manifest.yaml").is_file():
        other = round_paths(manifest.previous_round, paths.root)
        previous = comparison.RoundSide(
            other.round_id, load_manifest(other.manifest).season, clean_round(other).figures,
            PriceIndex.from_csv(other.index))
    current = comparison.RoundSide(paths.round_id, manifest.season, figures, index)
    return comparison.comparison_for(current, previous)


def write_analysis(paths: RoundPaths, result: AnalysisResult) -> list[Path]:
    """Publish the analysis into its folder (see ``RoundPaths.analysis_dir``) as one set."""
    with OutputSet(paths.analysis_dir(result.index_rates, result.price_year)) as outputs:
        stage_analysis(outputs, paths, result)
        return outputs.publish()


def stage_analysis(outputs: OutputSet, paths: RoundPaths, result: AnalysisResult) -> None:
    check_outputs(result)  # every output against its schema before any is staged
    outputs.add_csv(OutputName.LEVELS, result.levels)
    outputs.add_csv(OutputName.GROWTH, result.growth)
    outputs.add_csv(OutputName.DRIVERS, result.drivers)
    outputs.add_csv(OutputName.RECONCILIATION, result.reconciliation)
    outputs.add_csv(OutputName.UNDERLYING, result.underlying)
    check_frame(COMPARISON_SCHEMA, result.comparison, OutputName.COMPARISON.value)
    outputs.add_csv(OutputName.COMPARISON, result.comparison)
    outputs.add_excel(paths.workbook_name, workbook_sheets(result))
    outputs.add_bytes(OutputName.RUN_RECORD, run_record(paths, result))


def index_used(result: AnalysisResult) -> pd.DataFrame:
    """The rates the run used, year by year, and where each came from."""
    rows = []
    for year in sorted(result.scenario_index.rates):
        overridden = year in result.index_rates
        rows.append({"from_year": year, "to_year": year + 1,
                     "rate_pct": float(result.scenario_index.rates[year]),
                     "source": "overstyrt i kjøringen (--index)" if overridden
                     else result.index.sources.get(year, "")})
    return pd.DataFrame(rows, columns=["from_year", "to_year", "rate_pct", "source"])


def run_record(paths: RoundPaths, result: AnalysisResult) -> bytes:
    """``run.json``: the round, the index rates every output of the folder was made with
    (shipped and overridden) and the price year."""
    record = {
        "round": paths.round_id,
        "index_overrides": {str(y): r for y, r in sorted(result.index_rates.items())},
        "index_rates": {str(y): float(r) for y, r in sorted(result.scenario_index.rates.items())},
        "price_year": result.price_year,
    }
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def workbook_sheets(result: AnalysisResult) -> dict[str, Sheet]:
    """The workbook: the long tables with number formats by printed precision, the index the
    run used, and one sheet per source table laid out as the source prints it."""
    sheets = {
        **figure_sheets(result.figures),
        SHEET_NAMES["levels"]: _long(result.levels, {c: "decimals" for c in
                                                     ("value_mnok", "nominal", "fixed",
                                                      "projected")}),
        SHEET_NAMES["growth"]: _long(result.growth),
        SHEET_NAMES["drivers"]: _long(result.drivers),
        SHEET_NAMES["reconciliation"]: _long(result.reconciliation),
        SHEET_NAMES["index"]: _long(index_used(result)),
        SHEET_NAMES["underlying"]: _long(result.underlying),
    }
    for table in result.manifest.tables:
        sheets[f"{table.number} ({table.id})"] = printed_table(result.figures, table)
    return sheets


#: A figure's place in the source: on every figure sheet (last on «Tall», first on the
#: others), so a row of one finds its row in the others.
FIGURE_KEY = ("table", "source_row", "source_col")
#: The 31 columns of ``figures.csv`` as three sheets a reader can print one page wide: what
#: a reader needs to find and use a figure («Tall»), how and where the source prints it, and
#: how the cleaning classified it. Every column is on one of them.
FIGURE_COLUMNS = ("table_number", "solution", "item", "measure", "category", "year",
                  "base_year", "value_mnok", "value_pct", "decimals", "is_total")
FIGURE_DETAILS = {
    "source": ("row_label", "label_as_printed", "text_as_printed", "footnote", "note",
               "source_file", "corrected", "correction_ids"),
    "classification": ("round", "table_role", "table_primary", "parent", "row_kind",
                       "column_role", "price_basis", "price_year", "nominal_year"),
}
#: Text columns wrap at this width (characters), so a figure sheet prints at a size that
#: can be read.
_WRAP_WIDTH = 24


def figure_sheets(figures: pd.DataFrame) -> dict[str, Sheet]:
    """The figures as «Tall» (with each value's printed decimals) and the sheets beside it;
    a column the list does not name goes on the last sheet, so nothing is left out."""
    key = [c for c in FIGURE_KEY if c in figures]
    shown = [c for c in FIGURE_COLUMNS if c in figures]
    parts = {kind: [c for c in columns if c in figures]
             for kind, columns in FIGURE_DETAILS.items()}
    named = {*key, *shown, *(c for columns in parts.values() for c in columns)}
    parts[list(parts)[-1]] += [c for c in figures.columns if c not in named]
    first = _long(figures[[*shown, *key]], {"value_mnok": "decimals", "value_pct": "decimals"})
    sheets = {SHEET_NAMES["figures"]: replace(first, decorate=_readable(frozen=3))}
    for kind, columns in parts.items():
        sheet = _long(figures[[*key, *columns]])
        sheets[FIGURE_DETAIL_SHEETS[kind]] = replace(sheet, decorate=_readable(len(key)))
    return sheets


def _readable(frozen: int):
    """A figure sheet's layout once written: long text wraps at ``_WRAP_WIDTH`` (its rows as
    high as their lines, which a spreadsheet does not work out when it opens the file), the
    first ``frozen`` columns stay in view, narrow margins (landscape, one page wide, the
    header on every page: ``store.excel_bytes``)."""

    def decorate(ws, header: int) -> None:
        wrapped, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
        lines = [1] * (ws.max_row + 1)
        for index in range(1, ws.max_column + 1):
            letter = get_column_letter(index)
            wraps = ws.column_dimensions[letter].width > _WRAP_WIDTH + 2
            if wraps:
                ws.column_dimensions[letter].width = _WRAP_WIDTH + 2
            for (cell,) in ws.iter_rows(min_row=header + 1, min_col=index, max_col=index):
                cell.alignment = wrapped if wraps else top  # a row's cells read as one line
                if wraps and cell.value is not None:  # wrapped at spaces, as a sheet does
                    lines[cell.row] = max(lines[cell.row], len(textwrap.wrap(
                        str(cell.value), _WRAP_WIDTH + 2, break_on_hyphens=False)))
        for row in range(header + 1, ws.max_row + 1):
            if lines[row] > 1:
                ws.row_dimensions[row].height = 15 * lines[row]
        ws.freeze_panes = f"{get_column_letter(frozen + 1)}{header + 1}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5

    return decorate


def _long(frame: pd.DataFrame, decimals_columns: Mapping[str, str] | None = None) -> Sheet:
    """A long table for a reader: Norwegian headings with their unit (``Beløp (mill.
    kroner)``, not ``value_mnok``); the CSV beside the workbook keeps the codes."""
    present = {c: d for c, d in (decimals_columns or {}).items() if c in frame and d in frame}
    formats = default_formats(frame, present)
    headings = {c: COLUMN_HEADINGS.get(c, c) for c in frame.columns}
    return Sheet(frame.rename(columns=headings), formats.rename(columns=headings))


def printed_table(figures: pd.DataFrame, table) -> Sheet:
    """One source table as printed: a row per printed row (in source order), the row label,
    then a column per printed column with its header; each number with its printed decimals.
    Blank cells of the source stay blank."""
    rows = figures[figures["table"] == table.id]
    columns = sorted(int(c) for c in rows["source_col"].unique())
    headers = {c: _header(table, c) for c in columns}
    for c in columns:  # two columns printed with one header stay two columns
        if list(headers.values()).count(headers[c]) > 1:
            headers[c] = f"{headers[c]} (kolonne {c})"
    order = rows.groupby("source_row")["row_label"].first().sort_index()
    values = pd.DataFrame(index=order.index, columns=columns, dtype=object)
    formats = pd.DataFrame("", index=order.index, columns=columns)
    for _, figure in rows.iterrows():
        value = figure["value_mnok"] if pd.notna(figure["value_mnok"]) else figure["value_pct"]
        values.loc[figure["source_row"], int(figure["source_col"])] = value
        formats.loc[figure["source_row"], int(figure["source_col"])] = decimals_format(
            figure["decimals"])
    label_header = "Rad" if not table.solution else table.solution
    frame = pd.concat([order.rename(label_header).to_frame(),
                       values.rename(columns=headers)], axis=1).reset_index(drop=True)
    cell_formats = pd.concat([pd.Series("", index=order.index, name=label_header).to_frame(),
                              formats.rename(columns=headers)], axis=1).reset_index(drop=True)
    return Sheet(frame, cell_formats)


def _header(table, column: int) -> str:
    spec = table.columns.get(column)
    header = collapse(getattr(spec, "header", "") or "") if spec else ""
    return header or f"Kolonne {column}"
