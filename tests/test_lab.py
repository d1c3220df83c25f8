"""JupyterLab itself, in Chromium: Run All and save leave the repository clean.

The economist's way in is `make lab`: JupyterLab saves on Ctrl+S and by itself every two
minutes, with the kernel's own ``language_info`` (the Python version …). The test opens
``notebooks/03_scenarios.ipynb`` in a clone of the repository with the project's ``.venv``
(its save hook and lab settings as ``make setup`` installs them), runs every cell, saves, and
asks git. Debian's chromium through Playwright; never ``playwright install``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tbu_analysis.common.lab import EXTRA_KEYS, strip_on_save

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
JUPYTER = Path(sys.executable).with_name("jupyter")
NOTEBOOK = "03_scenarios.ipynb"


def test_the_save_hook_leaves_the_stored_form_whatever_python_ran_the_kernel():
    """What JupyterLab hands the hook after Run All under another Python: outputs, counts and
    the kernel's language_info. The hook leaves the bytes git has."""
    stored = (ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8")
    notebook = json.loads(stored)
    notebook["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.12.7"}
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] == "code":
            cell["execution_count"] = number
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1 054\n"}]
    model = {"type": "notebook", "content": notebook}
    strip_on_save(model)
    saved = nbformat.writes(nbformat.from_dict(model["content"]), version=nbformat.NO_CONVERT)
    assert saved + "\n" == stored


def test_make_uses_the_hooks_keys_for_the_git_filter_and_lint():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert 'filter.nbstripout.extrakeys "$$($(PY) -m tbu_analysis.common.lab)"' in makefile
    assert '--verify --extra-keys "$$($(PY) -m tbu_analysis.common.lab)"' in makefile
    done = subprocess.run([sys.executable, "-m", "tbu_analysis.common.lab"], check=True,
                          capture_output=True, text=True)
    assert done.stdout.split() == list(EXTRA_KEYS)


def test_setup_installs_the_save_hook_and_turns_off_the_news_prompt():
    """`make setup` copies jupyter/ into .venv: what `jupyter lab` of the project reads."""
    prefix = Path(sys.prefix)
    server = json.loads((prefix / "etc/jupyter/jupyter_server_config.json")
                        .read_text(encoding="utf-8"))
    assert server["FileContentsManager"]["pre_save_hook"] == (
        "tbu_analysis.common.lab.strip_on_save")
    settings = json.loads((prefix / "share/jupyter/lab/settings/overrides.json")
                          .read_text(encoding="utf-8"))
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def lab_clone(tmp_path: Path):
    """A clone of the committed repository with the round's data cleaned, and JupyterLab on a
    free localhost port in it, as a new user (empty HOME)."""
    from tbu_analysis.config import round_paths
    from tbu_analysis.pipeline import run_clean

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} mangler: kjør `make browser` (apt-get install chromium)")
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(repo)], check=True)
    for name in ("notebooks", "src", "jupyter", "Makefile"):  # the tree under test
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, repo / name)
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet",
         "--allow-empty", "-m", "tree under test")
    run_clean(round_paths("2024-host", repo))
    assert _git(repo, "status", "--porcelain") == ""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "TBU_SCENARIO_DIR": str(home)}
    env.pop("JUPYTERLAB_SETTINGS_DIR", None)
    log = (tmp_path / "lab.log").open("w")
    # A free port is freed before JupyterLab binds it, so another process may take it in
    # between: a server that exits at once is started again on another port.
    for _attempt in range(3):
        port = _free_port()
        lab = subprocess.Popen(
            [str(JUPYTER), "lab", f"--notebook-dir={repo / 'notebooks'}", f"--port={port}",
             "--ip=127.0.0.1", "--ServerApp.port_retries=0", "--no-browser", "--allow-root",
             "--IdentityProvider.token=tbu-test"],
            cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        answered = False
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token=tbu-test", timeout=1)
                answered = True
                break
            except OSError:
                if lab.poll() is not None:
                    break
                time.sleep(0.5)
        if lab.poll() is None:
            break
    try:
        if not answered:
            pytest.fail("JupyterLab startet ikke: " + (tmp_path / "lab.log").read_text())
        yield repo, f"{url}/lab/tree/{NOTEBOOK}?token=tbu-test"
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
        log.close()


@pytest.mark.slow
def test_run_all_and_save_in_jupyterlab_leave_git_status_clean(lab_clone):
    from playwright.sync_api import sync_playwright

    repo, url = lab_clone
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            # the kernel has started and said so in the status bar
            page.get_by_text("Python 3 (tbu-analysis) | Idle").first.wait_for(timeout=90_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            # Run All scrolls to the last cell: its output (the provenance table) is the sign
            # that every cell before it ran; then the kernel is idle again.
            try:
                page.get_by_text("Lokale endringer").first.wait_for(state="attached",
                                                                    timeout=240_000)
            except Exception:
                page.screenshot(path=str(repo.parent / "run-all.png"))
                raise
            page.get_by_text("Python 3 (tbu-analysis) | Idle").first.wait_for(timeout=60_000)
            errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
            assert errors == 0, "en celle feilet"
            assert page.get_by_text("Lagre scenario").count() >= 1  # the explorer is drawn
            modified = (repo / "notebooks" / NOTEBOOK).stat().st_mtime
            page.locator(".jp-Notebook").first.click()
            page.keyboard.press("Control+s")
            for _ in range(60):
                if (repo / "notebooks" / NOTEBOOK).stat().st_mtime != modified and not (
                        page.locator(".jp-mod-dirty").count()):
                    break
                time.sleep(0.5)
            else:
                pytest.fail("notatboken ble ikke lagret")
            assert page.get_by_text("official Jupyter news").count() == 0
        finally:
            browser.close()
    assert _git(repo, "status", "--porcelain") == ""
