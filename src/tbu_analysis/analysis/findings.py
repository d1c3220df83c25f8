"""The findings register: the analysts' reading of the discrepancies the reconciliation finds.

``findings.yaml`` groups check ids into findings, each with its likely explanation; nothing
here changes a number. The register is validated by :class:`FindingsFile`; that every id
names a discrepancy of this run, once, needs the run's checks and is checked when joining.
Beside the findings, ``questions`` holds what the analysts would ask NHN where the source's
own words leave something open (no check finds it): each with the quote that raises it, which
must stand in the round's source text (``load_questions``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from tbu_analysis.analysis import questions
from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.analysis.explanations import Quoted, number_of, numbers_in, source_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.vocab import CheckType, Status, codes

CheckId = Annotated[str, Field(min_length=1, max_length=300)]
#: What the answer to a question can move: «totalen» (what the sector pays) or «fordelingen»
#: (the split between solutions or items; the total stays). The questions are ranked by it
#: before the amount (``questions.ranked``); none for the rest.
Affects = Literal["totalen", "fordelingen"] | None


# What a finding is about: the content (what is billed, where money goes) is asked in the main
# list of questions; rounding and typesetting («trykkfeil») go to the annex list.
FINDING_KINDS = ("innhold", "avrunding", "trykkfeil")


class FindingEntry(InputModel):
    """One finding: the checks it explains, the explanation readers see, what kind it is,
    and, where the analysts' reading corrects the computation (a sign printed wrong), the
    corrected computed value per check, so every list shows the report's own correction."""

    checks: Annotated[list[CheckId], Field(min_length=1)]
    explanation: Annotated[str, Field(min_length=1)]
    # the question to NHN the finding raises, as its title says what it is about
    question: Annotated[str, Field(min_length=1, pattern=r"\?$")] | None = None
    kind: Literal["innhold", "avrunding", "trykkfeil"] = "innhold"
    computed: dict[CheckId, float] = {}
    affects: Affects = None


class Question(Quoted):
    """A question to NHN that the source's words raise: what it concerns, and the quote."""

    solution: Annotated[str, Field(min_length=1)]
    question: Annotated[str, Field(min_length=1)]
    statement: Annotated[str, Field(min_length=1)]
    amount: str | None = None  # the mill. kroner at stake, as the quote prints it
    affects: Affects = None
    also: list[Quoted] = []  # further places the source says the same (each quote checked)

    @property
    def stake(self) -> float | None:
        return None if self.amount is None else float(self.amount.replace(",", "."))


class Request(Quoted):
    """One of the committee's own outstanding requests to NHN (quoted from the note), what the
    figures answer (``answers``, quoted; none when they do not), the question that follows it
    up, and the amount at stake where the source gives one (it must stand in a quote)."""

    solution: Annotated[str, Field(min_length=1)]
    question: Annotated[str, Field(min_length=1)]
    statement: Annotated[str, Field(min_length=1)]
    answers: list[Quoted] = []
    amount: str | None = None
    affects: Affects = None

    @property
    def stake(self) -> float | None:
        return None if self.amount is None else float(self.amount.replace(",", "."))


class Reading(Quoted):
    """A further amount the source gives for a quantity it states twice (``questions.
    contradictions`` finds the two from the forecast sentences), where the quote gives it only
    by arithmetic the statement shows («3 mill. kroner høyere enn prognosen for 2024», with
    2025's 25: 22, 6 below the forskrift). ``quantity`` is the contradiction's own words for
    what the statements disagree on; ``change`` is the signed amount, printed in the statement."""

    solution: Annotated[str, Field(min_length=1)]
    quantity: Annotated[str, Field(min_length=1)]
    statement: Annotated[str, Field(min_length=1)]
    # none where the further reading gives no amount (a post «under rammen», reader7 Q20);
    # after ``statement``, so its check that it stands there names the amount's own line
    change: Annotated[str, Field(min_length=1)] | None = None
    also: list[Quoted] = []  # the other figures the arithmetic uses, quoted

    @field_validator("change")
    @classmethod
    def _printed(cls, change: str | None, info: ValidationInfo) -> str | None:
        """A number the project's way (``parse_number``), standing in the statement."""
        if change is None:
            return None
        if _number(change) is None:
            raise ValueError(f"«{change}» er ikke et tall")
        if number_of(change) not in numbers_in(info.data.get("statement", "")):
            raise ValueError(f"beløpet {change} står ikke i utsagnet")
        return change

    @property
    def value(self) -> float | None:
        number = None if self.change is None else _number(self.change)
        return None if number is None else float(number)


def _number(text: str) -> Decimal | None:
    """The register's number the project's way (``parse_number``), None when it is none."""
    try:
        return parse_number(text).value
    except InputError:
        return None


class FindingsFile(InputModel):
    findings: list[FindingEntry]
    questions: list[Question] = []
    requests: list[Request] = []
    readings: list[Reading] = []


def load_findings(path: Path) -> FindingsFile:
    """The register, validated (without the run's checks)."""
    return load_yaml_model(path, FindingsFile)


def read_register(path: Path) -> FindingsFile | None:
    """The register validated, or None when the round has none: read before the analysis
    computes anything, so a bad file fails at once (its ids are checked against the run's
    checks when joining, ``attach_explanations``)."""
    return load_findings(path) if path.is_file() else None


