"""The claims register: figures stated in the prose, checked against the tables they describe.

A claim quotes a sentence, gives its number as printed and names the table figures it should
equal: a signed sum, or for percentages 100 × a sum over a sum. Claims are judged with the
same printed-precision tolerances as the table checks, so a prose figure that only rounds
differently is told apart from one that disagrees with the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, get_args

import pandas as pd
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from tbu_analysis.analysis import tolerance, words
from tbu_analysis.analysis.explanations import as_quoted, numbers_in
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse, format_number, format_percent
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.rounds.manifest import Category, Manifest, Measure
from tbu_analysis.rounds.numbers import parse_number

CHECK_TYPE = "påstand"
Document = Literal["notat", "tallgrunnlag"]
ClaimUnit = Literal["MNOK", "prosent"]
RESULT_COLUMNS = tolerance.CHECK_COLUMNS
_SIGNS = {"+": 1, "-": -1, "\u2212": -1}
# Narrowing order when a term selects nothing: the first key that empties the selection is the
# one to blame, and the values left at that point are what exists nearby.
_SELECT_ORDER = (
    ("table", "tabellen"), ("solution", "løsningen"), ("item", "posten (item)"),
    ("measure", "målet (measure)"), ("category", "kategorien"), ("year", "året"),
)
_MAX_OPTIONS = 20
_Text = Annotated[str, Field(min_length=1)]


class TermEntry(InputModel):
    """One table figure, selected by its keys; ``sign`` says whether it adds or subtracts."""

    table: _Text
    solution: _Text
    item: str = ""
    measure: Measure
    category: Literal[(*get_args(Category), "")] = ""  # type: ignore[valid-type]
    year: Annotated[int, Field(strict=True, ge=2000, le=2100)]
    sign: Literal["+", "-", "\u2212"] = "+"


class ClaimEntry(InputModel):
    """A figure stated in the prose: the quote, its number as printed and what it should
    equal. Field order matters: ``unit`` is checked against ``of``, ``value`` against ``unit``."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # value: 1038 reads as "1038"

    id: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    document: Document
    section: _Text
    quote: _Text
    equals: _Text
    terms: Annotated[list[TermEntry], Field(min_length=1)]
    of: Annotated[list[TermEntry], Field(min_length=1)] | None = None
    unit: ClaimUnit
    value: _Text

    @field_validator("unit")
    @classmethod
    def _percent_has_a_denominator(cls, unit: str, info: ValidationInfo) -> str:
        has_of = info.data.get("of") is not None
        if unit == "prosent" and not has_of and "terms" in info.data:
            raise ValueError("prosent krever «of» (nevneren)")
        if unit != "prosent" and has_of:
            raise ValueError("«of» hører bare til enheten prosent")
        return unit

    @field_validator("value")
    @classmethod
    def _a_number_in_the_unit(cls, value: str, info: ValidationInfo) -> str:
        try:
            parsed = parse_number(value)
        except InputError:
            raise ValueError("kan ikke lese verdien (skriv den slik teksten trykker den)") \
                from None
        unit = info.data.get("unit")
        if parsed.value is None or (parsed.is_percent and unit not in (None, "prosent")):
            raise ValueError(f"verdien passer ikke til enheten {unit}")
        quote = info.data.get("quote")
        if quote is not None and abs(parsed.value) not in numbers_in(quote):
            raise ValueError("tallet står ikke i sitatet (verdien er tallet slik sitatet "
                             "trykker det)")
        return value


class ClaimsFile(InputModel):
    """``claims.yaml``: the prose's figures."""

    claims: Annotated[list[ClaimEntry], Field(min_length=1)]


@dataclass(frozen=True)
class Term:
    """One table figure in a claim, selected by its keys; ``sign`` is +1 or −1."""

    table: str
    solution: str
    measure: str
    year: int
    item: str = ""
    category: str = ""
    sign: int = 1
    line: int | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    document: str
    section: str
    quote: str
    value_text: str
    value: Decimal
    decimals: int
    unit: str
    equals: str
    terms: tuple[Term, ...]
    of: tuple[Term, ...] = ()
    line: int | None = None

    @property
    def is_percent(self) -> bool:
        return self.unit == "prosent"


