"""Shared fixtures: the shipped 2024-host round, cleaned and analysed, and a disposable copy.

The cleaned figures are computed in memory so tests do not depend on ``make data`` having
run; the analysis reads ``data/processed`` (gitignored), so it is written first. Tests that
break input work on ``tmp_round``, a copy in a temporary repo, never on the shipped files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tbu_analysis.config import RoundPaths, round_paths

if TYPE_CHECKING:  # the stages import in the fixtures, so xdist's controller never loads them
    import pandas as pd

    from tbu_analysis.analysis.analyse import AnalysisResult
    from tbu_analysis.reports.model import ReportModel

ROUND_ID = "2024-host"
ROOT = Path(__file__).resolve().parents[1]

# Hypothesis: `make test` (CI) draws the full count of examples (hypothesis's default, or the
# count a test sets for itself); `make test-fast` sets HYPOTHESIS_PROFILE=fast and draws
# fewer. A test that sets its own count takes ``min(count, settings.default.max_examples)``.
settings.register_profile("full")
settings.register_profile("fast", max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))


def pdf_structure(reader) -> list[dict]:
    """Every structure element under /StructTreeRoot, in document order."""
    found: list[dict] = []

    def walk(node) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and kid.get("/Type") != "/MCR" and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    return found


def pytest_collection_modifyitems(items) -> None:
    """A test that reads the rendered round renders PDFs, whichever file it is in, and runs
    on the worker that rendered it (`--dist loadgroup`)."""
    for item in items:
        if "rendered_round" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.pdf)
            item.add_marker(pytest.mark.xdist_group("rendered_round"))


class _XdistGroups:
    """`--dist loadgroup` sends the tests of one ``xdist_group`` to one worker, so its module
    and session fixtures are built once. pytest-xdist 3.8 tells the scheduler a test's group
    by appending ``@group`` to ``item._nodeid``, which pytest 9 no longer reads (the id is
    ``item._id``): every group was silently spread over both workers. This appends it to the
    id pytest 9 reads; with an xdist that already did it, or without pytest's ``NodeId``, it
    does nothing."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items) -> None:
        try:
            from _pytest.nodeid import NodeId
        except ImportError:
            return
        if not getattr(config.option, "loadgroup", False):
            return
        for item in items:
            names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                            for mark in item.iter_markers("xdist_group")})
            if names and "@" not in item.nodeid and isinstance(getattr(item, "_id", None), NodeId):
                item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


def pytest_configure(config) -> None:
    config.pluginmanager.register(_XdistGroups(), "tbu-xdist-groups")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository: the folder holding pyproject.toml and data/raw."""
    return ROOT


@pytest.fixture(scope="session")
def figures(project_root: Path) -> pd.DataFrame:
    """The round's tidy figures, cleaned in memory from the raw tables."""
    from tbu_analysis.rounds.cleaning import clean_round

    return clean_round(round_paths(ROUND_ID, project_root)).figures


