"""The corrections register: fixes of the text extraction, each proved by the source's prose."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.rounds.raw_tables import RawRow, RawTable


class CellEntry(InputModel):
    """One cell: where it is in the raw file, as printed and as corrected."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    line: Annotated[int, Field(strict=True, ge=1, le=1_000_000)]
    column: Annotated[int, Field(strict=True, ge=0, le=99)]
    as_printed: Annotated[str, Field(max_length=2000)]
    corrected: Annotated[str, Field(max_length=2000)]


class EvidenceEntry(InputModel):
    section: str = ""
    quote: Annotated[str, Field(min_length=1)]


class CorrectionEntry(InputModel):
    id: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    table: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    cells: Annotated[list[CellEntry], Field(min_length=1)]
    evidence: Annotated[list[EvidenceEntry], Field(min_length=1)]


class CorrectionsFile(InputModel):
    """``corrections.yaml``: fixes of the text extraction, each proved by quotes."""

    corrections: list[CorrectionEntry] = []


@dataclass(frozen=True)
class CellFix:
    line: int
    column: int
    as_printed: str
    corrected: str


@dataclass(frozen=True)
class Evidence:
    section: str
    quote: str


@dataclass(frozen=True)
class Correction:
    id: str
    table: str
    reason: str
    cells: tuple[CellFix, ...]
    evidence: tuple[Evidence, ...]
    line: int | None = None


def load_corrections(path: str | Path) -> tuple[Correction, ...]:
    """The register, validated; a round without one has no corrections."""
    path = Path(path)
    if not path.exists():
        return ()
    register = load_yaml_model(path, CorrectionsFile)
    seen: set[str] = set()
    for entry in register.corrections:
        if entry.id in seen:
            raise InputError("rettelses-id-en står to ganger", path=path,
                             line=entry.line_of("id"), key="id", text=entry.id)
        seen.add(entry.id)
    return tuple(
        Correction(
            id=entry.id, table=entry.table, reason=entry.reason,
            cells=tuple(CellFix(c.line, c.column, c.as_printed, c.corrected)
                        for c in entry.cells),
            evidence=tuple(Evidence(e.section, e.quote) for e in entry.evidence),
            line=entry.input_line,
        )
        for entry in register.corrections
    )


def apply_corrections(
    table: RawTable, corrections: tuple[Correction, ...], register: Path
) -> tuple[RawTable, dict[int, list[str]]]:
    """Apply fixes to a table; return it and, per raw line, the ids of fixes that touched it."""
    rows = {row.line: list(row.cells) for row in table.rows}
    touched: dict[int, list[str]] = {}
    for correction in corrections:
        for fix in correction.cells:
            if fix.line not in rows or not 0 <= fix.column < table.width:
                raise InputError(
                    f"rettelse {correction.id}: cellen (linje {fix.line}, kolonne {fix.column}) "
                    f"finnes ikke i {table.path.name}",
                    path=register, line=correction.line,
                )
            current = rows[fix.line][fix.column]
            if current.strip() != fix.as_printed.strip():
                raise InputError(
                    f"rettelse {correction.id}: {table.path.name} linje {fix.line} kolonne "
                    f"{fix.column} har ikke teksten rettelsen gjelder (forventet "
                    f"{fix.as_printed!r})",
                    path=register, line=correction.line, text=current,
                )
            rows[fix.line][fix.column] = fix.corrected
            touched.setdefault(fix.line, [])
            if correction.id not in touched[fix.line]:
                touched[fix.line].append(correction.id)
    new_rows = tuple(RawRow(line=r.line, cells=tuple(rows[r.line])) for r in table.rows)
    return table.with_rows(new_rows), touched
