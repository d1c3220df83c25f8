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
from tbu_analysis.analysis.explanations import (
    Quoted,
    number_of,
    numbers_in,
    printed_in_quote,
    source_text,
)
from tbu_analysis.analysis.series import amounts
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_model
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.vocab import Series, codes

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
            "forskrift_table_id": regulation["table"],  # its label tells two «Tabell 1» apart
            "outcome_table": outcome.table_number, "price_year": int(outcome.price_year),
        })
    return pd.DataFrame(rows)


# --- the previous round ----------------------------------------------------------------------


class Statement(Quoted):
    """What this round's text says about the previous round; ``parts`` must add up to
    ``total`` (where given), and every number must be printed in the quote. A part may carry
    a sign (a net change «10 = 15 − 5»: ``parts: ["15", "-5"]``); the number without it must
    stand in the quote. With ``year`` and ``measure``, ``total`` is the change of the
    solution's amount since the previous round (signed: a reduction is "-26"), checked against
    the two rounds' tables when the previous round's are in ``data/raw/``."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    solution: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    parts: list[str] = []  # none where the source says it in words only
    total: str | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    measure: str | None = Field(default=None, min_length=1)

    @field_validator("parts", "total")
    @classmethod
    def _printed_in_quote(cls, value, info: ValidationInfo):
        numbers = numbers_in(info.data.get("quote", ""))
        for text in [value] if isinstance(value, str) else value or []:
            unsigned = text.lstrip("+-−")
            if not unsigned or parse_number(unsigned).value is None:
                raise ValueError(f"«{text}» er ikke et tall")
            if info.data.get("quote") and number_of(unsigned) not in numbers:
                raise ValueError(f"tallet {unsigned} står ikke i sitatet")
        return value

    @staticmethod
    def _signed(text: str) -> Decimal:
        value = parse_number(text.lstrip("+-−")).value
        return -value if text.startswith(("-", "−")) else value

    def against_tables(self, comparison: pd.DataFrame | None) -> tuple[float, float, str] | None:
        """(previous, current, status of ``total`` against current − previous) where the
        statement names a year and measure and both rounds' tables print it; else None."""
        if self.total is None or self.year is None or self.measure is None \
                or comparison is None or comparison.empty:
            return None
        rows = comparison[(comparison["solution"] == self.solution)
                          & (comparison["year"] == self.year)
                          & (comparison["measure"] == self.measure)]
        if rows.empty:
            return None
        row = rows.iloc[0]
        total = parse_number(self.total.lstrip("+-−"))
        status = tolerance.classify(float(row["change"]), float(self._signed(self.total)),
                                    total.decimals, 2 * tolerance.half_unit(0)
                                    + tolerance.half_unit(total.decimals))
        return float(row["previous"]), float(row["current"]), status

    @property
    def parts_sum(self) -> Decimal:
        return sum((self._signed(p) for p in self.parts), Decimal(0))

    @property
    def status(self) -> str | None:
        """Whether the parts give the total, judged by the printed precision."""
        if self.total is None:
            return None
        total = parse_number(self.total.lstrip("+-−"))
        places = [parse_number(p.lstrip("+-−")).decimals for p in self.parts]
        tol = tolerance.sum_tolerance(places, total.decimals)
        return tolerance.classify(float(self.parts_sum), float(self._signed(self.total)),
                                  total.decimals, tol)


class Ceiling(Quoted):
    """Where this round's text says outright how the year's level stands against the ceiling
    the spring round set: ``below`` mill. kroner under it (printed in the quote), and which
    series the ceiling bounds (``series``: the cost level or the funding need, as the quote
    names it), so the report can give the spring figure the two imply."""

    year: int = Field(ge=1990, le=2100)
    below: str = Field(min_length=1)
    series: str | None = Field(default=None, pattern=rf"^({'|'.join(codes(Series))})$")
    # what the amount below the ceiling is, where the source says it (services taken out, not
    # lower costs): said right after the check, so it is not read as a saving
    reason: str = ""

    @field_validator("below")
    @classmethod
    def _printed(cls, value: str, info: ValidationInfo) -> str:
        return printed_in_quote(value, info)

    @field_validator("series")
    @classmethod
    def _named(cls, value: str | None, info: ValidationInfo) -> str | None:
        quote = info.data.get("quote", "").lower()
        if value is not None and quote and value not in quote:
            raise ValueError(f"sitatet nevner ikke «{value}»")
        return value

    def spring_level(self, levels: pd.DataFrame) -> tuple[float, float, str] | None:
        """The spring figure the ceiling stands for, as (this round's level of ``series`` for
        the year and all solutions, that level plus ``below``, the table printing the level);
        None without a series or a level."""
        if self.series is None:
            return None
        rows = levels[(levels["solution"] == ALL_SOLUTIONS)
                      & (levels["item"].fillna("") == "")
                      & (levels["series"] == self.series) & (levels["year"] == self.year)]
        if rows.empty:
            return None
        level = float(rows["value_mnok"].iloc[0])
        return level, level + float(parse_number(self.below).value), \
            str(rows["table_number"].iloc[0])


