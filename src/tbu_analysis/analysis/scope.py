"""Scope changes (omfangsendringer) and underlying growth (underliggende vekst).

A round's ``scope.yaml`` lists every service or amount that enters or leaves what the
regulation finances, or moves between solutions or items, per year, in the source's words. A
committee judges the growth that is left when those are taken out, so growth between
consecutive years is split, per solution and in total::

    nominal growth = prisjustering (index) + omfangsendringer (scope) + underliggende vekst

The index part is the price rise the source itself puts into its figures: a year printed in a
later year's kroner (``nominal_year < price_year``, «justert med 4,121 %») is taken back to its
own kroner with the index file's rate, so the nominal change holds the price rise and the
printed change does not. A year printed «ikke indeksregulert» holds no price rise, so its index
part is 0: no rate the source does not state is used.

Every entry is checked like a claim: its quote must stand in the source; its amount must be
printed in the quote or equal the table figures it names (``terms``, evaluated by
:mod:`claims` with the printed-precision tolerances), and the source's own list of new services
(a note row the register names) and the register must agree mark for mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd
from pydantic import Field, field_validator, model_validator

from tbu_analysis.analysis.claims import Claim, TermEntry, evaluate_claims, resolve_terms
from tbu_analysis.analysis.explanations import (
    Quoted,
    number_of,
    numbers_in,
    source_text,
)
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import Manifest, load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.numbers import parse_number, plain_text
from tbu_analysis.rounds.raw_tables import read_raw_table
from tbu_analysis.vocab import ScopeKind, Series, Status

SCOPE_FILE = "scope.yaml"
_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_BOLD = re.compile(r"<b>(.*?)</b>", re.S)


class Listing(InputModel):
    """Where the source lists the new services year by year: a note row of a table."""

    table: str = Field(min_length=1)
    row: str = Field(min_length=1)


class ScopeEntry(Quoted):
    """One scope change: what, where, which year, which way, how much, and the source's words."""

    id: str = Field(min_length=1, max_length=80, pattern=_ID)
    service: str = Field(min_length=1)
    solution: str = Field(min_length=1)
    item: str = ""
    from_solution: str = ""
    from_item: str = ""
    year: int = Field(ge=1990, le=2100)
    kind: ScopeKind
    amount: str | None = None
    counted: bool = True
    listed: str = ""
    equals: str = ""
    terms: list[TermEntry] = []
    note: str = ""
    # said beside the amount wherever the running text names the change (where the source's
    # own amount for it differs from the scope change, say how the two agree)
    remark: str = ""

    @field_validator("amount")
    @classmethod
    def _a_number(cls, amount: str | None) -> str | None:
        if amount is None:
            return None
        try:
            parsed = parse_number(amount)
        except InputError:
            raise ValueError("kan ikke lese beløpet (skriv det slik kilden trykker det)") \
                from None
        if parsed.value is None or parsed.value < 0 or parsed.is_percent:
            raise ValueError("beløpet skrives uten fortegn (kind sier retningen)")
        return amount

    @model_validator(mode="after")
    def _consistent(self) -> ScopeEntry:
        if self.kind is ScopeKind.OKT and self.counted:
            raise ValueError("«økt» er vekst i en tjeneste som alt er med: sett counted: false")
        if self.amount is None and self.counted:
            raise ValueError("en omfangsendring som er med i tallene må ha et beløp "
                             "(eller counted: false)")
        if self.amount is None and self.terms:
            raise ValueError("terms uten beløp: skriv beløpet tabelltallene skal gi")
        if self.kind is ScopeKind.FLYTTING and not (self.from_solution or self.from_item):
            raise ValueError("en flytting må si hvor pengene kommer fra (from_solution/from_item)")
        if self.amount is not None and not self.terms:
            printed = parse_number(self.amount).value
            if abs(printed) not in numbers_in(self.quote):
                raise ValueError(f"beløpet {self.amount} står ikke i sitatet, og ingen "
                                 f"tabelltall (terms) er oppgitt")
        return self

    @property
    def value(self) -> float | None:
        """The amount as a number, without sign; None when the source states none."""
        return None if self.amount is None else float(parse_number(self.amount).value)

    @property
    def origin(self) -> str:
        """The solution the money comes from (a move), else the entry's own."""
        return self.from_solution or self.solution

    def effect(self, solution: str) -> float:
        """What the change adds to ``solution``'s level (to the total for ALL_SOLUTIONS);
        0 when not counted."""
        if not self.counted or self.value is None:
            return 0.0
        if self.kind is ScopeKind.INN:
            return self.value if solution in (self.solution, ALL_SOLUTIONS) else 0.0
        if self.kind is ScopeKind.UT:
            return -self.value if solution in (self.solution, ALL_SOLUTIONS) else 0.0
        into = self.value if solution == self.solution else 0.0
        out = self.value if solution == self.origin else 0.0
        return into - out  # a move nets to zero in the total and inside one solution

    def concerns(self, solution: str) -> bool:
        """Whether the change touches ``solution``: its own, where the money comes from, or
        one of the solutions an uncounted move spreads it on («Helsenorge, Kjernejournal»)."""
        return (solution == ALL_SOLUTIONS or solution in (self.solution, self.origin)
                or not self.counted and solution in self.solution.split(", "))


