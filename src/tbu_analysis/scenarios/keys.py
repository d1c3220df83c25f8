"""Cost-sharing keys: which share of each solution's bill each actor group pays.

The keys are data (``data/raw/cost_sharing/*.yaml``), each file one key set with its source.
A share the source does not give is written ``ukjent``; its money goes to an explicit
"ikke fordelt" line, so a bill is never made up.

File schema (``<id>.yaml``)::

    name: shown to readers            source: where the key comes from
    date: of the source (or ukjent)   note: optional caveat shown with the key
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

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import line_of, load_yaml
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.scenarios.labels import GROUP_LABELS, GROUPS, UNALLOCATED

UNKNOWN = "ukjent"
REST = "rest"
ALL_YEARS = "alle"
TOLERANCE = 1e-6

_SPAN = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})?$")
_FRACTION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)$")
_KEY_SET_FIELDS = {"name", "source", "date", "note", "units"}
_ENTRY_FIELDS = {*GROUPS, "note"}
_PARTS_ENTRY_FIELDS = {"parts", "note"}
_PART_FIELDS = {"name", "mnok", "source", *GROUPS}

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
        return InputError(
            f"{message} (nøkkel «{key}»)",
            path=self.path,
            line=self.line,
            text=None if text is None else str(text),
        )


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


def parse_span(key: Any, origin: Origin, keypath: str, *, allow_all: bool = True) -> YearSpan:
    """``2025``, ``"2025-2026"``, ``"2025-"`` (onwards) or ``"alle"``."""
    if isinstance(key, bool):
        raise origin.error("ugyldig år", keypath, key)
    if isinstance(key, int):
        return YearSpan(key, key)
    text = str(key).strip()
    if allow_all and text.lower() == ALL_YEARS:
        return YearSpan(None, None)
    if text.isdigit() and len(text) == 4:
        return YearSpan(int(text), int(text))
    match = _SPAN.match(text)
    if match:
        first = int(match[1])
        last = int(match[2]) if match[2] else None
        if last is not None and last < first:
            raise origin.error("perioden slutter før den begynner", keypath, key)
        return YearSpan(first, last)
    allowed = "år (2025), periode (2025-2026), fra og med (2025-)"
    if allow_all:
        allowed += " eller «alle»"
    raise origin.error(f"ugyldig år; skriv {allowed}", keypath, key)


def parse_share(value: Any, origin: Origin, keypath: str) -> RawShare:
    """A share in percent: a number, a fraction such as ``100/3``, ``ukjent`` or ``rest``."""
    if isinstance(value, bool) or value is None:
        raise origin.error("andelen må være et tall (0–100), «ukjent» eller «rest»", keypath, value)
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
                parsed = parse_number(text, path=origin.path, line=origin.line)
                if parsed.value is None:
                    raise ValueError
                number = float(parsed.value)
        except (InputError, ValueError):
            raise origin.error(
                "andelen må være et tall (0–100), «ukjent» eller «rest»", keypath, value
            ) from None
    if not math.isfinite(number) or number < -TOLERANCE or number > 100 + TOLERANCE:
        raise origin.error("andelen må ligge mellom 0 og 100 %", keypath, value)
    return min(max(number, 0.0), 100.0)


def resolve_shares(
    raw: Mapping[str, RawShare], origin: Origin, keypath: str
) -> dict[str, Share]:
    """Turn written shares into percents; check they can add up to 100 %."""
    rests = [group for group, value in raw.items() if value == REST]
    if len(rests) > 1:
        raise origin.error("bare én andel kan være «rest»", keypath, ", ".join(rests))
    known = sum(value for value in raw.values() if isinstance(value, float))
    unknown = any(value == UNKNOWN for value in raw.values())
    if known > 100 + TOLERANCE:
        raise origin.error("andelene summerer til mer enn 100 %", keypath, _pct(known))
    shares: dict[str, Share] = {
        group: raw[group] if isinstance(raw.get(group), float) else None for group in GROUPS
    }
    if rests:
        shares[rests[0]] = None if unknown else max(100.0 - known, 0.0)
    elif not unknown and abs(known - 100) > TOLERANCE:
        raise origin.error("andelene summerer ikke til 100 %", keypath, _pct(known))
    return shares


def _pct(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",") + " %"


@dataclass(frozen=True)
class KeyEntry:
    """One unit's shares for a span of years, as written in a key set file."""

    span: YearSpan
    shares: Mapping[str, Share]
    raw: Mapping[str, RawShare] | None = None
    parts: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    line: int | None = None


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


