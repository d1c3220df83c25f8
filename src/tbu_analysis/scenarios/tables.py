"""The static tables and charts of a scenario, shared by the report and the explorer.

Every table and chart here is built from a :class:`~tbu_analysis.scenarios.model.ScenarioResult`,
so the explorer, a headless notebook run and the tests show the same numbers. Numbers go
through :mod:`tbu_analysis.common.formatting`, tables and charts through
:mod:`tbu_analysis.presentation`.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from tbu_analysis.common.formatting import (
    format_change,
    format_number,
    format_percent,
    places_needed,
)
from tbu_analysis.common.store import Sheet, decimals_format, write_excel, write_if_changed
from tbu_analysis.presentation.charts import (
    FIGSIZE,
    SERIES_COLOURS,
    UP_COLOUR,
    ChartText,
    _attach,
    _axis_formatter,
    _new_figure,
    _norwegian_y_axis,
    levels_chart,
    show,
    style,
)
from tbu_analysis.presentation.tables import format_frame, format_table
from tbu_analysis.scenarios import text
from tbu_analysis.scenarios.comparison import TINY_BASE_MNOK, KeyComparison
from tbu_analysis.scenarios.labels import (
    ALL_UNITS,
    ASSUMPTION_COLUMNS,
    ASSUMPTION_WORDS,
    ASSUMPTIONS,
    COMPARED_READING_LABEL,
    DEFLATOR_COLUMNS,
    DIFFERENCE_COLUMN,
    DIFFERENCE_PCT_COLUMN,
    GROUP_COLUMN,
    GROUP_LABELS,
    GROUPS,
    KIND_DATA,
    NO_COST,
    NOTE_COLUMN,
    PERCENT_COLUMNS,
    PLACEHOLDER_MARK,
    PLACEHOLDER_TEXT,
    PROJECTION_COLUMNS,
    RATES_COLUMN,
    READING_LABEL,
    SCENARIO_COLUMN,
    SUM_LABEL,
    UNALLOCATED,
    UNALLOCATED_COLUMNS,
    UNIT_COLUMN,
    UNKNOWN_SHARE,
    YEAR_COLUMN,
)
from tbu_analysis.scenarios.model import FIXED, ScenarioResult
from tbu_analysis.scenarios.projection import deflator_is_placeholder

# --- tables ----------------------------------------------------------------------------------


def year_heading(year: int, marked: Iterable[int] = ()) -> str:
    """A year as a column heading; ``2027*`` when its amounts use a placeholder rate."""
    return f"{year}{PLACEHOLDER_MARK if year in set(marked) else ''}"


def _wide(frame: pd.DataFrame, row: str, label: str, value: str = "value_mnok",
          marked: Iterable[int] = ()) -> pd.DataFrame:
    table = frame.pivot_table(index=row, columns="year", values=value, aggfunc="sum",
                              sort=False)
    table.columns = [year_heading(year, marked) for year in table.columns]
    table.index.name = label
    return table.reset_index()


def _with_sum(table: pd.DataFrame, label: str) -> pd.DataFrame:
    total = table.drop(columns=[label]).sum(numeric_only=True)
    return pd.concat([table, pd.DataFrame([{label: SUM_LABEL, **total}])], ignore_index=True)


def bills_table(result: ScenarioResult) -> pd.DataFrame:
    """Each actor group's bill per year, with «Ikke fordelt» and the sum."""
    frame = result.bills.assign(group=result.bills["group"].map(GROUP_LABELS))
    return _with_sum(_wide(frame, "group", GROUP_COLUMN, marked=result.placeholder_years),
                     GROUP_COLUMN)


def totals_table(result: ScenarioResult) -> pd.DataFrame:
    """Funding need per solution (unit) and year, after the scenario's changes."""
    return _with_sum(_wide(result.totals, "unit", UNIT_COLUMN,
                           marked=result.placeholder_years), UNIT_COLUMN)


def totals_view(result: ScenarioResult) -> pd.DataFrame:
    """:func:`totals_table` as the report prints it: NHN's years with the decimals NHN's
    figure needs (343,6 and 351, never 351,0: no precision the source does not have), the
    projected years with one decimal."""
    return _as_printed(totals_table(result), result)


def bills_view(result: ScenarioResult) -> pd.DataFrame:
    """:func:`bills_table` as the report prints it, by the same rule as
    :func:`totals_view`: in NHN's years a bill that comes out whole prints whole (325, not
    325,0: the source prints whole millions), the projected years with one decimal."""
    return _as_printed(bills_table(result), result)


def _as_printed(table: pd.DataFrame, result: ScenarioResult) -> pd.DataFrame:
    """A year table (a label column, then a column per year, the sum last) as text, with
    :func:`printed_places`."""
    table = table.astype(object)
    for column, places in zip(table.columns[1:], printed_places(table, result), strict=True):
        table[column] = [format_number(v, p) for v, p in zip(table[column], places,
                                                             strict=True)]
    return table


def printed_places(table: pd.DataFrame, result: ScenarioResult) -> list[list[int]]:
    """The decimals each amount of a year table prints with (per year column, per row): in
    NHN's years the decimals the amount needs (0 or 1: 325, 343,6), the sum as precise as
    its finest part; projected years with one decimal."""
    out = []
    for column in table.columns[1:]:
        values = table[column]
        if int(str(column).rstrip(PLACEHOLDER_MARK)) in result.data_years:
            places = [places_needed(v, 0, 1) if v == v else 0 for v in values]
            places[-1] = max(places[:-1], default=0)  # the sum: as precise as its finest part
        else:
            places = [1] * len(values)
        out.append(places)
    return out


