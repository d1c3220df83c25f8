"""Growth: levels per year, change in MNOK and %, and the decomposition by driver."""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.series import SERIES_MEASURES, amounts, remembered, yearly_series
from tbu_analysis.analysis.tolerance import round_half_up
from tbu_analysis.common.errors import InputError
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import (
    DRIVER_LABELS,
    MEASURE_LABELS,
    SERIES_LABELS,
    SOURCE_GAP_LABEL,
    ColumnRole,
    DriverCategory,
    Measure,
    PriceBasis,
    RowKind,
    Series,
    TableRole,
    fixed_kroner,
)

PRICE_AS_PRINTED = PriceBasis.AS_PRINTED.value
PRICE_NOMINAL = PriceBasis.NOMINAL.value


def indexed_levels(figures: pd.DataFrame, printed: PriceIndex, scenario: PriceIndex,
                   price_year: int | None = None, project: bool = False) -> pd.DataFrame:
    """Levels of both series per solution/item and year, in fixed and in nominal kroner.

    ``printed`` is the index the source used to raise earlier years to its price level; dividing
    by it recovers nominal amounts (941 → 903,8). ``scenario`` re-raises those nominal amounts
    to ``price_year`` (default: the source's own price level), so another rate shows its
    scenario and the default rate reproduces the printed column. Estimates printed "ikke
    indeksregulert" keep their stated prices; they are projected to their own year's kroner
    only when asked (``project``) and ``scenario`` holds the rates for it — adding next year's
    rate to the index file must not change an earlier round's results.
    """
    levels = pd.concat([yearly_series(figures, series).assign(series=series)
                        for series in SERIES_MEASURES], ignore_index=True)
    target = price_year if price_year is not None else int(levels["price_year"].max())
    nominal, fixed, projected = [], [], []
    for row in levels.itertuples(index=False):
        value, year, level = float(row.value_mnok), int(row.nominal_year), int(row.price_year)
        if year < level:  # raised by the index in the source: undo it, re-raise by scenario
            amount = value / printed.factor(year, level)
            nominal.append(amount)
            fixed.append(amount * scenario.factor(year, target))
            projected.append(False)
            continue
        fixed.append(value * scenario.factor(level, target) if level != target else value)
        can_project = project and year > level and scenario.covers(level, year)
        nominal.append(value * scenario.factor(level, year) if can_project else value)
        projected.append(can_project)
    levels["nominal"] = nominal
    levels["fixed"] = fixed
    levels["projected"] = projected
    levels["fixed_price_year"] = target
    return levels


def growth_table(figures: pd.DataFrame, printed: PriceIndex, scenario: PriceIndex | None = None,
                 price_year: int | None = None, project: bool = False) -> pd.DataFrame:
    """Change between every pair of years the data holds, per series, solution and item."""
    levels = indexed_levels(figures, printed, scenario or printed, price_year, project)
    rows = []
    for (series, solution, item), group in levels.groupby(["series", "solution", "item"],
                                                          sort=False):
        by_year = group.set_index("year")
        for start, end in combinations(sorted(by_year.index), 2):
            a, b = by_year.loc[start], by_year.loc[end]
            bases = [(PRICE_AS_PRINTED, "value_mnok")]
            if a["nominal_year"] < a["price_year"] or b["nominal_year"] < b["price_year"] \
                    or a["projected"] or b["projected"]:
                bases = [(fixed_kroner(a["fixed_price_year"]), "fixed"),
                         (PRICE_NOMINAL, "nominal")]
            for basis, column in bases:
                start_value, end_value = float(a[column]), float(b[column])
                change = end_value - start_value
                rows.append({
                    "series": series, "series_label": SERIES_LABELS[series],
                    "solution": solution, "item": item, "from_year": start, "to_year": end,
                    "price_basis": basis, "from_value": start_value, "to_value": end_value,
                    "change_mnok": change,
                    "change_pct": 100 * change / start_value if start_value else float("nan"),
                    "from_measure": a["measure"], "to_measure": b["measure"],
                    "from_table": a["table_number"], "to_table": b["table_number"],
                })
    return pd.DataFrame(rows)


