"""Stage 1's outputs: the cleaned round staged into ``data/processed/<round>/`` (published
together with the analysis by ``tbu_analysis.pipeline``) and read back for the notebooks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.store import OutputSet, csv_bytes
from tbu_analysis.config import OutputName, RoundPaths
from tbu_analysis.rounds.cleaning import CleanResult
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.schema import read_figures


def figures_as_written(cleaned: CleanResult) -> pd.DataFrame:
    """The figures as ``tbu analyse`` reads them back from figures.csv (same types), so the
    analysis checked before writing is the one later written."""
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / OutputName.FIGURES
        staged.write_bytes(csv_bytes(cleaned.figures))
        return read_figures(staged)


def stage_clean(outputs: OutputSet, result: CleanResult) -> None:
    outputs.add_csv(OutputName.FIGURES, result.figures)
    outputs.add_csv(OutputName.CORRECTIONS_APPLIED, result.corrections)
    outputs.add_csv(OutputName.CLEAN_LOG, result.log)


def write_clean(paths: RoundPaths, result: CleanResult) -> list[Path]:
    """Publish the cleaned round's three files together."""
    with OutputSet(paths.processed) as outputs:
        stage_clean(outputs, result)
        return outputs.publish()


def load_clean(paths: RoundPaths) -> CleanResult:
    """The published cleaning read back, for the notebooks (they read and narrate; only the
    CLI writes ``data/processed``)."""

    def published(name: str, **options) -> pd.DataFrame:
        path = paths.processed / name
        if not path.is_file():
            raise InputError("finner ikke den rensede runden; kjør `make data` først", path=path)
        return pd.read_csv(path, keep_default_na=False, **options)

    return CleanResult(figures=read_figures(paths.figures),
                       corrections=published(OutputName.CORRECTIONS_APPLIED, dtype=str),
                       log=published(OutputName.CLEAN_LOG),
                       manifest=load_manifest(paths.manifest))