def load_claims(path: str | Path, figures: pd.DataFrame, *, source_text: str | None = None,
                manifest: Manifest | None = None) -> list[Claim]:
    """Read and validate the register; every term must select exactly one amount in figures.

    With ``source_text``, every quote must also occur in it (whitespace collapsed). With the
    ``manifest``, a term that names a blank cell of a table is blamed on the table's cell.
    """
    path = Path(path)
    register = load_yaml_model(path, ClaimsFile)
    source = collapse(source_text) if source_text is not None else None
    amounts = figures[figures["value_mnok"].notna()]
    claims: list[Claim] = []
    seen: set[str] = set()
    for entry in register.claims:
        if entry.id in seen:
            raise InputError("påstands-id står to ganger", path=path, line=entry.input_line,
                             text=entry.id)
        seen.add(entry.id)
        if source is not None and as_quoted(entry.quote) not in source:
            raise InputError(f"påstand {entry.id}: sitatet finnes ikke i kilden", path=path,
                             line=entry.line_of("quote"), text=entry.quote)
        where = f"påstand {entry.id}"
        terms = resolve_terms(entry.terms, where, path, figures, manifest, amounts=amounts)
        of = resolve_terms(entry.of or (), where, path, figures, manifest, amounts=amounts)
        parsed = parse_number(entry.value)
        claims.append(Claim(
            id=entry.id, document=entry.document, section=entry.section, quote=entry.quote,
            value_text=entry.value, value=parsed.value, decimals=parsed.decimals,
            unit=entry.unit, equals=entry.equals, terms=terms, of=of, line=entry.input_line,
        ))
    return claims


def resolve_terms(entries: Iterable[TermEntry], where: str, path: Path, figures: pd.DataFrame,
                  manifest: Manifest | None = None, *,
                  amounts: pd.DataFrame | None = None) -> tuple[Term, ...]:
    """Each term of a register entry (a claim, a scope change) as the one figure it selects;
    a term that selects none or several is an InputError at its line in ``path``."""
    if amounts is None:
        amounts = figures[figures["value_mnok"].notna()]
    return tuple(_term(t, where, path, figures, amounts, manifest) for t in entries)


def _term(entry: TermEntry, where: str, path: Path, figures: pd.DataFrame,
          amounts: pd.DataFrame, manifest: Manifest | None) -> Term:
    term = Term(table=entry.table, solution=entry.solution, item=entry.item,
                measure=entry.measure, category=entry.category, year=entry.year,
                sign=_SIGNS[entry.sign], line=entry.input_line)
    selected, blamed, options = _narrow(amounts, term)
    if blamed is not None:
        _refuse_blank_cell(term, where, path, figures, manifest)
        key, label = blamed
        keys = [k for k, _ in _SELECT_ORDER]
        matched = [str(getattr(term, k)) for k in keys[:keys.index(key)]]
        scope = " / ".join(m for m in matched if m)
        scope = f" for {scope}" if scope else ""
        shown = ", ".join(f"«{o}»" for o in options[:_MAX_OPTIONS])
        more = f" (og {len(options) - _MAX_OPTIONS} til)" if len(options) > _MAX_OPTIONS else ""
        raise InputError(f"{where}: {label} finnes ikke blant beløpene{scope}; finnes: "
                         f"{shown}{more}", path=path, line=entry.line_of(key),
                         text=str(getattr(term, key)))
    if len(selected) != 1:
        rows = ", ".join(f"{f}:{r}" for f, r in zip(selected["source_file"],
                                                     selected["source_row"], strict=True))
        raise InputError(f"{where}: leddet velger {len(selected)} tall, ikke ett ({rows})",
                         path=path, line=term.line, text=_describe(term))
    return term


def _refuse_blank_cell(term: Term, where: str, register: Path, figures: pd.DataFrame,
                       manifest: Manifest | None) -> None:
    """A term that names a row and a column the table has, whose cell is blank: the table's
    cell is what is missing, not the claim that names it."""
    if manifest is None or term.table not in {t.id for t in manifest.tables}:
        return
    spec = manifest.table(term.table)
    row = figures[(figures["table"] == term.table) & (figures["solution"] == term.solution)
                  & (figures["item"] == term.item)]
    columns = [index for index, column in spec.columns.items()
               if (column.measure, column.category, column.year)
               == (term.measure, term.category, term.year)]
    if row.empty or len(columns) != 1:
        return
    line = int(row["source_row"].iloc[0])
    raise InputError(
        f"tabell {spec.id}: cellen «{spec.columns[columns[0]].header}» på raden "
        f"«{row['row_label'].iloc[0]}» er tom, men {where} i {register.name} bruker den",
        path=spec.file, line=line, column=columns[0],
    )


_INDEX: list = []  # [(frame, positions by key)] for the frame being read; rebuilt per frame


def _positions(amounts: pd.DataFrame) -> dict:
    """Row positions of ``amounts`` by the full selection key, built once per frame."""
    if not _INDEX or _INDEX[0][0] is not amounts:
        keys = [k for k, _ in _SELECT_ORDER]
        _INDEX[:] = [(amounts, {key: rows for key, rows in amounts.groupby(keys).indices.items()})]
    return _INDEX[0][1]


