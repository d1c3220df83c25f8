"""The steps `make` runs for a round, as functions the notebooks and the CLI share."""

from __future__ import annotations

from pathlib import Path

from tbu_analysis.common.store import write_csv
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.cleaning import CleanResult, clean_round


def write_clean(paths: RoundPaths, result: CleanResult) -> list[Path]:
    """Write the cleaned round; everything is computed before the first file is replaced."""
    out = paths.processed
    return [
        write_csv(result.figures, out / "figures.csv"),
        write_csv(result.corrections, out / "corrections_applied.csv"),
        write_csv(result.log, out / "clean_log.csv"),
    ]


def run_clean(paths: RoundPaths) -> CleanResult:
    result = clean_round(paths)
    write_clean(paths, result)
    return result
