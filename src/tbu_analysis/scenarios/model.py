"""What a scenario is and what computing it gives: plain frozen dataclasses.

A :class:`Scenario` holds every choice of one scenario (built by ``files`` from a scenario
file, changed by the explorer); a :class:`ScenarioResult` holds every table of one run
(built by ``projection``). Both know nothing of files or widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tbu_analysis.common.errors import InputError
from tbu_analysis.scenarios.keys import KeySet, Origin, Override

FIXED, CURRENT = "fast", "lopende"

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
    placeholder: bool = False  # the rates have no source yet: results are marked


Rate = float | Mapping[int, float]


@dataclass(frozen=True)
class BaselineGrowth:
    """The round's own yearly volume and efficiency rates (its summary growth table), with
    their source: what the baseline grows by after NHN's last estimate, so the scenario
    that makes the same choices as the baseline equals it in every year."""

    efficiency_pct: float
    volume_pct: float
    source: str = ""

    @property
    def factor(self) -> float:
        """One year's growth: volume up, efficiency down, as :func:`projection.project`."""
        return 1 + (self.volume_pct - self.efficiency_pct) / 100


@dataclass(frozen=True)
class Scenario:
    """Every choice of one scenario; built from a file, changed by the explorer."""

    name: str
    key_set: KeySet
    horizon: int
    description: str = ""
    horizon_source: str = ""
    extend_last_year: bool = False
    compare_with: KeySet | None = None  # the key the report sets this one against
    overrides: tuple[Override, ...] = ()
    index_rates: Mapping[int, float] = field(default_factory=dict)
    index_source: str = ""
    index_placeholder: bool = False  # the rates have no source yet: results are marked
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
    #: the round's growth the baseline uses after NHN's last estimate (None: held flat)
    baseline_growth: BaselineGrowth | None = None
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
    placeholder_years: tuple[int, ...] = ()  # years whose amounts use a placeholder rate


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
    check_growth(scenario)


def check_growth(scenario: Scenario) -> None:
    """Volume and efficiency together may take a year's amount to nothing, never below: a
    bill never goes negative (volume −100 % with 2,4 % efficiency would)."""
    def rate(value: Rate, year: int | None) -> float:
        if isinstance(value, Mapping):
            return float(value.get(year, 0.0)) if year is not None else 0.0
        return float(value)

    years = {year for value in (scenario.volume_pct, scenario.efficiency_pct)
             if isinstance(value, Mapping) for year in value} or {None}
    for year in sorted(years, key=lambda y: y or 0):
        volume, efficiency = rate(scenario.volume_pct, year), rate(scenario.efficiency_pct, year)
        if volume - efficiency < -100:
            where = "growth.volume_pct" + (f".{year}" if year is not None and isinstance(
                scenario.volume_pct, Mapping) else "")
            raise scenario.error(
                "volumvekst minus effektivisering kan ikke være under −100 % (beløpet ville bli "
                f"negativt): {volume:g} − {efficiency:g}", where,
                volume if year is None else f"{year}: {volume:g}")