class ScopeFile(InputModel):
    """``scope.yaml``: the round's scope changes, and where the source lists new services."""

    listing: Listing | None = None
    scope: list[ScopeEntry] = Field(min_length=1)


def load_scope(paths: RoundPaths, figures: pd.DataFrame | None = None) -> list[ScopeEntry]:
    """The round's scope register, every quote checked against the source text; with
    ``figures``, every amount against the tables it names and the register against the
    source's list of new services. A round without the register has no scope changes."""
    path = paths.raw / SCOPE_FILE
    if not path.is_file():
        return []
    register = load_yaml_model(path, ScopeFile, context={"source": source_text(paths)})
    seen: set[str] = set()
    for entry in register.scope:
        if entry.id in seen:
            raise InputError("id-en står to ganger", path=path, line=entry.line_of("id"),
                             text=entry.id)
        seen.add(entry.id)
    if figures is not None:
        manifest = load_manifest(paths.manifest)
        _check_solutions(register.scope, figures, path)
        _check_amounts(register.scope, figures, path, manifest)
        if register.listing is not None:
            check_listing(register.listing, register.scope, manifest, path)
    return list(register.scope)


def load_listing(paths: RoundPaths) -> Listing | None:
    """Where the round's source lists its new services (``scope.yaml``'s ``listing``), the
    list the report's scope changes follow; None without the register or the listing."""
    path = paths.raw / SCOPE_FILE
    if not path.is_file():
        return None
    return load_yaml_model(path, ScopeFile, context={"source": source_text(paths)}).listing


def _check_solutions(entries: Iterable[ScopeEntry], figures: pd.DataFrame, path: Path) -> None:
    known = set(figures["solution"])
    for entry in entries:
        if not entry.counted:
            continue  # shown as the source words it, not computed with
        for key in ("solution", "from_solution"):
            name = getattr(entry, key)
            if name and name not in known:
                raise InputError(f"omfangsendring {entry.id}: løsningen finnes ikke blant "
                                 f"tallene ({', '.join(sorted(known))})", path=path,
                                 line=entry.line_of(key), text=name)


#: The check id of a scope amount in the reconciliation: «omfang:<entry id>».
CHECK_PREFIX = "omfang"


