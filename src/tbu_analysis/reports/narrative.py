"""Sentences for readers: the main findings of a round, written from the numbers."""

from __future__ import annotations

import pandas as pd

from tbu_analysis.analysis.growth import PRICE_AS_PRINTED, PRICE_NOMINAL
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.tolerance import DISCREPANCY, ROUNDING, UNLIKELY
from tbu_analysis.reports import text as wording
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import Measure


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
    fixed = funding[funding["price_basis"] != PRICE_NOMINAL].iloc[0]
    nominal = funding[funding["price_basis"] == PRICE_NOMINAL].iloc[0]
    return wording.render(
        "key_findings.md.j2", what="indexed", start=start, price_year=price_year,
        level=level["value_mnok"], nominal=level["nominal"],
        rates=[printed_index.rate(y) for y in range(nominal_year, price_year)],
        to_year=fixed["to_year"], fixed_pct=fixed["change_pct"], basis=fixed["price_basis"],
        nominal_pct=nominal["change_pct"])


def change_sentence(row: pd.Series, what: str, estimated: frozenset[int] = frozenset()) -> str:
    """«Forskriftsbeløpet går fra … til …»; a year in ``estimated`` is said to be an estimate."""
    return wording.render("key_findings.md.j2", what="change", subject=what, row=row,
                          estimate=int(row["to_year"]) in estimated)


def estimated_years(levels: pd.DataFrame) -> frozenset[int]:
    """The years for which the source prints no regulation amount or funding need, only an
    estimated cost level: a funding need there is an estimate, not a regulation."""
    billed = levels["measure"].isin((Measure.FORSKRIFT, Measure.FINANSIERINGSBEHOV))
    return frozenset(int(y) for y in set(levels["year"]) - set(levels.loc[billed, "year"]))


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
            points.append(change_sentence(funding, wording.say(
                "series.md.j2", "subject", "finansieringsbehov", long=True),
                estimated_years(levels)))
        if cost is not None and (funding is None or (cost["from_value"], cost["to_value"])
                                 != (funding["from_value"], funding["to_value"])):
            points.append(change_sentence(cost, wording.say("series.md.j2", "subject",
                                                            "kostnadsnivå")))
    efficiency = drivers[(drivers["category"] == "effektivisering")
                         & (drivers["row_kind"] == "total")
                         & (drivers["solution"] == ALL_SOLUTIONS)]
    for row in efficiency.itertuples(index=False):
        points.append(wording.render("key_findings.md.j2", what="efficiency", row=row,
                                  share=abs(row.pct_of_total_base)))
    claims = reconciliation[reconciliation["check_type"] == "påstand"]
    tables = reconciliation[reconciliation["check_type"] != "påstand"]
    points.append(wording.render(
        "key_findings.md.j2", what="reconciliation", tables=len(tables), claims=len(claims),
        table_deviations=int((tables["status"] == DISCREPANCY).sum()),
        claim_deviations=int((claims["status"] == DISCREPANCY).sum()),
        unlikely=int((reconciliation["status"] == UNLIKELY).sum()),
        rounding=int((reconciliation["status"] == ROUNDING).sum())))
    return points


def as_markdown(points: list[str]) -> str:
    return "\n".join(f"- {point}" for point in points)
