"""The scenario report's words: Jinja templates under ``scenarios/templates``.

Python chooses *what* the scenario report says; the sentences are templates rendered by the
project's one environment (``common/prose``), with the same number filters as the main
report, so an economist changes a sentence in a template file.
"""

from __future__ import annotations

from typing import Any

from tbu_analysis.common import prose

PACKAGE = "tbu_analysis.scenarios"
FOLDER = "templates"


def render(name: str, /, **context: Any) -> str:
    """Template ``name`` (``summary.md.j2``) with ``context``."""
    return prose.render(prose.environment(PACKAGE, FOLDER), name, **context)


def note(name: str, /, *args: Any, **kwargs: Any) -> str:
    """One of the short sentences in ``notes.md.j2`` (a macro), e.g. ``note("amounts",
    "2024-kroner")``."""
    module = prose.environment(PACKAGE, FOLDER).get_template("notes.md.j2").module
    return str(getattr(module, name)(*args, **kwargs)).strip()


def caption(name: str, /, *args: Any, **kwargs: Any) -> str:
    """A title or caption from ``captions.md.j2`` (a macro), e.g. ``caption("unallocated")``."""
    module = prose.environment(PACKAGE, FOLDER).get_template("captions.md.j2").module
    return str(getattr(module, name)(*args, **kwargs)).strip()