def _narrow(amounts: pd.DataFrame,
            term: Term) -> tuple[pd.DataFrame, tuple[str, str] | None, list[str]]:
    """Select the term's figures; on an empty result, say which key emptied it and what exists."""
    found = _positions(amounts).get(tuple(getattr(term, k) for k, _ in _SELECT_ORDER))
    if found is not None:
        return amounts.iloc[found], None, []
    current = amounts
    for key, label in _SELECT_ORDER:
        narrowed = current[current[key] == getattr(term, key)]
        if narrowed.empty:
            return narrowed, (key, label), sorted({str(v) for v in current[key]})
        current = narrowed
    return current, None, []


def _describe(term: Term) -> str:
    parts = [term.table, term.solution, term.item, term.measure, term.category, str(term.year)]
    return " / ".join(p for p in parts if p)


def _figure(amounts: pd.DataFrame, term: Term) -> pd.Series:
    selected, _, _ = _narrow(amounts, term)
    if len(selected) != 1:
        raise InputError(f"leddet velger {len(selected)} tall, ikke ett", text=_describe(term))
    return selected.iloc[0]


def _exact(row: pd.Series) -> Decimal:
    """The figure as printed: the float read back to its printed number of decimals."""
    quantum = Decimal(1).scaleb(-int(row["decimals"]))
    return Decimal(repr(float(row["value_mnok"]))).quantize(quantum)


def _sum(rows: list[tuple[Term, pd.Series]]) -> tuple[Decimal, float, list[int]]:
    total = sum((term.sign * _exact(row) for term, row in rows), Decimal(0))
    decimals = [int(row["decimals"]) for _, row in rows]
    return total, sum(tolerance.half_unit(d) for d in decimals), decimals


def _joined(values: list[str]) -> str:
    return "+".join(dict.fromkeys(v for v in values if v))


def _show(value: float, decimals: int, percent: bool) -> str:
    """Numbers in messages, Norwegian style; the one place to change how they look."""
    return format_percent(value, decimals) if percent else format_number(value, decimals)


def _places(value: float, least: int) -> int:
    """Decimals enough to show a tolerance (0,1 or 0,15), at least ``least``, at most two more."""
    places = least
    while places < least + 2 and abs(round(value, places) - value) > 1e-9:
        places += 1
    return places


def _message(claim: Claim, computed: float, difference: float, tol: float, status: str) -> str:
    shown = max(claim.decimals, 1)
    percent = claim.is_percent
    said = _show(float(claim.value), claim.decimals, percent)
    got = _show(computed, shown, percent)
    gap = format_number(difference, shown)
    if status == tolerance.OK:
        rounded = _show(computed, claim.decimals, percent)
        return words.say("checks.md.j2", "claim_holds", said, percent, got,
                         rounded if rounded != got else "")
    if status == tolerance.ROUNDING:
        return words.say("checks.md.j2", "claim_within", said, percent, got, gap,
                         format_number(tol, _places(tol, shown)))
    return words.say("checks.md.j2", "claim_off", said, percent, got, gap)


def evaluate_claims(claims: list[Claim], figures: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: what the tables give, the difference and its status."""
    records = []
    amounts = figures[figures["value_mnok"].notna()]
    for claim in claims:
        terms = [(term, _figure(amounts, term)) for term in claim.terms]
        of = [(term, _figure(amounts, term)) for term in claim.of]
        amount, amount_error, amount_decimals = _sum(terms)
        if claim.is_percent:
            base, base_error, _ = _sum(of)
            if base == 0:
                raise InputError(f"påstand {claim.id}: nevneren er null", line=claim.line)
            computed_exact = Decimal(100) * amount / base
            tol = tolerance.ratio_tolerance(float(amount), amount_error, float(base),
                                            base_error, claim.decimals)
        else:
            computed_exact = amount
            tol = tolerance.sum_tolerance(amount_decimals, claim.decimals)
        computed = float(computed_exact)
        printed = float(claim.value)
        difference = float(claim.value - computed_exact)
        status = tolerance.classify(computed, printed, claim.decimals, tol)
        rows = [row for _, row in terms + of]
        records.append({
            "check_id": claim.id,
            "check_type": CHECK_TYPE,
            "table": _joined([str(r["table"]) for r in rows]),
            "table_number": _joined([str(r["table_number"]) for r in rows]),
            "solution": _joined([str(r["solution"]) for r in rows]),
            "item": _joined([str(r["item"]) for r in rows]),
            "check": claim.equals,
            "computed": computed,
            "printed": printed,
            "difference": difference,
            "tolerance": tol,
            "status": status,
            "involves_correction": any(bool(r["corrected"]) for r in rows),
            "message": _message(claim, computed, difference, tol, status),
            "section": claim.section,
            "quote": claim.quote,
        })
    return pd.DataFrame.from_records(records, columns=RESULT_COLUMNS)
