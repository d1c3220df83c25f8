"""The reports' words live in templates: a changed sentence reaches the PDF and HTML, the
chapter list is one file, and no new Norwegian sentence is written into the report code."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
import papermill
import pytest
from pypdf import PdfReader

from tbu_analysis.config import round_paths
from tbu_analysis.reports import model, text
from tbu_analysis.reports.render import render_editions

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "src" / "tbu_analysis" / "reports"
ROUND = "2024-host"


def _chapters(notebook: Path) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    return [line[3:].strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize(("kind", "notebook"), [("main", "10_report"),
                                                ("solution", "11_solution")])
def test_the_chapter_list_is_the_notebooks_headings(kind, notebook):
    """sections.yaml gives the table of contents: it must name the chapters the notebook has,
    in its order (a chapter added to one and not the other fails here)."""
    assert list(text.sections()[kind]) == _chapters(ROOT / "notebooks" / f"{notebook}.ipynb")


def test_the_contents_link_every_chapter_of_the_main_report():
    from tbu_analysis.reports.context import ReportContext

    contents = ReportContext.contents_markdown()
    assert contents.startswith("## Innhold")
    for heading in text.sections()["main"]:
        assert f'href="#{text.heading_anchor(heading)}">{heading}</a>' in contents


@pytest.mark.pdf
def test_a_sentence_changed_in_a_template_is_in_the_pdf_and_the_html(
        analysis, project_root, tmp_path, monkeypatch):
    """What an economist does: copy a template, change one sentence, render. The reports'
    templates are searched in ``TBU_TEMPLATES`` first, so the copy wins."""
    shipped = (REPORTS / "templates" / "prose" / "cover.md.j2").read_text(encoding="utf-8")
    before = "Alle beløp er i millioner kroner (mill. kroner) der ikke annet står."
    after = "Alle beløp står i millioner kroner, med mindre noe annet er oppgitt."
    assert before in shipped
    override = tmp_path / "templates"
    override.mkdir()
    (override / "cover.md.j2").write_text(shipped.replace(before, after), encoding="utf-8")
    round_ = round_paths(ROUND, project_root)
    model.write_report_model(model.build_report_model(round_), round_)
    monkeypatch.setenv("TBU_TEMPLATES", str(override))  # the kernel inherits it
    executed = tmp_path / "helsenettet.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "11_solution.ipynb"), str(executed),
        parameters={"round_id": ROUND, "solution": "Helsenettet", "index_rates": {}},
        cwd=str(ROOT / "notebooks"), progress_bar=False, kernel_name="python3")
    pdf, html = render_editions(executed, tmp_path / "helsenettet.pdf")
    first_page = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert after in first_page and before not in first_page
    page = html.read_text(encoding="utf-8")
    assert after in page and before not in page
    assert os.environ["TBU_TEMPLATES"] == str(override)


def test_a_sentence_changed_in_the_charts_template_is_in_the_svg(figures, tmp_path, monkeypatch):
    """The charts' words are a template too (``presentation/templates/charts.md.j2``): a
    sentence changed in a copy in ``TBU_TEMPLATES`` is what the SVG's ``<title>`` and
    ``aria-label`` say (a screen reader's text, the tagged PDF's /Alt), with the round's
    figures: the main report's waterfall ends at the funding need of 1 054."""
    from tbu_analysis.analysis.growth import waterfall_steps
    from tbu_analysis.presentation import charts

    shipped = (PRESENTATION / "templates" / "charts.md.j2").read_text(encoding="utf-8")
    before, after = "Ender med {{ last.label }}", "Til slutt {{ last.label }}"
    assert before in shipped
    override = tmp_path / "templates"
    override.mkdir()
    (override / "charts.md.j2").write_text(shipped.replace(before, after), encoding="utf-8")
    steps = waterfall_steps(figures)
    said = "Finansieringsbehov 2025: 1\u00a0054,0 mill. kroner."

    def alt_texts() -> tuple[str, str]:
        svg = charts.figure_to_svg(charts.waterfall(steps, title="Fra 2024 til 2025"))
        title = re.search(r"<title>([^<]*)</title>", svg)[1]
        label = re.search(r'aria-label="([^"]*)"', svg)[1]
        return title, label

    assert all(f"Ender med {said}" in text for text in alt_texts())
    monkeypatch.setenv("TBU_TEMPLATES", str(override))
    changed = alt_texts()
    assert all(f"Til slutt {said}" in text and "Ender med" not in text for text in changed)
    assert all(text.startswith("Fossefallsdiagram: Fra 2024 til 2025. Starter med Forskrift "
                               "2024: 1\u00a0038,0 mill. kroner.") for text in changed)
    monkeypatch.delenv("TBU_TEMPLATES")
    assert all(f"Ender med {said}" in text for text in alt_texts())  # the package's again


def test_every_cause_has_its_words_in_the_driver_template():
    """A cause (``vocab.Cause``) is said in a sentence as ``causes.md.j2`` words it (the
    driver template imports it): one wording for each code, none for a code vocab does not
    know."""
    from tbu_analysis.vocab import Cause

    assert set(text.words("causes.md.j2", "said")) == {c.value for c in Cause}


# --- no Norwegian sentence in the report code --------------------------------------------------

