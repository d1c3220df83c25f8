"""The Makefile's graph, run for real in a copy of the repository: who produces what, content
(not mtimes) deciding rebuilds, deleted outputs rebuilt, and the front doors.

The copy uses this checkout's .venv (``VENV=...``) and its own set-up stamp, so make never
installs anything here. The cheap targets run for real; the report target is checked with
``--question``/``--dry-run`` against a stamp written the way its recipe writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.make

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"
OLD = 978_307_200  # 2001-01-01: an mtime older than every output


def copy_repo(target: Path) -> Path:
    for name in ("data/raw", "jupyter", "notebooks", "scenarios", "src"):
        shutil.copytree(ROOT / name, target / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        shutil.copy2(ROOT / name, target / name)
    (target / ".installed").touch()  # the set-up stamp, newer than pyproject and uv.lock
    return target


def make(repo: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", f"VENV={ROOT / '.venv'}",
         f"STAMP={repo / '.installed'}", *args],
        cwd=repo, capture_output=True, text=True, timeout=timeout)


def up_to_date(repo: Path, target: str) -> bool:
    return make(repo, "--question", target, f"ROUND={ROUND}").returncode == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the repository with `make analysis` run once."""
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    done = make(repo, "analysis", f"ROUND={ROUND}")
    assert done.returncode == 0, done.stderr
    assert "cli clean --round 2024-host" in done.stdout
    assert "cli analyse --round 2024-host" in done.stdout
    return repo


def test_rebuilds_follow_content_not_mtimes(built):
    repo = built
    processed = repo / "data" / "processed" / ROUND
    assert up_to_date(repo, "analysis")

    # Touching an input changes no byte: nothing to do (not "rerun every time").
    os.utime(repo / "data" / "raw" / ROUND / "manifest.yaml")
    os.utime(repo / "data" / "raw" / ROUND / "names.csv")
    assert up_to_date(repo, "analysis")

    # A deleted output is rebuilt by its own producer only.
    growth = (processed / "growth.csv").read_bytes()
    (processed / "growth.csv").unlink()
    dry = make(repo, "--dry-run", "analysis", f"ROUND={ROUND}").stdout
    assert "cli analyse --round 2024-host" in dry and "cli clean" not in dry
    assert make(repo, "analysis", f"ROUND={ROUND}").returncode == 0
    assert (processed / "growth.csv").read_bytes() == growth
    assert up_to_date(repo, "analysis")

    # A new input whose name holds spaces, written with an old mtime, is noticed, and the
    # rebuild works; figures.csv, unchanged, is not rewritten (same inode and bytes).
    figures = processed / "figures.csv"
    before = (figures.stat().st_ino, figures.read_bytes())
    notes = repo / "data" / "raw" / ROUND / "mine notater" / "kopi av tabell 4.txt"
    notes.parent.mkdir()
    notes.write_text("Tabell 4 slik jeg leste den\n", encoding="utf-8")
    os.utime(notes, (OLD, OLD))
    assert not up_to_date(repo, "data")
    done = make(repo, "data", f"ROUND={ROUND}")
    assert done.returncode == 0, done.stderr
    assert "cli clean --round 2024-host" in done.stdout
    assert (figures.stat().st_ino, figures.read_bytes()) == before
    assert up_to_date(repo, "data")  # and it does not run again

    # A deleted input is noticed.
    shutil.rmtree(notes.parent)
    assert not up_to_date(repo, "data")

    # So is an edit that keeps an old mtime.
    manifest = repo / "data" / "raw" / ROUND / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "# lest på nytt\n",
                        encoding="utf-8")
    os.utime(manifest, (OLD, OLD))
    assert not up_to_date(repo, "data")


def _fake_report(repo: Path) -> Path:
    """Reports as the report recipe leaves them: PDFs, and the stamp listing their hashes."""
    reports = repo / "reports" / ROUND
    reports.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in (f"tbu-{ROUND}.pdf", "kjernejournal.pdf"):
        (reports / name).write_bytes(b"%PDF " + name.encode())
        digest = hashlib.sha256((reports / name).read_bytes()).hexdigest()
        lines.append(f"{digest}  reports/{ROUND}/{name}\n")
    (repo / ".make" / f"{ROUND}.report").write_text("".join(lines), encoding="utf-8")
    return reports


