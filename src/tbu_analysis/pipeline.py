"""The pipeline, stage after stage, as the command line and ``make`` run it:

    data/raw/<round>/   --clean (rounds)-->    figures.csv, corrections_applied.csv,
                                               clean_log.csv
    figures.csv         --analyse (analysis)-->  levels.csv, growth.csv, drivers.csv,
                                               reconciliation.csv, run.json, tbu-<round>.xlsx
    analysis            --model (reports.model)-->  report-model.pickle (every figure, table
                                               and note the reports show; no prose)
    report model        --notebooks (reports.execute)-->  reports/<round>/executed/*.ipynb
    executed notebooks  --PDF/HTML (reports.render)-->    reports/<round>/*.pdf, *.html

Every input of a round is read and checked in memory first (``prepare_round``); only then is
anything written, and a stage's files are published together (``common.store.OutputSet``).
This module is the only one that knows the order: no stage imports a later one (the layers
contract in ``pyproject.toml`` checks it). The notebook and PDF stages, and the scenarios, are
imported where they are run: they take about 2 s to import, which `tbu clean` and `tbu
analyse` (one process each under make) would otherwise pay for nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tbu_analysis.analysis.analyse import AnalysisResult, analyse, stage_analysis, write_analysis
from tbu_analysis.analysis.check import CheckFailed, check_inputs, merge
from tbu_analysis.analysis.series import computed_once
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.store import OutputSet
from tbu_analysis.config import RoundPaths, project_paths, round_paths
from tbu_analysis.rounds.cleaning import CleanResult, clean_round
from tbu_analysis.rounds.outputs import figures_as_written, stage_clean, write_clean

#: What hears of each notebook and PDF as it ends: (label, seconds).
OnStep = Callable[[str, float], None]

# --- stages 1 and 2: clean and analyse --------------------------------------------------------


@dataclass(frozen=True)
class PreparedRound:
    cleaned: CleanResult
    analysis: AnalysisResult  # with the run's index
    default_analysis: AnalysisResult  # with the shipped index (the same when that is the run's)


def prepare_round(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                  price_year: int | None = None) -> PreparedRound:
    """Clean and analyse the round in memory, writing nothing: every register, quote and
    rate is checked first, each problem listed (``analysis.check``); then the cleaning and
    the analysis, whose first problem joins the list. Nothing is written before all is
    sound."""
    problems = check_inputs(paths)
    try:
        cleaned = clean_round(paths)
        figures = figures_as_written(cleaned)
        analysis = analyse(paths, index_rates, price_year, figures=figures)
        # The round's own analysis is rewritten with its figures, so it never lags behind.
        default = analysis if paths.analysis_dir(index_rates, price_year) == paths.processed \
            else analyse(paths, figures=figures)
    except InputError as error:
        raise CheckFailed(paths.round_id, merge(problems, [error]), paths.root) from None
    if problems:
        raise CheckFailed(paths.round_id, problems, paths.root)
    return PreparedRound(cleaned, analysis, default)


def check_round(paths: RoundPaths) -> None:
    """`tbu check`: every problem of the round's inputs, or nothing; raises
    :class:`~tbu_analysis.analysis.check.CheckFailed`. Writes nothing."""
    prepare_round(paths)


def publish_round_data(paths: RoundPaths, prepared: PreparedRound) -> None:
    """The cleaned figures and the shipped index's analysis as one set; another index's
    analysis in its own folder."""
    with OutputSet(paths.processed) as outputs:
        stage_clean(outputs, prepared.cleaned)
        stage_analysis(outputs, paths, prepared.default_analysis)
        outputs.publish()
    if prepared.analysis is not prepared.default_analysis:
        write_analysis(paths, prepared.analysis)


def run_round_data(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                   price_year: int | None = None) -> PreparedRound:
    """The whole data stage (clean and analyse) checked first, then published."""
    prepared = prepare_round(paths, index_rates, price_year)
    publish_round_data(paths, prepared)
    return prepared


def run_clean(paths: RoundPaths) -> CleanResult:
    """`tbu clean`: check every input of the round (the analysis's too), then write the
    cleaned figures."""
    prepared = prepare_round(paths)
    write_clean(paths, prepared.cleaned)
    return prepared.cleaned


def run_clean_rounds(rounds: list[RoundPaths]) -> list[CleanResult]:
    """`tbu clean` over several rounds: every round checked (its analysis too) before any is
    published, so a broken second round leaves the first as it was."""
    prepared = [prepare_round(paths) for paths in rounds]
    for paths, data in zip(rounds, prepared, strict=True):
        write_clean(paths, data.cleaned)
    return [data.cleaned for data in prepared]


def run_analyse_rounds(rounds: list[RoundPaths], index_rates: Mapping[int, float] | None = None,
                       price_year: int | None = None) -> list[AnalysisResult]:
    """`tbu analyse` over several rounds: every round analysed before any is written."""
    results = [analyse(paths, index_rates, price_year) for paths in rounds]
    for paths, result in zip(rounds, results, strict=True):
        write_analysis(paths, result)
    return results


def run_analyse(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                price_year: int | None = None) -> AnalysisResult:
    """`tbu analyse`: the analysis of the published figures, into its folder."""
    result = analyse(paths, index_rates, price_year)
    write_analysis(paths, result)
    return result


# --- stage 3: the report model --------------------------------------------------------------


def run_model(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
              analysis: AnalysisResult | None = None) -> Path:
    """The round's report model from its published analysis, beside the processed data: the
    notebooks load it and only render. ``analysis`` is the run's own, just published (the
    model is built from it rather than by analysing the round a second time)."""
    from tbu_analysis.reports.model import build_report_model, write_report_model  # lazy

    return write_report_model(build_report_model(paths, index_rates, analysis), paths,
                              index_rates)


# --- stages 4 and 5: notebooks, then PDF and HTML ---------------------------------------------


def run_reports(rounds: list[RoundPaths], index_rates: Mapping[int, float] | None, *,
                data_ready: bool = False,
                progress: Callable[[RoundPaths], OnStep | None] = lambda paths: None,
                ) -> Iterator[tuple[RoundPaths, list[Path], list[str]]]:
    """`tbu report`: each round's notebooks and editions, one round after another, yielded
    as each is done with its PDFs and the notebooks that failed. Unless ``data_ready`` (make
    has run clean and analyse), every round is cleaned and analysed first, while the first
    round's kernel and PDF workers boot; every input of every round is checked before
    anything is written. Each round's report model is built before its first notebook.
    ``progress`` gives a round's listener to each step's time."""
    # lazy: see the module's docstring. The first round's kernel is started before the
    # notebook and PDF stages are imported, so it boots on the other core meanwhile.
    from tbu_analysis.reports.kernel import start_early

    early = start_early(rounds[0], index_rates) if rounds else None
    try:
        from tbu_analysis.reports import execute
    except BaseException:
        if early is not None:
            early.__exit__(None, None, None)
        raise
    gc.freeze()  # the stages' modules live as long as the run (see cli.py); the workers fork

    analyses: dict[str, AnalysisResult] = {}  # each round's analysis, once prepared here

    def prepare() -> None:
        prepared = [prepare_round(paths, index_rates) for paths in rounds]
        for paths, data in zip(rounds, prepared, strict=True):
            publish_round_data(paths, data)
            analyses[paths.round_id] = data.analysis

    def data_and_model(paths: RoundPaths, first: bool) -> Callable[[], None]:
        def step() -> None:
            # the model asks for the series the analysis has computed: computed once for both
            with computed_once():
                if first and not data_ready:
                    prepare()
                run_model(paths, index_rates, analyses.pop(paths.round_id, None))
        return step

    for number, paths in enumerate(rounds):
        log = execute.RunLog(on_step=progress(paths))
        pdfs = execute.run_round(paths, paths.project.notebooks, log, index_rates,
                                 before=data_and_model(paths, number == 0),
                                 kernel=early if number == 0 else None)
        yield paths, pdfs, log.failures


# --- beside the stages: a scenario against a round --------------------------------------------


def check_scenario(path: str | Path, paths: RoundPaths):
    """Read the scenario file and compute it once against the round's data, so every problem
    (units, years before the data, shares) stops the run with one message before any
    notebook or PDF is written. Returns the ``scenarios.model.Scenario``."""
    # lazy: see the module's docstring
    from tbu_analysis.scenarios.files import load_baseline, load_index, load_scenario
    from tbu_analysis.scenarios.projection import compute

    scenario = load_scenario(path, round_id=paths.round_id)
    compute(scenario, load_baseline(paths.round_id, paths.root),
            load_index(paths.round_id, paths.root))
    return scenario


def run_scenario(path: Path, round_id: str, root: Path | None = None
                 ) -> tuple[Path, Path] | None:
    """`tbu scenario`: the scenario checked against the round, its notebook run and rendered
    (``reports/scenarios/<round>/<name>.pdf`` and ``.html``) and its workbook beside the PDF; None
    when the notebook failed (it says why)."""
    from tbu_analysis.reports import execute  # lazy: see the module's docstring
    from tbu_analysis.scenarios.export import write_scenario_workbook

    paths = round_paths(round_id, root if root is not None else project_paths().root)
    scenario = check_scenario(path, paths)
    pdf = execute.run_scenario(path, round_id, paths.root, paths.project.notebooks,
                               execute.RunLog(), name=scenario.name)
    if pdf is None:
        return None
    return pdf, write_scenario_workbook(scenario, paths, pdf.with_suffix(".xlsx"))