def difference_table(result: ScenarioResult) -> pd.DataFrame:
    """Scenario minus baseline per solution and year."""
    table = _wide(result.versus_baseline, "unit", UNIT_COLUMN, "difference_mnok",
                  result.placeholder_years)
    return _with_sum(table, UNIT_COLUMN)


def bills_difference_table(result: ScenarioResult) -> pd.DataFrame:
    """Scenario minus baseline per actor group and year (same key for both)."""
    frame = result.bills_versus_baseline
    frame = frame.assign(group=frame["group"].map(GROUP_LABELS))
    return _with_sum(_wide(frame, "group", GROUP_COLUMN, "difference_mnok",
                           result.placeholder_years), GROUP_COLUMN)


def projection_table(result: ScenarioResult, projected_only: bool = True) -> pd.DataFrame:
    """Start, each driver and end per solution and year: the arithmetic of the projection."""
    frame = result.projection
    if projected_only:
        frame = frame[frame["kind"] != KIND_DATA]
    return frame.rename(columns=PROJECTION_COLUMNS).reset_index(drop=True)


def deflator_table(result: ScenarioResult) -> pd.DataFrame:
    """Each group's bill in current kroner against its base-year bill grown by the deflator;
    a «Satser» column says plainly when the rates are placeholders."""
    frame = result.deflated
    frame = frame[frame["group"] != UNALLOCATED]
    table = frame.assign(group=frame["group"].map(GROUP_LABELS)).rename(
        columns=DEFLATOR_COLUMNS).reset_index(drop=True)
    deflator = result.scenario.deflator
    if deflator is not None and (deflator.placeholder or result.scenario.index_placeholder):
        table[RATES_COLUMN] = [PLACEHOLDER_TEXT if year > deflator.base_year else ""
                               for year in table[YEAR_COLUMN]]
    return table


def unallocated_table(result: ScenarioResult) -> pd.DataFrame:
    """Money no key allocates, and why."""
    return result.unallocated.rename(columns=UNALLOCATED_COLUMNS)


def shares_table(result: ScenarioResult) -> pd.DataFrame:
    """The shares used, per solution and year (– = unknown)."""
    frame = result.bills_by_unit
    frame = frame[frame["group"].isin(GROUPS)]
    table = frame.pivot_table(index=["unit", "year"], columns="group", values="share_pct",
                              aggfunc="first", sort=False, dropna=False)
    table = table.reindex(columns=list(GROUPS))
    table.columns = [GROUP_LABELS[group] for group in table.columns]
    costs = set(zip(result.totals["unit"], result.totals["year"].astype(int), strict=True))
    table[NOTE_COLUMN] = [
        "" if not row.isna().any() else UNKNOWN_SHARE if (unit, int(year)) in costs
        else NO_COST for (unit, year), row in table.iterrows()]
    return table.reset_index().rename(columns={"unit": UNIT_COLUMN, "year": YEAR_COLUMN})


def shares_view(result: ScenarioResult) -> pd.DataFrame:
    """:func:`shares_table` as the report prints it: a share the key does not give says
    «ukjent» in its cell; a year the solution had no cost (VKP before it started) has empty
    cells and «ingen kostnad» in the note column: two different things, never one «–»."""
    table = shares_table(result)
    labels = [GROUP_LABELS[g] for g in GROUPS]
    out = table.astype(object)
    for at, note in table[NOTE_COLUMN].items():
        for column in labels:
            value = table.at[at, column]
            out.at[at, column] = (format_percent(value, 1) if value == value
                                  else UNKNOWN_SHARE if note == UNKNOWN_SHARE else "")
        out.at[at, NOTE_COLUMN] = note if note == NO_COST else ""
    return out if out[NOTE_COLUMN].any() else out.drop(columns=[NOTE_COLUMN])


