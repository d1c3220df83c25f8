"""Computing a scenario: NHN's funding need → each actor group's bill, in named steps.

:func:`compute` runs them in order, each a function a test can call:

1. :func:`restate_baseline` — undo the shipped index on past years and redo it with the
   scenario's rates; everything in one kroner level (the round's price year);
2. :func:`project` — after NHN's last estimate: volume, efficiency, investments, additions;
3. :func:`convert_prices` — to the scenario's kroner (fixed, or current per year);
4. :func:`allocate` — split each solution's amount by the cost-sharing key;
5. :func:`compare` — the scenario against the baseline (same key, shipped index, the
   round's own growth rates after NHN's last estimate);
6. :func:`deflate` — each group's bill against its base-year bill grown by the deflator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import places_needed
from tbu_analysis.scenarios import schemas, text
from tbu_analysis.scenarios.files import load_scenario
from tbu_analysis.scenarios.keys import FIRST_YEAR, Allocation, allocation_for, split
from tbu_analysis.scenarios.labels import (
    GROUPS,
    KIND_DATA,
    KIND_PROJECTED,
    TOTAL,
    UNALLOCATED,
)
from tbu_analysis.scenarios.model import CURRENT, Rate, Scenario, ScenarioResult

FUNDING_COLUMNS = ("unit", "year", "value_mnok", "price_year", "nominal_year")
BILL_GROUPS = (*GROUPS, UNALLOCATED)
AMOUNT_COLUMNS = ("start", "volume", "efficiency", "investments", "additions", "end")

Cell = tuple[str, int]  # (unit, year)


@dataclass(frozen=True)
class Funding:
    """NHN's funding need as rows: unit, year, value, price year, nominal year."""

    units: tuple[str, ...]
    years: tuple[int, ...]
    rows: tuple[tuple[str, int, float, int, int], ...]

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[-1]

    @property
    def base_price(self) -> int:
        """The kroner level every step works in: the round's latest price year."""
        return max(row[3] for row in self.rows)


@dataclass(frozen=True)
class Prices:
    """The shipped index, the scenario's index and a way to blame a missing rate."""

    scenario: Scenario
    shipped: PriceIndex
    own: PriceIndex
    base_price: int

    def factor(self, start: int, end: int, why: str, index: PriceIndex | None = None) -> float:
        try:
            return (index or self.own).factor(start, end)
        except InputError as error:
            raise self.scenario.error(f"{error.message}; trengs {why}", "index.rates") from None


@dataclass(frozen=True)
class Projection:
    """Every unit's amount per year in base-price kroner, and the rows that show the steps."""

    end: dict[Cell, float]
    rows: list[tuple]


@dataclass(frozen=True)
class Converted:
    """The projection and the totals in the scenario's kroner."""

    factors: dict[int, float]
    projection: pd.DataFrame
    totals: dict[Cell, float]
    baseline_totals: dict[Cell, float]
    price_label: str


@dataclass(frozen=True)
class Bills:
    """Each group's bill per year, per unit, and what no key allocates."""

    by_group: dict[tuple[str, int], float]
    by_unit: list[tuple]
    unallocated: list[tuple]


def read_funding(frame: pd.DataFrame) -> Funding:
    """The baseline frame (``series.funding_by_unit``) as rows; one amount per unit and year."""
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
    seen: set[Cell] = set()
    for unit, year, *_ in rows:
        if (unit, year) in seen:
            raise InputError("grunnlagstabellen har to beløp for samme enhet og år",
                             text=f"{unit} {year}")
        seen.add((unit, year))
    return Funding(
        units=tuple(dict.fromkeys(row[0] for row in rows)),
        years=tuple(sorted({row[1] for row in rows})),
        rows=tuple(rows),
    )


def check_against_data(scenario: Scenario, funding: Funding) -> None:
    """Years and units the file names must exist in the data or its projection."""
    first, last = funding.first, funding.last
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


# --- 1. restate the baseline ------------------------------------------------------------------


def restate_baseline(funding: Funding, prices: Prices, index: PriceIndex) -> dict[Cell, float]:
    """Each printed amount in base-price kroner, past years re-raised with ``index``."""
    restated = {}
    for unit, year, value, price, nominal in funding.rows:
        if nominal < price:
            value = value / prices.shipped.factor(nominal, price) * prices.factor(
                nominal, price, f"for å regne {nominal} om til {price}-kroner", index
            )
        restated[unit, year] = value * prices.factor(
            price, prices.base_price, "for felles kroneverdi", index
        )
    return restated


# --- 2. project -------------------------------------------------------------------------------


