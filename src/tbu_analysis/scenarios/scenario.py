"""Scenarios: what if the index, the cost-sharing key or the growth after NHN's last estimate
were different? A scenario file states the choices; :func:`compute` turns NHN's funding need
into each actor group's bill and shows every step, so a reader can check the arithmetic.

The file schema is described at the top of ``scenarios/baseline.yml``. Checks happen twice:
when a file is read (keys, types, ranges, years after the horizon) and when it meets the data
(units, years before the data); both raise :class:`InputError` naming file, line and key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.atomic import write_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import line_of, load_yaml
from tbu_analysis.config import project_root
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.scenarios.keys import (
    GROUPS,
    TOTAL,
    UNALLOCATED,
    KeySet,
    Origin,
    Override,
    allocation_for,
    load_key_set,
    parse_overrides,
    parse_share_amount,
    split,
)

FIXED, CURRENT = "fast", "lopende"
KIND_DATA, KIND_PROJECTED = "NHN", "fremskrevet"
KEY_SET_DIR = Path("data") / "raw" / "cost_sharing"
FUNDING_COLUMNS = ("unit", "year", "value_mnok", "price_year", "nominal_year")
BILL_GROUPS = (*GROUPS, UNALLOCATED)

_TOP = {"name", "description", "sharing", "index", "price_basis", "price_year", "horizon",
        "horizon_source", "growth", "deflator"}
_SHARING = {"key_set", "extend_last_year", "overrides"}
_INDEX = {"rates", "source"}
_GROWTH = {"efficiency_pct", "volume_pct", "source", "investments", "additions"}
_INVESTMENTS = {"share_pct", "share_source", "lag_years", "items"}
_INVESTMENT = {"unit", "year", "mnok", "source", "price_year"}
_ADDITION = {"unit", "from_year", "mnok", "source", "label", "price_year"}
_DEFLATOR = {"base_year", "rates", "source"}


@dataclass(frozen=True)
class Investment:
    """An investment whose D&F consequence starts ``lag_years`` after ``year``."""

    unit: str
    year: int
    mnok: float
    source: str = ""
    price_year: int | None = None
    keypath: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Addition:
    """A fixed yearly D&F addition from ``from_year`` on (e.g. a budget alternative's)."""

    unit: str
    from_year: int
    mnok: float
    source: str = ""
    label: str = ""
    price_year: int | None = None
    keypath: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Deflator:
    """The kommunal deflator path: bills growing faster crowd out other services."""

    base_year: int
    rates: Mapping[int, float]
    source: str = ""


Rate = float | Mapping[int, float]


@dataclass(frozen=True)
class Scenario:
    """Every choice of one scenario; built from a file, changed by the explorer."""

    name: str
    key_set: KeySet
    horizon: int
    description: str = ""
    horizon_source: str = ""
    extend_last_year: bool = False
    overrides: tuple[Override, ...] = ()
    index_rates: Mapping[int, float] = field(default_factory=dict)
    index_source: str = ""
    price_basis: str = FIXED
    price_year: int | None = None
    efficiency_pct: Rate = 0.0
    volume_pct: Rate = 0.0
    growth_source: str = ""
    investment_share_pct: float = 0.0
    investment_share_source: str = ""
    investment_lag_years: int = 1
    investments: tuple[Investment, ...] = ()
    additions: tuple[Addition, ...] = ()
    deflator: Deflator | None = None
    path: Path | None = None
    key_set_dir: Path | None = None
    lines: Mapping[str, int] = field(default_factory=dict)

    def error(self, message: str, keypath: str, text: Any = None) -> InputError:
        """An error pointing at ``keypath`` in the scenario file (or its nearest parent)."""
        line = None
        parts = keypath.split(".")
        while parts and line is None:
            line = self.lines.get(".".join(parts))
            parts.pop()
        return Origin(self.path, line).error(message, keypath, text)


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    """Walks a scenario file, checking keys and types and remembering each key's line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, int] = {}

    def origin(self, mapping: Any, key: Any = None) -> Origin:
        return Origin(self.path, line_of(mapping, key))

    def table(self, mapping: Any, allowed: set[str] | None, keypath: str) -> dict:
        if mapping is None:
            return {}
        if not isinstance(mapping, dict):
            raise self.origin(mapping).error("må være en tabell (nøkkel: verdi)", keypath,
                                             mapping)
        for key in mapping:
            path = f"{keypath}.{key}" if keypath else str(key)
            line = line_of(mapping, key)
            if line is not None:
                self.lines[path] = line
            if allowed is not None and key not in allowed:
                raise self.origin(mapping, key).error(
                    f"ukjent nøkkel (tillatt: {', '.join(sorted(allowed))})", path, key
                )
        return mapping

    def number(self, mapping: dict, key: Any, keypath: str) -> float:
        value = mapping[key]
        origin = self.origin(mapping, key)
        if isinstance(value, bool) or value is None:
            raise origin.error("må være et tall", keypath, value)
        if isinstance(value, int | float):
            number = float(value)
        else:
            try:
                parsed = parse_number(str(value))
            except InputError:
                raise origin.error("må være et tall", keypath, value) from None
            if parsed.value is None:
                raise origin.error("må være et tall", keypath, value)
            number = float(parsed.value)
        if not math.isfinite(number):
            raise origin.error("må være et endelig tall", keypath, value)
        return number

    def percent(self, mapping: dict, key: Any, keypath: str, low: float, high: float) -> float:
        value = self.number(mapping, key, keypath)
        if not low <= value <= high:
            raise self.origin(mapping, key).error(
                f"må ligge mellom {low:g} og {high:g} %", keypath, mapping[key]
            )
        return value

    def year(self, mapping: dict, key: Any, keypath: str) -> int:
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.origin(mapping, key).error("må være et årstall", keypath, value)
        text = str(value).strip()
        if not (text.isdigit() and len(text) == 4):
            raise self.origin(mapping, key).error("må være et årstall", keypath, value)
        return int(text)

    def year_key(self, mapping: dict, key: Any, keypath: str) -> int:
        text = str(key).strip()
        if isinstance(key, bool) or not (text.isdigit() and len(text) == 4):
            raise self.origin(mapping, key).error("nøkkelen må være et årstall", keypath, key)
        return int(text)

    def rates(self, mapping: Any, keypath: str, low: float, high: float) -> dict[int, float]:
        table = self.table(mapping, None, keypath)
        return {
            self.year_key(table, key, f"{keypath}.{key}"): self.percent(
                table, key, f"{keypath}.{key}", low, high
            )
            for key in table
        }

    def rate(self, mapping: dict, key: str, keypath: str, low: float, high: float) -> Rate:
        """One percent for every projected year, or ``{year: percent}``."""
        if key not in mapping:
            return 0.0
        if isinstance(mapping[key], dict):
            return self.rates(mapping[key], keypath, low, high)
        return self.percent(mapping, key, keypath, low, high)

    def text(self, mapping: dict, key: str) -> str:
        value = mapping.get(key)
        return "" if value is None else str(value).strip()

    def unit(self, mapping: dict, keypath: str) -> str:
        value = mapping.get("unit")
        if not isinstance(value, str) or not value.strip():
            raise self.origin(mapping).error("mangler enhet (løsning)", keypath)
        return value.strip()


def resolve_path(path: str | Path) -> Path:
    """A relative path as given, or else relative to the project root (notebooks run in
    ``notebooks/``, the secretariat runs ``make`` in the root)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return project_root() / path


def load_scenario(path: str | Path, key_set_dir: str | Path | None = None) -> Scenario:
    """Read and check a scenario file; the key set is read from ``key_set_dir`` (default
    ``data/raw/cost_sharing`` in the project)."""
    path = resolve_path(path)
    if not path.is_file():
        raise InputError("scenariofilen finnes ikke", path=path)
    data = load_yaml(path)
    read = _Reader(path)
    top = read.table(data, _TOP, "")
    for required in ("name", "sharing", "horizon"):
        if required not in top:
            raise read.origin(top).error("mangler", required)
    horizon = read.year(top, "horizon", "horizon")

    sharing = read.table(top["sharing"], _SHARING, "sharing")
    if "key_set" not in sharing:
        raise read.origin(sharing).error("mangler", "sharing.key_set")
    directory = (
        Path(key_set_dir) if key_set_dir is not None
        else project_root(path.parent) / KEY_SET_DIR
    )
    key_set_id = str(sharing["key_set"]).strip()
    key_set_file = _key_set_file(directory, key_set_id)
    if key_set_file is None:
        raise read.origin(sharing, "key_set").error(
            f"finner ikke fordelingsnøkkelen i {directory}", "sharing.key_set", key_set_id
        )
    extend = sharing.get("extend_last_year", False)
    if not isinstance(extend, bool):
        raise read.origin(sharing, "extend_last_year").error(
            "må være true eller false", "sharing.extend_last_year", extend
        )
    overrides = parse_overrides(sharing.get("overrides"), Origin(path), "sharing.overrides")

    index = read.table(top.get("index"), _INDEX, "index")
    index_rates = read.rates(index.get("rates"), "index.rates", -50, 100)

    price_basis = read.text(top, "price_basis").lower().replace("ø", "o") or FIXED
    if price_basis not in (FIXED, CURRENT):
        raise read.origin(top, "price_basis").error(
            "må være «fast» eller «løpende»", "price_basis", top["price_basis"]
        )
    price_year = read.year(top, "price_year", "price_year") if "price_year" in top else None

    growth = read.table(top.get("growth"), _GROWTH, "growth")
    efficiency = read.rate(growth, "efficiency_pct", "growth.efficiency_pct", 0, 100)
    volume = read.rate(growth, "volume_pct", "growth.volume_pct", -100, 100)
    investments = read.table(growth.get("investments"), _INVESTMENTS, "growth.investments")
    items = _investments(read, investments.get("items"))
    share = 0.0
    if "share_pct" in investments:
        share = read.percent(investments, "share_pct", "growth.investments.share_pct", 0, 100)
    elif items:
        raise read.origin(investments).error(
            "mangler andel av investeringen som blir årlig D&F", "growth.investments.share_pct"
        )
    lag = 1
    if "lag_years" in investments:
        lag = int(read.percent(investments, "lag_years", "growth.investments.lag_years", 0, 10))
    additions = _additions(read, growth.get("additions"))

    deflator = _deflator(read, top.get("deflator"))
    scenario = Scenario(
        name=read.text(top, "name"),
        description=read.text(top, "description"),
        key_set=load_key_set(key_set_file),
        horizon=horizon,
        horizon_source=read.text(top, "horizon_source"),
        extend_last_year=extend,
        overrides=overrides,
        index_rates=index_rates,
        index_source=read.text(index, "source"),
        price_basis=price_basis,
        price_year=price_year,
        efficiency_pct=efficiency,
        volume_pct=volume,
        growth_source=read.text(growth, "source"),
        investment_share_pct=share,
        investment_share_source=read.text(investments, "share_source"),
        investment_lag_years=lag,
        investments=items,
        additions=additions,
        deflator=deflator,
        path=path,
        key_set_dir=directory,
        lines=read.lines,
    )
    check_horizon(scenario)
    return scenario


def _key_set_file(directory: Path, key_set_id: str) -> Path | None:
    if not key_set_id or "/" in key_set_id or "\\" in key_set_id or ".." in key_set_id:
        return None
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{key_set_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _investments(read: _Reader, items: Any) -> tuple[Investment, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise read.origin(items).error("må være en liste", "growth.investments.items")
    result = []
    for number, item in enumerate(items, start=1):
        keypath = f"growth.investments.items[{number}]"
        item = read.table(item, _INVESTMENT, keypath)
        for required in ("unit", "year", "mnok"):
            if required not in item:
                raise read.origin(item).error("mangler", f"{keypath}.{required}")
        result.append(Investment(
            unit=read.unit(item, keypath),
            year=read.year(item, "year", f"{keypath}.year"),
            mnok=parse_share_amount(item["mnok"], read.origin(item, "mnok"), f"{keypath}.mnok"),
            source=read.text(item, "source"),
            price_year=(read.year(item, "price_year", f"{keypath}.price_year")
                        if "price_year" in item else None),
            keypath=keypath,
            line=line_of(item),
        ))
    return tuple(result)


def _additions(read: _Reader, items: Any) -> tuple[Addition, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise read.origin(items).error("må være en liste", "growth.additions")
    result = []
    for number, item in enumerate(items, start=1):
        keypath = f"growth.additions[{number}]"
        item = read.table(item, _ADDITION, keypath)
        for required in ("unit", "from_year", "mnok", "source"):
            if required not in item:
                raise read.origin(item).error("mangler", f"{keypath}.{required}")
        value = read.number(item, "mnok", f"{keypath}.mnok")
        result.append(Addition(
            unit=read.unit(item, keypath),
            from_year=read.year(item, "from_year", f"{keypath}.from_year"),
            mnok=value,
            source=read.text(item, "source"),
            label=read.text(item, "label"),
            price_year=(read.year(item, "price_year", f"{keypath}.price_year")
                        if "price_year" in item else None),
            keypath=keypath,
            line=line_of(item),
        ))
    return tuple(result)


def _deflator(read: _Reader, mapping: Any) -> Deflator | None:
    if mapping is None:
        return None
    table = read.table(mapping, _DEFLATOR, "deflator")
    for required in ("base_year", "rates"):
        if required not in table:
            raise read.origin(table).error("mangler", f"deflator.{required}")
    return Deflator(
        base_year=read.year(table, "base_year", "deflator.base_year"),
        rates=read.rates(table["rates"], "deflator.rates", -50, 100),
        source=read.text(table, "source"),
    )


def check_horizon(scenario: Scenario) -> None:
    """Years the file can be checked against without the data: nothing after the horizon."""
    def after(year: int, keypath: str, text: Any = None) -> None:
        if year > scenario.horizon:
            raise scenario.error(
                f"året ligger etter horisonten ({scenario.horizon})", keypath,
                year if text is None else text,
            )

    for year in scenario.index_rates:
        after(year + 1, f"index.rates.{year}", year)
    for override in scenario.overrides:
        if override.span.last is not None:
            after(override.span.last, override.keypath, override.span.label)
        elif override.span.first is not None:
            after(override.span.first, override.keypath, override.span.label)
    for name in ("efficiency_pct", "volume_pct"):
        rate = getattr(scenario, name)
        for year in rate if isinstance(rate, Mapping) else ():
            after(year, f"growth.{name}.{year}", year)
    for item in scenario.investments:
        after(item.year + scenario.investment_lag_years, f"{item.keypath}.year", item.year)
    for addition in scenario.additions:
        after(addition.from_year, f"{addition.keypath}.from_year", addition.from_year)
    if scenario.deflator:
        after(scenario.deflator.base_year, "deflator.base_year")
        for year in scenario.deflator.rates:
            after(year + 1, f"deflator.rates.{year}", year)


# --- writing ---------------------------------------------------------------------------------


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a file would hold it (for «Lagre scenario»)."""
    def rate(value: Rate) -> Any:
        return dict(sorted(value.items())) if isinstance(value, Mapping) else value

    overrides: dict[str, dict[Any, dict[str, Any]]] = {}
    for override in scenario.overrides:
        overrides.setdefault(override.unit, {})[override.span.yaml_key] = dict(override.values)
    sharing: dict[str, Any] = {"key_set": scenario.key_set.id,
                               "extend_last_year": scenario.extend_last_year}
    if overrides:
        sharing["overrides"] = overrides
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    data["sharing"] = sharing
    data["index"] = {"rates": dict(sorted(scenario.index_rates.items())),
                     "source": scenario.index_source}
    data["price_basis"] = scenario.price_basis
    if scenario.price_year is not None:
        data["price_year"] = scenario.price_year
    data["horizon"] = scenario.horizon
    if scenario.horizon_source:
        data["horizon_source"] = scenario.horizon_source
    data["growth"] = {
        "efficiency_pct": rate(scenario.efficiency_pct),
        "volume_pct": rate(scenario.volume_pct),
        "source": scenario.growth_source,
        "investments": {
            "share_pct": scenario.investment_share_pct,
            "share_source": scenario.investment_share_source,
            "lag_years": scenario.investment_lag_years,
            "items": [_drop_empty({"unit": i.unit, "year": i.year, "mnok": i.mnok,
                                   "source": i.source, "price_year": i.price_year})
                      for i in scenario.investments],
        },
        "additions": [_drop_empty({"unit": a.unit, "from_year": a.from_year, "mnok": a.mnok,
                                   "label": a.label, "source": a.source,
                                   "price_year": a.price_year})
                      for a in scenario.additions],
    }
    if scenario.deflator:
        data["deflator"] = {"base_year": scenario.deflator.base_year,
                            "rates": dict(sorted(scenario.deflator.rates.items())),
                            "source": scenario.deflator.source}
    return data


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML, all or nothing; it loads back to the same choices."""
    path = Path(path)
    header = (
        "# Scenario lagret fra scenarioutforskeren (tbu_analysis.scenarios.explorer).\n"
        f"# Fordelingsnøkkel: {scenario.key_set.name}\n"
    )
    body = yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True,
                          width=100)
    write_text(path, header + body)
    return path


# --- computing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """Every table of one scenario run. Amounts in MNOK at ``price_label``."""

    scenario: Scenario
    price_label: str
    data_years: tuple[int, ...]
    projection: pd.DataFrame
    totals: pd.DataFrame
    bills: pd.DataFrame
    bills_by_unit: pd.DataFrame
    versus_baseline: pd.DataFrame
    bills_versus_baseline: pd.DataFrame
    deflated: pd.DataFrame
    unallocated: pd.DataFrame
    notes: tuple[str, ...]


def load_index(path: str | Path = Path("data") / "raw" / "index.csv") -> PriceIndex:
    """The shipped price index (project root relative)."""
    return PriceIndex.from_csv(resolve_path(path))


def load_baseline(round_id: str, root: str | Path | None = None) -> pd.DataFrame:
    """NHN's funding need per unit and year for a round, from the cleaned figures."""
    from tbu_analysis.analysis import series
    from tbu_analysis.config import round_paths
    from tbu_analysis.rounds.schema import read_figures

    paths = round_paths(round_id, root if root is not None else project_root())
    return series.funding_by_unit(read_figures(paths.figures))


@dataclass(frozen=True)
class _Funding:
    units: tuple[str, ...]
    years: tuple[int, ...]
    rows: tuple[tuple[str, int, float, int, int], ...]  # unit, year, value, price, nominal


def _read_funding(frame: pd.DataFrame) -> _Funding:
    missing = [column for column in FUNDING_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"grunnlagstabellen mangler kolonne(r) {', '.join(missing)}")
    if frame.empty:
        raise InputError("grunnlagstabellen er tom")
    rows = []
    for unit, year, value, price, nominal in zip(
        *(frame[column].tolist() for column in FUNDING_COLUMNS), strict=True
    ):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        rows.append((str(unit), int(year), float(value), int(price), int(nominal)))
    seen: set[tuple[str, int]] = set()
    for unit, year, *_ in rows:
        if (unit, year) in seen:
            raise InputError("grunnlagstabellen har to beløp for samme enhet og år",
                             text=f"{unit} {year}")
        seen.add((unit, year))
    return _Funding(
        units=tuple(dict.fromkeys(row[0] for row in rows)),
        years=tuple(sorted({row[1] for row in rows})),
        rows=tuple(rows),
    )


def _rate_for(rate: Rate, year: int) -> float:
    if isinstance(rate, Mapping):
        return float(rate.get(year, 0.0))
    return float(rate)


def _check_against_data(scenario: Scenario, funding: _Funding) -> None:
    """Years and units the file names must exist in the data or its projection."""
    first, last = funding.years[0], funding.years[-1]
    first_nominal = min(row[4] for row in funding.rows)
    units = set(funding.units)

    def before(year: int, low: int, keypath: str, what: str) -> None:
        if year < low:
            raise scenario.error(f"året ligger før {what} ({low})", keypath, year)

    def known_unit(unit: str, keypath: str) -> None:
        if unit not in units:
            raise scenario.error(
                f"ukjent enhet (dataene har: {', '.join(funding.units)})", keypath, unit
            )

    if scenario.horizon < last:
        raise scenario.error(f"horisonten ligger før siste år i dataene ({last})", "horizon",
                             scenario.horizon)
    for year in scenario.index_rates:
        before(year, first_nominal, f"index.rates.{year}", "første år i dataene")
    for override in scenario.overrides:
        known_unit(override.unit, override.keypath)
        if override.span.first is not None:
            before(override.span.first, first, override.keypath, "første år i dataene")
    for name in ("efficiency_pct", "volume_pct"):
        rate = getattr(scenario, name)
        for year in rate if isinstance(rate, Mapping) else ():
            before(year, last + 1, f"growth.{name}.{year}", "første år etter NHNs siste estimat")
    for item in scenario.investments:
        known_unit(item.unit, f"{item.keypath}.unit")
        before(item.year + scenario.investment_lag_years, last + 1, f"{item.keypath}.year",
               "første år etter NHNs siste estimat (virkningsåret)")
    for addition in scenario.additions:
        known_unit(addition.unit, f"{addition.keypath}.unit")
        before(addition.from_year, first, f"{addition.keypath}.from_year",
               "første år i dataene")
    if scenario.deflator:
        before(scenario.deflator.base_year, first, "deflator.base_year", "første år i dataene")
        for year in range(scenario.deflator.base_year, scenario.horizon):
            if year not in scenario.deflator.rates:
                raise scenario.error(f"mangler deflator for {year}→{year + 1}",
                                     "deflator.rates", year)


def _factor(scenario: Scenario, index: PriceIndex, start: int, end: int, why: str) -> float:
    try:
        return index.factor(start, end)
    except InputError as error:
        raise scenario.error(f"{error.message}; trengs {why}", "index.rates") from None


def compute(
    scenario: Scenario, baseline_funding: pd.DataFrame, index: PriceIndex
) -> ScenarioResult:
    """Project NHN's funding need to the horizon and split it into each actor group's bill.

    ``index`` is the shipped index the figures were raised with; the scenario's own rates
    replace some of its years. The baseline compared with is the same figures with the
    shipped index, no additions, and the last estimate held flat after it.
    """
    funding = _read_funding(baseline_funding)
    _check_against_data(scenario, funding)
    scen_index = index.with_rates(scenario.index_rates)
    base_price = max(row[3] for row in funding.rows)
    first, last = funding.years[0], funding.years[-1]
    projected_years = tuple(range(last + 1, scenario.horizon + 1))
    all_years = (*funding.years, *projected_years)

    def restate(value: float, price: int, nominal: int, idx: PriceIndex) -> float:
        """Undo the shipped raise of a past year, redo it with ``idx``; move to base_price."""
        if nominal < price:
            value = value / index.factor(nominal, price) * _factor(
                scenario, idx, nominal, price, f"for å regne {nominal} om til {price}-kroner"
            )
        return value * _factor(scenario, idx, price, base_price, "for felles kroneverdi")

    scenario_fixed: dict[tuple[str, int], float] = {}
    baseline_fixed: dict[tuple[str, int], float] = {}
    for unit, year, value, price, nominal in funding.rows:
        scenario_fixed[unit, year] = restate(value, price, nominal, scen_index)
        baseline_fixed[unit, year] = restate(value, price, nominal, index)

    def in_base_price(amount: float, price_year: int | None, keypath: str) -> float:
        if price_year is None:
            return amount
        return amount * _factor(scenario, scen_index, price_year, base_price,
                                f"for beløpet i «{keypath}»")

    additions = [(a, in_base_price(a.mnok, a.price_year, a.keypath)) for a in scenario.additions]
    consequences = [
        (i, i.year + scenario.investment_lag_years,
         in_base_price(i.mnok, i.price_year, i.keypath) * scenario.investment_share_pct / 100)
        for i in scenario.investments
    ]

    rows: list[tuple] = []
    end: dict[tuple[str, int], float] = {}
    cells = set(scenario_fixed) | {
        (a.unit, year) for a, _ in additions for year in funding.years if year >= a.from_year
    }
    for year in funding.years:
        for unit in _ordered_units(funding.units, cells, year):
            start = scenario_fixed.get((unit, year), 0.0)
            added = sum(amount for a, amount in additions
                        if a.unit == unit and a.from_year <= year)
            end[unit, year] = start + added
            rows.append((unit, year, KIND_DATA, start, 0.0, 0.0, 0.0, added, end[unit, year]))
    active = [unit for unit in funding.units if (unit, last) in end]
    extra = [u for u in dict.fromkeys([a.unit for a, _ in additions] +
                                      [i.unit for i, _, _ in consequences]) if u not in active]
    for year in projected_years:
        volume_pct = _rate_for(scenario.volume_pct, year)
        efficiency_pct = _rate_for(scenario.efficiency_pct, year)
        for unit in (*active, *extra):
            start = end.get((unit, year - 1), 0.0)
            invest = sum(amount for i, when, amount in consequences
                         if i.unit == unit and when == year)
            added = sum(amount for a, amount in additions
                        if a.unit == unit and a.from_year == year)
            if (unit, year - 1) not in end and not invest and not added:
                continue
            volume = start * volume_pct / 100
            efficiency = -start * efficiency_pct / 100
            end[unit, year] = start + volume + efficiency + invest + added
            rows.append((unit, year, KIND_PROJECTED, start, volume, efficiency, invest, added,
                         end[unit, year]))

    def target(year: int) -> int:
        if scenario.price_basis == CURRENT:
            return year
        return scenario.price_year if scenario.price_year is not None else base_price

    convert = {
        year: _factor(scenario, scen_index, base_price, target(year), "for valgt kroneverdi")
        for year in all_years
    }
    amount_columns = ("start", "volume", "efficiency", "investments", "additions", "end")
    projection = pd.DataFrame(
        rows, columns=["unit", "year", "kind", *amount_columns]
    )
    for column in amount_columns:
        projection[column] = projection[column] * projection["year"].map(convert)

    totals = {cell: value * convert[cell[1]] for cell, value in end.items()}
    baseline_totals: dict[tuple[str, int], float] = {}
    for unit, year in totals:
        fixed = baseline_fixed.get((unit, year))
        if fixed is None and year > last:
            fixed = baseline_fixed.get((unit, last))
        baseline_totals[unit, year] = (fixed or 0.0) * convert[year]

    allocations = {
        cell: allocation_for(scenario.key_set, cell[0], cell[1], scenario.overrides,
                             scenario.extend_last_year)
        for cell in totals
    }
    by_unit_rows, bills, unallocated_rows = _split_bills(totals, allocations)
    baseline_bills = _split_bills(baseline_totals, allocations)[1]

    versus_rows = [
        (unit, year, value, baseline_totals[unit, year], value - baseline_totals[unit, year])
        for (unit, year), value in totals.items()
    ]
    bill_versus_rows = [
        (group, year, bills[group, year], baseline_bills[group, year],
         bills[group, year] - baseline_bills[group, year])
        for group in BILL_GROUPS for year in all_years
    ]
    deflated = _deflated(scenario, scen_index, bills, convert, base_price, all_years)

    price_label = (
        "løpende kroner" if scenario.price_basis == CURRENT
        else f"{target(last)}-kroner"
    )
    return ScenarioResult(
        scenario=scenario,
        price_label=price_label,
        data_years=funding.years,
        projection=projection,
        totals=pd.DataFrame(
            [(u, y, v) for (u, y), v in totals.items()], columns=["unit", "year", "value_mnok"]
        ),
        bills=pd.DataFrame(
            [(g, y, bills[g, y]) for g in BILL_GROUPS for y in all_years],
            columns=["group", "year", "value_mnok"],
        ),
        bills_by_unit=pd.DataFrame(
            by_unit_rows, columns=["unit", "year", "group", "share_pct", "value_mnok"]
        ),
        versus_baseline=pd.DataFrame(
            versus_rows,
            columns=["unit", "year", "scenario_mnok", "baseline_mnok", "difference_mnok"],
        ),
        bills_versus_baseline=pd.DataFrame(
            bill_versus_rows,
            columns=["group", "year", "scenario_mnok", "baseline_mnok", "difference_mnok"],
        ),
        deflated=deflated,
        unallocated=pd.DataFrame(unallocated_rows,
                                 columns=["unit", "year", "value_mnok", "reason"]),
        notes=_notes(scenario, allocations, first, last, projected_years, price_label)
        + _deflator_notes(scenario, bills, all_years),
    )


def _ordered_units(units: Iterable[str], cells: set[tuple[str, int]], year: int) -> list[str]:
    ordered = [unit for unit in units if (unit, year) in cells]
    ordered += sorted({unit for unit, y in cells if y == year} - set(ordered))
    return ordered


def _split_bills(totals: Mapping[tuple[str, int], float], allocations: Mapping):
    by_unit: list[tuple] = []
    bills: dict[tuple[str, int], float] = {
        (group, year): 0.0 for group in BILL_GROUPS for _, year in totals
    }
    unallocated: list[tuple] = []
    for (unit, year), amount in totals.items():
        allocation = allocations[unit, year]
        parts = split(amount, allocation)
        for group in BILL_GROUPS:
            share = allocation.shares.get(group) if group != UNALLOCATED else (
                100 - allocation.known_pct if allocation.reason else 0.0
            )
            by_unit.append((unit, year, group, share, parts[group]))
            bills[group, year] += parts[group]
        if allocation.reason:
            unallocated.append((unit, year, parts[UNALLOCATED], allocation.reason))
    return by_unit, bills, unallocated


def _deflated(
    scenario: Scenario,
    idx: PriceIndex,
    bills: Mapping[tuple[str, int], float],
    convert: Mapping[int, float],
    base_price: int,
    years: tuple[int, ...],
) -> pd.DataFrame:
    """Each group's bill in current kroner against its base-year bill grown by the deflator."""
    columns = ["group", "year", "bill_mnok", "reference_mnok", "difference_mnok",
               "bill_growth_pct", "deflator_growth_pct"]
    deflator = scenario.deflator
    if deflator is None:
        return pd.DataFrame(columns=columns)
    base = deflator.base_year
    current = {
        year: _factor(scenario, idx, base_price, year, "for løpende kroner mot deflatoren")
        / convert[year]
        for year in years if year >= base
    }
    rows = []
    for group in (*BILL_GROUPS, TOTAL):
        def bill(year: int, group: str = group) -> float:
            if group == TOTAL:
                return sum(bills[g, year] for g in BILL_GROUPS) * current[year]
            return bills[group, year] * current[year]

        start = bill(base)
        growth = 1.0
        for year in (y for y in years if y >= base):
            if year > base:
                growth *= 1 + deflator.rates[year - 1] / 100
            value, reference = bill(year), start * growth
            rows.append((group, year, value, reference, value - reference,
                         (value / start - 1) * 100 if start else math.nan,
                         (growth - 1) * 100))
    return pd.DataFrame(rows, columns=columns)


def _notes(
    scenario: Scenario,
    allocations: Mapping,
    first: int,
    last: int,
    projected: tuple[int, ...],
    price_label: str,
) -> tuple[str, ...]:
    notes = [f"Beløp i mill. kroner, {price_label}."]
    if projected:
        notes.append(
            f"{first}–{last}: NHNs tall; {projected[0]}–{projected[-1]}: fremskrevet i "
            "scenarioet. Grunnlaget holder NHNs siste estimat uendret etter "
            f"{last}."
        )
    carried: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    by_cell: dict[tuple[str, int], list[int]] = {}
    for (unit, year), allocation in allocations.items():
        if allocation.carried_from is not None:
            by_cell.setdefault((unit, allocation.carried_from), []).append(year)
    for (unit, source_year), years in by_cell.items():
        carried.setdefault((source_year, tuple(sorted(years))), []).append(unit)
    for (source_year, years), units in sorted(carried.items()):
        notes.append(
            f"Nøkkelen for {source_year} er videreført til {_years_label(list(years))} "
            f"(valg i scenarioet) for: {', '.join(units)}."
        )
    if scenario.overrides:
        changed = ", ".join(f"{o.unit} {o.span.label}" for o in scenario.overrides)
        notes.append(f"Andeler endret i scenarioet: {changed}.")
    return tuple(notes)


def _deflator_notes(
    scenario: Scenario, bills: Mapping[tuple[str, int], float], years: tuple[int, ...]
) -> tuple[str, ...]:
    if scenario.deflator is None:
        return ()
    base = scenario.deflator.base_year
    notes = [
        f"Deflatorsammenligningen: regningen i løpende kroner mot regningen i {base} vokst med "
        f"deflatoren ({scenario.deflator.source or 'kilde ikke oppgitt'})."
    ]
    unclear = [year for year in years if year >= base and bills[UNALLOCATED, year] > 0.05]
    if unclear:
        notes.append(
            f"Ikke fordelte beløp i {_years_label(unclear)} inngår ikke i gruppenes regning; "
            "der en andel er ukjent i basisåret eller senere, viser gruppenes vekst også "
            "endringen i hva som er kjent. Bare summen er da sammenlignbar."
        )
    return tuple(notes)


def _years_label(years: list[int]) -> str:
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def compute_many(
    paths: Iterable[str | Path], baseline_funding: pd.DataFrame, index: PriceIndex
) -> dict[str, ScenarioResult]:
    """Several scenario files at once, by scenario name (for side-by-side tables)."""
    results: dict[str, ScenarioResult] = {}
    for path in paths:
        result = compute(load_scenario(path), baseline_funding, index)
        results[result.scenario.name] = result
    return results


def scenario_files(directory: str | Path = "scenarios") -> list[Path]:
    """The scenario files in the project's ``scenarios/`` folder, by name."""
    folder = resolve_path(directory)
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def provenance_files(scenario: Scenario) -> list[Path]:
    """The files a scenario was read from, for its provenance page."""
    return [p.resolve() for p in (scenario.path, scenario.key_set.path) if p is not None]