def drivers(figures: pd.DataFrame) -> pd.DataFrame:
    """Driver decomposition per table, solution and item: MNOK and % of the base year's level.

    The share is of the row's own starting level and of the table's total starting level, so
    both "Helsenorge's efficiency is 5,2 % of Helsenorge" and "efficiency is 4,9 % of the
    total" can be read off.
    """
    data = amounts(figures)
    changes = data[(data["measure"] == Measure.ENDRING)
                   & (data["category"] != DriverCategory.SUM_ENDRING)]
    bases = data[data["column_role"] == ColumnRole.BASE]
    # a change's own starting level (its row's) and its table's total one: the first of each,
    # looked up rather than filtered out of ``bases`` for every change
    own_base: dict[tuple, float] = {}
    total_base: dict[str, float] = {}
    for table, source_row, row_kind, value in zip(bases["table"], bases["source_row"],
                                                  bases["row_kind"], bases["value_mnok"],
                                                  strict=True):
        own_base.setdefault((table, source_row), value)
        if row_kind == RowKind.TOTAL:
            total_base.setdefault(table, value)
    rows = []
    for record in changes.itertuples(index=False):
        own = float(own_base.get((record.table, record.source_row), float("nan")))
        total = float(total_base.get(record.table, float("nan")))
        rows.append({
            "table": record.table, "table_number": record.table_number,
            "solution": record.solution, "item": record.item, "parent": record.parent,
            "row_kind": record.row_kind, "category": record.category,
            "category_label": DRIVER_LABELS.get(record.category, record.category),
            "from_year": record.base_year, "to_year": record.year,
            "value_mnok": record.value_mnok, "base_mnok": own,
            "pct_of_own_base": 100 * record.value_mnok / own if own else float("nan"),
            "pct_of_total_base": 100 * record.value_mnok / total if total else float("nan"),
            "corrected": record.corrected,
        })
    return pd.DataFrame(rows)


def _waterfall_rows(figures: pd.DataFrame, solution: str, from_year: int | None) -> pd.DataFrame:
    """See :func:`_printed_waterfall_rows` (remembered inside ``computed_once``: a waterfall's
    levels and its steps read the same rows)."""
    return remembered("waterfall_rows", figures, _printed_waterfall_rows, solution, from_year)


def _printed_waterfall_rows(figures: pd.DataFrame, solution: str,
                            from_year: int | None) -> pd.DataFrame:
    """The printed rows a waterfall is drawn from: the solution's own detail table (its Sum
    row) when there is one for that pair of years, else its rows of the growth table."""
    data = amounts(figures)
    bases = data[data["column_role"] == ColumnRole.BASE]
    if from_year is None:
        from_year = int(bases["year"].min())
    tables = bases.loc[bases["year"] == from_year, "table"].unique()
    candidates = data[data["table"].isin(tables)]
    detail = candidates[(candidates["table_role"] == TableRole.DETALJ)
                        & (candidates["solution"] == solution)
                        & (candidates["row_kind"] == RowKind.TOTAL) & (candidates["item"] == "")]
    if len(detail):
        rows = detail[detail["table"] == detail["table"].iloc[0]]
    else:
        rows = candidates[(candidates["table_role"] == TableRole.VEKST)
                          & (candidates["solution"] == solution)]
        if solution != ALL_SOLUTIONS:
            rows = rows[rows["row_kind"] == RowKind.ITEM]
    if rows.empty:
        raise ValueError(f"ingen vekstrader for {solution} fra {from_year}")
    return rows


def waterfall_levels(figures: pd.DataFrame, solution: str = ALL_SOLUTIONS,
                     from_year: int | None = None) -> list[dict]:
    """The levels of a waterfall: per level its label, series, year, what the table's rows
    give (``table_value``, their sum) and the value the report uses for that quantity
    everywhere (``value``, from :func:`yearly_series`; the rows' sum where it has none)."""
    rows = _waterfall_rows(figures, solution, from_year)
    found = []

    def add(role: str, measure: str, series: str, label: str) -> None:
        selected = rows[rows["column_role"] == role]
        if selected.empty:
            return
        year = int(selected["year"].iloc[0])
        table_value = float(selected["value_mnok"].sum())
        levels = yearly_series(figures, series)
        level = levels[(levels["solution"] == solution) & (levels["item"] == "")
                       & (levels["year"] == year)]
        used = level.iloc[0] if len(level) else None
        found.append({
            "role": role, "label": f"{label} {year}", "series": series, "year": year,
            "table_value": table_value, "table_number": str(selected["table_number"].iloc[0]),
            "table_rows": len(selected), "table_decimals": int(selected["decimals"].max()),
            "value": float(used["value_mnok"]) if used is not None else table_value,
            "decimals": int(used["decimals"]) if used is not None else 1,
            "table": str(used["table"]) if used is not None else str(selected["table"].iloc[0]),
            "measure": measure,
        })

    base = rows[rows["column_role"] == ColumnRole.BASE].iloc[0]
    base_series = Series.KOSTNADSNIVA.value if base["measure"] == Measure.KOSTNADSNIVA \
        else Series.FINANSIERINGSBEHOV.value
    add(ColumnRole.BASE.value, base["measure"], base_series, _measure_label(base["measure"]))
    add(ColumnRole.LEVEL.value, Measure.KOSTNADSNIVA.value, Series.KOSTNADSNIVA.value,
        MEASURE_LABELS[Measure.KOSTNADSNIVA])
    add(ColumnRole.FUNDING.value, Measure.FINANSIERINGSBEHOV.value,
        Series.FINANSIERINGSBEHOV.value, MEASURE_LABELS[Measure.FINANSIERINGSBEHOV])
    return found


