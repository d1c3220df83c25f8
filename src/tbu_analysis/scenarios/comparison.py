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


def _bills(result: ScenarioResult, basis: str) -> dict[tuple[str, int, str], float]:
    """Each (unit, year, group) bill; for ``vekst`` the key splits the growth from the year
    before (the first year of the data has no growth and is left out). Plain Python over a
    few hundred rows: the explorer redraws this on every change, within its 150 ms."""
    frame = result.bills_by_unit
    rows = zip(frame["unit"].tolist(), frame["year"].tolist(), frame["group"].tolist(),
               frame["share_pct"].tolist(), frame["value_mnok"].tolist(), strict=True)
    if basis == "kostnad":
        return {(u, int(y), g): float(v) for u, y, g, _share, v in rows}
    totals = {(u, int(y)): float(v) for u, y, v in zip(
        result.totals["unit"].tolist(), result.totals["year"].tolist(),
        result.totals["value_mnok"].tolist(), strict=True)}
    return {(u, int(y), g): (0.0 if share != share else float(share)) / 100
            * (totals[u, int(y)] - totals[u, int(y) - 1])
            for u, y, g, share, _v in rows if (u, int(y) - 1) in totals}


#: «Forskjell (%)» only of a bill of at least this many mill. kroner: a percentage of a
#: tiny or negative base (1,6 → 237,9 %) says nothing a reader can use; the difference in
#: mill. kroner is always shown.
TINY_BASE_MNOK = 10.0


def side_by_side(first: ScenarioResult, second: ScenarioResult, basis: str, *,
                 check: bool = True) -> pd.DataFrame:
    """Per solution (and all solutions), actor group and year: both bills and the difference
    (second − first) in MNOK and in percent of the first (none where the first is under
    :data:`TINY_BASE_MNOK`)."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}")
    one, two = _bills(first, basis), _bills(second, basis)
    cells = {key: (one.get(key, 0.0), two.get(key, 0.0)) for key in (*one, *two)}
    summed: dict[tuple[str, int, str], list[float]] = {}
    for (_unit, year, group), (a, b) in cells.items():
        total = summed.setdefault((ALL_UNITS, year, group), [0.0, 0.0])
        total[0] += a
        total[1] += b
    cells.update({key: (a, b) for key, (a, b) in summed.items()})
    units = {u: n for n, u in enumerate([*dict.fromkeys(first.totals["unit"]), ALL_UNITS])}
    order = {group: n for n, group in enumerate(BILL_GROUPS)}
    keys = sorted(cells, key=lambda k: (units.get(k[0], len(units)),
                                        order.get(k[2], len(order)), k[1]))
    rows = []
    for unit, year, group in keys:
        a, b = cells[unit, year, group]
        rows.append((unit, group, year, a, b, b - a,
                     (b - a) / a * 100 if a >= TINY_BASE_MNOK else math.nan))
    frame = pd.DataFrame(rows, columns=["unit", "group", "year", "first_mnok", "second_mnok",
                                        "difference_mnok", "difference_pct"])
    frame["year"] = frame["year"].astype("int64")
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
