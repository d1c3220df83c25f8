"""The steps `make` runs for a round, as functions the CLI calls: the one producer of
``data/processed/<round>/``. The notebooks only read what these write.

Every input of the round (tables, manifest, names, corrections, claims, findings, index) is
read and checked in memory first; only then is anything written, and a stage's files are
published together (``common.store.OutputSet``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tbu_analysis.common.store import OutputSet, csv_bytes
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.cleaning import CleanResult, clean_round


@dataclass(frozen=True)
class PreparedRound:
    cleaned: CleanResult
    analysis: object  # analysis.analyse.AnalysisResult, with the run's index
    default_analysis: object  # with the shipped index (the same object when that is the run's)


def prepare_round(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                  price_year: int | None = None) -> PreparedRound:
    """Clean and analyse the round in memory, writing nothing: a bad value in any input
    (a table, claims.yaml, findings.yaml, the index) stops here, before the first file."""
    from tbu_analysis.analysis.analyse import analyse
    from tbu_analysis.analysis.check import CheckFailed, check_inputs, merge
    from tbu_analysis.common.errors import InputError

    # Every register, quote and rate first, each problem listed; then the cleaning and the
    # analysis, whose first problem joins the list. Nothing is written before all is sound.
    problems = check_inputs(paths)
    try:
        cleaned = clean_round(paths)
        figures = _as_written(cleaned)
        analysis = analyse(paths, index_rates, price_year, figures=figures)
        # The round's own analysis is rewritten with its figures, so it never lags behind.
        default = analysis if paths.analysis_dir(index_rates, price_year) == paths.processed \
            else analyse(paths, figures=figures)
    except InputError as error:
        raise CheckFailed(paths.round_id, merge(problems, [error]), paths.root) from None
    if problems:
        raise CheckFailed(paths.round_id, problems, paths.root)
    return PreparedRound(cleaned, analysis, default)


def _as_written(cleaned: CleanResult):
    """The figures as ``tbu analyse`` reads them back from figures.csv (same types), so the
    analysis checked here is the one later written."""
    from tbu_analysis.rounds.schema import read_figures

    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "figures.csv"
        staged.write_bytes(csv_bytes(cleaned.figures))
        return read_figures(staged)


def stage_clean(outputs: OutputSet, result: CleanResult) -> None:
    outputs.add_csv("figures.csv", result.figures)
    outputs.add_csv("corrections_applied.csv", result.corrections)
    outputs.add_csv("clean_log.csv", result.log)


def write_clean(paths: RoundPaths, result: CleanResult) -> list[Path]:
    """Publish the cleaned round's three files together."""
    with OutputSet(paths.processed) as outputs:
        stage_clean(outputs, result)
        return outputs.publish()


def run_clean(paths: RoundPaths) -> CleanResult:
    """`tbu clean`: check every input of the round, then write the cleaned figures."""
    prepared = prepare_round(paths)
    write_clean(paths, prepared.cleaned)
    return prepared.cleaned


def run_round_data(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                   price_year: int | None = None) -> PreparedRound:
    """The whole data stage (clean and analyse) checked first, then published."""
    prepared = prepare_round(paths, index_rates, price_year)
    publish_round_data(paths, prepared)
    return prepared


def publish_round_data(paths: RoundPaths, prepared: PreparedRound) -> None:
    """The cleaned figures and the shipped index's analysis as one set; another index's
    analysis in its own folder."""
    from tbu_analysis.analysis.analyse import stage_analysis, write_analysis

    with OutputSet(paths.processed) as outputs:
        stage_clean(outputs, prepared.cleaned)
        stage_analysis(outputs, paths, prepared.default_analysis)
        outputs.publish()
    if prepared.analysis is not prepared.default_analysis:
        write_analysis(paths, prepared.analysis)


def load_clean(paths: RoundPaths) -> CleanResult:
    """The published cleaning read back, for the notebooks (they read and narrate; only the
    CLI writes ``data/processed``)."""
    import pandas as pd

    from tbu_analysis.common.errors import InputError
    from tbu_analysis.rounds.manifest import load_manifest
    from tbu_analysis.rounds.schema import read_figures

    def published(name: str, **options) -> pd.DataFrame:
        path = paths.processed / name
        if not path.is_file():
            raise InputError("finner ikke den rensede runden; kjør `make data` først", path=path)
        return pd.read_csv(path, keep_default_na=False, **options)

    return CleanResult(figures=read_figures(paths.figures),
                       corrections=published("corrections_applied.csv", dtype=str),
                       log=published("clean_log.csv"),
                       manifest=load_manifest(paths.manifest))
