"""Canonical names: the source spells solutions and items many ways; one name each here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, load_csv_models
from tbu_analysis.rounds.numbers import plain_text

ALL_SOLUTIONS = "Alle løsninger"

Name = Annotated[str, Field(max_length=300)]


class NameRow(InputModel):
    """A row of ``names.csv``: a spelling (within a solution's tables, when ``scope`` is set)
    and the canonical solution and item it stands for."""

    scope: Name = ""
    printed: Annotated[str, Field(min_length=1, max_length=300)]
    solution: Annotated[str, Field(min_length=1, max_length=300)]
    item: Name = ""
    note: str = ""


@dataclass(frozen=True)
class CanonicalName:
    solution: str
    item: str


@dataclass(frozen=True)
class NameMap:
    path: Path
    entries: dict[tuple[str, str], CanonicalName]

    @property
    def solutions(self) -> tuple[str, ...]:
        """The canonical solutions, in the order the names file defines them."""
        return tuple(dict.fromkeys(name.solution for (scope, _), name in self.entries.items()
                                   if not scope and not name.item))

    @classmethod
    def from_csv(cls, path: str | Path) -> NameMap:
        path = Path(path)
        entries: dict[tuple[str, str], CanonicalName] = {}
        solutions: list[str] = []
        for line, row in load_csv_models(path, NameRow, what="navnefilen"):
            if not row.scope and not row.item:
                solutions.append(row.solution)  # a solution-level name defines the solution
            elif row.solution not in solutions:
                raise InputError("ukjent løsning (en løsning defineres av en rad uten scope "
                                 "og item lenger opp)", path=path, line=line,
                                 column="solution", text=row.solution)
            if row.scope and row.scope not in solutions:
                raise InputError("ukjent scope (scope er løsningen hvis tabeller navnet står "
                                 "i, definert lenger opp)", path=path, line=line,
                                 column="scope", text=row.scope)
            key = (row.scope, collapse(row.printed))
            if key in entries:
                raise InputError("navnet står to ganger", path=path, line=line,
                                 column="printed", text=row.printed)
            entries[key] = CanonicalName(row.solution, row.item)
        return cls(path=path, entries=entries)

    def lookup(self, printed: str, scope: str = "") -> CanonicalName | None:
        return self.entries.get((scope, plain_text(printed)))
