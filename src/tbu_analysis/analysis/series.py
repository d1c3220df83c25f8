"""Pick the figure to use for each quantity, and build yearly series from the tidy figures.

The source prints many quantities more than once (a summary rounded to whole millions, a
detail table with decimals). Analyses use the most precise printing; the reconciliation
checks that the printings agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field

from tbu_analysis.analysis.tolerance import half_unit, round_half_up
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_csv_models
from tbu_analysis.config import project_root, round_paths
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import ColumnRole, DriverCategory, Measure, Series

# A quantity: the same solution/item, measure, year and price basis, whichever table prints it.
KEY = ["solution", "item", "measure", "category", "year", "price_year", "nominal_year"]

# Which printed measure stands for a year's amount in each series, in order of preference.
# Funding (what the sector is billed): a fixed forskrift, else the proposed funding need,
# else the estimated cost level (later years have no tilbakeføring to deduct).
SERIES_MEASURES = {
    Series.FINANSIERINGSBEHOV.value: (Measure.FORSKRIFT.value, Measure.FINANSIERINGSBEHOV.value,
                                      Measure.KOSTNADSNIVA.value),
    Series.KOSTNADSNIVA.value: (Measure.KOSTNADSNIVA.value, Measure.FORSKRIFT.value),
}


#: While :func:`computed_once` is active: results per (function, frame, arguments). The report
#: model asks for the same series of the same frame dozens of times (every waterfall).
_ONCE: dict[tuple, pd.DataFrame] | None = None


@contextmanager
def computed_once() -> Iterator[None]:
    """Within the block, each series of a frame is computed once (the frames are not changed
    meanwhile); outside it, nothing is remembered."""
    global _ONCE
    outer, _ONCE = _ONCE, {} if _ONCE is None else _ONCE
    try:
        yield
    finally:
        _ONCE = outer


def remembered(name: str, figures: pd.DataFrame, compute, *args) -> pd.DataFrame:
    """``compute(figures, *args)``, computed once per frame and arguments inside
    :func:`computed_once` (a copy each time); outside it, computed every time."""
    if _ONCE is None:
        return compute(figures, *args)
    key = (name, id(figures), *args)
    if key not in _ONCE:
        _ONCE[key] = compute(figures, *args)
        _ONCE[("frame", id(figures))] = figures  # keeps the id from being reused meanwhile
    return _ONCE[key].copy()


def amounts(figures: pd.DataFrame) -> pd.DataFrame:
    return figures[figures["value_mnok"].notna()]


def best_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """One row per quantity: the printing with most decimals (the first table on a tie)."""
    frame = amounts(figures).copy()
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["decimals", "_order"], ascending=[False, True], kind="stable")
    best = frame.drop_duplicates(KEY, keep="first").sort_values("_order", kind="stable")
    return best.drop(columns="_order").reset_index(drop=True)


def yearly_series(figures: pd.DataFrame, series: str = "finansieringsbehov",
                  as_printed: bool = False) -> pd.DataFrame:
    """See :func:`_yearly_series` (remembered inside :func:`computed_once`)."""
    return remembered("yearly_series", figures, _yearly_series, series, as_printed)


def _yearly_series(figures: pd.DataFrame, series: str, as_printed: bool) -> pd.DataFrame:
    """Level per solution/item and year for one series: columns of KEY minus measure/category,
    plus ``measure`` (which printed measure was used), value_mnok, decimals, table, price.

    One value per quantity: where nothing is deducted (no tilbakeføring) the funding need is
    the cost level, so the funding series takes the cost level's printing when it has more
    decimals and the funding need prints it rounded (Helsenettet 2025: 299,9, not 300).
    ``as_printed`` keeps the funding need's own column (what a bill is drawn from).
    """
    preference = SERIES_MEASURES[series]
    best = best_figures(figures)
    best = best[best["measure"].isin(preference) & (best["category"] == "")]
    best = best.assign(_rank=best["measure"].map({m: i for i, m in enumerate(preference)}))
    best = best.sort_values(["_rank"], kind="stable").drop_duplicates(
        ["solution", "item", "year"], keep="first")
    if series == Series.FINANSIERINGSBEHOV.value and not as_printed:
        best = _funding_as_cost_level(figures, best)
    if not as_printed:
        best = _with_levels_from_parts(figures, best)
    columns = ["solution", "item", "parent", "year", "measure", "value_mnok", "decimals",
               "table", "table_number", "price_year", "nominal_year", "price_basis"]
    return best[columns].sort_values(["solution", "item", "year"]).reset_index(drop=True)


def undeducted_cost_levels(figures: pd.DataFrame) -> pd.DataFrame:
    """See :func:`_undeducted_cost_levels` (remembered inside :func:`computed_once`)."""
    return remembered("undeducted", figures, _undeducted_cost_levels)


def _undeducted_cost_levels(figures: pd.DataFrame) -> pd.DataFrame:
    """The cost levels (most precise printing) that are also the funding need: no table
    deducts anything (tilbakeføring) for the solution, item and year, and every printing of
    the funding need is that level rounded to its own decimals."""
    best = best_figures(figures)
    levels = best[(best["measure"] == Measure.KOSTNADSNIVA.value) & (best["category"] == "")]
    data = amounts(figures)
    deducted = data[(data["category"] == DriverCategory.TILBAKEFORING.value)
                    & (data["value_mnok"].abs() > 0)]
    deducted = set(zip(deducted["solution"], deducted["item"], deducted["year"], strict=True))
    funding = data[(data["measure"] == Measure.FINANSIERINGSBEHOV.value)
                   & (data["category"] == "")]
    # The funding need's printings of each quantity, looked up rather than filtered per level.
    printings = dict(iter(funding.groupby(["solution", "item", "year", "price_year"],
                                          sort=False)))
    keep = []
    for index, level in levels.iterrows():
        key = (level["solution"], level["item"], level["year"])
        printed = printings.get((*key, level["price_year"]), funding.iloc[:0])
        if key in deducted or printed.empty:
            continue
        if all(int(row.decimals) < int(level["decimals"])
               and abs(float(row.value_mnok) - float(level["value_mnok"]))
               <= 0.5 * 10 ** -int(row.decimals) + 1e-9 for row in printed.itertuples()):
            keep.append(index)
    return levels.loc[keep]


def _funding_as_cost_level(figures: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """The funding series with each undeducted funding need replaced by its cost level."""
    levels = undeducted_cost_levels(figures)
    if levels.empty:
        return best
    key = ["solution", "item", "year"]
    chosen = best.set_index(key)
    replace = levels.set_index(key)
    replace = replace[replace.index.isin(chosen.index)]
    replace = replace[chosen.loc[replace.index, "measure"] == Measure.FINANSIERINGSBEHOV.value]
    if replace.empty:
        return best
    chosen = chosen.drop(index=replace.index)
    return pd.concat([chosen, replace[chosen.columns.intersection(replace.columns)]]) \
        .reset_index()


def levels_from_parts(figures: pd.DataFrame) -> pd.DataFrame:
    """See :func:`_levels_from_parts` (remembered inside :func:`computed_once`)."""
    return remembered("from_parts", figures, _levels_from_parts)


def _levels_from_parts(figures: pd.DataFrame) -> pd.DataFrame:
    """The solutions' levels the source prints in whole millions where its own table leads to
    them from a level with decimals: the start the report uses for that quantity plus the
    table's changes (E-resept 2026: 192,0 − 11,4 = 180,6, printed 181; Kjernejournal's funding
    need 2025: 118,6 − 25,9 = 92,7, printed 93). Kept only within the printed figure's
    rounding, so it is the printed figure with the decimals the rounding dropped; the sums
    stay the source's printed sums. One row per level: solution, year, measure, value_mnok,
    decimals (1), table and table_number (the table of the parts), start and start_year (the
    cost level the parts start from), change, printed and printed_decimals."""
    data = amounts(figures)
    chosen = pd.concat([_yearly_series(figures, series, True).assign(series=series)
                        for series in SERIES_MEASURES], ignore_index=True)
    chosen = chosen[(chosen["item"] == "") & (chosen["solution"] != ALL_SOLUTIONS)
                    & chosen["measure"].isin([Measure.KOSTNADSNIVA.value,
                                              Measure.FINANSIERINGSBEHOV.value])]
    found: dict[tuple, dict] = {}

    def start_of(solution: str, year: int) -> tuple[float, int, int] | None:
        """The cost level the report uses for (solution, year): a computed one if any."""
        key = (solution, year, Measure.KOSTNADSNIVA.value)
        if key in found:
            return found[key]["value_mnok"], 1, year
        costs = chosen[(chosen["series"] == Series.KOSTNADSNIVA.value)
                       & (chosen["solution"] == solution) & (chosen["year"] == year)]
        if costs.empty:
            return None
        row = costs.iloc[0]
        return float(row["value_mnok"]), int(row["decimals"]), year

    printed = chosen.drop_duplicates(["solution", "year", "measure"]) \
        .sort_values(["year", "measure"], ascending=[True, False], kind="stable")
    for level in printed.itertuples(index=False):
        if int(level.decimals) > 0:
            continue
        funding = level.measure == Measure.FINANSIERINGSBEHOV.value
        target = ColumnRole.FUNDING.value if funding else ColumnRole.LEVEL.value
        rows = data[(data["solution"] == level.solution) & (data["year"] == level.year)]
        for table, group in rows.groupby("table", sort=False):
            own = group[group["item"] == ""]
            parts = own if len(own) else group[group["parent"].fillna("") == ""]
            if not (parts["column_role"] == target).any():
                continue
            if funding:
                changes = parts[parts["column_role"] == ColumnRole.DEDUCTION.value]
                start = start_of(level.solution, int(level.year))
            else:
                changes = parts[parts["column_role"] == ColumnRole.TOTAL_CHANGE.value]
                if changes.empty:
                    changes = parts[parts["column_role"] == ColumnRole.DRIVER.value]
                base_years = changes["base_year"].dropna().unique()
                start = start_of(level.solution, int(base_years[0])) \
                    if len(base_years) == 1 else None
            if changes.empty or start is None or start[1] < 1:
                continue
            change = float(changes["value_mnok"].sum())
            value = round_half_up(start[0] + change, 1)
            if value == float(level.value_mnok) \
                    or abs(value - float(level.value_mnok)) > half_unit(level.decimals) + 1e-9:
                continue
            found[(level.solution, int(level.year), level.measure)] = {
                "solution": level.solution, "year": int(level.year),
                "measure": level.measure, "value_mnok": value, "decimals": 1,
                "table": table, "table_number": str(group["table_number"].iloc[0]),
                "start": start[0], "start_year": start[2],
                "change": round_half_up(change, 1), "printed": float(level.value_mnok),
                "printed_decimals": int(level.decimals)}
            break
    columns = ["solution", "year", "measure", "value_mnok", "decimals", "table",
               "table_number", "start", "start_year", "change", "printed",
               "printed_decimals"]
    return pd.DataFrame(list(found.values()), columns=columns)


def _with_levels_from_parts(figures: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """``best`` with each level :func:`levels_from_parts` computes in place of its rounded
    printing (the same quantity in both series)."""
    computed = levels_from_parts(figures)
    if computed.empty:
        return best
    best = best.copy()
    for row in computed.itertuples(index=False):
        at = (best["solution"] == row.solution) & (best["item"] == "") \
            & (best["year"] == row.year) & (best["measure"] == row.measure)
        best.loc[at, ["value_mnok", "decimals", "table", "table_number"]] = \
            [row.value_mnok, row.decimals, row.table, row.table_number]
    return best


def primary_table_id(figures: pd.DataFrame) -> str:
    """The round's overview table (solution × year) that bills are based on, as the
    manifest marks it (``primary: true``, carried into figures.csv as ``table_primary``)."""
    primary = figures.loc[figures["table_primary"], "table"].unique()
    if len(primary) != 1:
        raise InputError("runden har ikke nøyaktig én hovedoversikt (primary: true)")
    return str(primary[0])


def funding_by_solution(figures: pd.DataFrame) -> pd.DataFrame:
    """The amounts billed per solution and year, as the overview table prints them."""
    table = primary_table_id(figures)
    rows = amounts(figures)
    rows = rows[(rows["table"] == table) & (rows["item"] == "")]
    columns = ["solution", "year", "value_mnok", "measure", "price_year", "nominal_year",
               "decimals"]
    return rows[columns].reset_index(drop=True)


class BillingUnitRow(InputModel):
    """A row of ``billing_units.csv``: a unit the sector is billed for, with the solution (and
    item, when split out of the solution) whose funding need it takes."""

    unit: Annotated[str, Field(min_length=1, max_length=200)]
    solution: Annotated[str, Field(min_length=1, max_length=200)]
    item: Annotated[str, Field(max_length=300)] = ""
    note: str = ""


def load_billing_units(path: str | Path) -> pd.DataFrame:
    """The units the sector is billed for: a solution, or an item split out of one (the
    round's own ``billing_units.csv``)."""
    path = Path(path)
    rows = load_csv_models(path, BillingUnitRow, what="fila med faktureringsenheter")
    seen: dict[str, int] = {}
    for line, row in rows:
        if row.unit in seen:
            raise InputError(f"enheten står to ganger (også linje {seen[row.unit]})", path=path,
                             line=line, column="unit", text=row.unit)
        seen[row.unit] = line
    columns = list(BillingUnitRow.model_fields)
    frame = pd.DataFrame([row.model_dump() for _, row in rows], columns=columns, dtype=str)
    frame.attrs["path"] = path  # named when a solution of the round has no unit
    return frame


def _finer_remainder(levels: pd.DataFrame, record, remainder: float,
                     split: set[str]) -> float | None:
    """What is left of a solution once its split units are taken out, from the source's own
    finer rows where one table prints the rest of the solution's top-level items with
    decimals and they give the rounded total within its rounding (a total of 270 printed
    in whole millions, with rows of 187,5 + 57,5 beside a split-out 25,2: 245,0, not 244,8);
    else None."""
    rows = levels[(levels["solution"] == record.solution) & (levels["year"] == record.year)
                  & (levels["item"] != "") & (levels["parent"].fillna("") == "")
                  & ~levels["item"].isin(split)]
    taken_out = record.value_mnok - remainder
    for _, group in rows.groupby("table", sort=True):
        if (group["decimals"] < 1).any():
            continue
        finer = round(float(group["value_mnok"].sum()), 6)
        # within the rounding of the printed total (half a unit of its last digit)
        if finer != remainder and abs(finer + taken_out - record.value_mnok) \
                <= 0.5 * 10 ** -int(record.decimals):
            return finer
    return None


def funding_by_unit(figures: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Funding need per billing unit and year: an item unit takes the item's printed funding
    where the source prints it; a solution unit takes the solution's funding need less the
    items split out of it that year. The solution's funding need is the reports' one value
    per quantity (:func:`yearly_series`: 343,6 from the solution's own table, not the
    overview's rounded 344), so a scenario prints the figure the main report prints."""
    if units is None:  # the billing units of the figures' own round
        rounds = sorted(set(figures["round"]))
        if len(rounds) != 1:
            raise ValueError(f"tallene må være fra én runde (fikk {', '.join(rounds)})")
        units = load_billing_units(round_paths(rounds[0], project_root()).billing_units)
    solutions = yearly_series(figures, "finansieringsbehov")
    solutions = solutions[(solutions["item"] == "") & (solutions["solution"] != ALL_SOLUTIONS)]
    levels = yearly_series(figures, "finansieringsbehov", as_printed=True)
    split = units[units["item"] != ""]
    rows = []
    for record in solutions.itertuples(index=False):
        base = {"solution": record.solution, "year": record.year,
                "price_year": record.price_year, "nominal_year": record.nominal_year}
        remainder = record.value_mnok
        for unit in split[split["solution"] == record.solution].itertuples(index=False):
            item = levels[(levels["solution"] == record.solution)
                          & (levels["item"] == unit.item) & (levels["year"] == record.year)]
            if len(item):
                value = float(item["value_mnok"].iloc[0])
                rows.append({**base, "unit": unit.unit, "value_mnok": value})
                remainder -= value
        whole = units[(units["solution"] == record.solution) & (units["item"] == "")]
        if not len(whole):  # its money would vanish from every bill and from «ikke fordelt»
            raise InputError(
                "løsningen har ingen faktureringsenhet (en rad med solution lik løsningen og "
                "tom item); alle løsningene i runden må faktureres",
                path=units.attrs.get("path", "billing_units.csv"), column="solution",
                text=record.solution)
        mine = split[split["solution"] == record.solution]
        finer = None if remainder == record.value_mnok else _finer_remainder(
            levels, record, remainder, set(mine["item"]))  # only a derived remainder
        rows.append({**base, "unit": whole["unit"].iloc[0],
                     "value_mnok": remainder if finer is None else finer})
    columns = ["unit", "solution", "year", "value_mnok", "price_year", "nominal_year"]
    frame = pd.DataFrame(rows, columns=columns)
    order = {u: i for i, u in enumerate(units["unit"])}
    return frame.sort_values(["year", "unit"], key=lambda c: c.map(order) if c.name == "unit"
                             else c, kind="stable").reset_index(drop=True)
