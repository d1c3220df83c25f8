"""The abbreviations a reader meets, explained: ``abbreviations.yaml`` beside a round's registers.

What an explanation says about the source (which solution a service belongs to, what replaces
what, what is to be phased out) is knowledge about the source, so it is data with its quote,
not words in a template: each entry's quotes must stand in the round's source text. The report
lists the entries in the file's order (``reports.committee.abbreviations_markdown``); a round
without the file lists none.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from tbu_analysis.analysis.explanations import Quoted, source_text
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths

ABBREVIATIONS_FILE = "abbreviations.yaml"


class Abbreviation(Quoted):
    """One abbreviation («SFM»), its explanation in the reports' words, and the quotes the
    explanation rests on (``quote`` and any ``also``)."""

    abbreviation: str = Field(min_length=1, max_length=12, pattern=r"^\S+$")
    explanation: str = Field(min_length=1)
    also: list[Quoted] = Field(default_factory=list)


class AbbreviationsFile(InputModel):
    abbreviations: list[Abbreviation] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_once(self) -> AbbreviationsFile:
        """Each abbreviation explained once: a second entry names both lines."""
        seen: dict[str, int | None] = {}
        for entry in self.abbreviations:
            line = entry.line_of("abbreviation")
            if entry.abbreviation in seen:
                raise ValueError(f"gjentatt forkortelse {entry.abbreviation} "
                                 f"(linje {seen[entry.abbreviation]}, {line})")
            seen[entry.abbreviation] = line
        return self


def load_abbreviations(paths: RoundPaths) -> list[Abbreviation]:
    """The round's abbreviations, each quote checked against the source (none without the
    file)."""
    path = paths.raw / ABBREVIATIONS_FILE
    if not path.is_file():
        return []
    return load_yaml_model(path, AbbreviationsFile,
                           context={"source": source_text(paths)}).abbreviations