class PreviousRoundFile(InputModel):
    """``previous_round.yaml``: the mandate, the level against the ceiling, and the statements
    (the round is the manifest's)."""

    mandate: Quoted | None = None
    ceiling: Ceiling | None = None
    statements: list[Statement] = []


@dataclass(frozen=True)
class PreviousRound:
    round: str
    mandate: Quoted | None = None
    statements: tuple[Statement, ...] = ()
    ceiling: Ceiling | None = None


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
    return PreviousRound(manifest.previous_round, data.mandate, tuple(data.statements),
                         data.ceiling)


def compare_rounds(current: pd.DataFrame, previous: pd.DataFrame,
                   ceiling: bool = True) -> pd.DataFrame:
    """Each solution, year and measure both rounds print in their overview table, with the
    change (current − previous). ``above_ceiling`` marks a funding need above the previous
    round's figure for that year, where that figure is a ceiling (``ceiling``: a spring
    round read by the autumn after it, :func:`ceiling_applies`)."""
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
    merged["above_ceiling"] = ceiling & (merged["measure"] == FUNDING) & (
        merged["change"] > pd.Series(tolerances))
    merged["ceiling"] = bool(ceiling)
    return merged[["solution", "year", "measure", "previous", "current", "change",
                   "ceiling", "above_ceiling"]].reset_index(drop=True)


# --- since the last round, at every level ----------------------------------------------------

#: What a row of ``comparison.csv`` compares: a solution, an item or a driver amount, or the
#: index rate of a year.
LEVEL_SOLUTION, LEVEL_ITEM, LEVEL_DRIVER, LEVEL_INDEX = "løsning", "post", "driver", "indeks"
BOTH, ADDED, REMOVED = "begge", "ny", "fjernet"
SPRING, AUTUMN = "vår", "høst"
_MATCH = ["solution", "item", "measure", "category", "year", "base_year"]
COMPARISON_COLUMNS = [
    "level", "solution", "item", "measure", "category", "year", "base_year", "unit",
    "previous", "current", "change", "changed", "status", "split_from", "index_effect",
    "other_change", "previous_price_year", "current_price_year", "previous_table",
    "current_table", "ceiling", "above_ceiling",
]


@dataclass(frozen=True)
class RoundSide:
    """One side of the comparison: the round's id, season, figures and its own index."""

    round_id: str
    season: str
    figures: pd.DataFrame
    index: object  # analysis.indexing.PriceIndex


def ceiling_applies(previous_season: str, current_season: str) -> bool:
    """The spring forecast is the ceiling for the autumn after it; a spring round reading the
    autumn before compares, and checks no ceiling."""
    return previous_season == SPRING and current_season == AUTUMN


def _one_per_quantity(figures: pd.DataFrame) -> pd.DataFrame:
    """One printing per quantity (most decimals, the first table on a tie), the level named."""
    frame = amounts(figures).copy()
    frame["_order"] = range(len(frame))
    frame["base_year"] = frame["base_year"].astype("Int64")
    frame = frame.sort_values(["decimals", "_order"], ascending=[False, True], kind="stable")
    frame = frame.drop_duplicates(_MATCH, keep="first").sort_values("_order", kind="stable")
    frame["level"] = [LEVEL_DRIVER if c else LEVEL_ITEM if i else LEVEL_SOLUTION
                      for c, i in zip(frame["category"], frame["item"], strict=True)]
    return frame[[*_MATCH, "level", "value_mnok", "decimals", "price_year", "nominal_year",
                  "table_number"]]