def test_report_depends_on_the_analysis_and_rebuilds_a_deleted_pdf(built):
    repo = built
    assert make(repo, "analysis", f"ROUND={ROUND}").returncode == 0
    reports = _fake_report(repo)
    assert up_to_date(repo, "report")

    (reports / "kjernejournal.pdf").unlink()
    assert not up_to_date(repo, "report")
    dry = make(repo, "--dry-run", "report", f"ROUND={ROUND}").stdout
    assert "cli report --round 2024-host --data-ready" in dry
    assert "cli clean" not in dry and "cli analyse" not in dry

    # The report is downstream of the analysis outputs: a deleted one rebuilds both.
    _fake_report(repo)
    (repo / "data" / "processed" / ROUND / "reconciliation.csv").unlink()
    dry = make(repo, "--dry-run", "report", f"ROUND={ROUND}").stdout
    assert dry.index("cli analyse --round 2024-host") < dry.index("cli report --round")


def test_a_commit_of_a_changed_source_file_renews_the_reports_provenance(built):
    """The provenance page says which of the report's files git sees changed: committing such
    a file makes the reports again (before, they kept «Lokale endringer: Ja» from the
    uncommitted tree); another round's new files, an edit outside what the report is made
    from, or a commit that changes none of them leave the reports as they are."""
    repo = built
    assert make(repo, "analysis", f"ROUND={ROUND}").returncode == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("/data/processed/\n/reports/\n.make/\n.installed\n",
                                     encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "alt"], cwd=repo, check=True)
    make(repo, "--question", "report", f"ROUND={ROUND}")  # the stamp, as the tree is now
    _fake_report(repo)
    assert up_to_date(repo, "report")

    # Not the report's files: another round's raw data, the README; nor a commit of them.
    # a round no checkout has (a trial round copied into the repository is copied here too)
    other = repo / "data" / "raw" / "2099-ny-runde" / "manifest.yaml"
    other.parent.mkdir()
    other.write_text("title: ny runde\n", encoding="utf-8")
    (repo / "README.md").write_text("lokal endring\n", encoding="utf-8")
    assert up_to_date(repo, "report")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "ny runde"], cwd=repo, check=True)
    assert up_to_date(repo, "report")

    # A file the report is made from, changed and then committed: the page changes twice.
    notebook = repo / "notebooks" / "10_report.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not up_to_date(repo, "report")
    _fake_report(repo)
    assert up_to_date(repo, "report")
    subprocess.run([*git, "commit", "-q", "-am", "endring"], cwd=repo, check=True)
    assert not up_to_date(repo, "report")
    dry = make(repo, "--dry-run", "report", f"ROUND={ROUND}").stdout
    assert "cli report --round 2024-host --data-ready" in dry and "cli analyse" not in dry

    subprocess.run([*git, "checkout", "-q", "HEAD~1", "--", "notebooks"], cwd=repo,
                   check=True)
    shutil.rmtree(repo / ".git")
    shutil.rmtree(other.parent)
    (repo / "README.md").unlink()
    (repo / ".gitignore").unlink()


def test_make_scenario_defaults_to_the_latest_round(tmp_path):
    repo = copy_repo(tmp_path)
    # A year no real round will have, so the test holds whatever rounds the repository ships.
    spring = repo / "data" / "raw" / "2099-vår"
    shutil.copytree(repo / "data" / "raw" / ROUND, spring)
    text = (spring / "manifest.yaml").read_text(encoding="utf-8")
    text = (text.replace("round: 2024-host", "round: 2099-vår")
            .replace("label: høsten 2024", "label: våren 2099").replace("season: høst",
                                                                         "season: vår"))
    (spring / "manifest.yaml").write_text(text, encoding="utf-8")

    dry = make(repo, "--dry-run", "scenario", "SCENARIO=scenarios/alternativ-1.yml").stdout
    assert "scenario scenarios/alternativ-1.yml --round 2099-vår" in dry
    dry = make(repo, "--dry-run", "scenario", f"ROUND={ROUND}").stdout
    assert f"--round {ROUND}" in dry and "2099-vår" not in dry