def _require_table(mapping: Any, origin: Origin, keypath: str, what: str) -> dict:
    if not isinstance(mapping, dict):
        raise origin.at(line_of(mapping)).error(f"{what} må være en tabell (nøkkel: verdi)",
                                                keypath, mapping)
    return mapping


def _check_fields(
    mapping: Any, allowed: set[str], origin: Origin, keypath: str, what: str
) -> None:
    _require_table(mapping, origin, keypath, what)
    for key in mapping:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise origin.at(line_of(mapping, key)).error(
                f"ukjent nøkkel (tillatt: {known})", f"{keypath}.{key}" if keypath else key, key
            )


def _text_field(mapping: dict, key: str, origin: Origin, keypath: str, required: bool) -> str:
    value = mapping.get(key)
    if value is None or str(value).strip() == "":
        if required:
            raise origin.at(line_of(mapping)).error("mangler", f"{keypath}{key}")
        return ""
    return str(value).strip()


def _parse_group_shares(
    mapping: dict, origin: Origin, keypath: str
) -> dict[str, RawShare]:
    raw: dict[str, RawShare] = {}
    for group in GROUPS:
        if group not in mapping:
            raise origin.at(line_of(mapping)).error(
                "mangler andel (skriv 0 eller «ukjent» hvis kilden ikke sier det)",
                f"{keypath}.{group}",
            )
        raw[group] = parse_share(mapping[group], origin.at(line_of(mapping, group)),
                                 f"{keypath}.{group}")
    return raw


def _parse_entry(span: YearSpan, value: Any, origin: Origin, keypath: str) -> KeyEntry:
    line = line_of(value)
    if isinstance(value, dict) and "parts" in value:
        _check_fields(value, _PARTS_ENTRY_FIELDS, origin, keypath, "nøkkelen")
        return _parse_parts(span, value, origin, keypath)
    _check_fields(value, _ENTRY_FIELDS, origin, keypath, "nøkkelen")
    raw = _parse_group_shares(value, origin, keypath)
    shares = resolve_shares(raw, origin, keypath)
    note = _text_field(value, "note", origin, keypath, required=False)
    return KeyEntry(span=span, shares=shares, raw=raw, note=note, line=line)


