"""The analysis of one round: index adjustment, growth, drivers and reconciliation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tbu_analysis.analysis import growth
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.reconciliation import reconcile
from tbu_analysis.common.inputs import read_text
from tbu_analysis.common.store import write_csv, write_excel
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import Manifest, load_manifest
from tbu_analysis.rounds.schema import read_figures


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


def load_claims_checks(paths: RoundPaths, figures: pd.DataFrame) -> pd.DataFrame | None:
    if not paths.claims.is_file():
        return None
    from tbu_analysis.analysis.claims import evaluate_claims, load_claims

    manifest = load_manifest(paths.manifest)
    source = manifest.source.get("file")
    source_path = paths.root / source if source else None
    text = read_text(source_path, "kildefilen") if source_path and source_path.is_file() \
        else None  # every quote must stand in the source, where the round ships it
    claims = load_claims(paths.claims, figures, source_text=text, manifest=manifest)
    return evaluate_claims(claims, figures)


def _inputs_signature(paths: RoundPaths) -> tuple:
    files = [*sorted(paths.raw.rglob("*")), paths.names, paths.index, paths.figures]
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())


_CACHE: dict[tuple, AnalysisResult] = {}


def analyse(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
            price_year: int | None = None) -> AnalysisResult:
    """Everything computed, nothing written: a failure leaves earlier outputs untouched.

    Cached per process while the inputs are unchanged: the notebooks of one report run share
    a kernel and so compute the analysis once.
    """
    rates = {int(k): float(v) for k, v in (index_rates or {}).items()}
    key = (str(paths.root), paths.round_id, tuple(sorted(rates.items())), price_year,
           _inputs_signature(paths))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _analyse(paths, rates, price_year)
    return _CACHE[key]


def _analyse(paths: RoundPaths, index_rates: Mapping[int, float],
             price_year: int | None) -> AnalysisResult:
    figures = read_figures(paths.figures)
    manifest = load_manifest(paths.manifest)
    index = PriceIndex.from_csv(paths.index)
    scenario = index.with_rates(index_rates or {})
    claims = load_claims_checks(paths, figures)
    return AnalysisResult(
        figures=figures,
        levels=growth.indexed_levels(figures, index, scenario, price_year),
        growth=growth.growth_table(figures, index, scenario, price_year),
        drivers=growth.drivers(figures),
        reconciliation=reconcile(figures, manifest, claims, paths.findings),
        index=index,
        scenario_index=scenario,
        manifest=manifest,
    )


def write_analysis(paths: RoundPaths, result: AnalysisResult) -> list[Path]:
    out = paths.processed
    written = [
        write_csv(result.levels, out / "levels.csv"),
        write_csv(result.growth, out / "growth.csv"),
        write_csv(result.drivers, out / "drivers.csv"),
        write_csv(result.reconciliation, out / "reconciliation.csv"),
    ]
    sheets = {"Tall": result.figures, "Nivåer": result.levels, "Vekst": result.growth,
              "Drivere": result.drivers, "Avstemming": result.reconciliation}
    for table in result.manifest.tables:
        sheets[f"{table.number} ({table.id})"] = result.figures[
            result.figures["table"] == table.id]
    written.append(write_excel(sheets, out / f"tbu-{paths.round_id}.xlsx"))
    return written
