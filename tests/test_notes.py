"""Notes said once, explicitly: where a note is said in full is decided in document order
before any block is shown, so the order in which a notebook asks for the blocks does not
change the report; and each note-carrying block is rendered once per report."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from pandas.io.formats.style import Styler

from tbu_analysis.presentation import charts
from tbu_analysis.reports import context
from tbu_analysis.reports.context import ReportContext
from tbu_analysis.reports.notes import NoteRegistry
from tbu_analysis.rounds.names import ALL_SOLUTIONS

ROUND = "2024-host"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: the renderers of the blocks that carry notes (``ReportContext._document``)
RENDERERS = ("_levels_note", "_estimates_note", "_driver_sections", "_item_tables",
             "_questions_markdown", "_overview_note", "_prognosis_sections",
             "_explanations_markdown")


def _main_blocks(ctx):
    growth = {f"levels {heading}": (lambda t=table, h=heading: ctx.levels_note(
        t, ctx.growth_series(h))) for heading, table in ctx.growth_sections()}
    return {"overview": ctx.overview_note, **growth, "drivers": ctx.driver_sections,
            "estimates": ctx.estimates_note, "prognosis": ctx.prognosis_sections,
            "questions": ctx.questions_markdown,
            "annex": lambda: ctx.questions_markdown(annex=True),
            "explanations": ctx.explanations_markdown}


def _comparable(value):
    """A block's output as text: a table by the HTML it displays."""
    if isinstance(value, Styler):
        return value.to_html()
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    return value


def _solution_blocks(ctx, solution):
    return {
        "levels": lambda: ctx.levels_note(ctx.solution_levels(solution), "finansieringsbehov",
                                          solution),
        "estimates": lambda: ctx.estimates_note(solution),
        "drivers": lambda: [section[3] for section in ctx.driver_sections(solution)],
        "items": lambda: [section[2] for section in ctx.item_tables(solution)],
        "questions": lambda: ctx.questions_markdown(solution),
    }


@pytest.mark.parametrize("solution", ["Helsenorge", "Helsenettet"])
def test_a_solution_report_says_the_same_whatever_order_its_blocks_are_asked_for(
        report_model, solution):
    shown = []
    for order in (list, lambda names: list(reversed(names))):
        ctx = context.load(ROUND)
        blocks = _solution_blocks(ctx, solution)
        shown.append({name: blocks[name]() for name in order(list(blocks))})
    assert shown[0] == shown[1]
    text = "\n".join(str(v) for v in shown[0].values())
    # Each anchor is given once, and every pointer points at one that is given.
    anchors = re.findall(r'<span id="(note-\d+)">', text)
    assert anchors and len(anchors) == len(set(anchors))
    assert set(re.findall(r'href="#(note-\d+)"', text)) <= set(anchors)


def test_the_main_reports_questions_asked_first_do_not_take_the_overviews_note(
        report_model):
    in_order = context.load(ROUND)
    overview, questions = in_order.overview_note(), in_order.questions_markdown()
    backwards = context.load(ROUND)
    assert backwards.questions_markdown() == questions
    assert backwards.overview_note() == overview
    assert '<span id="note-1">' in overview  # the report's first note is said in full there


def test_the_registry_keeps_the_first_place_and_gives_nothing_to_an_unknown_note():
    registry = NoteRegistry()
    assert registry.said("Kilden trykker 303.", "oversikt") == "note-1"
    assert registry.said("Kilden trykker 303.", "vekst") == "note-1"
    registry.recording = False
    assert registry.place("Kilden trykker 303.") == "oversikt"
    assert registry.said("En ny merknad.", "spørsmål") == ""
    assert registry.place("En ny merknad.") is None


