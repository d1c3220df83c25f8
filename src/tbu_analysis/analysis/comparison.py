"""Estimates against outcomes, and this round against the previous one.

- :func:`estimates_against_outcomes`: the regulation amount (forskrift) of a year against what
  the source says it came to: incurred costs (påløpt) of a closed year and the forecast
  (prognose) of the current one, per solution, in MNOK and %.
- The round's manifest names its previous round (``previous_round:``); ``previous_round.yaml``
  (read through ``common.inputs``) keeps the mandate and what this round's text says about the
  previous round, quoted, with the arithmetic of its numbers checked.
- :func:`compare_rounds`: where the previous round's figures exist, each solution, year and
  measure both rounds print, with the change, and the next year's funding need against the
  previous (spring) round's figure for that year, which is its ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from tbu_analysis.analysis import tolerance
from tbu_analysis.analysis.explanations import Quoted, _numbers_in, source_text
from tbu_analysis.analysis.series import amounts
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.numbers import parse_number

PREVIOUS_ROUND_FILE = "previous_round.yaml"
OUTCOME_MEASURES = ("påløpt", "prognose")
REGULATION = "forskrift"
FUNDING = "finansieringsbehov"


def estimates_against_outcomes(figures: pd.DataFrame) -> pd.DataFrame:
    """Per solution and outcome (påløpt, prognose): the forskrift of that year in the same
    kroner, the outcome, and outcome − forskrift in MNOK and % of the forskrift."""
    data = amounts(figures)
    data = data[data["item"] == ""]
    rows = []
    for outcome in data[data["measure"].isin(OUTCOME_MEASURES)].itertuples(index=False):
        same = data[(data["measure"] == REGULATION) & (data["solution"] == outcome.solution)
                    & (data["year"] == outcome.year)
                    & (data["price_year"] == outcome.price_year)]
        if same.empty:
            continue
        in_table = same[same["table"] == outcome.table]
        regulation = (in_table if len(in_table) else same.sort_values(
            "table_primary", ascending=False, kind="stable")).iloc[0]
        difference = float(outcome.value_mnok) - float(regulation["value_mnok"])
        rows.append({
            "solution": outcome.solution, "year": int(outcome.year),
            "measure": outcome.measure, "forskrift": float(regulation["value_mnok"]),
            "outcome": float(outcome.value_mnok), "difference": difference,
            "difference_pct": 100 * difference / float(regulation["value_mnok"]),
            "forskrift_table": regulation["table_number"],
            "outcome_table": outcome.table_number, "price_year": int(outcome.price_year),
        })
    return pd.DataFrame(rows)


# --- the previous round ----------------------------------------------------------------------


class Statement(Quoted):
    """What this round's text says about the previous round; ``parts`` must add up to
    ``total`` (where given), and every number must be printed in the quote."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    solution: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    parts: list[str] = []  # none where the source says it in words only
    total: str | None = None

    @field_validator("parts", "total")
    @classmethod
    def _printed_in_quote(cls, value, info: ValidationInfo):
        numbers = _numbers_in(info.data.get("quote", ""))
        for text in [value] if isinstance(value, str) else value or []:
            if parse_number(text).value is None:
                raise ValueError(f"«{text}» er ikke et tall")
            if info.data.get("quote") and text not in numbers:
                raise ValueError(f"tallet {text} står ikke i sitatet")
        return value

    @property
    def parts_sum(self) -> Decimal:
        return sum((parse_number(p).value for p in self.parts), Decimal(0))

    @property
    def status(self) -> str | None:
        """Whether the parts give the total, judged by the printed precision."""
        if self.total is None:
            return None
        total = parse_number(self.total)
        places = [parse_number(p).decimals for p in self.parts]
        tol = tolerance.sum_tolerance(places, total.decimals)
        return tolerance.classify(float(self.parts_sum), float(total.value), total.decimals, tol)


class PreviousRoundFile(InputModel):
    """``previous_round.yaml``: the mandate and the statements (the round is the manifest's)."""

    mandate: Quoted | None = None
    statements: list[Statement] = []


@dataclass(frozen=True)
class PreviousRound:
    round: str
    mandate: Quoted | None = None
    statements: tuple[Statement, ...] = ()


def load_previous_round(paths: RoundPaths) -> PreviousRound | None:
    """The previous round the manifest names, with what ``previous_round.yaml`` quotes about
    it; None when the manifest names none. Statements without a named round are refused."""
    manifest = load_manifest(paths.manifest)
    path = paths.raw / PREVIOUS_ROUND_FILE
    if not manifest.previous_round:
        if path.is_file():
            raise InputError("filen omtaler en forrige runde, men manifest.yaml nevner ingen "
                             "(previous_round:)", path=path)
        return None
    if not path.is_file():
        return PreviousRound(manifest.previous_round)
    data = load_yaml_model(path, PreviousRoundFile, context={"source": source_text(paths)})
    return PreviousRound(manifest.previous_round, data.mandate, tuple(data.statements))


def compare_rounds(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Each solution, year and measure both rounds print in their overview table, with the
    change (current − previous). ``above_ceiling`` marks a funding need for a year after the
    previous round's own years' first above the previous round's figure for that year."""
    def overview(figures: pd.DataFrame) -> pd.DataFrame:
        data = amounts(figures)
        data = data[(data["table_primary"].astype(bool)) & (data["item"] == "")]
        return data[["solution", "year", "measure", "value_mnok", "decimals"]]

    merged = overview(current).merge(overview(previous), on=["solution", "year", "measure"],
                                     suffixes=("", "_previous"))
    merged = merged.rename(columns={"value_mnok": "current", "value_mnok_previous": "previous"})
    merged["change"] = merged["current"] - merged["previous"]
    tolerances = [tolerance.half_unit(a) + tolerance.half_unit(b)
                  for a, b in zip(merged["decimals"], merged["decimals_previous"], strict=True)]
    merged["above_ceiling"] = (merged["measure"] == FUNDING) & (merged["change"]
                                                                > pd.Series(tolerances))
    return merged[["solution", "year", "measure", "previous", "current", "change",
                   "above_ceiling"]].reset_index(drop=True)
