"""Cost-sharing keys: which share of each solution's bill each actor group pays.

The keys are data (``data/raw/cost_sharing/*.yaml``), each file one key set with its source.
A share the source does not give is written ``ukjent``; its money goes to an explicit
"ikke fordelt" line, so a bill is never made up. Files are read through
:mod:`tbu_analysis.common.inputs` with the models below (:class:`KeySetFile`).

File schema (``<id>.yaml``)::

    name: shown to readers            source: where the key comes from (a document)
    source_file: the shipped copy of that document (a path from the project root)
    short_name: for table headings    template: true for a key no report may use yet
    date: of the source (or ukjent)   note: optional caveat shown with the key
    base: vekst | kostnad | ukjent    what the shares apply to, as the source says it
    base_note: why, with the source's words
    units:
      <unit>:                         # as in series.funding_by_unit
        <years>:                      # 2025 | "2025-2026" | "2025-" (onwards) | alle
          kommuner: 50                # percent: number, fraction (100/3), ukjent or rest
          rhf: 50                     # all four groups must be written
          apotek: 0
          ovrige: 0
          note: optional
        <years>:                      # or: a unit made of parts with their own keys,
          parts:                      # blended by the parts' amounts
            - {name: HelseID, mnok: 31, kommuner: 40, rhf: 60, apotek: 0, ovrige: 0}
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, model_validator

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_data, validate
from tbu_analysis.common.yamlio import line_of
from tbu_analysis.config import project_paths, project_root
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.scenarios.labels import GROUP_LABELS, GROUPS, UNALLOCATED
from tbu_analysis.vocab import KeyBase

UNKNOWN = "ukjent"
REST = "rest"
ALL_YEARS = "alle"
TOLERANCE = 1e-6
#: Years a key, a rate or a horizon may name: wide enough for any round, narrow enough that a
#: typo (``20255``, ``9999``) is refused before anything is computed.
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_MNOK = 1_000_000.0

_SPAN = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})?$")
_FRACTION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)$")
_SHARE_HELP = "andelen må være et tall (0–100), «ukjent» eller «rest»"

Share = float | None  # percent; None = unknown
RawShare = float | str  # a number, UNKNOWN or REST




@dataclass(frozen=True)
class Origin:
    """Where a value was written: lets an error name the file, line and key."""

    path: Path | None = None
    line: int | None = None

    def at(self, line: int | None) -> Origin:
        return Origin(self.path, line if line is not None else self.line)

    def error(self, message: str, key: str, text: Any = None) -> InputError:
        return InputError(message, path=self.path, line=self.line, key=key or None,
                          text=None if text is None else str(text))


@dataclass(frozen=True)
class YearSpan:
    """The years a key applies to: one year, a range, an open range or all years."""

    first: int | None
    last: int | None

    def contains(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )

    def overlaps(self, other: YearSpan) -> bool:
        low = max(self.first or -math.inf, other.first or -math.inf)
        high = min(self.last or math.inf, other.last or math.inf)
        return low <= high

    @property
    def label(self) -> str:
        if self.first is None and self.last is None:
            return ALL_YEARS
        if self.first == self.last:
            return str(self.first)
        return f"{self.first}–{self.last if self.last is not None else ''}"

    @property
    def yaml_key(self) -> int | str:
        if self.first is not None and self.first == self.last:
            return self.first
        return self.label.replace("–", "-")


def _year_in_bounds(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"året må ligge mellom {FIRST_YEAR} og {LAST_YEAR}")
    return year


def parse_span(key: Any, *, allow_all: bool = True) -> YearSpan:
    """``2025``, ``"2025-2026"``, ``"2025-"`` (onwards) or ``"alle"``; ValueError otherwise."""
    allowed = "år (2025), periode (2025-2026), fra og med (2025-)"
    if allow_all:
        allowed += " eller «alle»"
    if isinstance(key, bool):
        raise ValueError(f"ugyldig år; skriv {allowed}")
    if isinstance(key, int):
        return YearSpan(_year_in_bounds(key), key)
    text = str(key).strip()
    if allow_all and text.lower() == ALL_YEARS:
        return YearSpan(None, None)
    if text.isdigit() and len(text) == 4:
        return YearSpan(_year_in_bounds(int(text)), int(text))
    match = _SPAN.match(text)
    if match:
        first = _year_in_bounds(int(match[1]))
        last = _year_in_bounds(int(match[2])) if match[2] else None
        if last is not None and last < first:
            raise ValueError("perioden slutter før den begynner")
        return YearSpan(first, last)
    raise ValueError(f"ugyldig år; skriv {allowed}")


def parse_share(value: Any) -> RawShare:
    """A share in percent: a number, a fraction such as ``100/3``, ``ukjent`` or ``rest``."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_SHARE_HELP)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if text.lower() in (UNKNOWN, REST):
            return text.lower()
        fraction = _FRACTION.match(text)
        try:
            if fraction:
                denominator = float(fraction[2].replace(",", "."))
                if denominator == 0:
                    raise ValueError
                number = float(fraction[1].replace(",", ".")) / denominator
            else:
                parsed = parse_number(text.removesuffix("%"))
                if parsed.value is None:
                    raise ValueError
                number = float(parsed.value)
        except (InputError, ValueError):
            raise ValueError(_SHARE_HELP) from None
    if not math.isfinite(number) or number < -TOLERANCE or number > 100 + TOLERANCE:
        raise ValueError("andelen må ligge mellom 0 og 100 %")
    return min(max(number, 0.0), 100.0)


