"""The scenario report's and the explorer's words: Jinja templates under
``scenarios/templates``.

Python chooses *what* the scenario report and the explorer say; the sentences and labels are
templates rendered by the project's one environment (``common/prose``), with the same number
filters as the main report, so an economist changes a sentence in a template file.
"""

from __future__ import annotations

from typing import Any

from tbu_analysis.common import prose

PACKAGE = "tbu_analysis.scenarios"
FOLDER = "templates"


def render(name: str, /, **context: Any) -> str:
    """Template ``name`` (``summary.md.j2``) with ``context``."""
    return prose.render(prose.environment(PACKAGE, FOLDER), name, **context)


def _macro(template: str, name: str, args: Any, kwargs: Any) -> str:
    return prose.say(prose.environment(PACKAGE, FOLDER), template, name, *args, **kwargs)


def note(name: str, /, *args: Any, **kwargs: Any) -> str:
    """One of the short sentences in ``scenario_notes.md.j2`` (a macro), e.g.
    ``note("amounts", "2024-kroner")``."""
    return _macro("scenario_notes.md.j2", name, args, kwargs)


def caption(name: str, /, *args: Any, **kwargs: Any) -> str:
    """A title or caption from ``captions.md.j2`` (a macro), e.g. ``caption("unallocated")``."""
    return _macro("captions.md.j2", name, args, kwargs)


def words(template: str, name: str) -> Any:
    """A set of words a template defines (``{% set labels = {...} %}``), e.g.
    ``words("labels.md.j2", "columns")``."""
    return prose.words(prose.environment(PACKAGE, FOLDER), template, name)


def explorer_label(name: str) -> str:
    """A control's label in the explorer (``labels`` in ``explorer.md.j2``)."""
    return str(words("explorer.md.j2", "labels")[name])


def explorer_text(name: str, /, *args: Any, **kwargs: Any) -> str:
    """Plain words from ``explorer.md.j2`` (a macro): a label with a value, or what a saved
    scenario says about itself."""
    return _macro("explorer.md.j2", name, args, kwargs)


def explorer_html(name: str, /, *args: Any, **kwargs: Any) -> str:
    """A message the explorer shows, as HTML with its values escaped (``explorer.html.j2``)."""
    return _macro("explorer.html.j2", name, args, kwargs)