def waterfall_steps(figures: pd.DataFrame, solution: str = ALL_SOLUTIONS,
                    from_year: int | None = None) -> list[tuple[str, float, str]]:
    """Start level → each driver → new level → tilbakeføring → funding need.

    The drivers are the source's rows (the solution's detail table when there is one for that
    pair of years, else its rows of the growth table); every level is the value the report
    uses for that quantity everywhere (:func:`waterfall_levels`). The chart closes: where
    the source's amounts do not lead from one printed level to the next (rounding, or a
    discrepancy), a step «Avrunding/avvik i kilden» carries the gap, to the tenth shown.
    """
    rows = _waterfall_rows(figures, solution, from_year)
    levels = {level["role"]: level for level in waterfall_levels(figures, solution, from_year)}

    def total(role: str, category: str | None = None) -> float | None:
        selected = rows[rows["column_role"] == role]
        if category is not None:
            selected = selected[selected["category"] == category]
        return float(selected["value_mnok"].sum()) if len(selected) else None

    steps: list[tuple[str, float, str]] = []
    running = 0.0

    def close_at(level: dict) -> None:
        nonlocal running
        gap = round_half_up(level["value"] - running, 1)
        if steps and gap:
            steps.append((SOURCE_GAP_LABEL, gap, "change"))
        steps.append((level["label"], level["value"], "level"))
        running = level["value"]

    close_at(levels[ColumnRole.BASE])
    driver_rows = rows[rows["column_role"] == ColumnRole.DRIVER].sort_values("source_col",
                                                                       kind="stable")
    for category in dict.fromkeys(driver_rows["category"]):
        change = total(ColumnRole.DRIVER, category)
        if change and round_half_up(change, 1):  # a driver that moved nothing is no step
            change = round_half_up(change, 1)
            steps.append((DRIVER_LABELS.get(category, category), change, "change"))
            running += change
    close_at(levels[ColumnRole.LEVEL])
    if ColumnRole.FUNDING in levels:
        if deduction := total(ColumnRole.DEDUCTION):
            deduction = round_half_up(deduction, 1)
            steps.append((DRIVER_LABELS[DriverCategory.TILBAKEFORING], deduction, "change"))
            running += deduction
        close_at(levels[ColumnRole.FUNDING])
    return steps


def _measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure)


def summary_rates(figures: pd.DataFrame, manifest) -> tuple[float, float, str]:
    """The yearly volume and efficiency rates (%) the round's own summary growth table prints
    in its percent row (the latest year's table with all solutions as rows), and the source
    named: «NHN Tallgrunnlag høst 2024, Tabell 11 (vekst 2025–2026 i %)». Efficiency is
    returned as a positive rate (the table prints it as a reduction)."""
    summaries = {t.id: t for t in manifest.tables if t.role == "vekst"
                 and t.rows_are == "solutions"}
    rows = figures[(figures["measure"] == Measure.VEKST_PROSENT.value)
                   & (figures["table"].isin(summaries)) & (figures["item"] == "")]
    if rows.empty:
        raise InputError("runden har ingen oppsummeringstabell for vekst med prosentrad "
                         "(role: vekst, rows_are: solutions, percent_row)", path=manifest.path)
    table = summaries[rows.sort_values(["year"], kind="stable")["table"].iloc[-1]]
    rows = rows[rows["table"] == table.id]
    rate = {c: float(v) for c, v in zip(rows["category"], rows["value_pct"], strict=True)}
    volume = rate.get(DriverCategory.VOLUM_BEREDSKAP.value)
    efficiency = rate.get(DriverCategory.EFFEKTIVISERING.value)
    if volume is None or efficiency is None:
        raise InputError(f"{table.number} har ikke prosent for volum/beredskap og "
                         "effektivisering", path=manifest.path, line=table.line)
    year, base = int(rows["year"].max()), int(rows["base_year"].dropna().min())
    return -efficiency, volume, f"{table.document}, {table.number} (vekst {base}–{year} i %)"