def test_help_lists_every_front_door_with_what_it_does():
    done = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    lines = {line.split()[1]: line for line in done.stdout.splitlines()
             if line.strip().startswith("make ")}
    for target in ("report", "data", "analysis", "scenario", "test", "test-fast", "lint", "lab",
                   "bench",
                   "clean", "setup", "lock"):
        assert target in lines, target
        assert len(lines[target].split(None, 2)[2]) > 10  # a comment, not only the name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_serves_jupyterlab_on_the_given_port(tmp_path):
    port = _free_port()
    dry = subprocess.run(["make", "--no-print-directory", "--dry-run", "lab", f"PORT={port}"],
                         cwd=ROOT, capture_output=True, text=True).stdout
    assert f"--port={port}" in dry and "--allow-root" in dry
    # The save hook is the environment's own server config (jupyter/, copied by make setup).
    config = json.loads((ROOT / ".venv/etc/jupyter/jupyter_server_config.json").read_text())
    assert config["FileContentsManager"]["pre_save_hook"] == "tbu_analysis.common.lab.strip_on_save"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    # The free port is freed before JupyterLab binds it: if another process took it in
    # between, the server exits at once and is started again on another port.
    for _attempt in range(3):
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            status = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api",
                                                timeout=2) as r:
                        status = r.status
                        break
                except OSError:
                    time.sleep(0.5)
            if status is None and process.poll() is not None:
                said = process.stderr.read().decode()
                if f"port {port} is already in use" in said:
                    port = _free_port()
                    continue
                pytest.fail(said)
            assert status == 200, "JupyterLab did not answer"
            return
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
            process.wait(timeout=30)
    pytest.fail("JupyterLab found no free port in three tries")


def test_the_git_filter_keeps_a_notebook_run_out_of_git_status(tmp_path):
    import nbformat

    repo = tmp_path
    shutil.copy2(ROOT / "Makefile", repo / "Makefile")
    shutil.copytree(ROOT / "notebooks", repo / "notebooks")
    shutil.copy2(ROOT / ".gitattributes", repo / ".gitattributes")
    shutil.copy2(ROOT / ".gitignore", repo / ".gitignore")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                              cwd=repo, capture_output=True, text=True, check=True).stdout

    git("init", "-q")
    done = make(repo, "git-filter")
    assert done.returncode == 0, done.stderr
    assert "nbstripout" in git("config", "filter.nbstripout.clean")
    git("add", "-A")
    git("commit", "-qm", "start")
    assert git("status", "--porcelain") == ""  # the shipped .gitattributes was already right

    # JupyterLab saving a run notebook, through the save hook `make lab` configures.
    from jupyter_server.services.contents.filemanager import FileContentsManager

    from tbu_analysis.common.lab import strip_on_save

    path = repo / "notebooks" / "01_clean.ipynb"
    nb = nbformat.read(path, as_version=4)
    for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1 054\n")]
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))  # a new cell, with a random id
    manager = FileContentsManager(root_dir=str(repo / "notebooks"),
                                  pre_save_hook="tbu_analysis.common.lab.strip_on_save")
    manager.save({"type": "notebook", "format": "json", "content": nb}, "01_clean.ipynb")
    saved = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in saved.cells if c.cell_type == "code")
    assert saved.cells[-1]["id"] == str(len(saved.cells) - 1)
    assert subprocess.run([str(ROOT / ".venv" / "bin" / "nbstripout"), "--verify", str(path)],
                          capture_output=True).returncode == 0  # `make lint` passes
    # Without the new cell, the file is byte for byte what git has.
    saved.cells.pop()
    model = {"type": "notebook", "content": saved}
    strip_on_save(model)
    manager.save({"type": "notebook", "format": "json", "content": model["content"]},
                 "01_clean.ipynb")
    assert git("status", "--porcelain") == ""
    # And what reaches git through the filter has no outputs, whatever the file holds.
    nbformat.write(nb, path)
    git("add", "notebooks/01_clean.ipynb")
    assert "1 054" not in git("show", ":notebooks/01_clean.ipynb")