def _amount_checks(entries: Iterable[ScopeEntry], figures: pd.DataFrame, path: Path,
                   manifest: Manifest) -> list[tuple[ScopeEntry, pd.Series, bool]]:
    """Each amount with table figures (``terms``) judged as a claim is: the entry, its check
    row, and whether the quote prints the amount (the source's own word)."""
    amounts = figures[figures["value_mnok"].notna()]
    out = []
    for entry in entries:
        if not entry.terms or entry.amount is None:
            continue
        where = f"omfangsendring {entry.id}"
        terms = resolve_terms(entry.terms, where, path, figures, manifest, amounts=amounts)
        parsed = parse_number(entry.amount)
        claim = Claim(id=f"{CHECK_PREFIX}:{entry.id}", document="", section=entry.section,
                      quote=entry.quote, value_text=entry.amount, value=Decimal(parsed.value),
                      decimals=parsed.decimals, unit="MNOK", equals=entry.equals,
                      terms=terms, line=entry.input_line)
        in_quote = number_of(entry.amount) in numbers_in(entry.quote)
        out.append((entry, evaluate_claims([claim], figures).iloc[0], in_quote))
    return out


def _check_amounts(entries: Iterable[ScopeEntry], figures: pd.DataFrame, path: Path,
                   manifest: Manifest) -> None:
    """Each amount against the table figures it names, as a claim is judged; an amount only
    the tables support must equal them. An amount the quote prints is the source's word:
    where the tables disagree, that is a discrepancy in the source, which the reconciliation
    lists (``scope_checks``), not a wrong entry."""
    for entry, result, in_quote in _amount_checks(entries, figures, path, manifest):
        if result["status"] in (Status.DISCREPANCY, Status.UNLIKELY) and not in_quote:
            raise InputError(f"omfangsendring {entry.id}: beløpet stemmer ikke med tabellene: "
                             f"{result['message']}", path=path, line=entry.line_of("amount"),
                             text=entry.amount)


