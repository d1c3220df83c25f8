"""The reports' words: templates under ``reports/templates/prose`` and their chapter list.

Python chooses *what* a report says (from the report model); the sentences themselves are
Jinja templates rendered by the project's one environment (``common/prose``), so an
economist changes a sentence in a template file and ``make report`` shows it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from tbu_analysis.common import prose

PACKAGE = "tbu_analysis.reports"
FOLDER = "templates/prose"
SECTIONS = Path(__file__).parent / FOLDER / "sections.yaml"


def render(name: str, /, **context: Any) -> str:
    """Template ``name`` (``cover.md.j2``) with ``context``."""
    return prose.render(prose.environment(PACKAGE, FOLDER), name, **context)


def say(template: str, name: str, /, *args: Any, **kwargs: Any) -> str:
    """Macro ``name`` of ``template``: one sentence or note of a section, e.g.
    ``say("levels.md.j2", "nominal_sum", rate=4.1, year=2023, value=980.0)``."""
    return prose.say(prose.environment(PACKAGE, FOLDER), template, name, *args, **kwargs)


def words(template: str, name: str) -> Any:
    """A set of words a template defines (``{% set explained = {...} %}``), e.g.
    ``words("causes.md.j2", "said")``."""
    return prose.words(prose.environment(PACKAGE, FOLDER), template, name)


def note(name: str, *args: Any) -> str:
    """One of the short notes in ``notes.md.j2`` (a macro), e.g. ``note("back_reference",
    "note-3")``."""
    return say("notes.md.j2", name, *args)


@functools.cache
def sections() -> dict[str, tuple[str, ...]]:
    """The chapters of each kind of report (``main``, ``solution``), in order."""
    data = yaml.safe_load(SECTIONS.read_text(encoding="utf-8"))
    return {kind: tuple(str(h) for h in headings) for kind, headings in data.items()}


def heading_anchor(heading: str) -> str:
    """The id nbconvert gives a Markdown heading («1 Vekst» → ``1-Vekst``)."""
    return quote(heading.replace(" ", "-"), safe=",")