def parse_amount(value: Any) -> float:
    """An amount in MNOK: a number, or Norwegian text such as ``"90,6"``."""
    if isinstance(value, bool) or value is None:
        raise ValueError("beløpet må være et tall (mill. kroner)")
    if isinstance(value, int | float):
        return float(value)
    try:
        parsed = parse_number(str(value))
    except InputError:
        raise ValueError("beløpet må være et tall (mill. kroner)") from None
    if parsed.value is None:
        raise ValueError("beløpet må være et tall (mill. kroner)")
    return float(parsed.value)


def parse_date(value: Any) -> str:
    """The source's date (``2021-04-21``) or ``ukjent``."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text.lower() == UNKNOWN:
        return UNKNOWN
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("skriv datoen som ÅÅÅÅ-MM-DD eller «ukjent»") from None


def _pct(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",") + " %"


def resolve_shares(raw: Mapping[str, RawShare]) -> dict[str, Share]:
    """Turn written shares into percents; ValueError unless they can add up to 100 %."""
    rests = [group for group, value in raw.items() if value == REST]
    if len(rests) > 1:
        raise ValueError(f"bare én andel kan være «rest» (her: {', '.join(rests)})")
    known = sum(value for value in raw.values() if isinstance(value, float))
    unknown = any(value == UNKNOWN for value in raw.values())
    if known > 100 + TOLERANCE:
        raise ValueError(f"andelene summerer til mer enn 100 % ({_pct(known)})")
    shares: dict[str, Share] = {
        group: raw[group] if isinstance(raw.get(group), float) else None for group in GROUPS
    }
    if rests:
        shares[rests[0]] = None if unknown else max(100.0 - known, 0.0)
    elif not unknown and abs(known - 100) > TOLERANCE:
        raise ValueError(f"andelene summerer ikke til 100 % ({_pct(known)})")
    return shares


# --- the file's models ----------------------------------------------------------------------

ShareField = Annotated[float | Literal["ukjent", "rest"], BeforeValidator(parse_share)]
AmountField = Annotated[float, BeforeValidator(parse_amount), Field(ge=0, le=MAX_MNOK,
                                                                    allow_inf_nan=False)]
SpanKey = Annotated[YearSpan, PlainValidator(parse_span)]
OverrideSpanKey = Annotated[YearSpan, PlainValidator(lambda key: parse_span(key,
                                                                            allow_all=False))]


class GroupSharesModel(InputModel):
    """One share per actor group; every group written (0 or ``ukjent`` when not stated)."""

    kommuner: ShareField
    rhf: ShareField
    apotek: ShareField
    ovrige: ShareField

    def raw(self) -> dict[str, RawShare]:
        return {group: getattr(self, group) for group in GROUPS}

    @model_validator(mode="after")
    def _adds_up(self) -> GroupSharesModel:
        resolve_shares(self.raw())
        return self


class PartModel(GroupSharesModel):
    """A part of a unit with its own key, weighted by its amount."""

    name: str = Field(min_length=1)
    mnok: AmountField
    source: str = ""


class KeyEntryModel(InputModel):
    """A unit's shares for some years: four shares, or ``parts`` blended by amount."""

    kommuner: ShareField | None = None
    rhf: ShareField | None = None
    apotek: ShareField | None = None
    ovrige: ShareField | None = None
    parts: list[PartModel] | None = Field(default=None, min_length=1)
    base: KeyBase | None = None
    note: str = ""

    def raw(self) -> dict[str, RawShare]:
        return {group: getattr(self, group) for group in GROUPS}

    @model_validator(mode="after")
    def _complete(self) -> KeyEntryModel:
        given = [group for group in GROUPS if getattr(self, group) is not None]
        if self.parts is not None:
            if given:
                raise ValueError("skriv enten andeler eller «parts», ikke begge")
            if sum(part.mnok for part in self.parts) <= 0:
                raise ValueError("delene må ha beløp over 0")
            return self
        missing = [group for group in GROUPS if group not in given]
        if missing:
            raise ValueError(f"mangler andel for {', '.join(missing)} (skriv 0 eller «ukjent» "
                             "hvis kilden ikke sier det)")
        resolve_shares(self.raw())
        return self