def scope_checks(entries: Iterable[ScopeEntry], figures: pd.DataFrame, path: Path,
                 manifest: Manifest, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scope amounts the source prints, against the table figures they name, as checks of
    the reconciliation: a scope amount that disagrees with the tables is reported there with
    every other check, whether or not a claim covers the same figures. An amount a claim
    already checks (same printed value, same figures) is not checked twice."""
    seen = set() if claims is None or claims.empty else {
        (round(float(r.printed), 6), round(float(r.computed), 6), str(r.table), str(r.item))
        for r in claims.itertuples()}
    rows = [result for _, result, in_quote in _amount_checks(entries, figures, path, manifest)
            if in_quote and (round(float(result["printed"]), 6),
                             round(float(result["computed"]), 6), str(result["table"]),
                             str(result["item"])) not in seen]
    return pd.DataFrame(rows).reset_index(drop=True) if rows else pd.DataFrame()


def listed_marks(listing: Listing, manifest: Manifest) -> list[tuple[int, str, int, int]]:
    """The marks of the source's list of new services: (year, mark, line, column) per mark,
    a bold run each (a cell without bold is one mark)."""
    spec = manifest.table(listing.table)
    raw = read_raw_table(spec.file, spec.header_rows)
    rows = [r for r in raw.rows if plain_text(r.cells[0]) == listing.row]
    if len(rows) != 1:
        raise InputError(f"raden «{listing.row}» finnes ikke (eller står flere ganger) i "
                         f"{spec.file.name}", path=spec.file)
    row = rows[0]
    marks = []
    for index, column in spec.columns.items():
        cell = row.cells[index]
        parts = _BOLD.findall(cell) or [cell]
        marks += [(column.year, plain_text(p), row.line, index)
                  for p in parts if plain_text(p)]
    return marks


def check_listing(listing: Listing, entries: Iterable[ScopeEntry], manifest: Manifest,
                  path: Path) -> None:
    """Every mark of the source's list has an entry for its year, and every entry that names
    a mark finds it there: the register leaves out nothing the source lists."""
    entries = list(entries)
    marks = listed_marks(listing, manifest)
    listed = {(e.year, collapse(e.listed)) for e in entries if e.listed}
    for year, mark, line, column in marks:
        if (year, mark) not in listed:
            raise InputError(f"kilden fører «{mark}» for {year} i raden «{listing.row}», men "
                             f"{SCOPE_FILE} har ingen omfangsendring med listed: «{mark}»",
                             path=manifest.table(listing.table).file, line=line, column=column,
                             text=mark)
    found = {(year, mark) for year, mark, _, _ in marks}
    for entry in entries:
        if entry.listed and (entry.year, collapse(entry.listed)) not in found:
            raise InputError(f"omfangsendring {entry.id}: «{entry.listed}» står ikke for "
                             f"{entry.year} i raden «{listing.row}»", path=path,
                             line=entry.line_of("listed"), text=entry.listed)


# --- the growth split --------------------------------------------------------------------------

UNDERLYING_COLUMNS = [
    "series", "solution", "from_year", "to_year", "from_value", "to_value", "price_year",
    "from_nominal", "to_nominal", "nominal_mnok", "nominal_pct", "index_mnok", "scope_mnok",
    "underlying_mnok", "underlying_pct", "decimals", "scope_ids", "other_ids",
]


def underlying_growth(levels: pd.DataFrame, entries: list[ScopeEntry],
                      series: str = Series.KOSTNADSNIVA.value,
                      path: Path | None = None) -> pd.DataFrame:
    """Growth between consecutive years of ``series`` per solution and in total, split into
    index, scope and underlying change (see the module's docstring).

    ``levels`` is ``levels.csv`` (``growth.indexed_levels``): the level as printed
    (``value_mnok``, in ``price_year`` kroner) and in its own year's kroner (``nominal``).
    Underlying growth is in the printed kroner, as the scope amounts are.
    """
    rows = levels[(levels["series"] == series) & (levels["item"] == "")]
    used: set[str] = set()
    records = []
    solutions = sorted(set(rows["solution"]), key=lambda s: (s != ALL_SOLUTIONS, s))
    for solution in solutions:
        own = rows[rows["solution"] == solution].sort_values("year")
        years = [int(y) for y in own["year"]]
        for start, end in zip(years, years[1:], strict=False):
            a = own[own["year"] == start].iloc[0]
            b = own[own["year"] == end].iloc[0]
            if int(a["price_year"]) != int(b["price_year"]):
                raise InputError(f"nivåene for {solution} {start} og {end} er trykt i ulike "
                                 f"kroner; veksten kan ikke deles")
            here = [e for e in entries if e.year == end and e.concerns(solution)]
            counted = [e for e in here if e.counted and e.effect(solution) != 0.0]
            used |= {e.id for e in here}
            scope = sum(e.effect(solution) for e in counted)
            printed = float(b["value_mnok"]) - float(a["value_mnok"])
            nominal = float(b["nominal"]) - float(a["nominal"])
            underlying = printed - scope
            records.append({
                "series": series, "solution": solution, "from_year": start, "to_year": end,
                "from_value": float(a["value_mnok"]), "to_value": float(b["value_mnok"]),
                "price_year": int(b["price_year"]),
                "from_nominal": _clean(a["nominal"]), "to_nominal": _clean(b["nominal"]),
                "nominal_mnok": _clean(nominal),
                "nominal_pct": _clean(100 * nominal / float(a["nominal"]))
                if float(a["nominal"]) else float("nan"),
                "index_mnok": _clean(nominal - printed),
                "scope_mnok": _clean(scope),
                "underlying_mnok": _clean(underlying),
                "underlying_pct": _clean(100 * underlying / float(a["value_mnok"]))
                if float(a["value_mnok"]) else float("nan"),
                "decimals": min(int(a["decimals"]), int(b["decimals"])),
                "scope_ids": " ".join(e.id for e in counted),
                "other_ids": " ".join(e.id for e in here if e not in counted),
            })
    stray = [e for e in entries if e.id not in used]
    if stray and records:
        entry = stray[0]
        raise InputError(f"omfangsendring {entry.id}: året {entry.year} følger ikke etter et år "
                         f"i serien, så endringen hører ikke til noen vekst", path=path,
                         line=entry.line_of("year"), text=str(entry.year))
    return pd.DataFrame.from_records(records, columns=UNDERLYING_COLUMNS)


def _clean(value: float) -> float:
    """Arithmetic noise off (11,000000000000002 → 11,0), so reruns write the same bytes."""
    return round(float(value), 9)
