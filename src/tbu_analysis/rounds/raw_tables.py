"""Read a raw table file: tab-separated cells exactly as the source prints them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import read_text


@dataclass(frozen=True)
class RawRow:
    line: int  # 1-based line in the raw file
    cells: tuple[str, ...]


@dataclass(frozen=True)
class RawTable:
    path: Path
    header: tuple[RawRow, ...]
    rows: tuple[RawRow, ...]

    @property
    def width(self) -> int:
        return len(self.header[0].cells)

    def header_text(self, column: int) -> str:
        """All header cells of one column, joined: multi-row headers read top to bottom."""
        return " ".join(r.cells[column].strip() for r in self.header if r.cells[column].strip())

    def with_rows(self, rows: tuple[RawRow, ...]) -> RawTable:
        return replace(self, rows=rows)


def read_raw_table(path: str | Path, header_rows: int) -> RawTable:
    """Split into header and body; every row must have as many cells as the header."""
    path = Path(path)
    if header_rows < 1:
        raise InputError("en tabell har minst én overskriftsrad", path=path, text=str(header_rows))
    lines = read_text(path, "tabellfilen").splitlines()
    rows = [
        RawRow(line=n, cells=tuple(text.split("\t")))
        for n, text in enumerate(lines, start=1)
        if text.strip()  # blank separator lines carry no cells
    ]
    if len(rows) <= header_rows:
        raise InputError(f"tabellen har ingen rader etter {header_rows} overskriftsrader",
                         path=path)
    header, body = tuple(rows[:header_rows]), tuple(rows[header_rows:])
    width = len(header[0].cells)
    for row in (*header, *body):
        if len(row.cells) != width:
            raise InputError(
                f"raden har {len(row.cells)} celler, overskriften har {width}",
                path=path, line=row.line, text="\t".join(row.cells),
            )
    return RawTable(path=path, header=header, rows=body)
