"""The analysis's words: the questions to NHN and the descriptions of the checks are Jinja
macros in ``analysis/templates`` (the project's one environment, ``common/prose``); the
analysis decides what to say and with which figures, and prints them through the reports."""

from __future__ import annotations

from typing import Any

from tbu_analysis.common import prose


def say(template: str, name: str, /, *args: Any, **kwargs: Any) -> str:
    """Macro ``name`` of ``template`` in ``analysis/templates``, e.g.
    ``say("checks.md.j2", "growth_percent", "Estimat 2025")``."""
    return prose.say(prose.environment(__package__), template, name, *args, **kwargs)
