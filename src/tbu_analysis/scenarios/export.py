"""The scenario's workbook: the report's tables, and key against key, beside the PDF.

One builder (:func:`scenario_sheets`) for `make scenario` and the explorer's «Eksporter», so
the explorer's export of a scenario is the workbook `make scenario` writes for it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.config import RoundPaths
from tbu_analysis.scenarios import comparison, tables
from tbu_analysis.scenarios.files import load_baseline, load_index
from tbu_analysis.scenarios.model import Scenario
from tbu_analysis.scenarios.projection import compute


def scenario_sheets(scenario: Scenario, baseline: pd.DataFrame,
                    index: PriceIndex) -> dict[str, pd.DataFrame]:
    """Every sheet of the scenario's workbook: computed (and checked) against ``baseline``,
    with its key against ``sharing.compare_with`` on both bases."""
    result = compute(scenario, baseline, index)
    keys = comparison.for_scenario(result, baseline, index)
    return tables.export_tables(result, keys)


def write_scenario_workbook(scenario: Scenario, paths: RoundPaths, target: str | Path) -> Path:
    """Compute the scenario against the round and write its tables to ``target`` (.xlsx)."""
    baseline = load_baseline(paths.round_id, paths.root)
    index = load_index(paths.round_id, paths.root)
    return tables.write_workbook(scenario_sheets(scenario, baseline, index), target)
