"""Følsomhet: how much one actor group's bill in one year moves when each uncertain input
goes from its low to its high value (a tornado chart).

The low and high values and their sources are data
(``data/raw/scenarios/sensitivity.yaml``); a value without a source says so and is shown as
an illustration; an input whose values are both placeholders is marked so, and the report
leaves it out (the explorer shows it). The inputs: efficiency,
volume, the D&F share of investments, the placeholder index and deflator rates, and whether
the compared key applies to the whole cost or only to the growth from the year before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from pydantic import Field

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import project_root
from tbu_analysis.scenarios import text
from tbu_analysis.scenarios.comparison import key_against_key
from tbu_analysis.scenarios.labels import GROUP_LABELS, TORNADO_COLUMNS
from tbu_analysis.scenarios.model import FIXED, Scenario, ScenarioResult
from tbu_analysis.scenarios.projection import compute

RANGES_FILE = Path("data") / "raw" / "scenarios" / "sensitivity.yaml"


class RangeModel(InputModel):
    """One uncertain input: its low and high value, each with its source; ``placeholder``
    when neither value has one (an illustration the report leaves out)."""

    label: str = Field(min_length=1)
    placeholder: bool = False
    low: float = Field(ge=-100, le=100)
    low_source: str = Field(min_length=1)
    high: float = Field(ge=-100, le=100)
    high_source: str = Field(min_length=1)


class RangesFile(InputModel):
    efficiency_pct: RangeModel
    volume_pct: RangeModel
    investment_share_pct: RangeModel
    index_placeholder: RangeModel
    deflator_placeholder: RangeModel


def load_ranges(path: str | Path | None = None) -> RangesFile:
    return load_yaml_model(Path(path) if path else project_root() / RANGES_FILE, RangesFile)


@dataclass(frozen=True)
class Swing:
    """One bar of the tornado: the bill at the input's low and high value."""

    label: str
    low_text: str
    high_text: str
    low_mnok: float
    high_mnok: float
    low_source: str
    high_source: str
    note: str = ""
    #: both values are placeholders without a source: the report leaves the bar out
    placeholder: bool = False

    @property
    def width(self) -> float:
        return abs(self.high_mnok - self.low_mnok)


def _bill(result: ScenarioResult, group: str, year: int) -> float:
    bills = result.bills
    row = bills[(bills["group"] == group) & (bills["year"] == year)]
    return float(row["value_mnok"].sum())


def _pct(value: float) -> str:
    from tbu_analysis.common.formatting import format_percent

    decimals = next((d for d in range(1, 4) if round(value, d) == value), 3)
    return format_percent(value, decimals)


def tornado(result: ScenarioResult, baseline: pd.DataFrame, index: PriceIndex, group: str,
            year: int, ranges: RangesFile, *, check: bool = False) -> tuple[float, list[Swing]]:
    """The group's bill in ``year`` under the scenario, and each input's swing, widest first.
    An input that cannot move this bill (a rate that only converts kroner the scenario does
    not use, a share without investments) is a bar of width 0 with the reason, not computed."""
    s = result.scenario
    base = _bill(result, group, year)

    def bill(changed: Scenario) -> float:
        return _bill(compute(changed, baseline, index, check=check), group, year)

    swings = []
    for name, attribute in (("efficiency_pct", "efficiency_pct"), ("volume_pct", "volume_pct")):
        r: RangeModel = getattr(ranges, name)
        swings.append(Swing(r.label, _pct(r.low), _pct(r.high),
                            bill(replace(s, **{attribute: r.low})),
                            bill(replace(s, **{attribute: r.high})), r.low_source,
                            r.high_source))
    r = ranges.investment_share_pct
    if s.investments:
        swings.append(Swing(r.label, _pct(r.low), _pct(r.high),
                            bill(replace(s, investment_share_pct=r.low)),
                            bill(replace(s, investment_share_pct=r.high)), r.low_source,
                            r.high_source))
    else:
        swings.append(Swing(r.label, _pct(r.low), _pct(r.high), base, base, r.low_source,
                            r.high_source, text.caption("swing_note", "no_investments")))
    r = ranges.index_placeholder
    placeholder_years = [y for y in s.index_rates if s.index_placeholder]
    if placeholder_years and (s.price_basis != FIXED or s.price_year is not None):
        def rates(value: float) -> Mapping[int, float]:
            return {**s.index_rates, **dict.fromkeys(placeholder_years, value)}
        swings.append(Swing(r.label, _pct(r.low), _pct(r.high),
                            bill(replace(s, index_rates=rates(r.low))),
                            bill(replace(s, index_rates=rates(r.high))), r.low_source,
                            r.high_source, placeholder=r.placeholder))
    else:
        swings.append(Swing(r.label, _pct(r.low), _pct(r.high), base, base, r.low_source,
                            r.high_source, text.caption(
                                "swing_note", "fixed" if placeholder_years else "none"),
                            placeholder=r.placeholder))
    r = ranges.deflator_placeholder
    swings.append(Swing(r.label, _pct(r.low), _pct(r.high), base, base, r.low_source,
                        r.high_source, text.caption("swing_note", "deflator"),
                        placeholder=r.placeholder))
    other = s.compare_with
    if other is not None and (result.bills["year"] == year - 1).any():
        compared = key_against_key(result, other, baseline, index, check=check)
        whole = compared.second
        before = _bill(result, group, year - 1)
        share_growth = _growth_share(compared, group, year)
        whole_cost, growth_only = text.caption("key_base_values").split("|")
        swings.append(Swing(
            text.caption("key_base_label", other.label), whole_cost, growth_only,
            _bill(whole, group, year), before + share_growth,
            f"{other.label}: {other.base_note or other.base_label}",
            text.caption("key_base_high_source")))
    swings.sort(key=lambda swing: swing.width, reverse=True)
    return base, swings


def _growth_share(compared, group: str, year: int) -> float:
    """The compared key's share of the growth into ``year`` for ``group`` (all solutions)."""
    from tbu_analysis.scenarios.comparison import side_by_side
    from tbu_analysis.scenarios.labels import ALL_UNITS

    frame = side_by_side(compared.first, compared.second, "vekst", check=False)
    row = frame[(frame["unit"] == ALL_UNITS) & (frame["group"] == group)
                & (frame["year"] == year)]
    return float(row["second_mnok"].sum())


def tornado_table(base: float, swings: list[Swing]) -> pd.DataFrame:
    """The tornado as a table: each input's low and high value, the bill at each, the
    difference from the scenario's bill, and the sources."""
    c = TORNADO_COLUMNS
    rows = [{c["input"]: s.label, c["low"]: s.low_text, c["high"]: s.high_text,
             c["low_mnok"]: s.low_mnok, c["high_mnok"]: s.high_mnok,
             c["swing"]: s.high_mnok - s.low_mnok,
             c["sources"]: f"{s.low_source}; {s.high_source}"
             + (f" ({s.note})" if s.note else "")} for s in swings]
    return pd.DataFrame(rows)


def title(group: str, year: int, base: float) -> str:

    return text.caption("tornado_title", GROUP_LABELS[group].lower(), year, base)
