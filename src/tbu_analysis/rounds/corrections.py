"""The corrections register: fixes of the text extraction, each proved by the source's prose."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import line_of, load_yaml
from tbu_analysis.rounds.raw_tables import RawRow, RawTable


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
    path = Path(path)
    if not path.exists():
        return ()
    raw = load_yaml(path) or {}
    items = raw.get("corrections") or []
    result = []
    for item in items:
        for key in ("id", "table", "reason", "cells", "evidence"):
            if not item.get(key):
                raise InputError(f"rettelsen mangler «{key}»", path=path, line=line_of(item))
        cells = []
        for cell in item["cells"]:
            for key in ("line", "column", "as_printed", "corrected"):
                if key not in cell:
                    raise InputError(f"cellen mangler «{key}»", path=path, line=line_of(cell))
            cells.append(CellFix(int(cell["line"]), int(cell["column"]),
                                 str(cell["as_printed"]), str(cell["corrected"])))
        evidence = tuple(Evidence(str(e.get("section", "")), str(e["quote"]))
                         for e in item["evidence"])
        result.append(Correction(str(item["id"]), str(item["table"]), str(item["reason"]).strip(),
                                 tuple(cells), evidence, line_of(item)))
    return tuple(result)


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
