"""The claims register: figures stated in the prose, checked against the tables they describe.

A claim quotes a sentence, gives its number as printed and names the table figures it should
equal: a signed sum, or for percentages 100 × a sum over a sum. Claims are judged with the
same printed-precision tolerances as the table checks, so a prose figure that only rounds
differently is told apart from one that disagrees with the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from tbu_analysis.analysis import tolerance
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_number, format_percent
from tbu_analysis.common.yamlio import LineDict, line_of, load_yaml
from tbu_analysis.rounds.numbers import parse_number

CHECK_TYPE = "påstand"
DOCUMENTS = ("notat", "tallgrunnlag")
UNITS = ("MNOK", "prosent")
RESULT_COLUMNS = tolerance.CHECK_COLUMNS
_CLAIM_KEYS = ("id", "document", "section", "quote", "value", "unit", "equals", "terms", "of")
_REQUIRED = ("id", "document", "section", "quote", "value", "unit", "equals", "terms")
_TERM_KEYS = ("sign", "table", "solution", "item", "measure", "category", "year")
_SIGNS = {"+": 1, "-": -1, "\u2212": -1}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Narrowing order when a term selects nothing: the first key that empties the selection is the
# one to blame, and the values left at that point are what exists nearby.
_SELECT_ORDER = (
    ("table", "tabellen"), ("solution", "løsningen"), ("item", "posten (item)"),
    ("measure", "målet (measure)"), ("category", "kategorien"), ("year", "året"),
)
_MAX_OPTIONS = 20


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


def collapse_whitespace(text: str) -> str:
    """Quotes are compared with runs of whitespace (incl. no-break spaces) as one space."""
    return " ".join(text.split())


def load_claims(path: str | Path, figures: pd.DataFrame, *,
                source_text: str | None = None) -> list[Claim]:
    """Read and validate the register; every term must select exactly one amount in figures.

    With ``source_text``, every quote must also occur in it (whitespace collapsed).
    """
    path = Path(path)
    raw = load_yaml(path)
    if not isinstance(raw, LineDict) or "claims" not in raw:
        raise InputError("påstandsregisteret må være en mapping med nøkkelen «claims»", path=path)
    for key in raw:
        if key != "claims":
            raise InputError("ukjent nøkkel", path=path, line=line_of(raw, key), text=str(key))
    items = raw["claims"]
    if not isinstance(items, list) or not items:
        raise InputError("«claims» må være en ikke-tom liste", path=path,
                         line=line_of(raw, "claims"))
    source = collapse_whitespace(source_text) if source_text is not None else None
    amounts = figures[figures["value_mnok"].notna()]
    claims: list[Claim] = []
    seen: set[str] = set()
    for item in items:
        claim = _claim(item, path, amounts)
        if claim.id in seen:
            raise InputError("påstands-id står to ganger", path=path, line=claim.line,
                             text=claim.id)
        seen.add(claim.id)
        if source is not None and collapse_whitespace(claim.quote) not in source:
            raise InputError(f"påstand {claim.id}: sitatet finnes ikke i kilden", path=path,
                             line=line_of(item, "quote"), text=claim.quote)
        claims.append(claim)
    return claims


def _claim(item: Any, path: Path, amounts: pd.DataFrame) -> Claim:
    if not isinstance(item, LineDict):
        raise InputError("hver påstand må være en mapping", path=path, line=line_of(item),
                         text=str(item))
    claim_id = str(item.get("id", "?"))
    where = f"påstand {claim_id}"
    for key in item:
        if key not in _CLAIM_KEYS:
            raise InputError(f"{where}: ukjent nøkkel (kjente: {', '.join(_CLAIM_KEYS)})",
                             path=path, line=line_of(item, key), text=str(key))
    for key in _REQUIRED:
        if item.get(key) in (None, "", []):
            raise InputError(f"{where}: mangler «{key}»", path=path, line=line_of(item))
    if not _ID.match(claim_id):
        raise InputError("påstands-id må være kebab-case (a-z, 0-9 og -)", path=path,
                         line=line_of(item, "id"), text=claim_id)
    document, unit = str(item["document"]), str(item["unit"])
    if document not in DOCUMENTS:
        raise InputError(f"{where}: ukjent dokument (kjente: {', '.join(DOCUMENTS)})", path=path,
                         line=line_of(item, "document"), text=document)
    if unit not in UNITS:
        raise InputError(f"{where}: ukjent enhet (kjente: {', '.join(UNITS)})", path=path,
                         line=line_of(item, "unit"), text=unit)
    value_raw = item["value"]
    if isinstance(value_raw, bool) or not isinstance(value_raw, str | int):
        raise InputError(f"{where}: «value» skal stå i anførselstegn slik teksten trykker den",
                         path=path, line=line_of(item, "value"), text=str(value_raw))
    value_text = str(value_raw)
    try:
        parsed = parse_number(value_text)
    except InputError:
        raise InputError(f"{where}: kan ikke lese verdien", path=path,
                         line=line_of(item, "value"), text=value_text) from None
    if parsed.value is None or (parsed.is_percent and unit != "prosent"):
        raise InputError(f"{where}: verdien passer ikke til enheten {unit}", path=path,
                         line=line_of(item, "value"), text=value_text)
    if unit == "prosent" and not item.get("of"):
        raise InputError(f"{where}: prosent krever «of» (nevneren)", path=path,
                         line=line_of(item, "unit"))
    if unit != "prosent" and "of" in item:
        raise InputError(f"{where}: «of» hører bare til enheten prosent", path=path,
                         line=line_of(item, "of"))
    terms = _terms(item, "terms", where, path, amounts)
    of = _terms(item, "of", where, path, amounts) if unit == "prosent" else ()
    return Claim(
        id=claim_id, document=document, section=str(item["section"]).strip(),
        quote=str(item["quote"]).strip(), value_text=value_text, value=parsed.value,
        decimals=parsed.decimals, unit=unit, equals=str(item["equals"]).strip(), terms=terms,
        of=of, line=line_of(item),
    )


def _terms(item: LineDict, key: str, where: str, path: Path,
           amounts: pd.DataFrame) -> tuple[Term, ...]:
    raw = item[key]
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{where}: «{key}» må være en ikke-tom liste", path=path,
                         line=line_of(item, key))
    return tuple(_term(entry, where, path, amounts) for entry in raw)


def _term(entry: Any, where: str, path: Path, amounts: pd.DataFrame) -> Term:
    line = line_of(entry)
    if not isinstance(entry, LineDict):
        raise InputError(f"{where}: et ledd må være en mapping", path=path, line=line,
                         text=str(entry))
    for key in entry:
        if key not in _TERM_KEYS:
            raise InputError(f"{where}: ukjent nøkkel i leddet (kjente: {', '.join(_TERM_KEYS)})",
                             path=path, line=line_of(entry, key), text=str(key))
    for key in ("table", "solution", "measure", "year"):
        if entry.get(key) in (None, ""):
            raise InputError(f"{where}: leddet mangler «{key}»", path=path, line=line)
    sign_text = str(entry.get("sign", "+")).strip()
    if sign_text not in _SIGNS:
        raise InputError(f"{where}: fortegn må være + eller -", path=path,
                         line=line_of(entry, "sign"), text=sign_text)
    year = entry["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"{where}: året må være et heltall", path=path,
                         line=line_of(entry, "year"), text=str(year))
    texts = {}
    for key in ("table", "solution", "measure", "item", "category"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise InputError(f"{where}: «{key}» må være tekst", path=path,
                             line=line_of(entry, key), text=str(value))
        texts[key] = value
    term = Term(sign=_SIGNS[sign_text], year=year, line=line, **texts)
    selected, blamed, options = _narrow(amounts, term)
    if blamed is not None:
        key, label = blamed
        keys = [k for k, _ in _SELECT_ORDER]
        matched = [str(getattr(term, k)) for k in keys[:keys.index(key)]]
        scope = " / ".join(m for m in matched if m)
        scope = f" for {scope}" if scope else ""
        shown = ", ".join(f"«{o}»" for o in options[:_MAX_OPTIONS])
        more = f" (og {len(options) - _MAX_OPTIONS} til)" if len(options) > _MAX_OPTIONS else ""
        raise InputError(f"{where}: {label} finnes ikke blant beløpene{scope}; finnes: "
                         f"{shown}{more}", path=path, line=line_of(entry, key),
                         text=str(getattr(term, key)))
    if len(selected) != 1:
        rows = ", ".join(f"{f}:{r}" for f, r in zip(selected["source_file"],
                                                     selected["source_row"], strict=True))
        raise InputError(f"{where}: leddet velger {len(selected)} tall, ikke ett ({rows})",
                         path=path, line=line, text=_describe(term))
    return term


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
    said = said if percent else f"{said} mill. kroner"
    got = _show(computed, shown, percent)
    unit = " prosentpoeng" if percent else ""
    gap = f"{format_number(difference, shown)}{unit}"
    if status == tolerance.OK:
        rounded = _show(computed, claim.decimals, percent)
        if rounded != _show(computed, shown, percent):
            got = f"{got}, avrundet {rounded}"
        return f"Teksten sier {said}, tabellene gir {got}; det stemmer."
    if status == tolerance.ROUNDING:
        return (f"Teksten sier {said}, tabellene gir {got} (avvik {gap}, innenfor "
                f"avrundingstoleransen {format_number(tol, _places(tol, shown))}{unit}).")
    return f"Teksten sier {said}, tabellene gir {got} (avvik {gap})."


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