def comparison_table(results: Mapping[str, ScenarioResult]) -> pd.DataFrame:
    """Bills per actor group and year for several scenarios, one under the other (all in one
    kroner value: see :func:`comparison_tables`)."""
    parts = []
    for name, result in results.items():
        table = _numeric_years(bills_table(result))
        table.insert(0, SCENARIO_COLUMN, name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def comparison_tables(results: Mapping[str, ScenarioResult]) -> dict[str, pd.DataFrame]:
    """The side-by-side tables, one per kroner value (fixed and current kroner never in one
    table), year headings as plain years; scenarios whose bills are the same in every year
    are one block, named «A = B», so no block repeats another."""
    by_price: dict[str, dict[str, ScenarioResult]] = {}
    for name, result in results.items():
        by_price.setdefault(result.price_label, {})[name] = result
    tables = {}
    for price, group in by_price.items():
        blocks: dict[bytes, tuple[list[str], pd.DataFrame]] = {}
        for name, result in group.items():
            table = _numeric_years(bills_table(result))
            key = table.round(6).to_csv(index=False).encode()
            blocks.setdefault(key, ([], table))[0].append(name)
        parts = []
        for names, table in blocks.values():
            table = table.copy()
            table.insert(0, SCENARIO_COLUMN, " = ".join(names))
            parts.append(table)
        tables[price] = pd.concat(parts, ignore_index=True)
    return tables


def show_comparison(results: Mapping[str, ScenarioResult]) -> None:
    """The side-by-side tables under their kroner value (the notebook's section)."""
    for price, table in comparison_tables(results).items():
        show_table(table, f"Regning, mill. kroner ({price})")


def assumptions_table(result: ScenarioResult) -> pd.DataFrame:
    """Every choice of the scenario with its source, as the report states them."""
    s = result.scenario
    row, word = ASSUMPTIONS, ASSUMPTION_WORDS
    rows = [
        (row["key_set"], s.key_set.name, f"{s.key_set.source} ({s.key_set.date})"),
        (row["key_note"], s.key_set.note or "–", ""),
        (row["key_base"], s.key_set.base_label, s.key_set.base_note),
        *((READING_LABEL, reading.text, s.key_set.label)
          for reading in s.key_set.readings),
        *((COMPARED_READING_LABEL, reading.text, s.compare_with.label)
          for reading in (s.compare_with.readings if s.compare_with else ())),
        (row["extend"], word["yes"] if s.extend_last_year else word["no"], word["chosen"]),
        (row["index"], _rates_text(s.index_rates)
         + (word["placeholder"] if s.index_placeholder else ""), s.index_source),
        (row["price"], result.price_label, ""),
        (row["horizon"], str(s.horizon), s.horizon_source),
        (row["efficiency"], _rate_text(s.efficiency_pct), s.growth_source),
        (row["volume"], _rate_text(s.volume_pct), s.growth_source),
        (row["investment_share"], _pct_text(s.investment_share_pct),
         s.investment_share_source),
        (row["investments"], _items_text(s.investments), ""),
        (row["additions"], _items_text(s.additions), ""),
    ]
    if s.deflator:
        rows.append((row["deflator"], f"{word['base_year']} {s.deflator.base_year}; "
                     + _rates_text(s.deflator.rates)
                     + (word["placeholder"] if s.deflator.placeholder else ""),
                     s.deflator.source))
    return pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS.values()))


def _pct_text(value: float) -> str:
    decimals = next((d for d in range(3) if abs(value * 10**d - round(value * 10**d)) < 1e-9), 3)
    return format_percent(value, decimals)


def _rate_text(rate: Any) -> str:
    return _rates_text(rate) if isinstance(rate, Mapping) else _pct_text(float(rate))


def _rates_text(rates: Mapping[int, float]) -> str:
    if not rates:
        return "ingen (bruker indeksfilen)"
    return "; ".join(f"{year}: {_pct_text(rate)}" for year, rate in sorted(rates.items()))


def _items_text(items: Any) -> str:
    if not items:
        return "ingen"
    texts = []
    for item in items:
        year = getattr(item, "year", None) or getattr(item, "from_year", None)
        label = getattr(item, "label", "") or item.source
        texts.append(f"{item.unit} {year}: {format_number(item.mnok, 1)} mill. ({label})")
    return "; ".join(texts)


def summary(result: ScenarioResult, printed_totals: Mapping[int, float] | None = None,
            differences: Iterable[tuple[str, int, float, float]] = ()) -> str:
    """The report's opening (``summary.md.j2``): the totals, each group's bill in NHN's last
    year and the horizon, and the shares that are the project's interpretation. For NHN's
    last year the total is NHN's printed one (``printed_totals``) where the units give it
    within its rounding, beside the units' sum: one value per quantity, as the main report;
    ``differences`` (``files.report_differences``) are the solutions whose units sum to another
    figure than the main report's, said beside it."""
    bills = result.bills.set_index(["group", "year"])["value_mnok"]
    last, horizon = result.data_years[-1], result.scenario.horizon
    totals = result.totals.groupby("year")["value_mnok"].sum()
    diff = result.versus_baseline.groupby("year")["difference_mnok"].sum()
    s = result.scenario
    unchanged = (abs(diff[last]) < 1e-6 and s.price_basis == FIXED and s.price_year is None)
    # NHN's own total only where the scenario shows NHN's year as NHN gave it (same kroner,
    # nothing added): else the scenario's sum is all there is
    printed = (printed_totals or {}).get(last) if unchanged else None

    def groups(year: int) -> list[str]:
        return [f"{GROUP_LABELS[g]} {format_number(bills[g, year])}" for g in GROUPS
                if abs(bills[g, year]) > 0.05]

    return text.render(
        "summary.md.j2", name=result.scenario.name, key=result.scenario.key_set.name,
        price_label=result.price_label, last=last, horizon=horizon, printed=printed,
        units_total=totals[last], horizon_total=totals[horizon], difference=diff[horizon],
        bills=[(year, groups(year), bills[UNALLOCATED, year]) for year in (last, horizon)],
        interpreted=interpreted_shares(result),
        differences=list(differences) if unchanged else [])


def interpreted_shares(result: ScenarioResult) -> list[str]:
    """The shares of the scenario's key that are the project's interpretation of the
    source, not stated there (the key file's ``readings``)."""
    return [reading.share for reading in result.scenario.key_set.readings]


