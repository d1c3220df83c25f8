"""The committee's own assessment, quoted: ``assessment.yaml`` beside a round's registers.

A report that judges the figures should say where the committee itself has spoken, in its own
words; each entry names what it speaks to (``topic``) and its quote must stand in the round's
source text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tbu_analysis.analysis.explanations import Quoted, source_text
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths

ASSESSMENT_FILE = "assessment.yaml"
Topic = Literal["tallgrunnlag", "kostnadsnivå", "omfang"]


class Assessment(Quoted):
    topic: Topic


class AssessmentFile(InputModel):
    assessment: list[Assessment] = Field(min_length=1)


def load_assessment(paths: RoundPaths) -> list[Assessment]:
    """The committee's words, each quote checked against the source (none without the file)."""
    path = paths.raw / ASSESSMENT_FILE
    if not path.is_file():
        return []
    return load_yaml_model(path, AssessmentFile,
                           context={"source": source_text(paths)}).assessment