def _parse_parts(span: YearSpan, value: dict, origin: Origin, keypath: str) -> KeyEntry:
    """A unit made of parts with different keys: blend the keys by the parts' amounts."""
    parts = value["parts"]
    if not isinstance(parts, list) or not parts:
        raise origin.at(line_of(value, "parts")).error("«parts» må være en liste med deler",
                                                       f"{keypath}.parts")
    weights: list[float] = []
    resolved: list[dict[str, Share]] = []
    described: list[Mapping[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        partpath = f"{keypath}.parts[{number}]"
        _check_fields(part, _PART_FIELDS, origin, partpath, "delen")
        part_origin = origin.at(line_of(part))
        mnok = parse_share_amount(part.get("mnok"), part_origin, f"{partpath}.mnok")
        raw = _parse_group_shares(part, origin, partpath)
        weights.append(mnok)
        resolved.append(resolve_shares(raw, part_origin, partpath))
        described.append({"name": str(part.get("name", "")), "mnok": mnok, **raw,
                          "source": str(part.get("source", ""))})
    total = sum(weights)
    if total <= 0:
        raise origin.at(line_of(value, "parts")).error("delene må ha beløp over 0",
                                                       f"{keypath}.parts")
    shares: dict[str, Share] = {}
    for group in GROUPS:
        values = [part[group] for part in resolved]
        shares[group] = (
            None if any(v is None for v in values)
            else sum(w * v for w, v in zip(weights, values, strict=True)) / total
        )
    note = _text_field(value, "note", origin, keypath, required=False)
    return KeyEntry(span=span, shares=shares, parts=tuple(described), note=note,
                    line=line_of(value))


def parse_share_amount(value: Any, origin: Origin, keypath: str) -> float:
    """An amount in MNOK (a number, Norwegian or not); must be zero or more."""
    if isinstance(value, bool) or value is None:
        raise origin.error("mangler beløp i MNOK", keypath, value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            parsed = parse_number(str(value), path=origin.path, line=origin.line)
        except InputError:
            raise origin.error("beløpet må være et tall", keypath, value) from None
        if parsed.value is None:
            raise origin.error("beløpet må være et tall", keypath, value)
        number = float(parsed.value)
    if not math.isfinite(number) or number < 0:
        raise origin.error("beløpet må være 0 eller mer", keypath, value)
    return number


def load_key_set(path: str | Path) -> KeySet:
    """Read and check one key set file; its id is the file name without extension."""
    path = Path(path)
    data = load_yaml(path)
    origin = Origin(path)
    _check_fields(data, _KEY_SET_FIELDS, origin, "", "filen")
    for required in ("name", "source", "date", "units"):
        if required not in data:
            raise origin.at(line_of(data)).error("mangler", required)
    units = _require_table(data["units"], origin, "units", "«units»")
    parsed: dict[str, tuple[KeyEntry, ...]] = {}
    for unit, by_year in units.items():
        unitpath = f"units.{unit}"
        _require_table(by_year, origin, unitpath, "enheten")
        entries: list[KeyEntry] = []
        for year_key, value in by_year.items():
            entry_origin = origin.at(line_of(by_year, year_key))
            span = parse_span(year_key, entry_origin, f"{unitpath}.{year_key}")
            for other in entries:
                if other.span.overlaps(span):
                    raise entry_origin.error(
                        f"årene overlapper med «{other.span.label}»", f"{unitpath}.{year_key}"
                    )
            entries.append(_parse_entry(span, value, entry_origin, f"{unitpath}.{year_key}"))
        parsed[str(unit)] = tuple(entries)
    return KeySet(
        id=path.stem,
        name=_text_field(data, "name", origin, "", required=True),
        source=_text_field(data, "source", origin, "", required=True),
        date=_text_field(data, "date", origin, "", required=True),
        note=_text_field(data, "note", origin, "", required=False),
        units=parsed,
        path=path,
    )


def load_key_sets(directory: str | Path) -> dict[str, KeySet]:
    """Every key set in ``directory``, by id, in file-name order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("mappen med fordelingsnøkler finnes ikke", path=directory)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    return {key_set.id: key_set for key_set in map(load_key_set, files)}


@dataclass(frozen=True)
class Override:
    """A scenario's change to some shares of one unit for a span of years."""

    unit: str
    span: YearSpan
    values: Mapping[str, RawShare]
    origin: Origin = field(default_factory=Origin)
    keypath: str = ""


def parse_overrides(mapping: Any, origin: Origin, keypath: str) -> tuple[Override, ...]:
    """``{unit: {year or span: {group: share}}}`` from a scenario file."""
    if mapping is None:
        return ()
    _require_table(mapping, origin, keypath, "«overrides»")
    overrides: list[Override] = []
    for unit, by_year in mapping.items():
        unitpath = f"{keypath}.{unit}"
        _require_table(by_year, origin, unitpath, "enheten")
        for year_key, values in by_year.items():
            path = f"{unitpath}.{year_key}"
            here = origin.at(line_of(by_year, year_key))
            span = parse_span(year_key, here, path, allow_all=False)
            for other in overrides:
                if other.unit == unit and other.span.overlaps(span):
                    raise here.error(f"årene overlapper med «{other.span.label}»", path)
            _check_fields(values, set(GROUPS), origin, path, "endringen")
            if not values:
                raise here.error("endringen må sette minst én andel", path)
            raw = {
                group: parse_share(share, origin.at(line_of(values, group)), f"{path}.{group}")
                for group, share in values.items()
            }
            overrides.append(Override(str(unit), span, raw, here, path))
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
        shares = resolve_shares(raw, override.origin, override.keypath)
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
