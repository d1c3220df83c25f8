"""Sentences for readers: the main findings of a round, written from the numbers."""

from __future__ import annotations

import pandas as pd

from tbu_analysis.analysis.growth import PRICE_AS_PRINTED, PRICE_NOMINAL
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.tolerance import DISCREPANCY, ROUNDING, UNLIKELY
from tbu_analysis.common.formatting import (
    format_change,
    format_number,
    format_percent,
    places_needed,
)
from tbu_analysis.rounds.names import ALL_SOLUTIONS


def _first(rows: pd.DataFrame) -> pd.Series | None:
    return rows.iloc[0] if len(rows) else None


def _indexed_sentence(funding: pd.DataFrame, levels: pd.DataFrame, printed_index: PriceIndex,
                      start: int) -> str:
    """The earlier year as the source prints it (raised by its index), nominal, and the
    growth both ways, from the levels rather than from assumptions about the years."""
    level = levels[(levels["series"] == "finansieringsbehov")
                   & (levels["solution"] == ALL_SOLUTIONS) & (levels["item"] == "")
                   & (levels["year"] == start)].iloc[0]
    nominal_year, price_year = int(level["nominal_year"]), int(level["price_year"])
    rates = ", ".join(format_percent(printed_index.rate(y), 3)
                      for y in range(nominal_year, price_year))
    fixed = funding[funding["price_basis"] != PRICE_NOMINAL].iloc[0]
    nominal = funding[funding["price_basis"] == PRICE_NOMINAL].iloc[0]
    return (f"Forskriftsbeløpet {start} er trykt i {price_year}-kroner "
            f"({_mnok(level['value_mnok'])}, justert med {rates}); nominelt var det "
            f"{_mnok(level['nominal'])}. Veksten til {fixed['to_year']} er "
            f"{format_percent(fixed['change_pct'])} i {fixed['price_basis']} og "
            f"{format_percent(nominal['change_pct'])} nominelt.")


def _auto(value: float) -> str:
    return format_number(value, places_needed(value, 0, 1))


def _mnok(value: float) -> str:
    return f"{_auto(value)} mill. kroner"


def change_sentence(row: pd.Series, what: str) -> str:
    return (f"{what} går fra {_mnok(row['from_value'])} i {row['from_year']} til "
            f"{_mnok(row['to_value'])} i {row['to_year']}: "
            f"{format_change(row['change_mnok'], places_needed(row['change_mnok'], 0, 1))} "
            f"mill. kroner ({format_percent(row['change_pct'])}).")


def key_findings(growth: pd.DataFrame, drivers: pd.DataFrame, levels: pd.DataFrame,
                 reconciliation: pd.DataFrame, printed_index: PriceIndex) -> list[str]:
    """The findings a committee member looks for first, for every consecutive pair of years."""
    years = sorted(set(growth["from_year"]) | set(growth["to_year"]))
    points = []
    for start, end in zip(years, years[1:], strict=False):
        pair = growth[(growth["solution"] == ALL_SOLUTIONS) & (growth["item"] == "")
                      & (growth["from_year"] == start) & (growth["to_year"] == end)]
        funding = pair[pair["series"] == "finansieringsbehov"]
        if len(funding) and (funding["price_basis"] != PRICE_AS_PRINTED).all():
            points.append(_indexed_sentence(funding, levels, printed_index, start))
            continue
        funding = _first(funding)
        cost = _first(pair[pair["series"] == "kostnadsnivå"])
        if funding is not None:
            points.append(change_sentence(funding, "Forskriftsbeløpet (finansieringsbehovet)"))
        if cost is not None and (funding is None or (cost["from_value"], cost["to_value"])
                                 != (funding["from_value"], funding["to_value"])):
            points.append(change_sentence(cost, "Kostnadsnivået"))
    efficiency = drivers[(drivers["category"] == "effektivisering")
                         & (drivers["row_kind"] == "total")
                         & (drivers["solution"] == ALL_SOLUTIONS)]
    for row in efficiency.itertuples(index=False):
        points.append(
            f"Effektivisering {row.from_year}–{row.to_year}: {format_number(row.value_mnok, 1)} "
            f"mill. kroner, {format_percent(abs(row.pct_of_total_base))} av utgangsnivået.")
    claims = reconciliation[reconciliation["check_type"] == "påstand"]
    tables = reconciliation[reconciliation["check_type"] != "påstand"]
    points.append(
        f"Avstemmingen kontrollerte {len(tables)} sammenhenger i tabellene og {len(claims)} "
        f"tallpåstander i teksten: {int((tables['status'] == DISCREPANCY).sum())} avvik i "
        f"tabellene og {int((claims['status'] == DISCREPANCY).sum())} i teksten, "
        f"{int((reconciliation['status'] == UNLIKELY).sum())} sammenhenger som bare går opp "
        "ved usannsynlig avrunding (spørsmål til NHN), og "
        f"{int((reconciliation['status'] == ROUNDING).sum())} vanlige avrundingsforskjeller "
        "(se vedlegg A).")
    return points


def as_markdown(points: list[str]) -> str:
    return "\n".join(f"- {point}" for point in points)