def _no_overlap(entries: dict[YearSpan, Any]) -> dict[YearSpan, Any]:
    spans = list(entries)
    for number, span in enumerate(spans):
        for other in spans[:number]:
            if other.overlaps(span):
                raise ValueError(f"årene overlapper: «{other.label}» og «{span.label}»")
    return entries


UnitKeys = Annotated[dict[SpanKey, KeyEntryModel], AfterValidator(_no_overlap)]


class ReadingModel(InputModel):
    """One share the key uses that its source does not state: the share, and why it is the
    project's interpretation (``tolkning``)."""

    share: str = Field(min_length=1)
    why: str = Field(min_length=1)


@dataclass(frozen=True)
class Reading:
    """A share the project interpreted into the source («E-resept 44,5/44,5»), and why."""

    share: str
    why: str

    @property
    def text(self) -> str:
        return f"{self.share}: {self.why}"


class KeySetFile(InputModel):
    """A cost-sharing key file (``data/raw/cost_sharing/<id>.yaml``)."""

    name: str = Field(min_length=1)
    short_name: str = ""
    source: str = Field(min_length=1)
    source_file: str = ""
    date: Annotated[str, BeforeValidator(parse_date)]
    note: str = ""
    base: KeyBase = KeyBase.UNSTATED
    base_note: str = ""
    template: bool = False
    #: the project's readings of the source: shares the key uses that the source does not state
    readings: list[ReadingModel] = Field(default_factory=list)
    units: dict[str, UnitKeys]


class OverrideSharesModel(InputModel):
    """A scenario's change to some of one unit's shares (at least one)."""

    kommuner: ShareField | None = None
    rhf: ShareField | None = None
    apotek: ShareField | None = None
    ovrige: ShareField | None = None

    def raw(self) -> dict[str, RawShare]:
        return {g: getattr(self, g) for g in GROUPS if getattr(self, g) is not None}

    @model_validator(mode="after")
    def _some(self) -> OverrideSharesModel:
        if not self.raw():
            raise ValueError("endringen må sette minst én andel")
        rests = [g for g, v in self.raw().items() if v == REST]
        if len(rests) > 1:
            raise ValueError(f"bare én andel kan være «rest» (her: {', '.join(rests)})")
        return self


OverridesField = dict[str, Annotated[dict[OverrideSpanKey, OverrideSharesModel],
                                     AfterValidator(_no_overlap)]]


