"""Sentences for readers: the main findings of a round, written from the numbers."""

from __future__ import annotations

import pandas as pd

from .formatting import format_change, format_number, format_percent
from .names import ALL_SOLUTIONS
from .tolerance import DISCREPANCY, ROUNDING


def _growth(growth: pd.DataFrame, series: str, start: int, end: int,
            solution: str = ALL_SOLUTIONS) -> pd.Series | None:
    rows = growth[(growth["series"] == series) & (growth["solution"] == solution)
                  & (growth["item"] == "") & (growth["from_year"] == start)
                  & (growth["to_year"] == end)]
    return rows.iloc[0] if len(rows) else None


def _places(value: float) -> int:
    """Whole millions as the source prints them (1 054), else one decimal (359,6)."""
    return 0 if round(value, 6).is_integer() else 1


def _auto(value: float) -> str:
    return format_number(value, _places(value))


def _mnok(value: float) -> str:
    return f"{_auto(value)} mill. kroner"


def change_sentence(row: pd.Series, what: str) -> str:
    return (f"{what} går fra {_mnok(row['from_value'])} i {row['from_year']} til "
            f"{_mnok(row['to_value'])} i {row['to_year']}: "
            f"{format_change(row['change_mnok'], _places(row['change_mnok']))} "
            f"mill. kroner ({format_percent(row['change_pct'])}).")


def key_findings(growth: pd.DataFrame, drivers: pd.DataFrame, levels: pd.DataFrame,
                 reconciliation: pd.DataFrame, index_rate: float | None = None) -> list[str]:
    """The findings a committee member looks for first, for every consecutive pair of years."""
    years = sorted(growth["to_year"].unique().tolist() + growth["from_year"].unique().tolist())
    years = sorted(set(years))
    points = []
    for start, end in zip(years, years[1:], strict=False):
        funding = _growth(growth, "finansieringsbehov", start, end)
        cost = _growth(growth, "kostnadsnivå", start, end)
        if funding is not None and funding["price_basis"] != "som trykt":
            nominal = growth[(growth["series"] == "finansieringsbehov")
                             & (growth["solution"] == ALL_SOLUTIONS) & (growth["item"] == "")
                             & (growth["from_year"] == start) & (growth["to_year"] == end)]
            fixed, nom = nominal.iloc[0], nominal.iloc[-1]
            rate = f" justert med {format_percent(index_rate, 3)}" if index_rate else ""
            points.append(
                f"Forskriftsbeløpet {start} er trykt i {end}-kroner ({_mnok(fixed['from_value'])}"
                f",{rate}); nominelt var det {_mnok(nom['from_value'])}. Veksten til {end} er "
                f"{format_percent(fixed['change_pct'])} i faste kroner og "
                f"{format_percent(nom['change_pct'])} nominelt.")
            continue
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
        f"tabellene og {int((claims['status'] == DISCREPANCY).sum())} i teksten, i tillegg "
        f"til {int((reconciliation['status'] == ROUNDING).sum())} avrundingsforskjeller "
        "(se vedlegg A).")
    return points


def as_markdown(points: list[str]) -> str:
    return "\n".join(f"- {point}" for point in points)
