"""The static tables and charts of a scenario, shared by the report and the explorer.

Every table and chart here is built from a :class:`~tbu_analysis.scenarios.model.ScenarioResult`,
so the explorer, a headless notebook run and the tests show the same numbers. Numbers go
through :mod:`tbu_analysis.common.formatting`, charts through :mod:`tbu_analysis.reports.charts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from tbu_analysis.common.formatting import (
    format_change,
    format_number,
    format_percent,
    format_table,
)
from tbu_analysis.reports.charts import levels_chart
from tbu_analysis.scenarios.labels import (
    DEFLATOR_COLUMNS,
    GROUP_COLUMN,
    GROUP_LABELS,
    GROUPS,
    KIND_DATA,
    PERCENT_COLUMNS,
    PROJECTION_COLUMNS,
    SCENARIO_COLUMN,
    SUM_LABEL,
    UNALLOCATED,
    UNALLOCATED_COLUMNS,
    UNIT_COLUMN,
    YEAR_COLUMN,
)
from tbu_analysis.scenarios.model import ScenarioResult

# --- tables ----------------------------------------------------------------------------------


def _wide(frame: pd.DataFrame, row: str, label: str, value: str = "value_mnok") -> pd.DataFrame:
    table = frame.pivot_table(index=row, columns="year", values=value, aggfunc="sum",
                              sort=False)
    table.columns = [str(year) for year in table.columns]
    table.index.name = label
    return table.reset_index()


def _with_sum(table: pd.DataFrame, label: str) -> pd.DataFrame:
    total = table.drop(columns=[label]).sum(numeric_only=True)
    return pd.concat([table, pd.DataFrame([{label: SUM_LABEL, **total}])], ignore_index=True)


def bills_table(result: ScenarioResult) -> pd.DataFrame:
    """Each actor group's bill per year, with «Ikke fordelt» and the sum."""
    frame = result.bills.assign(group=result.bills["group"].map(GROUP_LABELS))
    return _with_sum(_wide(frame, "group", GROUP_COLUMN), GROUP_COLUMN)


def totals_table(result: ScenarioResult) -> pd.DataFrame:
    """Funding need per solution (unit) and year, after the scenario's changes."""
    return _with_sum(_wide(result.totals, "unit", UNIT_COLUMN), UNIT_COLUMN)


def difference_table(result: ScenarioResult) -> pd.DataFrame:
    """Scenario minus baseline per solution and year."""
    table = _wide(result.versus_baseline, "unit", UNIT_COLUMN, "difference_mnok")
    return _with_sum(table, UNIT_COLUMN)


def bills_difference_table(result: ScenarioResult) -> pd.DataFrame:
    """Scenario minus baseline per actor group and year (same key for both)."""
    frame = result.bills_versus_baseline
    frame = frame.assign(group=frame["group"].map(GROUP_LABELS))
    return _with_sum(_wide(frame, "group", GROUP_COLUMN, "difference_mnok"), GROUP_COLUMN)


def projection_table(result: ScenarioResult, projected_only: bool = True) -> pd.DataFrame:
    """Start, each driver and end per solution and year: the arithmetic of the projection."""
    frame = result.projection
    if projected_only:
        frame = frame[frame["kind"] != KIND_DATA]
    return frame.rename(columns=PROJECTION_COLUMNS).reset_index(drop=True)


def deflator_table(result: ScenarioResult) -> pd.DataFrame:
    """Each group's bill in current kroner against its base-year bill grown by the deflator."""
    frame = result.deflated
    frame = frame[frame["group"] != UNALLOCATED]
    return frame.assign(group=frame["group"].map(GROUP_LABELS)).rename(
        columns=DEFLATOR_COLUMNS).reset_index(drop=True)


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
    return table.reset_index().rename(columns={"unit": UNIT_COLUMN, "year": YEAR_COLUMN})


