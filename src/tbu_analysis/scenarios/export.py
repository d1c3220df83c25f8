"""The scenario's workbook: the report's tables, and key against key, beside the PDF."""

from __future__ import annotations

from pathlib import Path

from tbu_analysis.config import RoundPaths
from tbu_analysis.scenarios import comparison, tables
from tbu_analysis.scenarios.files import load_baseline, load_index
from tbu_analysis.scenarios.model import Scenario
from tbu_analysis.scenarios.projection import compute


def write_scenario_workbook(scenario: Scenario, paths: RoundPaths, target: str | Path) -> Path:
    """Compute the scenario against the round and write its tables to ``target`` (.xlsx)."""
    baseline = load_baseline(paths.round_id, paths.root)
    index = load_index(paths.round_id, paths.root)
    result = compute(scenario, baseline, index)
    keys = comparison.for_scenario(result, baseline, index)
    return tables.write_workbook(tables.export_tables(result, keys), target)
