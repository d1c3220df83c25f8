"""Pick the figure to use for each quantity, and build yearly series from the tidy figures.

The source prints many quantities more than once (a summary rounded to whole millions, a
detail table with decimals). Analyses use the most precise printing; the reconciliation
checks that the printings agree.
"""

from __future__ import annotations

import pandas as pd

from .names import ALL_SOLUTIONS

KEY = ["solution", "item", "measure", "category", "year"]

# Which printed measure stands for a year's amount in each series, in order of preference.
# Funding (what the sector is billed): a fixed forskrift, else the proposed funding need,
# else the estimated cost level (later years have no tilbakeføring to deduct).
SERIES_MEASURES = {
    "finansieringsbehov": ("forskrift", "finansieringsbehov", "kostnadsnivå"),
    "kostnadsnivå": ("kostnadsnivå", "forskrift"),
}
SERIES_LABELS = {
    "finansieringsbehov": "Forskrift / finansieringsbehov",
    "kostnadsnivå": "Kostnadsnivå",
}
VKP_ITEM = "Velferdsteknologisk knutepunkt (VKP)"


def amounts(figures: pd.DataFrame) -> pd.DataFrame:
    return figures[figures["value_mnok"].notna()]


def best_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """One row per quantity: the printing with most decimals (the first table on a tie)."""
    frame = amounts(figures).copy()
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["decimals", "_order"], ascending=[False, True], kind="stable")
    best = frame.drop_duplicates(KEY, keep="first").sort_values("_order", kind="stable")
    return best.drop(columns="_order").reset_index(drop=True)


def yearly_series(figures: pd.DataFrame, series: str = "finansieringsbehov") -> pd.DataFrame:
    """Level per solution/item and year for one series: columns of KEY minus measure/category,
    plus ``measure`` (which printed measure was used), value_mnok, decimals, table, price."""
    preference = SERIES_MEASURES[series]
    best = best_figures(figures)
    best = best[best["measure"].isin(preference) & (best["category"] == "")]
    best = best.assign(_rank=best["measure"].map({m: i for i, m in enumerate(preference)}))
    best = best.sort_values(["_rank"], kind="stable").drop_duplicates(
        ["solution", "item", "year"], keep="first")
    columns = ["solution", "item", "parent", "year", "measure", "value_mnok", "decimals",
               "table", "table_number", "price_year", "nominal_year", "price_basis"]
    return best[columns].sort_values(["solution", "item", "year"]).reset_index(drop=True)


def primary_table_id(figures: pd.DataFrame) -> str:
    """The round's overview table (solution × year) that bills are based on."""
    overview = figures[figures["table_role"] == "oversikt"]["table"].unique().tolist()
    if not overview:
        raise ValueError("runden har ingen oversiktstabell (role: oversikt)")
    return overview[-1]


def funding_by_solution(figures: pd.DataFrame) -> pd.DataFrame:
    """The amounts billed per solution and year, as the overview table prints them."""
    table = primary_table_id(figures)
    rows = amounts(figures)
    rows = rows[(rows["table"] == table) & (rows["item"] == "")]
    columns = ["solution", "year", "value_mnok", "measure", "price_year", "nominal_year"]
    return rows[columns].reset_index(drop=True)


def funding_by_unit(figures: pd.DataFrame) -> pd.DataFrame:
    """Billing units: the solutions, with VKP split out of Helsenettet where it is printed."""
    solutions = funding_by_solution(figures)
    solutions = solutions[solutions["solution"] != ALL_SOLUTIONS]
    vkp = yearly_series(figures, "finansieringsbehov")
    vkp = vkp[vkp["item"] == VKP_ITEM].set_index("year")["value_mnok"]
    rows = []
    for record in solutions.itertuples(index=False):
        base = {"solution": record.solution, "year": record.year,
                "price_year": record.price_year, "nominal_year": record.nominal_year}
        if record.solution == "Helsenettet" and record.year in vkp.index:
            rows.append({**base, "unit": "Helsenettet (ekskl. VKP)",
                         "value_mnok": record.value_mnok - vkp[record.year]})
            rows.append({**base, "unit": VKP_ITEM, "value_mnok": float(vkp[record.year])})
        elif record.solution == "Helsenettet":
            rows.append({**base, "unit": "Helsenettet (ekskl. VKP)",
                         "value_mnok": record.value_mnok})
        else:
            rows.append({**base, "unit": record.solution, "value_mnok": record.value_mnok})
    columns = ["unit", "solution", "year", "value_mnok", "price_year", "nominal_year"]
    return pd.DataFrame(rows, columns=columns)
