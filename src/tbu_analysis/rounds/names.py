"""Canonical names: the source spells solutions and items many ways; one name each here."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.rounds.numbers import strip_markup

ALL_SOLUTIONS = "Alle løsninger"


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
        if not path.is_file():
            raise InputError("navnefilen finnes ikke", path=path)
        entries: dict[tuple[str, str], CanonicalName] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            needed = {"scope", "printed", "solution", "item"}
            if not needed <= set(reader.fieldnames or []):
                raise InputError(f"navnefilen må ha kolonnene {', '.join(sorted(needed))}",
                                 path=path, line=1)
            solutions: list[str] = []
            for line, row in enumerate(reader, start=2):
                solution = row["solution"].strip()
                if not row["scope"].strip() and not row["item"].strip():
                    solutions.append(solution)  # a solution-level name defines the solution
                elif solution not in solutions:
                    raise InputError("ukjent løsning (en løsning defineres av en rad uten scope "
                                     "og item lenger opp)", path=path, line=line,
                                     column="solution", text=solution)
                key = (row["scope"].strip(), row["printed"].strip())
                if key in entries:
                    raise InputError("navnet står to ganger", path=path, line=line,
                                     text=row["printed"])
                entries[key] = CanonicalName(row["solution"].strip(), row["item"].strip())
        return cls(path=path, entries=entries)

    def lookup(self, printed: str, scope: str = "") -> CanonicalName | None:
        return self.entries.get((scope, " ".join(strip_markup(printed).split())))
