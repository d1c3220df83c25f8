"""A notebook that kills the shared kernel fails alone: the run notices, restarts the kernel
for the notebooks after it and ends with a non-zero exit instead of hanging."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"
HANG_LIMIT = 300  # seconds; a whole round takes well under a minute here


def _run_cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """``tbu`` in its own process group, killed with its kernel if it outlives the limit."""
    process = subprocess.Popen([sys.executable, "-m", "tbu_analysis.cli", *args], cwd=repo,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=HANG_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"tbu {' '.join(args)} hung for {HANG_LIMIT} s after the kernel died")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_a_notebook_that_kills_the_kernel_fails_alone_and_the_run_ends(tmp_path):
    repo = tmp_path
    for name in ("data/raw", "notebooks"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    notebook = repo / "notebooks" / "11_solution.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_code_cell(
        "import os\nif solution == 'Kjernejournal':\n    os._exit(1)")
    cell["id"] = "kills-kernel"
    nb.cells.insert(3, cell)
    nbformat.write(nb, notebook)
    reports = repo / "reports" / ROUND
    reports.mkdir(parents=True)
    old = reports / "kjernejournal.pdf"
    old.write_bytes(b"%PDF earlier report")

    result = _run_cli(repo, "report", "--round", ROUND)

    assert result.returncode == 1, result.stderr
    failures = [line for line in result.stderr.splitlines() if line.startswith("feil:")]
    assert len(failures) == 1, result.stderr
    assert "11_solution.ipynb" in failures[0] and "Kjernejournal" in failures[0]
    assert "celle 4" in failures[0] and "kjernen døde" in failures[0]
    assert "1 notatbøker feilet" in result.stdout
    # the earlier PDF is untouched and the failing notebook's executed copy is kept
    assert old.read_bytes() == b"%PDF earlier report"
    executed = nbformat.read(reports / "executed" / "kjernejournal.ipynb", as_version=4)
    killer = next(c for c in executed.cells if c.get("id") == "kills-kernel")
    assert [o["ename"] for o in killer.outputs if o["output_type"] == "error"] == [
        "DeadKernelError"]
    # the notebooks after it ran in a new kernel: their PDFs and executed copies are there
    for name in ("helsenettet", "helsenorge", "e-resept", "grunndata-og-helseid",
                 f"tbu-{ROUND}"):
        assert (reports / f"{name}.pdf").read_bytes().startswith(b"%PDF-"), name
    analysis = nbformat.read(reports / "executed" / "02_analysis.ipynb", as_version=4)
    assert not [o for c in analysis.cells if c.cell_type == "code" for o in c.outputs
                if o["output_type"] == "error"]
