"""The report model: built once per round, stored deterministically, loaded by the notebooks
without analysing again."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from tbu_analysis.analysis import analyse as analyse_module
from tbu_analysis.config import round_paths
from tbu_analysis.reports import context, model
from tbu_analysis.rounds.names import ALL_SOLUTIONS

ROUND = "2024-host"

@pytest.fixture(scope="module")
def stored(report_model, project_root):
    """The session's report model, stored in data/processed as `tbu report` stores it."""
    return round_paths(ROUND, project_root), report_model


def test_the_model_holds_the_sources_figures(stored):
    _, built = stored
    funding = built.series["finansieringsbehov"]
    total = funding[(funding["solution"] == ALL_SOLUTIONS) & (funding["item"] == "")]
    assert dict(zip(total["year"], total["value_mnok"], strict=True))[2025] == 1054.0
    kj = funding[(funding["solution"] == "Kjernejournal") & (funding["item"] == "")]
    assert dict(zip(kj["year"], kj["value_mnok"], strict=True))[2024] == 130.1
    # Every solution has its driver notes and waterfall for every growth table.
    assert {s for s, _ in built.driver_notes} == {ALL_SOLUTIONS, *built.solutions}
    steps, _ = built.waterfalls[(ALL_SOLUTIONS, 2024)]
    assert steps[0][1] == 1038.0 and steps[-1][1] == 1054.0


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_the_stored_model_is_the_same_bytes_in_another_process(stored):
    """Pickle would otherwise follow the process: shared strings and the hash seed's set
    order. Built again with another seed, the bytes are the same."""
    paths, _ = stored
    code = ("import sys; from tbu_analysis.config import round_paths; "
            "from tbu_analysis.reports import model; "
            f"p = round_paths({ROUND!r}, {str(paths.root)!r}); "
            "sys.stdout.buffer.write(model.model_bytes(model.build_report_model(p)))")
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout
    stored_bytes = model.model_path(paths).read_bytes()
    # Compared by digest: pytest's diff of two large byte strings takes many minutes.
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(stored_bytes).hexdigest()


def test_the_report_loads_the_model_without_analysing(stored, monkeypatch):
    paths, built = stored

    def refuse(*args, **kwargs):
        raise AssertionError("the report analysed the round again")

    monkeypatch.setattr(analyse_module, "_analyse", refuse)
    monkeypatch.chdir(paths.root)
    ctx = context.load(ROUND)
    assert ctx.model.inputs == built.inputs
    assert "Helsenorge" in ctx.solution_summary("Helsenorge")


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_a_model_that_no_longer_matches_its_inputs_is_not_used(tmp_round):
    from tbu_analysis.pipeline import run_round_data

    run_round_data(tmp_round)
    built = model.build_report_model(tmp_round)
    model.write_report_model(built, tmp_round)
    assert model.load_report_model(tmp_round).inputs == built.inputs
    names = tmp_round.names
    names.write_text(names.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert model.load_report_model(tmp_round).inputs != built.inputs


def test_a_kernel_unpickles_the_stored_model_once_and_again_when_it_is_rewritten(
        stored, monkeypatch):
    """The round's notebooks run one after another in one kernel: the first reads the
    stored model, the next ones get the same object; a model written anew is read anew."""
    paths, built = stored
    reads = []
    loads = model.pickle.loads
    monkeypatch.setattr(model.pickle, "loads", lambda data: reads.append(1) or loads(data))
    model.write_report_model(built, paths)  # a new file: whatever this process read before
    first = model.load_report_model(paths)
    assert model.load_report_model(paths) is first and len(reads) == 1
    model.write_report_model(built, paths)
    again = model.load_report_model(paths)
    assert again is not first and len(reads) == 2 and again.inputs == built.inputs