def _in_base_price(prices: Prices, amount: float, price_year: int | None, keypath: str) -> float:
    if price_year is None:
        return amount
    return amount * prices.factor(price_year, prices.base_price, f"for beløpet i «{keypath}»")


def project(scenario: Scenario, funding: Funding, restated: Mapping[Cell, float],
            prices: Prices) -> Projection:
    """NHN's years with the scenario's additions, then each year after NHN's last estimate
    grown by volume, cut by efficiency, plus investments' D&F and new additions."""
    additions = [(a, _in_base_price(prices, a.mnok, a.price_year, a.keypath))
                 for a in scenario.additions]
    consequences = [
        (i.unit, i.year + scenario.investment_lag_years,
         _in_base_price(prices, i.mnok, i.price_year, i.keypath)
         * scenario.investment_share_pct / 100)
        for i in scenario.investments
    ]
    rows: list[tuple] = []
    end: dict[Cell, float] = {}
    cells = set(restated) | {
        (a.unit, year) for a, _ in additions for year in funding.years if year >= a.from_year
    }
    for year in funding.years:
        for unit in _ordered_units(funding.units, cells, year):
            start = restated.get((unit, year), 0.0)
            added = sum(amount for a, amount in additions
                        if a.unit == unit and a.from_year <= year)
            end[unit, year] = start + added
            rows.append((unit, year, KIND_DATA, start, 0.0, 0.0, 0.0, added, end[unit, year]))
    last = funding.last
    active = [unit for unit in funding.units if (unit, last) in end]
    extra = [u for u in dict.fromkeys([a.unit for a, _ in additions] +
                                      [unit for unit, _, _ in consequences]) if u not in active]
    for year in range(last + 1, scenario.horizon + 1):
        volume_pct = _rate_for(scenario.volume_pct, year)
        efficiency_pct = _rate_for(scenario.efficiency_pct, year)
        for unit in (*active, *extra):
            start = end.get((unit, year - 1), 0.0)
            invest = sum(amount for who, when, amount in consequences
                         if who == unit and when == year)
            added = sum(amount for a, amount in additions
                        if a.unit == unit and a.from_year == year)
            if (unit, year - 1) not in end and not invest and not added:
                continue
            volume = start * volume_pct / 100
            efficiency = -start * efficiency_pct / 100
            end[unit, year] = start + volume + efficiency + invest + added
            rows.append((unit, year, KIND_PROJECTED, start, volume, efficiency, invest, added,
                         end[unit, year]))
    return Projection(end=end, rows=rows)


def check_not_negative(scenario: Scenario, projected: Projection) -> None:
    """No unit's amount below zero (a negative addition larger than the amount, or growth
    that takes more than everything): no actor group is paid to take part."""
    for (unit, year), amount in projected.end.items():
        if amount < -0.005:
            cause = next((a for a in scenario.additions
                          if a.unit == unit and a.from_year <= year and a.mnok < 0), None)
            keypath = f"{cause.keypath}.mnok" if cause else "growth"
            raise scenario.error(f"gir et negativt beløp for {unit} i {year} "
                                 f"({amount:.1f} mill. kroner)", keypath,
                                 cause.mnok if cause else None)


def _ordered_units(units: Iterable[str], cells: set[Cell], year: int) -> list[str]:
    ordered = [unit for unit in units if (unit, year) in cells]
    ordered += sorted({unit for unit, y in cells if y == year} - set(ordered))
    return ordered


def _rate_for(rate: Rate, year: int) -> float:
    if isinstance(rate, Mapping):
        return float(rate.get(year, 0.0))
    return float(rate)


# --- 3. convert prices ------------------------------------------------------------------------


def target_price_year(scenario: Scenario, year: int, base_price: int) -> int:
    """The kroner level a year's amounts are shown in."""
    if scenario.price_basis == CURRENT:
        return year
    return scenario.price_year if scenario.price_year is not None else base_price


