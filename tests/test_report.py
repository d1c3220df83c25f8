"""The rendered reports, read back from the PDFs as a committee member would read them."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from tbu_analysis import cli
from tbu_analysis.config import round_paths
from tbu_analysis.reports.execute import INJECTED_CELL_ID, RunLog, run_round, slug
from tbu_analysis.rounds.pipeline import run_round_data

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    """The shipped round rendered once, in a copy of the repository."""
    repo = tmp_path_factory.mktemp("repo")
    for name in ("data/raw", "notebooks", "scenarios"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    paths = round_paths(ROUND, repo)
    run_round_data(paths)  # what `make data` and `make analysis` write; notebooks only read
    steps: list[str] = []
    log = RunLog(on_step=lambda label, seconds: steps.append(label))
    pdfs = run_round(paths, repo / "notebooks", log)
    assert not log.failures, log.failures
    assert len(pdfs) == 1 + 5  # the main report and one per solution
    # A line per notebook and per PDF as it finished, for the person at the terminal.
    assert sum(label.startswith("kjøring ") for label in steps) == 2 + 1 + 5
    assert {label for label in steps if label.startswith("PDF ")} == {f"PDF {p.name}"
                                                                      for p in pdfs}
    return paths.reports


def test_the_notebooks_write_nothing_to_the_processed_data(reports):
    processed = reports.parents[1] / "data" / "processed" / ROUND
    written = {p.name: p.stat().st_mtime_ns for p in processed.iterdir()}
    executed = reports / "executed"
    assert {p.name for p in executed.glob("*.ipynb")} >= {"01_clean.ipynb",
                                                            "02_analysis.ipynb"}
    for name in ("01_clean.ipynb", "02_analysis.ipynb"):
        source = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert "write_" not in source and "run_clean" not in source
    assert {p.name: p.stat().st_mtime_ns for p in processed.iterdir()} == written


def test_main_report_states_the_rounds_key_figures(reports):
    text = pdf_text(reports / f"tbu-{ROUND}.pdf")
    assert "1 054" in text and "1,5 %" in text
    assert "+16 mill. kroner (1,5 %)" in text
    assert "1 089" in text and "50,6" in text and "4,9 %" in text
    assert "903,8" in text  # the 2023 total without the 4,121 % index
    assert "Side 1 av" in text and "TBU høsten 2024" in text


def test_reconciliation_appendix_names_discrepancies_from_the_source(reports):
    text = pdf_text(reports / f"tbu-{ROUND}.pdf")
    assert "Avvik i tabellene" in text
    # Tabell 5, Drift og produksjon: 83,6 + 2,2 + 9,3 − 11,5 = 83,6 but 82,6 is printed.
    assert "Drift og produksjon" in text and "82,6" in text
    # The note's "49 millioner kroner" against 1 089 − 1 038 = 51 in Tabell 4.
    assert "Teksten sier 49 mill. kroner, tabellene gir 51,0" in " ".join(text.split())


def test_main_report_lists_the_corrections_and_provenance(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "Rettet til" in text and "Godkjenningprosessen SFM" in text  # the moved 13,0
    assert "Det antas en reduksjon på 4 mill. kroner." in text  # evidence quoted
    assert "SHA-256" in text and "manifest.yaml" in text


@pytest.mark.parametrize(("solution", "level_2025"), [
    ("Helsenorge", "359,6"), ("Kjernejournal", "118,6"), ("E-resept", "192,0"),
    ("Grunndata og HelseID", "117,8"), ("Helsenettet", "299,9"),
])
def test_each_solution_report_names_its_solution_and_2025_level(reports, solution, level_2025):
    text = pdf_text(reports / f"{slug(solution)}.pdf")
    assert solution in text
    assert level_2025 in text


def test_reports_show_no_code_warnings_or_tracebacks(reports):
    for pdf in reports.glob("*.pdf"):
        text = pdf_text(pdf)
        for forbidden in ("Traceback", "import ", "PapermillExecutionError", "Executing",
                          "Warning", "ctx.", "def ", "display("):
            assert forbidden not in text, (pdf.name, forbidden)


def test_executed_notebooks_are_kept_without_run_times(reports):
    executed = reports / "executed" / f"tbu-{ROUND}.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert "start_time" not in nb.metadata.get("papermill", {})
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_rendering_again_gives_the_same_pdf(reports):
    from tbu_analysis.common.provenance import source_date
    from tbu_analysis.reports.render import render_pdf

    nb = nbformat.read(reports / "executed" / "kjernejournal.ipynb", as_version=4)
    nb.metadata["tbu"] = {"title": "Kjernejournal", "round": "TBU høsten 2024",
                          "author": "tbu-analysis"}
    again = render_pdf(nb, reports.parent / "again.pdf", created=source_date(ROOT)[0])
    first = PdfReader(reports / "kjernejournal.pdf").pages[0].extract_text()
    assert PdfReader(again).pages[0].extract_text() == first


def test_a_failing_notebook_keeps_its_executed_copy_and_the_old_pdf(tmp_path, capsys):
    repo = tmp_path
    for name in ("data/raw", "notebooks"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    broken = nbformat.read(repo / "notebooks" / "11_solution.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell("raise RuntimeError('brutt med vilje')")
    cell["id"] = "broken"
    broken.cells.insert(3, cell)
    nbformat.write(broken, repo / "notebooks" / "11_solution.ipynb")
    paths = round_paths(ROUND, repo)
    run_round_data(paths)
    paths.reports.mkdir(parents=True)
    old = paths.reports / "kjernejournal.pdf"
    old.write_bytes(b"%PDF earlier report")

    log = RunLog()
    pdfs = run_round(paths, repo / "notebooks", log, solutions=("Kjernejournal",))

    assert [p.name for p in pdfs] == [f"tbu-{ROUND}.pdf"]
    assert old.read_bytes() == b"%PDF earlier report"
    assert len(log.failures) == 1
    err = capsys.readouterr().err
    assert "11_solution.ipynb" in err and "celle 4" in err and "brutt med vilje" in err
    executed = nbformat.read(paths.reports / "executed" / "kjernejournal.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "brutt med vilje"


def test_report_command_exits_non_zero_on_a_bad_round_id(capsys):
    assert cli.main(["report", "--round", "../etc"]) == 2
    assert "ugyldig runde-id" in capsys.readouterr().err


def _repo_copy(target: Path) -> Path:
    for name in ("data/raw", "notebooks", "scenarios"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_scenario_command_renders_the_scenario_against_the_baseline(tmp_path, monkeypatch,
                                                                     capsys):
    repo = _repo_copy(tmp_path)
    monkeypatch.chdir(repo)
    assert cli.main(["clean", "--round", ROUND]) == 0
    assert cli.main(["scenario", "scenarios/alternativ-1.yml", "--round", ROUND]) == 0
    text = " ".join(pdf_text(repo / "reports" / "scenarios" / "alternativ-1.pdf").split())
    assert "Alternativ 1" in text and "Kommuner" in text and "RHF" in text
    assert "1 054" in text  # the round's 2025 funding need, billed in full
    assert "SHA-256" in text  # the same provenance page as the round reports


def test_a_bad_scenario_file_renders_nothing(tmp_path, monkeypatch, capsys):
    repo = _repo_copy(tmp_path)
    monkeypatch.chdir(repo)
    bad = repo / "scenarios" / "feil.yml"
    bad.write_text((repo / "scenarios" / "alternativ-1.yml").read_text(encoding="utf-8")
                   + "\nukjent_nokkel: 1\n", encoding="utf-8")
    assert cli.main(["scenario", "scenarios/feil.yml"]) == 2
    err = capsys.readouterr().err
    assert "feil.yml" in err and "ukjent_nokkel" in err
    assert not (repo / "reports" / "scenarios").exists()


def test_a_rerun_gives_byte_identical_pdfs_outputs_and_executed_notebooks(reports):
    paths = round_paths(ROUND, reports.parents[1])
    executed = reports / "executed"
    files = [reports / "kjernejournal.pdf", reports / f"tbu-{ROUND}.pdf",
             paths.processed / "reconciliation.csv", paths.processed / f"tbu-{ROUND}.xlsx",
             executed / "kjernejournal.ipynb", executed / f"tbu-{ROUND}.ipynb",
             executed / "01_clean.ipynb", executed / "02_analysis.ipynb"]
    before = {path: (path.read_bytes(), path.stat().st_ino) for path in files}
    for path in files[4:]:
        text = path.read_text(encoding="utf-8")
        assert " at 0x" not in text, path.name
        nb = nbformat.reads(text, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert [c["id"] for c in injected] == [INJECTED_CELL_ID], path.name
    run_round_data(paths)
    log = RunLog()
    run_round(paths, paths.root / "notebooks", log, solutions=("Kjernejournal",))
    assert not log.failures
    for path, (data, inode) in before.items():
        assert path.read_bytes() == data, path.name
        assert path.stat().st_ino == inode, path.name  # unchanged bytes are not rewritten