def show_unallocated(result: ScenarioResult) -> None:
    """«Ikke fordelt, og hvorfor»: the table, or that all is allocated, saying which shares
    are the project's interpretation (an allocated amount is not a sourced one)."""
    show_table(unallocated_table(result), text.caption("unallocated"),
               text.note("all_allocated", interpreted_shares(result)))


def notes_markdown(result: ScenarioResult) -> str:
    """The result's notes as a Markdown list."""
    return notes_list(result.notes)


def notes_list(notes: Iterable[str]) -> str:
    """Notes as a Markdown list (empty when there are none)."""
    return "\n".join(f"- {note}" for note in notes)


def _numbers(value: float, change: bool = False) -> str:
    return format_change(value) if change else format_number(value)


def _column_kinds(table: pd.DataFrame) -> tuple[list[Any], list[Any]]:
    percent = [c for c in table.columns if c in (*PERCENT_COLUMNS, DIFFERENCE_PCT_COLUMN)
               and pd.api.types.is_numeric_dtype(table[c])]
    text = [c for c in table.columns if c == YEAR_COLUMN]
    return percent, text


def styled(table: pd.DataFrame, caption: str | None = None) -> Any:
    """The project's table style: Norwegian numbers, percent columns marked."""
    percent, text = _column_kinds(table)
    return format_table(table, percent_columns=percent, text_columns=text, caption=caption)


def table_html(table: pd.DataFrame, caption: str | None = None) -> str:
    """The table as :func:`styled` shows it (the same strings, numbers right-aligned), written
    directly: a pandas Styler takes 25–40 ms a table, too slow for the explorer's 150 ms."""
    percent, text = _column_kinds(table)
    cells = format_frame(table, percent_columns=percent, text_columns=text)
    numeric = [pd.api.types.is_numeric_dtype(table[c]) and c not in text
               and not pd.api.types.is_bool_dtype(table[c]) for c in table.columns]
    align = ['style="text-align:right;white-space:nowrap"' if n else 'style="text-align:left"'
             for n in numeric]
    head = "".join(f"<th {a}>{html.escape(str(c))}</th>"
                   for c, a in zip(table.columns, align, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td {a}>{html.escape(str(v))}</td>"
                         for v, a in zip(row, align, strict=True)) + "</tr>"
        for row in cells.itertuples(index=False, name=None))
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<table class="tbu-table">{title}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def show_table(table: pd.DataFrame, caption: str | None = None,
               empty: str = "Ingen rader.") -> None:
    """The table in the project's style, or ``empty`` in italics when it has no rows."""
    if table.empty:
        show_markdown(f"*{empty}*")
        return
    display(styled(table, caption))


def markdown_html(text: str) -> str:
    """Markdown as HTML for a widget (the explorer shows what the report writes)."""
    import mistune  # nbconvert's own Markdown parser, without nbconvert's import cost

    return mistune.html(text)


def show_markdown(text: str) -> None:
    display(Markdown(text))


# --- charts ----------------------------------------------------------------------------------


def chart_source(result: ScenarioResult, round_label: str) -> str:
    """What a scenario chart is computed from, for its caption: the round's figures, the key,
    and the scenario's own assumptions after NHN's last estimate."""
    return text.caption("chart_source", round_label, result.scenario.key_set.label,
                        result.data_years[-1])


def bills_figure(result: ScenarioResult, source: str = "") -> Any:
    """Bars per actor group, one per year; a group that pays nothing in any year is left out
    (an empty category is no information), and the unallocated bar shows only when it is
    not zero."""
    paying = result.bills.groupby("group")["value_mnok"].transform(lambda v: v.abs().max())
    shown = result.bills[paying >= 0.05]
    frame = shown.assign(solution=shown["group"].map(GROUP_LABELS))
    return levels_chart(frame, title=f"Regning per aktørgruppe ({result.price_label})",
                        source=source, figsize=(FIGSIZE[0], 2.9))  # fits under its table


def totals_figure(result: ScenarioResult, source: str = "") -> Any:
    """Total funding need per year: scenario and baseline."""
    frame = result.versus_baseline.groupby("year")[["scenario_mnok", "baseline_mnok"]].sum()
    long = pd.concat([
        pd.DataFrame({"solution": "Scenario", "year": frame.index,
                      "value_mnok": frame["scenario_mnok"].to_numpy()}),
        pd.DataFrame({"solution": "Grunnlag", "year": frame.index,
                      "value_mnok": frame["baseline_mnok"].to_numpy()}),
    ])
    fig = levels_chart(long, kind="line",
                       title=f"Samlet finansieringsbehov ({result.price_label})", source=source)
    fig.axes[0].get_legend().set_title("")
    return fig


# --- key against key ---------------------------------------------------------------------------


def _key_columns(comparison: KeyComparison) -> dict[str, str]:
    first = comparison.first.scenario.key_set.label
    second = comparison.second.scenario.key_set.label
    if second == first:
        first, second = f"{first} (scenarioet)", f"{second} (sammenlignet)"
    return {"first_mnok": first, "second_mnok": second,
            "difference_mnok": DIFFERENCE_COLUMN, "difference_pct": DIFFERENCE_PCT_COLUMN}