# --- what the rest of the package uses ---------------------------------------------------------


@dataclass(frozen=True)
class KeyEntry:
    """One unit's shares for a span of years, as written in a key set file."""

    span: YearSpan
    shares: Mapping[str, Share]
    raw: Mapping[str, RawShare] | None = None
    parts: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    line: int | None = None
    base: KeyBase | None = None  # where the source says this entry's base (else the set's)


@dataclass(frozen=True)
class KeySet:
    """A set of keys: per unit, per span of years, the percent each actor group pays."""

    id: str
    name: str
    source: str
    date: str
    units: Mapping[str, tuple[KeyEntry, ...]]
    note: str = ""
    path: Path | None = None
    base: KeyBase = KeyBase.UNSTATED
    base_note: str = ""
    template: bool = False
    short_name: str = ""
    source_file: Path | None = None  # the shipped copy of the source document
    readings: tuple[Reading, ...] = ()  # shares the project interpreted, not stated in the source

    @property
    def label(self) -> str:
        """The short name for table headings (the full name where none is given)."""
        return self.short_name or self.name

    @property
    def base_label(self) -> str:
        return KeyBase(self.base).label

    def lookup(
        self, unit: str, year: int, extend_last_year: bool = False
    ) -> tuple[KeyEntry | None, int | None]:
        """The entry for ``unit`` in ``year``, and the year it was carried from (if it was)."""
        entries = self.units.get(unit, ())
        for entry in entries:
            if entry.span.contains(year):
                return entry, None
        if extend_last_year:
            earlier = [e for e in entries if e.span.last is not None and e.span.last < year]
            if earlier:
                entry = max(earlier, key=lambda e: e.span.last or 0)
                return entry, entry.span.last
        return None, None


def _blend(entry: KeyEntryModel) -> tuple[dict[str, Share], tuple[Mapping[str, Any], ...]]:
    """A unit made of parts with different keys: blend the keys by the parts' amounts."""
    parts = entry.parts or []
    total = sum(part.mnok for part in parts)
    resolved = [resolve_shares(part.raw()) for part in parts]
    shares: dict[str, Share] = {}
    for group in GROUPS:
        values = [shares_[group] for shares_ in resolved]
        shares[group] = (
            None if any(v is None for v in values)
            else sum(p.mnok * v for p, v in zip(parts, values, strict=True)) / total
        )
    described = tuple({"name": p.name, "mnok": p.mnok, **p.raw(), "source": p.source}
                      for p in parts)
    return shares, described