def convert_prices(scenario: Scenario, funding: Funding, projected: Projection,
                   baseline: Mapping[Cell, float], prices: Prices) -> Converted:
    """The projection, its totals and the baseline's in the scenario's kroner. After NHN's
    last estimate the baseline grows by the round's own volume and efficiency rates
    (``scenario.baseline_growth``; flat where the round has none), so a scenario that makes
    the baseline's choices equals it."""
    years = (*funding.years, *range(funding.last + 1, scenario.horizon + 1))
    factors = {
        year: prices.factor(prices.base_price, target_price_year(scenario, year,
                                                                 prices.base_price),
                            "for valgt kroneverdi")
        for year in years
    }
    frame = pd.DataFrame(projected.rows, columns=["unit", "year", "kind", *AMOUNT_COLUMNS])
    for column in AMOUNT_COLUMNS:
        frame[column] = frame[column] * frame["year"].map(factors)
    totals = {cell: value * factors[cell[1]] for cell, value in projected.end.items()}
    growth = scenario.baseline_growth.factor if scenario.baseline_growth else 1.0
    baseline_totals = {}
    for unit, year in totals:
        fixed = baseline.get((unit, year))
        if fixed is None and year > funding.last:
            last = baseline.get((unit, funding.last))
            fixed = last * growth ** (year - funding.last) if last is not None else None
        baseline_totals[unit, year] = (fixed or 0.0) * factors[year]
    price_label = (
        "løpende kroner" if scenario.price_basis == CURRENT
        else f"{target_price_year(scenario, funding.last, prices.base_price)}-kroner"
    )
    return Converted(factors, frame, totals, baseline_totals, price_label)


# --- 4. allocate ------------------------------------------------------------------------------


def allocations_for(scenario: Scenario, cells: Iterable[Cell]) -> dict[Cell, Allocation]:
    """The key's shares for each unit and year, with the scenario's overrides."""
    return {
        cell: allocation_for(scenario.key_set, cell[0], cell[1], scenario.overrides,
                             scenario.extend_last_year)
        for cell in cells
    }


