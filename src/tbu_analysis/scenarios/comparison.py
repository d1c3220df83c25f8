"""Key against key: what each actor group pays under one cost-sharing key against another.

The amounts are the same in both (the scenario's projection); only the key differs. Each
figure says its base: the key applied to the whole cost (``kostnad``), or to the growth from
the year before (``vekst``). The sources leave open which base TBU 2/2021's 50/50 and 40/60
applied to (see the keys' ``base_note``), so both can be shown side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.scenarios import schemas
from tbu_analysis.scenarios.keys import KeySet
from tbu_analysis.scenarios.labels import ALL_UNITS, BASIS_LABELS
from tbu_analysis.scenarios.model import ScenarioResult
from tbu_analysis.scenarios.projection import BILL_GROUPS, compute

BASES = tuple(BASIS_LABELS)


@dataclass(frozen=True)
class KeyComparison:
    """Two results that differ only in their key, and their bills side by side."""

    first: ScenarioResult
    second: ScenarioResult
    basis: str
    frame: pd.DataFrame  # unit, group, year, first_mnok, second_mnok, difference_*

    @property
    def first_name(self) -> str:
        return self.first.scenario.key_set.name

    @property
    def second_name(self) -> str:
        return self.second.scenario.key_set.name

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]

    def difference(self, group: str, year: int, unit: str = ALL_UNITS) -> float:
        row = self.frame[(self.frame["unit"] == unit) & (self.frame["group"] == group)
                         & (self.frame["year"] == year)]
        return float(row["difference_mnok"].iloc[0]) if len(row) else 0.0


def _bills(result: ScenarioResult, basis: str) -> pd.DataFrame:
    """Each unit × group × year bill; for ``vekst`` the key splits the growth from the year
    before (the first year of the data has no growth and is left out)."""
    frame = result.bills_by_unit[["unit", "year", "group", "share_pct", "value_mnok"]]
    if basis == "kostnad":
        return frame[["unit", "year", "group", "value_mnok"]]
    totals = result.totals[["unit", "year", "value_mnok"]]
    before = totals.assign(year=totals["year"] + 1).rename(columns={"value_mnok": "before"})
    growth = totals.merge(before, on=["unit", "year"])  # the data's first year has none
    growth = growth.assign(growth=growth["value_mnok"] - growth["before"])
    merged = frame.merge(growth[["unit", "year", "growth"]], on=["unit", "year"])
    merged["value_mnok"] = merged["share_pct"].fillna(0.0) / 100 * merged["growth"]
    return merged[["unit", "year", "group", "value_mnok"]].reset_index(drop=True)


def side_by_side(first: ScenarioResult, second: ScenarioResult, basis: str, *,
                 check: bool = True) -> pd.DataFrame:
    """Per solution (and all solutions), actor group and year: both bills and the difference
    (second − first) in MNOK and in percent of the first."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}")
    merged = _bills(first, basis).merge(
        _bills(second, basis), on=["unit", "year", "group"], how="outer",
        suffixes=("_first", "_second"),
    ).fillna({"value_mnok_first": 0.0, "value_mnok_second": 0.0})
    merged = merged.rename(columns={"value_mnok_first": "first_mnok",
                                    "value_mnok_second": "second_mnok"})
    summed = merged.groupby(["group", "year"], as_index=False, sort=False)[
        ["first_mnok", "second_mnok"]].sum().assign(unit=ALL_UNITS)
    frame = pd.concat([merged, summed], ignore_index=True)
    frame["difference_mnok"] = frame["second_mnok"] - frame["first_mnok"]
    frame["difference_pct"] = [
        (d / f * 100) if abs(f) > 1e-9 else math.nan
        for d, f in zip(frame["difference_mnok"], frame["first_mnok"], strict=True)
    ]
    order = {group: n for n, group in enumerate(BILL_GROUPS)}
    units = [*dict.fromkeys(first.totals["unit"]), ALL_UNITS]
    frame = frame.assign(
        _unit=frame["unit"].map({u: n for n, u in enumerate(units)}),
        _group=frame["group"].map(order),
    ).sort_values(["_unit", "_group", "year"]).drop(columns=["_unit", "_group"])
    frame = frame[["unit", "group", "year", "first_mnok", "second_mnok", "difference_mnok",
                   "difference_pct"]].reset_index(drop=True)
    return schemas.checked(schemas.KEY_COMPARISON, frame) if check else frame


def key_against_key(result: ScenarioResult, other: KeySet, baseline_funding: pd.DataFrame,
                    index: PriceIndex, basis: str = "kostnad", *,
                    check: bool = True) -> KeyComparison:
    """The scenario's key against ``other`` on the same amounts (the scenario's own changed
    shares are left out of the other key)."""
    second = compute(replace(result.scenario, key_set=other, overrides=()), baseline_funding,
                     index, check=check)
    return KeyComparison(result, second, basis,
                         side_by_side(result, second, basis, check=check))


def both_bases(comparison: KeyComparison, *, check: bool = True) -> dict[str, KeyComparison]:
    """The same two keys on each base, for a reader who must see that the sources leave the
    base open."""
    return {basis: comparison if basis == comparison.basis else replace(
                comparison, basis=basis,
                frame=side_by_side(comparison.first, comparison.second, basis, check=check))
            for basis in BASES}


def for_scenario(result: ScenarioResult, baseline_funding: pd.DataFrame, index: PriceIndex,
                 *, check: bool = True) -> dict[str, KeyComparison]:
    """The scenario's key against its ``sharing.compare_with`` key on both bases (empty when
    the file names no other key)."""
    other = result.scenario.compare_with
    if other is None:
        return {}
    return both_bases(key_against_key(result, other, baseline_funding, index, check=check),
                      check=check)