#: Words that make a literal read as Norwegian running text.
_NORWEGIAN = re.compile(r"\b(og|er|i|på|til|som|ikke|av|for|med|det|den|fra|kilden|gir|står|"
                        r"trykker|mot|mill)\b|[æøå]", re.IGNORECASE)


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # an f-string: its fixed parts, a gap for each field
        return " X ".join(v.value for v in node.values
                          if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""


def _reads_as_sentence(literal: str) -> bool:
    words = re.findall(r"[A-Za-zÆØÅæøå]+", re.sub(r"<[^>]+>", " ", literal))
    return len(words) >= 4 and len(_NORWEGIAN.findall(literal)) >= 2


def norwegian_sentences(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that read as Norwegian sentences, outside docstrings
    and error messages (arguments of an exception raised or constructed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id.endswith("Error"):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)  # judged as the whole f-string
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        literal = _literal_text(node)
        if literal and _reads_as_sentence(literal):
            found.append((node.lineno, literal))
    return found


#: Modules whose sentences are not yet in templates, with how many literals read as
#: sentences today: the number may only fall (move a sentence to a template, lower it here).
NOT_YET_IN_TEMPLATES = {"context.py": 0, "committee.py": 0,
                        # not report text: what the run prints when a notebook fails
                        "execute.py": 2}


def test_the_sentence_check_finds_a_norwegian_sentence_and_passes_code(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Docstring i kilden er ikke tekst."""\n'
                      'A = f"Kilden forklarer ikke {x} av endringen."\n'
                      'B = "solution"\n'
                      'raise InputError("filen finnes ikke i runden")\n', encoding="utf-8")
    assert [line for line, _ in norwegian_sentences(module)] == [2]


SCENARIOS = ROOT / "src" / "tbu_analysis" / "scenarios"
#: The scenario modules' literals that read as sentences today: the report's, the explorer's
#: and the tables' words are in scenarios/templates; what remains is error messages (a
#: fragment handed to ``scenario.error`` or kept in a variable before it is raised). The
#: numbers may only fall.
SCENARIO_LITERALS = {"files.py": 1, "keys.py": 2, "model.py": 1, "projection.py": 12}


ANALYSIS = ROOT / "src" / "tbu_analysis" / "analysis"
#: The analysis modules' literals that read as sentences today. The questions to NHN and
#: the checks' descriptions are in analysis/templates; what remains is not report text: the
#: patterns that read the source (questions 4, reading 1), error messages kept in variables
#: (analyse, check, indexing) and the register schemas' field descriptions and validation
#: messages (schemas). The numbers may only fall.
ANALYSIS_LITERALS = {"analyse.py": 1, "check.py": 2, "indexing.py": 1, "questions.py": 4,
                     "reading.py": 1, "schemas.py": 5}


PRESENTATION = ROOT / "src" / "tbu_analysis" / "presentation"
#: The charts' and tables' words are in presentation/templates: no module there holds one.
PRESENTATION_LITERALS: dict[str, int] = {}
COMMON = ROOT / "src" / "tbu_analysis" / "common"
#: What the shared modules hold that reads as sentences is not report text: validation
#: messages kept in a table (inputs) and the provenance page's short status words for what git
#: sees changed (provenance). The numbers may only fall.
COMMON_LITERALS = {"inputs.py": 8, "provenance.py": 2}
PACKAGE = ROOT / "src" / "tbu_analysis"
#: vocab.py holds codes and short labels; the heuristic takes some for sentences: labels and
#: column headings with «i», «av», «fra» or a «ø» («Økt kapasitet i NHN», «Fra, nominelt (mill.
#: kroner)») and English field descriptions with «og» or «i» in a quoted example. The causes'
#: and the abbreviations' words in a sentence are the reports' templates'. May only fall.
PACKAGE_LITERALS = {"vocab.py": 13}


#: Each code folder whose sentences belong in templates: its limits and its templates' home.
SENTENCE_FOLDERS = {REPORTS: (NOT_YET_IN_TEMPLATES, "reports/templates/prose"),
                    SCENARIOS: (SCENARIO_LITERALS, "scenarios/templates"),
                    ANALYSIS: (ANALYSIS_LITERALS, "analysis/templates"),
                    PRESENTATION: (PRESENTATION_LITERALS, "presentation/templates"),
                    COMMON: (COMMON_LITERALS, "the templates of the package that prints it"),
                    PACKAGE: (PACKAGE_LITERALS, "reports/templates/prose")}


@pytest.mark.parametrize("path", sorted([*REPORTS.glob("*.py"), *SCENARIOS.glob("*.py"),
                                         *ANALYSIS.glob("*.py"), *PRESENTATION.glob("*.py"),
                                         *COMMON.glob("*.py"), PACKAGE / "vocab.py"]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_new_norwegian_sentence_in_code(path):
    limits, templates = SENTENCE_FOLDERS[path.parent]
    found = norwegian_sentences(path)
    allowed = limits.get(path.name, 0)
    assert len(found) <= allowed, (
        f"{path.name} has {len(found)} literals that read as Norwegian sentences (at most "
        f"{allowed}); put the sentence in a template under {templates}: "
        + "; ".join(f"line {line}: {literal[:60]!r}" for line, literal in found[:5]))


def test_every_template_name_is_unique_across_the_packages():
    """``TBU_TEMPLATES`` is one folder searched first by every package's environment: a copy of
    a report's template must not also replace a scenario's or a chart's of the same name."""
    names: dict[str, list[str]] = {}
    for path in (ROOT / "src" / "tbu_analysis").rglob("templates/**/*"):
        if path.is_file() and "__pycache__" not in path.parts:
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}