def load_questions(paths: RoundPaths) -> list[Question]:
    """The register's questions, each quote checked against the round's source text."""
    if not paths.findings.is_file():
        return []
    return load_yaml_model(paths.findings, FindingsFile,
                           context={"source": source_text(paths)}).questions


def load_readings(paths: RoundPaths) -> list[Reading]:
    """The register's further readings of a quantity the source states twice, each quote
    checked against the source text and each amount checked to stand in its statement."""
    if not paths.findings.is_file():
        return []
    return load_yaml_model(paths.findings, FindingsFile,
                           context={"source": source_text(paths)}).readings


def contradictions(paths: RoundPaths) -> list[questions.Contradiction]:
    """Where the source gives two amounts for one forecast, with the register's further
    readings of it; a reading of a quantity no contradiction has is refused, with its line
    (read by the analysis, so `tbu check` and `tbu analyse` refuse it, not first the report)."""
    readings = load_readings(paths)
    found = questions.with_readings(questions.contradictions(questions.forecast_statements(
        questions.source_sentences(paths))), readings)
    for further in readings:
        if not any(further in c.readings for c in found):
            raise InputError("kilden sier ikke to ulike ting om denne størrelsen",
                             path=paths.findings, line=further.line_of("quantity"),
                             key="quantity", text=further.quantity)
    return found


def load_requests(paths: RoundPaths) -> list[Request]:
    """The committee's outstanding requests, each quote checked against the source text, and
    each amount checked to stand in one of its quotes."""
    if not paths.findings.is_file():
        return []
    requests = load_yaml_model(paths.findings, FindingsFile,
                               context={"source": source_text(paths)}).requests
    for request in requests:
        quotes = " ".join([request.quote, *(a.quote for a in request.answers)])
        if request.amount is not None and number_of(request.amount) not in numbers_in(quotes):
            raise InputError(f"beløpet {request.amount} står ikke i sitatene",
                             path=paths.findings, line=request.line_of("amount"),
                             key="amount", text=request.amount)
    return requests


def finding_kinds(path: Path) -> dict[str, tuple[str, dict[str, float]]]:
    """Per check id: the kind of its finding and the analysts' corrected computed values."""
    if not path.is_file():
        return {}
    return {check: (finding.kind, finding.computed)
            for finding in load_findings(path).findings for check in finding.checks}


def _per_check(path: Path, field: str) -> dict[str, str]:
    """Per check id: its finding's ``field``, where the register gives one."""
    if not path.is_file():
        return {}
    return {check: getattr(finding, field) for finding in load_findings(path).findings
            for check in finding.checks if getattr(finding, field)}


def finding_effects(path: Path) -> dict[str, str]:
    """Per check id: what its finding's answer can move (``Affects``), where the register says."""
    return _per_check(path, "affects")


def finding_titles(path: Path) -> dict[str, str]:
    """Per check id: the question its finding raises (the title of the question to NHN),
    where the register gives one."""
    return _per_check(path, "question")


def apply_corrections(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The checks with the analysts' corrected computations (a sign the report itself says is
    printed wrong), so every list the report shows follows its own correction (Plattform:
    57,3 − 8,6 = 48,7, not 65,9). A check the correction makes hold is no deviation in the
    report (a column sum that agrees once its row's sign is right: the deviation is the row's,
    listed there). The reconciliation's own outputs are left as computed."""
    corrected = {check: value for _, (_, values) in finding_kinds(path).items()
                 for check, value in values.items()}
    if not corrected:
        return frame
    frame = frame.copy()
    for check, value in corrected.items():
        at = frame["check_id"] == check
        frame.loc[at, "computed"] = value
        frame.loc[at, "difference"] = frame.loc[at, "printed"] - value
        holds = at & (frame["difference"].abs() <= frame["tolerance"] + 1e-9)
        frame.loc[holds, "status"] = tol.OK
    return frame


def outcome_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Checks per kind (rows, in the vocabulary's order, kinds without checks left out) and
    outcome (columns, every outcome). The one count behind the command line's summary and the
    report's Vedlegg A; both count the checks as the report shows them (``apply_corrections``),
    so they cannot disagree (reconciliation.csv keeps the checks as computed: one more
    «avvik», the column sum that holds once its row's sign is corrected)."""
    counts = frame.groupby(["check_type", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(codes(Status)), fill_value=0)
    return counts.reindex([kind for kind in codes(CheckType) if kind in counts.index])


def attach_explanations(frame: pd.DataFrame, path: Path,
                        register: FindingsFile | None = None) -> pd.DataFrame:
    """Join the analysts' findings register (check ids → explanation) onto the checks;
    ``register`` is the file at ``path`` already read (``read_register``), else it is read.

    Every id must name a discrepancy of this run, once: an explanation of a check that now
    holds, or of one that moved, is stale and refused rather than shown next to the wrong row.
    """
    frame = frame.assign(explanation="")
    if register is None:
        register = read_register(path)
    if register is None:
        return frame
    status = dict(zip(frame["check_id"], frame["status"], strict=True))
    explained: dict[str, int | None] = {}
    for finding in register.findings:
        text = collapse(finding.explanation)
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