def since_last_round(current: RoundSide, previous: RoundSide) -> pd.DataFrame:
    """Every solution, item and driver amount of either round, per year and measure: both
    values and the change where both print it, else added («ny») or removed («fjernet»); a
    new item whose amount another item of the solution lost that year is «delt ut» of it;
    history raised by the index (nominal year before the price year) is split into the part
    a new index rate explains (``index_effect``) and the rest; and each year's index rate of
    both rounds, where they differ or not. ``above_ceiling`` only where the frame has a
    ceiling (:func:`ceiling_applies`)."""
    ours, theirs = _one_per_quantity(current.figures), _one_per_quantity(previous.figures)
    merged = theirs.merge(ours, on=[*_MATCH, "level"], how="outer",
                          suffixes=("_previous", "_current"), indicator=True, sort=False)
    status = merged["_merge"].map({"both": BOTH, "left_only": REMOVED, "right_only": ADDED})
    ceiling = ceiling_applies(previous.season, current.season)
    rows = []
    for record, state in zip(merged.itertuples(index=False), status, strict=True):
        prev, cur = record.value_mnok_previous, record.value_mnok_current
        change = cur - prev if state == BOTH else None
        tol = (tolerance.half_unit(record.decimals_previous)
               + tolerance.half_unit(record.decimals_current)) if state == BOTH else 0.0
        effect = None
        if state == BOTH and record.nominal_year_previous == record.nominal_year_current \
                and record.nominal_year_previous < min(record.price_year_previous,
                                                       record.price_year_current):
            year = int(record.nominal_year_previous)
            before = previous.index.factor(year, int(record.price_year_previous)) \
                if previous.index.covers(year, int(record.price_year_previous)) else None
            after = current.index.factor(year, int(record.price_year_current)) \
                if current.index.covers(year, int(record.price_year_current)) else None
            if before is not None and after is not None:
                effect = prev * (after / before - 1)
        is_funding = record.measure in (FUNDING, REGULATION) and record.level == LEVEL_SOLUTION
        rows.append({
            "level": record.level, "solution": record.solution, "item": record.item,
            "measure": record.measure, "category": record.category, "year": int(record.year),
            "base_year": record.base_year, "unit": "MNOK",
            "previous": prev if state != ADDED else None,
            "current": cur if state != REMOVED else None,
            "change": change, "changed": bool(change is not None and abs(change) > tol),
            "status": state, "split_from": "",
            "index_effect": effect,
            "other_change": change - effect if effect is not None else None,
            "previous_price_year": record.price_year_previous,
            "current_price_year": record.price_year_current,
            "previous_table": record.table_number_previous if state != ADDED else "",
            "current_table": record.table_number_current if state != REMOVED else "",
            "ceiling": ceiling and is_funding,
            "above_ceiling": bool(ceiling and is_funding and change is not None
                                  and change > tol),
        })
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    _mark_splits(frame)
    index_rows = [
        {"level": LEVEL_INDEX, "solution": "", "item": "", "measure": "indeks", "category": "",
         "year": year, "base_year": year + 1, "unit": "prosent",
         "previous": previous.index.rates.get(year), "current": current.index.rates.get(year),
         "change": (current.index.rates[year] - previous.index.rates[year]
                    if year in current.index.rates and year in previous.index.rates else None),
         "changed": current.index.rates.get(year) != previous.index.rates.get(year),
         "status": BOTH if year in current.index.rates and year in previous.index.rates
         else ADDED if year in current.index.rates else REMOVED,
         "split_from": "", "ceiling": False, "above_ceiling": False,
         "previous_table": "", "current_table": ""}
        for year in sorted(set(current.index.rates) | set(previous.index.rates))]
    frame = pd.concat([frame, pd.DataFrame(index_rows, columns=COMPARISON_COLUMNS)],
                      ignore_index=True) if index_rows else frame
    for name in ("previous", "current", "change", "index_effect", "other_change"):
        frame[name] = frame[name].astype(float).round(9)  # no 0.6210000000000004
    for name in ("base_year", "previous_price_year", "current_price_year"):
        frame[name] = frame[name].astype("Int64")
    for name in ("changed", "ceiling", "above_ceiling"):
        frame[name] = frame[name].astype(bool)
    return frame.reset_index(drop=True)


def _mark_splits(frame: pd.DataFrame) -> None:
    """A new item of a solution whose amount an item of both rounds lost the same year and
    measure (within the printed precision) is «delt ut» of that item."""
    added = frame[(frame["status"] == ADDED) & (frame["level"] == LEVEL_ITEM)]
    kept = frame[(frame["status"] == BOTH) & (frame["level"] == LEVEL_ITEM)]
    for at, row in added.iterrows():
        same = kept[(kept["solution"] == row["solution"]) & (kept["year"] == row["year"])
                    & (kept["measure"] == row["measure"]) & (kept["change"] < 0)]
        for _, other in same.iterrows():
            if abs(other["change"] + row["current"]) <= 1.0:  # three rounded amounts
                frame.at[at, "split_from"] = other["item"]
                break


def comparison_for(current: RoundSide, previous: RoundSide | None) -> pd.DataFrame:
    """``since_last_round``, or no rows (the columns only) when the previous round's tables
    are not in ``data/raw/``."""
    if previous is None:
        return empty_comparison()
    return since_last_round(current, previous)


def empty_comparison() -> pd.DataFrame:
    """No rows, the columns typed as a full comparison's (its schema checks the types)."""
    numbers = {"year": "int64", "base_year": "Int64", "previous_price_year": "Int64",
               "current_price_year": "Int64", "changed": "bool", "ceiling": "bool",
               "above_ceiling": "bool", **dict.fromkeys(
                   ("previous", "current", "change", "index_effect", "other_change"),
                   "float64")}
    return pd.DataFrame({name: pd.Series([], dtype=numbers.get(name, "str"))
                         for name in COMPARISON_COLUMNS})
