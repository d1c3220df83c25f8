"""Notebooks are stored without outputs and narrate: their cells only call the package."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_for_each_step():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_clean", "02_analysis", "03_scenarios", "10_report", "11_solution"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_as_the_git_filter_writes_it(path):
    """Byte for byte what nbstripout's clean filter gives, or a fresh clone (where `make setup`
    installs the filter) shows the notebook as modified and every report says "dirty"."""
    from tbu_analysis.common.lab import EXTRA_KEYS

    done = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--extra-keys", " ".join(EXTRA_KEYS)],
        input=path.read_bytes(), capture_output=True, check=True)
    assert done.stdout == path.read_bytes(), f"{path.name}: run nbstripout on it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "round_id" in tagged[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_cells_define_no_functions_or_classes(path):
    """Logic lives in src/tbu_analysis where tests reach it."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
        assert not defined, (path.name, cell.source[:80])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_prose_names_no_year_or_table_of_a_round(path):
    """What a round says comes from its data; a notebook's text must fit the next round too
    (citations like «TBU 2/2021» are allowed)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert not re.findall(r"(?<![/\d])(?:19|20)\d\d\b|Tabell \d", cell.source), \
                (path.name, cell.source[:80])
