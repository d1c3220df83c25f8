"""The corrections register: fixes of the text extraction, each proved by the source's prose."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.rounds.numbers import plain_text
from tbu_analysis.rounds.raw_tables import RawRow, RawTable

LABEL_COLUMN = "label"


class CellEntry(InputModel):
    """One cell, named by its row's label as printed (markup removed) and its column's header
    as the manifest gives it (``label`` for the row label itself), never by line alone: a row
    inserted in a copied round leaves the address valid. ``line``, when given, is a
    cross-check that the label still names the row the fix was written for."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    row: Annotated[str, Field(max_length=2000)] | None = None
    column: Annotated[str, Field(min_length=1, max_length=300)]
    line: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None = None
    as_printed: Annotated[str, Field(max_length=2000)]
    corrected: Annotated[str, Field(max_length=2000)]

    @model_validator(mode="after")
    def _a_value_cell_names_its_row(self) -> CellEntry:
        if self.row is None and self.column != LABEL_COLUMN:
            raise ValueError("en celle utenfor radetiketten må ha «row» (radens etikett)")
        return self


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
    row: str
    column: str
    as_printed: str
    corrected: str
    line: int | None = None  # a cross-check, not the address
    entry_line: int | None = None  # where the cell is in corrections.yaml


@dataclass(frozen=True)
class AppliedFix:
    """A fix as applied: the raw line and column it resolved to."""

    correction: Correction
    fix: CellFix
    line: int
    column: int


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
            cells=tuple(CellFix(c.as_printed if c.row is None else c.row, c.column,
                                c.as_printed, c.corrected, c.line, c.input_line)
                        for c in entry.cells),
            evidence=tuple(Evidence(e.section, e.quote) for e in entry.evidence),
            line=entry.input_line,
        )
        for entry in register.corrections
    )


def locate(table: RawTable, columns: dict[int, str], correction: Correction, fix: CellFix,
           register: Path) -> tuple[int, int]:
    """The raw line and column a fix names by row label and column header."""
    def refuse(message: str, text: str) -> InputError:
        return InputError(f"rettelse {correction.id}: {message}", path=register,
                          line=fix.entry_line or correction.line, text=text)

    if fix.column == LABEL_COLUMN:
        index = 0
    else:
        found = [i for i, header in columns.items() if header == fix.column]
        if not found:
            raise refuse(f"kolonnen finnes ikke i manifestets tabell {correction.table} "
                         f"(kjente: {LABEL_COLUMN}, {', '.join(columns.values())})", fix.column)
        index = found[0]
    lines = [row.line for row in table.rows if plain_text(row.cells[0]) == plain_text(fix.row)]
    if not lines:
        raise refuse(f"raden finnes ikke i {table.path.name}", fix.row)
    if len(lines) > 1 and fix.line not in lines:
        raise refuse(f"{len(lines)} rader i {table.path.name} har etiketten (linje "
                     f"{', '.join(map(str, lines))}); velg med «line»", fix.row)
    line = fix.line if len(lines) > 1 else lines[0]
    if fix.line is not None and fix.line != line:
        raise refuse(f"raden står på linje {line} i {table.path.name}, ikke linje {fix.line}",
                     fix.row)
    return line, index


def apply_corrections(
    table: RawTable, corrections: tuple[Correction, ...], register: Path,
    columns: dict[int, str],
) -> tuple[RawTable, dict[int, list[str]], list[AppliedFix]]:
    """Apply fixes to a table; return it, per raw line the ids of fixes that touched it, and
    where each fix was applied. ``columns`` maps column numbers to the manifest's headers."""
    rows = {row.line: list(row.cells) for row in table.rows}
    touched: dict[int, list[str]] = {}
    applied: list[AppliedFix] = []
    for correction in corrections:
        located = [(fix, *locate(table, columns, correction, fix, register))
                   for fix in correction.cells]  # addressed in the raw table, as printed
        for fix, line, column in located:
            current = rows[line][column]
            if current.strip() != fix.as_printed.strip():
                raise InputError(
                    f"rettelse {correction.id}: {table.path.name} linje {line} kolonne "
                    f"{column} har ikke teksten rettelsen gjelder (forventet "
                    f"{fix.as_printed!r})",
                    path=register, line=correction.line, text=current,
                )
            rows[line][column] = fix.corrected
            touched.setdefault(line, [])
            if correction.id not in touched[line]:
                touched[line].append(correction.id)
            applied.append(AppliedFix(correction, fix, line, column))
    new_rows = tuple(RawRow(line=r.line, cells=tuple(rows[r.line])) for r in table.rows)
    return table.with_rows(new_rows), touched, applied