@pytest.mark.parametrize("solution", [None, "Helsenettet", "E-resept"])
def test_every_block_and_its_anchors_are_the_same_asked_for_in_reverse_order(
        report_model, solution):
    """Whole outputs (tables too) of every note-carrying block, document order against
    reverse order: identical, anchors included."""
    shown = []
    for order in (list, lambda names: list(reversed(names))):
        ctx = context.load(ROUND)
        blocks = _main_blocks(ctx) if solution is None else _solution_blocks(ctx, solution)
        shown.append({name: _comparable(blocks[name]()) for name in order(list(blocks))})
    assert shown[0] == shown[1]
    in_order = "\n".join(map(str, shown[0].values()))
    backwards = "\n".join(map(str, (shown[1][name] for name in shown[0])))
    anchors = re.findall(r'<span id="(note-\d+)">', in_order)
    assert anchors == re.findall(r'<span id="(note-\d+)">', backwards)
    # each anchor given once, every pointer to one that is given
    assert anchors and len(anchors) == len(set(anchors))
    assert set(re.findall(r'href="#(note-\d+)"', in_order)) <= set(anchors)


def _count_renders(monkeypatch) -> Counter:
    calls: Counter = Counter()

    def counting(name, render):
        def counted(self, *args):
            calls[(name, *map(str, args))] += 1
            return render(self, *args)
        return counted

    for name in RENDERERS:
        monkeypatch.setattr(ReportContext, name, counting(name, getattr(ReportContext, name)))
    return calls


def _run_notebook(name: str, parameters: dict, monkeypatch) -> None:
    """The notebook's code cells as the kernel runs them, its parameters injected; what
    they display is not drawn (the charts are not what is counted here)."""
    monkeypatch.setattr(charts, "show", lambda *args, **kwargs: None)
    cells = [c.source for c in nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells
             if c.cell_type == "code"]
    namespace = {"display": lambda *args, **kwargs: None}
    for source in [cells[0], "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}"
                                        for k, v in parameters.items()), *cells[1:]]:
        exec(compile(source, name, "exec"), namespace)  # noqa: S102 - our own notebook


def test_a_solution_notebook_renders_each_note_carrying_block_once(report_model,
                                                                  monkeypatch):
    calls = _count_renders(monkeypatch)
    _run_notebook("11_solution", {"round_id": ROUND, "solution": "Helsenettet",
                                  "index_rates": {}}, monkeypatch)
    assert {key[0] for key in calls} == {"_levels_note", "_estimates_note",
                                         "_driver_sections", "_item_tables",
                                         "_questions_markdown"}
    assert all(n == 1 for n in calls.values()), calls


def test_the_main_report_renders_each_note_carrying_block_once(report_model, monkeypatch):
    """The main report's blocks: the overview, one levels note per growth table (twelve
    tables, no two alike), the driver sections, the estimates, the prognosis, both question
    lists and the explanations; each once, however many cells show parts of it."""
    calls = _count_renders(monkeypatch)
    ctx = context.load(ROUND)
    sections = ctx.growth_sections()
    for heading, table in sections:  # as the notebook asks (the series by its code string)
        ctx.levels_note(table, "kostnadsnivå" if heading.startswith("Kostnadsnivå")
                        else "finansieringsbehov")
    for block in _main_blocks(ctx).values():
        block()
    ctx.driver_sections()
    assert calls[("_levels_note",)] == 0  # keys carry their arguments
    assert sum(n for key, n in calls.items() if key[0] == "_levels_note") == len(sections)
    assert calls[("_driver_sections", ALL_SOLUTIONS)] == 1
    assert calls[("_questions_markdown", "None", "False")] == 1
    assert calls[("_questions_markdown", "None", "True")] == 1
    assert set(RENDERERS) - {"_item_tables"} == {key[0] for key in calls}
    assert all(n == 1 for n in calls.values()), calls


def test_a_block_outside_the_document_is_rendered_when_asked_and_takes_no_note(
        report_model):
    """Another report's arguments (the main report's estimates for one solution) are not a
    block of the document: rendered when asked, pointing to notes, giving none a place."""
    ctx = context.load(ROUND)
    registry = ctx.notes()
    places = dict(registry._places)
    text = ctx.estimates_note("Helsenettet")
    assert text == ctx.estimates_note("Helsenettet")
    assert registry._places == places and '<span id="note-' not in text
