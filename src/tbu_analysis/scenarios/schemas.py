"""The scenario frames' columns, types and invariants (pandera), checked where they are made.

A failure here is a bug in the projection, not bad input: the error says which frame and
which check, and nothing is shown from a result that breaks them.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from tbu_analysis.scenarios.keys import FIRST_YEAR, LAST_YEAR
from tbu_analysis.scenarios.labels import GROUPS, KIND_DATA, KIND_PROJECTED, TOTAL, UNALLOCATED

BILL_GROUPS = (*GROUPS, UNALLOCATED)
_TOLERANCE = 1e-6


def _year() -> pa.Column:
    return pa.Column(int, pa.Check.in_range(FIRST_YEAR, LAST_YEAR))


def _amount(nullable: bool = False) -> pa.Column:
    return pa.Column(float, pa.Check(lambda s: s.abs() < float("inf"), element_wise=False,
                                     ignore_na=True, error="finite amount"),
                     nullable=nullable)


def _adds_up(parts: list[str], total: str, sign: dict[str, float] | None = None) -> pa.Check:
    sign = sign or {}

    def check(frame: pd.DataFrame) -> bool:
        summed = sum(frame[p] * sign.get(p, 1.0) for p in parts)
        return bool(((summed - frame[total]).abs() <= _TOLERANCE * (1 + frame[total].abs()))
                    .all())

    return pa.Check(check, error=f"{' + '.join(parts)} = {total}")


def _schema(columns: dict[str, pa.Column], *, unique: list[str] | None = None,
            checks: list[pa.Check] | None = None, name: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=unique, coerce=True,
                              checks=checks or [], name=name)


PROJECTION = _schema({
    "unit": pa.Column(str), "year": _year(),
    "kind": pa.Column(str, pa.Check.isin([KIND_DATA, KIND_PROJECTED])),
    **{column: _amount() for column in ("start", "volume", "efficiency", "investments",
                                        "additions", "end")},
}, unique=["unit", "year"], name="projection",
    checks=[_adds_up(["start", "volume", "efficiency", "investments", "additions"], "end")])

TOTALS = _schema({"unit": pa.Column(str), "year": _year(), "value_mnok": _amount()},
                 unique=["unit", "year"], name="totals")

BILLS = _schema({"group": pa.Column(str, pa.Check.isin(BILL_GROUPS)), "year": _year(),
                 "value_mnok": _amount()}, unique=["group", "year"], name="bills")

BILLS_BY_UNIT = _schema({
    "unit": pa.Column(str), "year": _year(),
    "group": pa.Column(str, pa.Check.isin(BILL_GROUPS)),
    "share_pct": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
    "value_mnok": _amount(),
}, unique=["unit", "year", "group"], name="bills_by_unit")

VERSUS_BASELINE = _schema({
    "unit": pa.Column(str), "year": _year(), "scenario_mnok": _amount(),
    "baseline_mnok": _amount(), "difference_mnok": _amount(),
}, unique=["unit", "year"], name="versus_baseline",
    checks=[_adds_up(["scenario_mnok", "baseline_mnok"], "difference_mnok",
                     {"baseline_mnok": -1.0})])

BILLS_VERSUS_BASELINE = _schema({
    "group": pa.Column(str, pa.Check.isin(BILL_GROUPS)), "year": _year(),
    "scenario_mnok": _amount(), "baseline_mnok": _amount(), "difference_mnok": _amount(),
}, unique=["group", "year"], name="bills_versus_baseline",
    checks=[_adds_up(["scenario_mnok", "baseline_mnok"], "difference_mnok",
                     {"baseline_mnok": -1.0})])

DEFLATED = _schema({
    "group": pa.Column(str, pa.Check.isin([*BILL_GROUPS, TOTAL])), "year": _year(),
    "bill_mnok": _amount(), "reference_mnok": _amount(), "difference_mnok": _amount(),
    "bill_growth_pct": _amount(nullable=True), "deflator_growth_pct": _amount(),
}, unique=["group", "year"], name="deflated")

UNALLOCATED_FRAME = _schema({
    "unit": pa.Column(str), "year": _year(), "value_mnok": _amount(),
    "reason": pa.Column(str, pa.Check.str_length(min_value=1)),
}, unique=["unit", "year"], name="unallocated")

#: Key against key: each group's (and each solution × group's) bill under two keys.
KEY_COMPARISON = _schema({
    "unit": pa.Column(str), "group": pa.Column(str, pa.Check.isin(BILL_GROUPS)),
    "year": _year(), "first_mnok": _amount(), "second_mnok": _amount(),
    "difference_mnok": _amount(), "difference_pct": _amount(nullable=True),
}, unique=["unit", "group", "year"], name="key_comparison",
    checks=[_adds_up(["second_mnok", "first_mnok"], "difference_mnok",
                     {"first_mnok": -1.0})])


def checked(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` if it keeps ``schema``; else pandera's error naming the frame and check."""
    return schema.validate(frame)