def allocate(totals: Mapping[Cell, float], allocations: Mapping[Cell, Allocation]) -> Bills:
    """Split each amount by its allocation; unknown shares go to «ikke fordelt»."""
    by_unit: list[tuple] = []
    by_group: dict[tuple[str, int], float] = {
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
            by_group[group, year] += parts[group]
        if allocation.reason:
            unallocated.append((unit, year, parts[UNALLOCATED], allocation.reason))
    return Bills(by_group, by_unit, unallocated)


# --- 5. compare -------------------------------------------------------------------------------


def compare(converted: Converted, bills: Bills, baseline_bills: Bills,
            years: Iterable[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario against baseline per unit and year, and per actor group and year."""
    totals, baseline = converted.totals, converted.baseline_totals
    per_unit = pd.DataFrame(
        [(unit, year, value, baseline[unit, year], value - baseline[unit, year])
         for (unit, year), value in totals.items()],
        columns=["unit", "year", "scenario_mnok", "baseline_mnok", "difference_mnok"],
    )
    scenario_bills, baseline_by_group = bills.by_group, baseline_bills.by_group
    per_group = pd.DataFrame(
        [(group, year, scenario_bills[group, year], baseline_by_group[group, year],
          scenario_bills[group, year] - baseline_by_group[group, year])
         for group in BILL_GROUPS for year in years],
        columns=["group", "year", "scenario_mnok", "baseline_mnok", "difference_mnok"],
    )
    return per_unit, per_group


# --- 6. deflate -------------------------------------------------------------------------------

DEFLATED_COLUMNS = ["group", "year", "bill_mnok", "reference_mnok", "difference_mnok",
                    "bill_growth_pct", "deflator_growth_pct"]


def deflate(scenario: Scenario, bills: Mapping[tuple[str, int], float],
            factors: Mapping[int, float], prices: Prices, years: tuple[int, ...]) -> pd.DataFrame:
    """Each group's bill in current kroner against its base-year bill grown by the deflator."""
    deflator = scenario.deflator
    if deflator is None:
        return pd.DataFrame(columns=DEFLATED_COLUMNS)
    base = deflator.base_year
    current = {
        year: prices.factor(prices.base_price, year, "for løpende kroner mot deflatoren")
        / factors[year]
        for year in years if year >= base
    }

    def bill(group: str, year: int) -> float:
        if group == TOTAL:
            return sum(bills[g, year] for g in BILL_GROUPS) * current[year]
        return bills[group, year] * current[year]

    rows = []
    for group in (*BILL_GROUPS, TOTAL):
        start = bill(group, base)
        growth = 1.0
        for year in (y for y in years if y >= base):
            if year > base:
                growth *= 1 + deflator.rates[year - 1] / 100
            value, reference = bill(group, year), start * growth
            rows.append((group, year, value, reference, value - reference,
                         (value / start - 1) * 100 if start else math.nan,
                         (growth - 1) * 100))
    return pd.DataFrame(rows, columns=DEFLATED_COLUMNS)


# --- all steps --------------------------------------------------------------------------------


def compute(
    scenario: Scenario, baseline_funding: pd.DataFrame, index: PriceIndex, *,
    check: bool = True,
) -> ScenarioResult:
    """Project NHN's funding need to the horizon and split it into each actor group's bill.

    ``index`` is the shipped index the figures were raised with; the scenario's own rates
    replace some of its years. The baseline compared with is the same figures with the
    shipped index, no additions, and the round's own growth rates after the last estimate.
    ``check=False`` skips the frames' pandera schemas (about 80 ms): the explorer recomputes
    on every change and must answer within 150 ms; the report, the CLI and the tests always check.
    """

    def checked(schema, frame: pd.DataFrame) -> pd.DataFrame:
        return schemas.checked(schema, frame) if check else frame

    funding = read_funding(baseline_funding)
    check_against_data(scenario, funding)
    prices = Prices(scenario, index, index.with_rates(scenario.index_rates), funding.base_price)
    years = (*funding.years, *range(funding.last + 1, scenario.horizon + 1))

    restated = restate_baseline(funding, prices, prices.own)
    baseline = restate_baseline(funding, prices, prices.shipped)
    projected = project(scenario, funding, restated, prices)
    check_not_negative(scenario, projected)
    converted = convert_prices(scenario, funding, projected, baseline, prices)
    allocations = allocations_for(scenario, converted.totals)
    bills = allocate(converted.totals, allocations)
    baseline_bills = allocate(converted.baseline_totals, allocations)
    versus_baseline, bills_versus_baseline = compare(converted, bills, baseline_bills, years)
    deflated = deflate(scenario, bills.by_group, converted.factors, prices, years)
    marked = placeholder_years(scenario, funding, years, prices.base_price)

    return ScenarioResult(
        scenario=scenario,
        price_label=converted.price_label,
        data_years=funding.years,
        projection=checked(schemas.PROJECTION, converted.projection),
        totals=checked(schemas.TOTALS, pd.DataFrame(
            [(u, y, v) for (u, y), v in converted.totals.items()],
            columns=["unit", "year", "value_mnok"],
        )),
        bills=checked(schemas.BILLS, pd.DataFrame(
            [(g, y, bills.by_group[g, y]) for g in BILL_GROUPS for y in years],
            columns=["group", "year", "value_mnok"],
        )),
        bills_by_unit=checked(schemas.BILLS_BY_UNIT, pd.DataFrame(
            bills.by_unit, columns=["unit", "year", "group", "share_pct", "value_mnok"]
        ).astype({"share_pct": float})),
        versus_baseline=checked(schemas.VERSUS_BASELINE, versus_baseline),
        bills_versus_baseline=checked(schemas.BILLS_VERSUS_BASELINE, bills_versus_baseline),
        deflated=checked(schemas.DEFLATED, deflated),
        unallocated=checked(schemas.UNALLOCATED_FRAME, pd.DataFrame(
            bills.unallocated, columns=["unit", "year", "value_mnok", "reason"]
        ).astype({"year": int, "value_mnok": float})),
        notes=_notes(scenario, allocations, funding, converted.price_label,
                     _changed_by_index(restated, baseline, prices))
        + _placeholder_notes(scenario, marked)
        + _deflator_notes(scenario, bills.by_group, years),
        placeholder_years=marked,
    )


def placeholder_years(scenario: Scenario, funding: Funding, years: Iterable[int],
                      base_price: int) -> tuple[int, ...]:
    """Years whose shown amounts were moved between kroner levels with a rate the scenario
    file marks as a placeholder (``index.placeholder``)."""
    if not scenario.index_placeholder or not scenario.index_rates:
        return ()
    placeholder = set(scenario.index_rates)

    def uses(start: int, end: int) -> bool:
        low, high = sorted((start, end))
        return any(low <= year < high for year in placeholder)

    restated = {year for _, year, _, price, nominal in funding.rows
                if (nominal < price and uses(nominal, price)) or uses(price, base_price)}
    moved = {year for year in scenario_years(scenario)
             if uses(base_price, target_price_year(scenario, year, base_price))}
    starts = [a.from_year for a in scenario.additions
              if a.price_year is not None and uses(a.price_year, base_price)]
    starts += [i.year + scenario.investment_lag_years for i in scenario.investments
               if i.price_year is not None and uses(i.price_year, base_price)]
    added = {year for year in years if starts and year >= min(starts)}
    return tuple(year for year in years if year in restated | moved | added)


def scenario_years(scenario: Scenario) -> range:
    """Every year a result may show (the data's first year is found from the data)."""
    return range(FIRST_YEAR, scenario.horizon + 1)


def _placeholder_notes(scenario: Scenario, marked: tuple[int, ...]) -> tuple[str, ...]:
    notes = []
    if marked:
        notes.append(text.note("placeholder_years", years_label(list(marked)),
                               scenario.index_source or "ikke oppgitt"))
    if deflator_is_placeholder(scenario):
        notes.append(text.note("deflator_placeholder"))
    return tuple(notes)


def deflator_is_placeholder(scenario: Scenario) -> bool:
    """Whether the deflator comparison rests on rates without a source (the scenario file's
    ``deflator.placeholder`` or ``index.placeholder``): then it is no result, and the report
    leaves it out."""
    return scenario.deflator is not None and (scenario.deflator.placeholder
                                              or scenario.index_placeholder)


def _changed_by_index(restated: Mapping[Cell, float], baseline: Mapping[Cell, float],
                      prices: Prices) -> tuple[tuple[int, ...], tuple[tuple[int, float], ...]]:
    """The years of NHN's figures whose amounts the scenario's own index rates change (the
    figures re-raised with them differ from NHN's), and the rates that differ from the
    shipped index's (a rate for a later year raised none of NHN's figures)."""
    years = sorted({cell[1] for cell in restated if abs(restated[cell] - baseline[cell]) > 1e-9})
    rates = tuple((year, rate) for year, rate in sorted(prices.own.rates.items())
                  if year in prices.shipped.rates and prices.shipped.rates[year] != rate)
    return tuple(years), rates


def _notes(scenario: Scenario, allocations: Mapping[Cell, Allocation], funding: Funding,
           price_label: str,
           indexed: tuple[tuple[int, ...], tuple[tuple[int, float], ...]] = ((), ()),
           ) -> tuple[str, ...]:
    first, last = funding.first, funding.last
    notes = [text.note("amounts", price_label)]
    if scenario.horizon > last:
        notes.append(text.note("years", first, last, scenario.horizon,
                               scenario.baseline_growth))
    # NHN's figures are changed by an addition in a year they cover, or by index rates that
    # re-raise them otherwise than NHN did
    added = {year for a in scenario.additions for year in funding.years
             if year >= a.from_year}
    changed = sorted(added | set(indexed[0]))
    if changed:
        from tbu_analysis.common.formatting import format_number

        labels = ", ".join(dict.fromkeys(
            f"{a.unit}: {a.label}" if a.label else f"{a.unit} {format_number(a.mnok, 1)} mill."
            for a in scenario.additions if a.from_year <= last))
        rates = [(year, rate, places_needed(rate, 1, 3))
                 for year, rate in indexed[1]] if indexed[0] else []
        notes.append(text.note("changed_years", years_label(changed), labels, rates))
    carried: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    by_cell: dict[Cell, list[int]] = {}
    for (unit, year), allocation in allocations.items():
        if allocation.carried_from is not None:
            by_cell.setdefault((unit, allocation.carried_from), []).append(year)
    for (unit, source_year), carried_years in by_cell.items():
        carried.setdefault((source_year, tuple(sorted(carried_years))), []).append(unit)
    for (source_year, carried_years), units in sorted(carried.items()):
        notes.append(text.note("carried", source_year, years_label(list(carried_years)),
                               ", ".join(units)))
    if scenario.overrides:
        notes.append(text.note("overrides", ", ".join(f"{o.unit} {o.span.label}"
                                                      for o in scenario.overrides)))
    return tuple(notes)


def _deflator_notes(scenario: Scenario, bills: Mapping[tuple[str, int], float],
                    years: tuple[int, ...]) -> tuple[str, ...]:
    if scenario.deflator is None or deflator_is_placeholder(scenario):
        return ()
    base = scenario.deflator.base_year
    notes = [text.note("deflator", base, scenario.deflator.source or "kilde ikke oppgitt")]
    unclear = [year for year in years if year >= base and bills[UNALLOCATED, year] > 0.05]
    if unclear:
        notes.append(text.note("deflator_unclear", years_label(unclear)))
    return tuple(notes)


def years_label(years: list[int]) -> str:
    """``2025–2028`` for a run of years, else ``2025, 2027``."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


@dataclass(frozen=True)
class Comparison:
    """Several scenarios computed side by side, and the files that could not be (with why)."""

    results: dict[str, ScenarioResult]
    skipped: tuple[tuple[Path, str], ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"{path.name} er ikke med: {message}" for path, message in self.skipped)


def compute_many(
    paths: Iterable[str | Path], baseline_funding: pd.DataFrame, index: PriceIndex
) -> Comparison:
    """Several scenario files at once, by scenario name (for side-by-side tables). A broken
    file is left out with a note, so one bad file does not stop every comparison."""
    results: dict[str, ScenarioResult] = {}
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        try:
            result = compute(load_scenario(path), baseline_funding, index)
        except InputError as error:
            skipped.append((Path(path), str(error)))
            continue
        results[result.scenario.name] = result
    return Comparison(results, tuple(skipped))