def comparison_table(results: Mapping[str, ScenarioResult]) -> pd.DataFrame:
    """Bills per actor group and year for several scenarios, one under the other."""
    parts = []
    for name, result in results.items():
        table = bills_table(result)
        table.insert(0, SCENARIO_COLUMN, name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def assumptions_table(result: ScenarioResult) -> pd.DataFrame:
    """Every choice of the scenario with its source, as the report states them."""
    s = result.scenario
    rows = [
        ("Fordelingsnøkkel", s.key_set.name, f"{s.key_set.source} ({s.key_set.date})"),
        ("Merknad til nøkkelen", s.key_set.note or "–", ""),
        ("Nøkkel videreført", "ja" if s.extend_last_year else "nei", "valg i scenarioet"),
        ("Indeks (satser i scenarioet)", _rates_text(s.index_rates), s.index_source),
        ("Kroneverdi", result.price_label, ""),
        ("Horisont", str(s.horizon), s.horizon_source),
        ("Effektivisering per år", _rate_text(s.efficiency_pct), s.growth_source),
        ("Volumvekst per år", _rate_text(s.volume_pct), s.growth_source),
        ("D&F-andel av investering", _pct_text(s.investment_share_pct),
         s.investment_share_source),
        ("Investeringer", _items_text(s.investments), ""),
        ("Faste tillegg", _items_text(s.additions), ""),
    ]
    if s.deflator:
        rows.append(("Deflator", f"basisår {s.deflator.base_year}; "
                     + _rates_text(s.deflator.rates), s.deflator.source))
    return pd.DataFrame(rows, columns=["Forutsetning", "Verdi", "Kilde"])


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


def summary(result: ScenarioResult) -> str:
    """A short Norwegian paragraph (Markdown) with the scenario's main numbers."""
    bills = result.bills.set_index(["group", "year"])["value_mnok"]
    last, horizon = result.data_years[-1], result.scenario.horizon
    totals = result.totals.groupby("year")["value_mnok"].sum()
    diff = result.versus_baseline.groupby("year")["difference_mnok"].sum()
    fmt = _numbers

    def group_line(year: int) -> str:
        parts = [f"{GROUP_LABELS[g]} {fmt(bills[g, year])}" for g in GROUPS
                 if abs(bills[g, year]) > 0.05]
        return ", ".join(parts) or "ingen kjente andeler"

    text = [
        f"Scenarioet **{result.scenario.name}** bruker fordelingsnøkkelen "
        f"«{result.scenario.key_set.name}». Beløp i mill. kroner, {result.price_label}.",
        "",
        f"- Samlet finansieringsbehov: {fmt(totals[last])} i {last} (NHNs siste estimat) og "
        f"{fmt(totals[horizon])} i {horizon}; forskjell mot grunnlaget i {horizon}: "
        f"{fmt(diff[horizon], change=True)}.",
        f"- Regning {last}: {group_line(last)}; ikke fordelt {fmt(bills[UNALLOCATED, last])}.",
        f"- Regning {horizon}: {group_line(horizon)}; ikke fordelt "
        f"{fmt(bills[UNALLOCATED, horizon])}.",
    ]
    return "\n".join(text)


def notes_markdown(result: ScenarioResult) -> str:
    """The result's notes as a Markdown list."""
    return notes_list(result.notes)


def notes_list(notes: Iterable[str]) -> str:
    """Notes as a Markdown list (empty when there are none)."""
    return "\n".join(f"- {note}" for note in notes)


def _numbers(value: float, change: bool = False) -> str:
    return format_change(value) if change else format_number(value)


def styled(table: pd.DataFrame, caption: str | None = None) -> Any:
    """The project's table style: Norwegian numbers, percent columns marked."""
    percent = [c for c in table.columns if c in PERCENT_COLUMNS
               and pd.api.types.is_numeric_dtype(table[c])]
    text = [c for c in table.columns if c == YEAR_COLUMN]
    return format_table(table, percent_columns=percent, text_columns=text, caption=caption)


def show_table(table: pd.DataFrame, caption: str | None = None) -> None:
    from IPython.display import display

    display(styled(table, caption))


def show_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


# --- charts ----------------------------------------------------------------------------------


def bills_figure(result: ScenarioResult) -> Any:
    """Bars per actor group, one per year."""
    frame = result.bills.assign(solution=result.bills["group"].map(GROUP_LABELS))
    return levels_chart(frame, title=f"Regning per aktørgruppe ({result.price_label})")


def totals_figure(result: ScenarioResult) -> Any:
    """Total funding need per year: scenario and baseline."""
    frame = result.versus_baseline.groupby("year")[["scenario_mnok", "baseline_mnok"]].sum()
    long = pd.concat([
        pd.DataFrame({"solution": "Scenario", "year": frame.index,
                      "value_mnok": frame["scenario_mnok"].to_numpy()}),
        pd.DataFrame({"solution": "Grunnlag", "year": frame.index,
                      "value_mnok": frame["baseline_mnok"].to_numpy()}),
    ])
    fig = levels_chart(long, kind="line",
                       title=f"Samlet finansieringsbehov ({result.price_label})")
    fig.axes[0].get_legend().set_title("")
    return fig
