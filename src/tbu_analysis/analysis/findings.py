"""The findings register: the analysts' reading of the discrepancies the reconciliation finds.

``findings.yaml`` groups check ids into findings, each with its likely explanation; nothing
here changes a number. The register is validated by :class:`FindingsFile`; that every id
names a discrepancy of this run, once, needs the run's checks and is checked when joining.
Beside the findings, ``questions`` holds what the analysts would ask NHN where the source's
own words leave something open (no check finds it): each with the quote that raises it, which
must stand in the round's source text (``load_questions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field

from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.analysis.explanations import Quoted, source_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths

CheckId = Annotated[str, Field(min_length=1, max_length=300)]


class FindingEntry(InputModel):
    """One finding: the checks it explains and the explanation readers see."""

    checks: Annotated[list[CheckId], Field(min_length=1)]
    explanation: Annotated[str, Field(min_length=1)]


class Question(Quoted):
    """A question to NHN that the source's words raise: what it concerns, and the quote."""

    solution: Annotated[str, Field(min_length=1)]
    question: Annotated[str, Field(min_length=1)]
    statement: Annotated[str, Field(min_length=1)]


class FindingsFile(InputModel):
    findings: list[FindingEntry]
    questions: list[Question] = []


def load_findings(path: Path) -> FindingsFile:
    """The register, validated (without the run's checks)."""
    return load_yaml_model(path, FindingsFile)


def load_questions(paths: RoundPaths) -> list[Question]:
    """The register's questions, each quote checked against the round's source text."""
    if not paths.findings.is_file():
        return []
    return load_yaml_model(paths.findings, FindingsFile,
                           context={"source": source_text(paths)}).questions


def attach_explanations(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Join the analysts' findings register (check ids → explanation) onto the checks.

    Every id must name a discrepancy of this run, once: an explanation of a check that now
    holds, or of one that moved, is stale and refused rather than shown next to the wrong row.
    """
    frame = frame.assign(explanation="")
    if not path.is_file():
        return frame
    register = load_findings(path)
    status = dict(zip(frame["check_id"], frame["status"], strict=True))
    explained: dict[str, int | None] = {}
    for finding in register.findings:
        text = " ".join(finding.explanation.split())
        line = finding.line_of("checks")
        for check in finding.checks:
            if check not in status:
                raise InputError("kontrollen finnes ikke i avstemmingen", path=path, line=line,
                                 key="checks", text=check)
            if status[check] != tol.DISCREPANCY:
                raise InputError(f"kontrollen er ikke et avvik (status {status[check]}); "
                                 "forklaringen er foreldet", path=path, line=line, key="checks",
                                 text=check)
            if check in explained:
                raise InputError(f"kontrollen er forklart to ganger (også linje "
                                 f"{explained[check]})", path=path, line=line, key="checks",
                                 text=check)
            explained[check] = line
            frame.loc[frame["check_id"] == check, "explanation"] = text
    return frame