def _paying(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows where either key bills something (no rows of zeros for groups that pay nothing)."""
    return frame[(frame["first_mnok"].abs() > 1e-9) | (frame["second_mnok"].abs() > 1e-9)]


def key_comparison_table(comparison: KeyComparison, unit: str = ALL_UNITS) -> pd.DataFrame:
    """Each actor group's bill per year under both keys, with the difference in MNOK and %."""
    frame = _paying(comparison.frame[comparison.frame["unit"] == unit])
    frame = frame.assign(group=frame["group"].map(GROUP_LABELS)).drop(columns=["unit"])
    return frame.rename(columns={"group": GROUP_COLUMN, "year": YEAR_COLUMN,
                                 **_key_columns(comparison)}).reset_index(drop=True)


def key_comparison_by_unit_table(comparison: KeyComparison, year: int) -> pd.DataFrame:
    """Per solution and actor group in one year: both bills and the difference."""
    frame = comparison.frame
    frame = _paying(frame[(frame["year"] == year) & (frame["unit"] != ALL_UNITS)])
    frame = frame.assign(group=frame["group"].map(GROUP_LABELS)).drop(columns=["year"])
    return frame.rename(columns={"unit": UNIT_COLUMN, "group": GROUP_COLUMN,
                                 **_key_columns(comparison)}).reset_index(drop=True)


def key_basis_markdown(comparisons: Mapping[str, KeyComparison], year: int) -> str:
    """What each base gives for the municipalities in ``year``, and what the sources say of
    the base (the keys' own notes), so a reader sees which base a figure uses."""
    any_comparison = next(iter(comparisons.values()))
    first, second = any_comparison.first.scenario.key_set, any_comparison.second.scenario.key_set
    lines = [text.note("difference_for_municipalities", second.label, first.label, year)]
    for comparison in comparisons.values():
        lines.append(f"- {comparison.basis_label}: "
                     f"{format_change(comparison.difference('kommuner', year))}")
    lines.append("")
    notes: dict[str, list[str]] = {}
    for key_set in ((first, second) if first.id != second.id else (first,)):
        notes.setdefault(text.caption("key_basis", key_set.base_label, key_set.base_note),
                         []).append(key_set.label)
    for note, labels in notes.items():
        lines.append(f"*{' og '.join(labels)}*, {note}")
        lines.append("")
    for key_set in ((first, second) if first.id != second.id else (first,)):
        if key_set.readings:
            lines.append(text.note("readings", key_set.label,
                                   " ".join(r.text for r in key_set.readings)))
            lines.append("")
    return "\n".join(lines).strip()


def key_chart_groups(comparison: KeyComparison) -> list[str]:
    """The actor groups either key bills (all solutions), in the tables' order."""
    frame = _paying(comparison.frame[comparison.frame["unit"] == ALL_UNITS])
    return [g for g in (*GROUPS, UNALLOCATED) if g in set(frame["group"])]


def key_comparison_figure(comparison: KeyComparison, source: str = "") -> Any:
    """Key against key as a picture: one panel per actor group over the years, both keys'
    bills as lines above, the difference (the other key minus the scenario's) as bars
    below."""
    frame = comparison.frame[comparison.frame["unit"] == ALL_UNITS]
    groups = key_chart_groups(comparison)
    first = comparison.first.scenario.key_set.label
    second = comparison.second.scenario.key_set.label
    title = text.caption("key_title", second, first, comparison.basis_label)
    lines = []
    with style():
        fig = _new_figure((FIGSIZE[0], 4.2))
        axes = fig.subplots(2, max(len(groups), 1), sharex=True, squeeze=False,
                            gridspec_kw={"height_ratios": [2, 1]})
        for column, group in enumerate(groups):
            rows = frame[frame["group"] == group].sort_values("year")
            years = rows["year"].astype(int).tolist()
            top, bottom = axes[0][column], axes[1][column]
            top.plot(years, rows["first_mnok"], marker="o", markersize=3,
                     color=SERIES_COLOURS[0], label=first)
            top.plot(years, rows["second_mnok"], marker="s", markersize=3,
                     color=SERIES_COLOURS[1], label=second, linestyle="--")
            top.set_title(GROUP_LABELS[group], fontsize=9)
            top.set_ylim(bottom=min(0.0, top.get_ylim()[0]))
            _norwegian_y_axis(top, "mill. kroner" if column == 0 else None)
            bottom.bar(years, rows["difference_mnok"], color=UP_COLOUR, width=0.6)
            bottom.axhline(0, color="#4D4D4D", linewidth=0.8)
            _norwegian_y_axis(bottom, "forskjell" if column == 0 else None)
            bottom.set_xticks(years, [str(y) for y in years], fontsize=7)
            lines.append(text.caption("key_chart_line", GROUP_LABELS[group], list(zip(
                years, rows["first_mnok"], rows["second_mnok"], rows["difference_mnok"],
                strict=True))))
        if groups:
            axes[0][0].legend(loc="lower left", fontsize=7)
    alt = text.caption("key_chart_alt", title, first, second, lines)
    return _attach(fig, ChartText(title, alt, source))


def tornado_figure(title: str, base: float, swings: Any, source: str = "") -> Any:
    """The tornado: per input a bar from the bill at its low to the bill at its high value,
    the scenario's bill as a line, widest bar on top."""
    labels = [s.label for s in swings]
    with style():
        fig = _new_figure((FIGSIZE[0], 0.45 * len(swings) + 1.2))
        ax = fig.add_subplot()
        for row, swing in enumerate(reversed(swings)):
            left = min(swing.low_mnok, swing.high_mnok)
            ax.barh(row, max(swing.width, 1e-9), left=left, color=SERIES_COLOURS[0],
                    height=0.6)
        ax.axvline(base, color="#4D4D4D", linewidth=1)
        ax.set_yticks(range(len(labels)), list(reversed(labels)), fontsize=7)
        ax.xaxis.set_major_formatter(_axis_formatter(1))
        ax.set_xlabel("mill. kroner")
    alt = text.caption("tornado_alt", title, swings)
    return _attach(fig, ChartText(title, alt, source))


def show_sensitivity(result: ScenarioResult, baseline: pd.DataFrame, index: Any, group: str,
                     year: int, source: str = "") -> None:
    """The report's «Følsomhet»: the tornado for ``group`` in ``year`` and its table with
    the low and high values and their sources."""
    from tbu_analysis.presentation.charts import show
    from tbu_analysis.scenarios import sensitivity

    base, swings = sensitivity.tornado(result, baseline, index, group, year,
                                       sensitivity.load_ranges(), check=True)
    left_out = [s.label for s in swings if s.placeholder]
    swings = [s for s in swings if not s.placeholder]
    title = sensitivity.title(group, year, base)
    show(tornado_figure(title, base, swings, source))
    show_table(sensitivity.tornado_table(base, swings), f"{title}, mill. kroner")
    if left_out:
        show_markdown(text.note("placeholder_inputs_left_out", left_out))


def show_deflator(result: ScenarioResult) -> None:
    """The deflator comparison, or why the report leaves it out: on placeholder rates it
    shows a way of computing, not a result, and a meeting document prints no such table."""
    if deflator_is_placeholder(result.scenario):
        show_markdown(f"*{text.note('deflator_placeholder')}*")
        return
    show_table(deflator_table(result), text.caption("deflator"))


# --- exports -----------------------------------------------------------------------------------


def export_tables(
    result: ScenarioResult, comparisons: Mapping[str, KeyComparison] | None = None
) -> dict[str, Sheet]:
    """The explorer's and the report's tables by sheet name, for Excel and CSV: each with a
    title saying what it shows, in what unit and kroner; headings in full Norwegian with
    «(%)» on percentages and years as numbers; amounts with one decimal (as the report
    prints them: the bills and the funding need in NHN's years with the decimals they need,
    325 and 343,6, as in the report); and «Data», the same numbers tidy (one row per number)
    for a program."""
    unit = f"mill. kroner, {result.price_label}"
    marked = placeholder_note(result)
    mark = " " + text.caption("sheet_mark", PLACEHOLDER_MARK, marked) if marked else ""

    def title(name: str) -> str:
        return text.caption("sheet", name, unit, mark)

    sheets: dict[str, tuple[pd.DataFrame, str]] = {
        "Regning": (bills_table(result), title("Regning")),
        "Per løsning": (totals_table(result), title("Per løsning")),
        "Andeler": (shares_table(result), text.caption("sheet_shares", NOTE_COLUMN,
                                                       UNKNOWN_SHARE, NO_COST)),
        "Mot grunnlag": (difference_table(result), title("Mot grunnlag")),
        "Fremskriving": (projection_table(result, projected_only=False),
                         title("Fremskriving")),
        "Mot deflator": (deflator_table(result), text.caption(
            "sheet_deflator", deflator_is_placeholder(result.scenario))),
        "Ikke fordelt": (unallocated_table(result), title("Ikke fordelt")),
    }
    for comparison in (comparisons or {}).values():
        paying = _paying(comparison.frame)  # every row, zeros too, is in «Data»
        frame = paying.assign(group=paying["group"].map(GROUP_LABELS))
        first = comparison.first.scenario.key_set.label
        second = comparison.second.scenario.key_set.label
        sheets[f"Nøkler – {comparison.basis}"] = (frame[
            ["unit", "group", "year", "first_mnok", "second_mnok", "difference_mnok",
             "difference_pct"]
        ].rename(columns={"unit": UNIT_COLUMN,
                          "group": GROUP_COLUMN, "year": YEAR_COLUMN,
                          **_key_columns(comparison)}),
            text.caption("sheet_keys", second, first, comparison.basis_label, unit))
    sheets["Forutsetninger"] = (_with_placeholder_note(assumptions_table(result), result),
                                title("Forutsetninger"))
    out = {name: _readable_sheet(frame, title) for name, (frame, title) in sheets.items()}
    for name in ("Regning", "Per løsning"):  # NHN's years at the report's precision
        out[name] = _with_printed_places(out[name], sheets[name][0], result)
    for comparison in (comparisons or {}).values():  # each figure after its table
        figure = (f"Figur – {comparison.basis}", key_chart_sheet(comparison, unit))
        at = list(out).index(f"Nøkler – {comparison.basis}") + 1
        out = dict([*list(out.items())[:at], figure, *list(out.items())[at:]])
    out["Data"] = Sheet(tidy_data(result, comparisons), autofilter=True)
    return out


def key_chart_sheet(comparison: KeyComparison, unit: str) -> Sheet:
    """Key against key as a picture in the workbook, as in the report: per actor group both
    keys' bills over the years (lines), and the difference (bars). The charts are the
    spreadsheet's own, drawn from the small table on the same sheet, so they print with it,
    follow a changed cell, and the workbook stays byte-identical on a rerun."""
    frame = comparison.frame[comparison.frame["unit"] == ALL_UNITS]
    groups = key_chart_groups(comparison)
    first = comparison.first.scenario.key_set.label
    second = comparison.second.scenario.key_set.label
    years = sorted(int(y) for y in frame["year"].unique())
    wide = pd.DataFrame({YEAR_COLUMN: years})
    for group in groups:
        rows = frame[frame["group"] == group].set_index("year")
        for column, name in (("first_mnok", first), ("second_mnok", second),
                             ("difference_mnok", DIFFERENCE_COLUMN.lower())):
            wide[f"{GROUP_LABELS[group]}: {name}"] = rows[column].reindex(years).to_numpy()
    title = text.caption("sheet_key_chart", second, first, comparison.basis_label, unit)
    sheet = _readable_sheet(wide, title)
    return Sheet(sheet.frame, sheet.formats, autofilter=False, title=sheet.title,
                 decorate=_key_charts(len(groups), len(years),
                                      [GROUP_LABELS[g] for g in groups]))


def _key_charts(groups: int, years: int, labels: list[str]):
    """Adds a line chart per group (both keys) and a bar chart of the differences under the
    table, and widens the print area to them."""
    def decorate(ws: Any, header: int) -> None:
        from openpyxl.chart import BarChart, LineChart, Reference
        from openpyxl.utils import get_column_letter

        last = header + years
        categories = Reference(ws, min_col=1, min_row=header + 1, max_row=last)
        top = last + 2
        charts = []
        for n, label in enumerate(labels):
            chart = LineChart()
            chart.title, chart.y_axis.title = label, "mill. kroner"
            chart.add_data(Reference(ws, min_col=2 + 3 * n, max_col=3 + 3 * n,
                                     min_row=header, max_row=last), titles_from_data=True)
            for series in chart.series:
                series.smooth = False  # straight lines between the years, as the report
            chart.y_axis.scaling.min = 0  # from zero: a difference looks as large as it is
            charts.append(chart)
        bars = BarChart()
        bars.title, bars.y_axis.title = "Forskjell", "mill. kroner"
        for n in range(groups):
            bars.add_data(Reference(ws, min_col=4 + 3 * n, min_row=header, max_row=last),
                          titles_from_data=True)
        charts.append(bars)
        # two charts a row: the second starts at the first column past the first chart
        widths = [ws.column_dimensions[get_column_letter(c)].width or 8 for c in range(1, 30)]
        second = next(c for c in range(1, 30) if sum(widths[:c]) * 0.19 >= 12.5) + 1
        for number, chart in enumerate(charts):
            chart.set_categories(categories)
            chart.x_axis.delete = chart.y_axis.delete = False  # axes shown in every program
            chart.y_axis.numFmt = "#,##0"
            chart.width, chart.height = 12, 6.5
            row, column = top + 14 * (number // 2), 1 if number % 2 == 0 else second
            ws.add_chart(chart, f"{get_column_letter(column)}{row}")
        columns = max(1 + 3 * groups, second + 6)
        ws.print_area = f"A1:{get_column_letter(columns)}{top + 14 * -(-len(charts) // 2)}"
        ws.page_setup.fitToHeight = 1  # the table and its charts on one page
    return decorate


def _readable_sheet(frame: pd.DataFrame, title: str) -> Sheet:
    """A table for a reader: «(%)» on percentage headings, years as numbers, one decimal."""
    percent = {c for c in frame.columns
               if c in (*PERCENT_COLUMNS, DIFFERENCE_PCT_COLUMN)
               and pd.api.types.is_numeric_dtype(frame[c])}
    frame = _without_float_noise(_numeric_years(frame)).rename(
        columns={c: f"{c} (%)" for c in percent if not str(c).endswith("(%)")})
    formats = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column in frame.columns:
        if pd.api.types.is_bool_dtype(frame[column]):
            continue
        if pd.api.types.is_integer_dtype(frame[column]):
            formats[column] = "0"
        elif pd.api.types.is_float_dtype(frame[column]):
            formats[column] = "0.0" if str(column).endswith("(%)") else "#,##0.0"
    return Sheet(frame, formats, title=title)


def _with_printed_places(sheet: Sheet, table: pd.DataFrame, result: ScenarioResult) -> Sheet:
    """``sheet`` (made from the year table ``table``) with each amount's number format from
    :func:`printed_places`, so a cell shows what the report prints."""
    formats = sheet.formats.copy()
    for position, places in enumerate(printed_places(table, result), start=1):
        formats.iloc[:, position] = [decimals_format(p) for p in places]
    return replace(sheet, formats=formats)


def tidy_data(result: ScenarioResult,
              comparisons: Mapping[str, KeyComparison] | None = None) -> pd.DataFrame:
    """Every number of the scenario once, one row each, for a program (codes as values, no
    marks in headings): the bills per solution and group, the funding need per solution and
    the baseline's, and each key's bills on each base of key against key."""
    placeholder = set(result.placeholder_years)
    key = result.scenario.key_set.id
    bills = result.bills_by_unit
    rows = [("regning", key, u, g, int(y), float(v), None if s != s else float(s))
            for u, g, y, v, s in zip(bills["unit"], bills["group"], bills["year"],
                                     bills["value_mnok"], bills["share_pct"], strict=True)]
    versus = result.versus_baseline
    for column, table in (("scenario_mnok", "finansieringsbehov"),
                          ("baseline_mnok", "grunnlag")):
        rows += [(table, "", u, "", int(y), float(v), None)
                 for u, y, v in zip(versus["unit"], versus["year"], versus[column],
                                    strict=True)]
    for comparison in (comparisons or {}).values():
        frame = comparison.frame
        for column, side in (("first_mnok", comparison.first), ("second_mnok",
                                                                comparison.second)):
            rows += [(f"nøkkel mot nøkkel, {comparison.basis}", side.scenario.key_set.id, u,
                      g, int(y), float(v), None)
                     for u, g, y, v in zip(frame["unit"], frame["group"], frame["year"],
                                           frame[column], strict=True)]
    frame = pd.DataFrame(rows, columns=["tabell", "nøkkel", "løsning", "aktørgruppe", "år",
                                        "mill_kroner", "andel_prosent"])
    frame["kroneverdi"] = result.price_label
    frame["plassholdersats"] = frame["år"].isin(placeholder)
    return _without_float_noise(frame)


def _numeric_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Year headings as numbers (2027, not the report's «2027*»): a spreadsheet sorts and
    charts them; the mark's meaning is a row of «Forutsetninger»."""
    mark = PLACEHOLDER_MARK
    renamed = {c: int(str(c).rstrip(mark)) for c in frame.columns
               if str(c).rstrip(mark).isdigit() and len(str(c).rstrip(mark)) == 4}
    return frame.rename(columns=renamed) if renamed else frame


def placeholder_note(result: ScenarioResult) -> str:
    """What the «*» on a year heading means, with the years it marks (empty when none)."""
    years = ", ".join(str(y) for y in result.placeholder_years)
    return text.caption("placeholder_years", years, PLACEHOLDER_MARK) if years else ""


def _with_placeholder_note(table: pd.DataFrame, result: ScenarioResult) -> pd.DataFrame:
    note = placeholder_note(result)
    if not note:
        return table
    columns = ASSUMPTION_COLUMNS
    row = pd.DataFrame([{columns["name"]: ASSUMPTIONS["placeholder_years"],
                         columns["value"]: note, columns["source"]: result.scenario.index_source}])
    return pd.concat([table, row], ignore_index=True)


def _without_float_noise(frame: pd.DataFrame) -> pd.DataFrame:
    """Amounts rounded to 6 decimals, so a spreadsheet shows 1,1 and not 1.0999999999999996."""
    frame = frame.copy()
    for position, dtype in enumerate(frame.dtypes):  # by position: a heading may be a year
        if pd.api.types.is_float_dtype(dtype):
            frame.iloc[:, position] = frame.iloc[:, position].round(6)
    return frame


def write_workbook(tables: Mapping[str, pd.DataFrame | Sheet], target: str | Path) -> Path:
    """The tables as one workbook, atomically and byte-identically (``common.store``)."""
    return write_excel(dict(tables), target)


def write_csv_files(tables: Mapping[str, pd.DataFrame | Sheet], folder: str | Path,
                    stem: str) -> list[Path]:
    """One CSV file per table, ``<stem>-<sheet>.csv``, as Norwegian Excel opens it by a
    double click: semicolons, decimal comma, one decimal (the reports' precision), UTF-8
    with BOM (else «Øvrige» turns into «Ã˜vrige»)."""
    return [write_if_changed(Path(folder) / f"{stem}-{_file_part(name)}.csv",
                             norwegian_csv_bytes(getattr(frame, "frame", frame)))
            for name, frame in tables.items()]


def norwegian_csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for Norwegian Excel and LibreOffice (see :func:`write_csv_files`)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, sep=";", decimal=",", float_format="%.1f",
                 lineterminator="\r\n")
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _file_part(name: str) -> str:
    return "-".join(name.lower().replace("–", " ").split()).replace("ø", "o").replace(
        "å", "a").replace("æ", "ae")


def show_key_comparison(comparisons: Mapping[str, KeyComparison], year: int,
                        source: str = "") -> None:
    """The key-against-key section: on each base, every group's bill per year under both
    keys, then per solution and group in ``year``; or a plain note when there is none."""
    if not comparisons:
        show_markdown(text.note("no_compare_key"))
        return
    show_markdown(key_basis_markdown(comparisons, year))
    for comparison in comparisons.values():
        show(key_comparison_figure(comparison, source))
        title = text.caption("key_title", comparison.second.scenario.key_set.label,
                             comparison.first.scenario.key_set.label, comparison.basis_label)
        show_table(key_comparison_table(comparison), text.caption("key_all_units", title))
        show_table(key_comparison_by_unit_table(comparison, year),
                   text.caption("key_by_unit", title, year))
    if any(tiny_bases(c) for c in comparisons.values()):
        show_markdown(text.note("tiny_base", TINY_BASE_MNOK))


def tiny_bases(comparison: KeyComparison) -> bool:
    """Whether a shown row's «Forskjell (%)» is left out for its tiny or negative base."""
    return bool(_paying(comparison.frame)["difference_pct"].isna().any())