def _shipped_copy(relative: str, path: Path, data: Any) -> Path:
    """The key's source document under the project's ``data/raw/`` (the project holding the
    key file, or the one the command runs in, so a key copied elsewhere still finds it)."""
    for root in dict.fromkeys((project_root(path.parent), project_root())):
        candidate = (root / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(project_paths(root).raw.resolve()):
            return candidate
    raise InputError("kildekopien finnes ikke under data/raw/ i prosjektet", path=path,
                     line=line_of(data, "source_file"), key="source_file", text=relative)


def load_key_set(path: str | Path) -> KeySet:
    """Read and check one key set file; its id is the file name without extension."""
    path = Path(path)
    data = load_yaml_data(path)
    if not isinstance(data, Mapping):
        raise InputError("filen må være en tabell (nøkkel: verdi) øverst", path=path,
                         line=line_of(data), text=type(data).__name__)
    model = validate(KeySetFile, data, path)
    source_file = _shipped_copy(model.source_file, path, data) if model.source_file else None
    units: dict[str, tuple[KeyEntry, ...]] = {}
    for unit, by_year in model.units.items():
        raw_by_year = data["units"][unit]
        entries = []
        for raw_key, (span, entry) in zip(raw_by_year, by_year.items(), strict=True):
            line = line_of(raw_by_year, raw_key)
            if entry.parts is not None:
                shares, parts = _blend(entry)
                entries.append(KeyEntry(span, shares, parts=parts, note=entry.note, line=line,
                                        base=entry.base))
            else:
                entries.append(KeyEntry(span, resolve_shares(entry.raw()), raw=entry.raw(),
                                        note=entry.note, line=line, base=entry.base))
        units[unit] = tuple(entries)
    return KeySet(
        id=path.stem,
        name=model.name,
        source=model.source,
        date=str(model.date),
        note=model.note,
        units=units,
        path=path,
        base=model.base,
        base_note=model.base_note,
        template=model.template,
        short_name=model.short_name,
        readings=tuple(Reading(r.share, r.why) for r in model.readings),
        source_file=source_file,
    )


def load_key_sets(directory: str | Path, *, templates: bool = True) -> dict[str, KeySet]:
    """Every key set in ``directory``, by id, in file-name order (``templates=False`` leaves
    out key sets marked ``template: true``, which no report uses until filled in)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("mappen med fordelingsnøkler finnes ikke", path=directory)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    key_sets = {key_set.id: key_set for key_set in map(load_key_set, files)}
    return {k: v for k, v in key_sets.items() if templates or not v.template}


@dataclass(frozen=True)
class Override:
    """A scenario's change to some shares of one unit for a span of years."""

    unit: str
    span: YearSpan
    values: Mapping[str, RawShare]
    origin: Origin = field(default_factory=Origin)
    keypath: str = ""


def overrides_from(model: Mapping[str, Mapping[YearSpan, OverrideSharesModel]], raw: Any,
                   path: Path | None, keypath: str) -> tuple[Override, ...]:
    """The validated ``sharing.overrides`` as :class:`Override` s that remember their line."""
    overrides = []
    for unit, by_year in model.items():
        raw_by_year = raw[unit] if isinstance(raw, Mapping) else {}
        for raw_key, (span, values) in zip(raw_by_year, by_year.items(), strict=True):
            overrides.append(Override(unit, span, values.raw(),
                                      Origin(path, line_of(raw_by_year, raw_key)),
                                      f"{keypath}.{unit}.{raw_key}"))
    return tuple(overrides)


@dataclass(frozen=True)
class Allocation:
    """The shares used for one unit and year, and why any money is left unallocated."""

    shares: Mapping[str, Share]
    reason: str = ""
    carried_from: int | None = None
    overridden: bool = False

    @property
    def known_pct(self) -> float:
        return sum(share for share in self.shares.values() if share is not None)


def allocation_for(
    key_set: KeySet,
    unit: str,
    year: int,
    overrides: Iterable[Override] = (),
    extend_last_year: bool = False,
) -> Allocation:
    """Key-set shares for ``unit`` in ``year`` with the scenario's overrides applied in order."""
    entry, carried_from = key_set.lookup(unit, year, extend_last_year)
    shares: dict[str, Share] = dict(entry.shares) if entry else dict.fromkeys(GROUPS)
    overridden = False
    for override in overrides:
        if override.unit != unit or not override.span.contains(year):
            continue
        raw: dict[str, RawShare] = {
            group: UNKNOWN if share is None else share for group, share in shares.items()
        }
        raw.update(override.values)
        try:
            shares = resolve_shares(raw)
        except ValueError as error:
            raise override.origin.error(str(error), override.keypath) from None
        overridden = True
    unknown = [GROUP_LABELS[group] for group in GROUPS if shares[group] is None]
    if not unknown:
        reason = ""
    elif entry is None and not overridden:
        reason = f"nøkkelen mangler for {year}"
    else:
        reason = "ukjent andel: " + ", ".join(unknown)
    return Allocation(shares=shares, reason=reason, carried_from=carried_from,
                      overridden=overridden)


def split(amount: float, allocation: Allocation) -> dict[str, float]:
    """Split ``amount`` by the known shares; the rest goes to ``ikke_fordelt``."""
    parts = {
        group: amount * share / 100 if share is not None else 0.0
        for group, share in allocation.shares.items()
    }
    parts[UNALLOCATED] = amount * (100 - allocation.known_pct) / 100 if allocation.reason else 0.0
    return parts
