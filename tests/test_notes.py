"""Notes said once, explicitly: where a note is said in full is decided in document order
before any block is shown, so the order in which a notebook asks for the blocks does not
change the report."""

from __future__ import annotations

import re

import pytest

from tbu_analysis.reports import context
from tbu_analysis.reports.notes import NoteRegistry

ROUND = "2024-host"


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
