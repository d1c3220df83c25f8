"""The layers contract (``[tool.importlinter]`` in pyproject.toml): the package keeps it, and
the contract is not one that cannot fail: a copy of the package with a stage importing a later
one, or with an import circle, breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(project: Path) -> subprocess.CompletedProcess:
    """lint-imports on the package under ``project/src`` with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
                          cwd=project, env=env, capture_output=True, text=True)


@pytest.fixture
def package_copy(tmp_path) -> Path:
    shutil.copytree(ROOT / "src" / "tbu_analysis", tmp_path / "src" / "tbu_analysis",
                    ignore=shutil.ignore_patterns("__pycache__", "fonts", "templates"))
    return tmp_path


def add_import(project: Path, module: str, line: str) -> None:
    path = project / "src" / Path(*module.split(".")).with_suffix(".py")
    path.write_text(f"{line}\n{path.read_text(encoding='utf-8')}", encoding="utf-8")


def test_the_package_keeps_its_layers_and_has_no_circles():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_a_stage_importing_a_later_one_breaks_the_contract(package_copy):
    add_import(package_copy, "tbu_analysis.rounds.cleaning",
               "from tbu_analysis.analysis import analyse  # noqa")
    done = lint(package_copy)
    assert done.returncode == 1
    assert "tbu_analysis.rounds.cleaning -> tbu_analysis.analysis.analyse" in done.stdout
    assert "The stages as layers" in done.stdout and "BROKEN" in done.stdout


def test_scenarios_importing_reports_breaks_the_contract(package_copy):
    add_import(package_copy, "tbu_analysis.scenarios.tables",
               "from tbu_analysis.reports import views  # noqa")
    done = lint(package_copy)
    assert done.returncode == 1
    assert "tbu_analysis.scenarios.tables -> tbu_analysis.reports.views" in done.stdout


def test_an_import_circle_breaks_the_contract(package_copy):
    # common.inputs imports common.yamlio; the reverse closes a circle
    add_import(package_copy, "tbu_analysis.common.yamlio",
               "from tbu_analysis.common import inputs  # noqa")
    done = lint(package_copy)
    assert done.returncode == 1
    assert "No import circles" in done.stdout and "BROKEN" in done.stdout