def _run_folder(tmp_path_factory) -> Path:
    """A folder for the whole run: xdist gives each worker its own basetemp inside the run's
    (``pytest-N/popen-gw0``), so the workers share the parent; a run without xdist has its own
    basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _built_once(tmp_path_factory, name: str):
    """Yield ``(folder, first)`` under a lock shared by the run's xdist workers: the first
    worker to arrive builds into ``folder`` (``first`` is true) while the others wait, then
    read what it built. A build that fails leaves no ``done`` mark, so the next one tries."""
    folder = _run_folder(tmp_path_factory) / name
    folder.mkdir(exist_ok=True)
    with open(folder.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = folder / "done"
            yield folder, not done.is_file()
            done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class _RoundData:
    analysis: AnalysisResult
    cleaned_template: RoundPaths


@pytest.fixture(scope="session")
def _round_data(tmp_path_factory, project_root: Path) -> _RoundData:
    """`tbu clean`'s run of the shipped round, once for all xdist workers: it analyses the
    round to check it and writes the cleaned figures to data/processed (ignored) and to a
    copy of the round (``cleaned_template``, the same bytes `tbu clean` writes there); its
    analysis is kept (pickled for the other workers) instead of analysing the written
    figures a second time."""
    from tbu_analysis.pipeline import prepare_round
    from tbu_analysis.rounds.outputs import write_clean

    paths = round_paths(ROUND_ID, project_root)
    with _built_once(tmp_path_factory, "tbu-round-data") as (folder, first):
        stored = folder / "analysis.pickle"
        template = folder / "cleaned"
        if first:
            prepared = prepare_round(paths)
            write_clean(paths, prepared.cleaned)
            write_clean(copy_round(template), prepared.cleaned)
            stored.write_bytes(pickle.dumps(prepared.default_analysis))
        analysis = pickle.loads(stored.read_bytes())  # noqa: S301 - this run's own file
    return _RoundData(analysis, round_paths(ROUND_ID, template))


@pytest.fixture(scope="session")
def analysis(_round_data: _RoundData) -> AnalysisResult:
    """The round's analysis with the shipped index: `tbu clean`'s run (it analyses the round
    to check it, then writes data/processed, which is ignored), its analysis kept instead of
    analysing the written figures a second time."""
    return _round_data.analysis


@pytest.fixture(scope="session")
def shipped_round_cleaned(analysis: AnalysisResult, project_root: Path) -> RoundPaths:
    """The shipped round with its cleaned figures in data/processed, as `tbu clean` writes
    them (the ``analysis`` fixture's run wrote them, once per session)."""
    return round_paths(ROUND_ID, project_root)


@pytest.fixture(scope="session")
def report_model(analysis: AnalysisResult, project_root: Path, tmp_path_factory) -> ReportModel:
    """The round's report model stored in data/processed, as `tbu report` stores it before
    the first notebook (built from the session's analysis, once for all xdist workers; the
    others load the stored model as the notebooks do): ``context.load`` reads it instead of
    building the model again in every test that loads the report."""
    from tbu_analysis.reports.model import (
        MODEL_FILE,
        build_report_model,
        model_path,
        write_report_model,
    )

    paths = round_paths(ROUND_ID, project_root)
    with _built_once(tmp_path_factory, "tbu-report-model") as (folder, first):
        stored = folder / MODEL_FILE  # data/processed's copy may be rewritten by a test
        if first:
            write_report_model(build_report_model(paths, result=analysis), paths)
            shutil.copy2(model_path(paths), stored)
        return pickle.loads(stored.read_bytes())  # noqa: S301 - this run's own file


def copy_round(target: Path, round_id: str = ROUND_ID) -> RoundPaths:
    """Copy a round (with its names, index and billing units) and pyproject.toml into a new
    repo at ``target``."""
    raw = target / "data" / "raw"
    shutil.copytree(ROOT / "data" / "raw" / round_id, raw / round_id)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return round_paths(round_id, target)


@pytest.fixture(scope="session")
def round_copier():
    """``copy_round`` for fixtures wider than one test (they cannot use ``tmp_round``)."""
    return copy_round


@pytest.fixture
def tmp_round(tmp_path: Path) -> RoundPaths:
    """A copy of the round in a throwaway repo layout, for tests that must edit input."""
    return copy_round(tmp_path)


@pytest.fixture(scope="session")
def cleaned_template(_round_data: _RoundData) -> RoundPaths:
    """The round copied and cleaned as `tbu clean` leaves it, once per run (shared by the
    xdist workers: read it, never write to it)."""
    return _round_data.cleaned_template


@pytest.fixture
def cleaned_round(tmp_round: RoundPaths, cleaned_template: RoundPaths,
                  monkeypatch) -> RoundPaths:
    """``tmp_round`` as `tbu clean` leaves it, the cwd in its repository: the session's cleaned
    outputs copied in (the same bytes; cleaning again cost each test about 3 s of CPU)."""
    shutil.copytree(cleaned_template.processed.parent, tmp_round.processed.parent)
    monkeypatch.chdir(tmp_round.root)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return tmp_round


@pytest.fixture(scope="session")
def baseline_funding(figures: pd.DataFrame) -> pd.DataFrame:
    """The funding need per billing unit, from the shipped round's cleaned figures."""
    from tbu_analysis.analysis.series import funding_by_unit

    return funding_by_unit(figures)


@dataclass(frozen=True)
class RenderedRound:
    """The shipped round rendered once per session, in a copy of the repository."""

    paths: RoundPaths
    pdfs: list[Path]
    steps: list[str]  # the progress lines' labels, in the order they were printed


@pytest.fixture(scope="session")
def rendered_round(tmp_path_factory) -> RenderedRound:
    """Every notebook of the round run and every PDF rendered, as `make report` does; the
    report and accessibility tests read the same outputs instead of rendering twice."""
    from tbu_analysis.pipeline import run_model, run_round_data
    from tbu_analysis.reports.execute import RunLog, run_round

    repo = tmp_path_factory.mktemp("repo")
    for name in ("data/raw", "notebooks", "scenarios"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    paths = round_paths(ROUND_ID, repo)
    run_round_data(paths)  # what `make data` and `make analysis` write; notebooks only read
    run_model(paths)  # and the report model `tbu report` builds before the first notebook
    steps: list[str] = []
    log = RunLog(on_step=lambda label, seconds: steps.append(label))
    pdfs = run_round(paths, repo / "notebooks", log)
    assert not log.failures, log.failures
    return RenderedRound(paths, pdfs, steps)
