"""Price indices: chain yearly rates to move amounts between price levels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError, model_validator

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_csv_models
from tbu_analysis.rounds.numbers import parse_number

# A yearly rate outside these bounds is a typing error (−100 % would divide by zero).
MIN_RATE_PCT = -50.0
MAX_RATE_PCT = 100.0
IndexYear = Annotated[int, Field(ge=2000, le=2100)]


def _norwegian_number(value: Any) -> Any:
    """The rate as the source prints it: ``4,121``."""
    if isinstance(value, bool) or value is None:
        raise ValueError("satsen må være et tall (skriv den som 4,121)")
    if not isinstance(value, str):
        return value
    try:
        parsed = parse_number(value)
    except InputError:
        raise ValueError("kan ikke lese satsen (skriv den som 4,121)") from None
    if parsed.value is None:
        raise ValueError("mangler sats")
    return float(parsed.value)


#: A yearly index or deflator rate in percent, read and bounded the same way wherever it comes
#: from (``index.csv``, ``--index ÅR=SATS``, a scenario file's rates): a fall of more than half
#: or a doubling is a typo.
IndexRate = Annotated[float, BeforeValidator(_norwegian_number),
                      Field(gt=MIN_RATE_PCT, lt=MAX_RATE_PCT, allow_inf_nan=False)]
_INDEX_RATE = TypeAdapter(IndexRate)
_INDEX_YEAR = TypeAdapter(IndexYear)


def parse_rates(values: Iterable[str] | None) -> dict[int, float]:
    """The command line's ``--index ÅR=SATS`` overrides (``2023=4,121``), each checked as
    ``index.csv``'s rates are; the one place they are parsed."""
    rates: dict[int, float] = {}
    for value in values or []:
        year, sign, rate = value.partition("=")
        if not sign or not year.isascii() or not year.isdigit():
            raise InputError("--index må skrives ÅR=SATS, f.eks. 2023=4,121", text=value)
        try:
            _INDEX_YEAR.validate_python(int(year))
        except ValidationError:
            raise InputError("året må ligge mellom 2000 og 2100", key="--index",
                             text=value) from None
        if int(year) in rates:  # not silently the last
            raise InputError(f"året {int(year)} er gitt to ganger", key="--index", text=value)
        try:
            rates[int(year)] = _INDEX_RATE.validate_python(rate)
        except ValidationError as exc:
            error = exc.errors()[0]
            message = (f"indekssatsen må ligge mellom {MIN_RATE_PCT:g} og {MAX_RATE_PCT:g} "
                       "prosent" if error["type"] in ("greater_than", "less_than")
                       else str(error.get("ctx", {}).get("error", error["msg"])))
            raise InputError(message, key="--index", text=value) from None
    return rates


class IndexRow(InputModel):
    """A row of ``index.csv``: the rate that raises ``from_year`` kroner to the next year's."""

    from_year: IndexYear
    to_year: IndexYear
    rate_pct: IndexRate
    source: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _one_year_to_the_next(self) -> IndexRow:
        if self.to_year != self.from_year + 1:
            raise ValueError("en rad gjelder ett år til det neste (to_year = from_year + 1)")
        return self


@dataclass(frozen=True)
class PriceIndex:
    """Yearly index rates in percent; ``rates[y]`` raises year ``y`` kroner to ``y + 1`` kroner."""

    rates: Mapping[int, float]
    sources: Mapping[int, str] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def from_csv(cls, path: str | Path) -> PriceIndex:
        path = Path(path)
        rates: dict[int, float] = {}
        sources: dict[int, str] = {}
        for line, row in load_csv_models(path, IndexRow, what="indeksfilen"):
            if row.from_year in rates:
                raise InputError("året står to ganger", path=path, line=line,
                                 column="from_year", text=str(row.from_year))
            rates[row.from_year] = row.rate_pct
            sources[row.from_year] = row.source
        return cls(rates=rates, sources=sources, path=path)

    def with_rates(self, overrides: Mapping[int, float]) -> PriceIndex:
        """A scenario: the same index with some years' rates replaced or added (rates already
        read and checked: ``parse_rates``, or a scenario file's ``index.rates``)."""
        rates = {**self.rates, **{int(year): float(rate) for year, rate in overrides.items()}}
        return PriceIndex(rates=rates, sources=self.sources, path=self.path)

    def rate(self, from_year: int) -> float:
        if from_year not in self.rates:
            years = ", ".join(str(y) for y in sorted(self.rates)) or "ingen"
            raise InputError(
                f"indeksen mangler satsen for {from_year}→{from_year + 1} (har: {years})",
                path=self.path,
            )
        return self.rates[from_year]

    def covers(self, from_year: int, to_year: int) -> bool:
        """Whether every yearly rate between the two years is known."""
        low, high = sorted((from_year, to_year))
        return all(year in self.rates for year in range(low, high))

    def factor(self, from_year: int, to_year: int) -> float:
        """Multiply ``from_year`` kroner by this to get ``to_year`` kroner."""
        result = 1.0
        if to_year >= from_year:
            for year in range(from_year, to_year):
                result *= 1 + self.rate(year) / 100
        else:
            for year in range(to_year, from_year):
                result /= 1 + self.rate(year) / 100
        return result

    def convert(self, value: float, from_year: int, to_year: int) -> float:
        return value * self.factor(from_year, to_year)


_PRINTED_RATE = re.compile(r"(\d+(?:,\d+)?)\s*%")


def check_price_bases(manifest, index: PriceIndex) -> list[InputError]:
    """Each price basis that prints the rate it raised a year by («2023-tallene er justert
    med 4,121 %») against the round's own rates: the same within its printed digits."""
    problems: list[InputError] = []
    seen: set[tuple[str, int, int]] = set()
    for table in manifest.tables:
        for column in table.columns.values():
            basis = column.price_basis
            key = (basis.label, basis.nominal_year, basis.price_year)
            if key in seen or basis.nominal_year >= basis.price_year:
                continue
            seen.add(key)
            printed = _PRINTED_RATE.findall(basis.label)
            if not printed:
                continue
            if not index.covers(basis.nominal_year, basis.price_year):
                problems.append(InputError(
                    f"prisgrunnlaget regner {basis.nominal_year}-kroner om til "
                    f"{basis.price_year}-kroner, men index.csv har ikke satsen",
                    path=index.path, text=basis.label))
                continue
            rate = (index.factor(basis.nominal_year, basis.price_year) - 1) * 100
            for text in printed:
                number = parse_number(text)
                half = 0.5 * 10 ** -number.decimals
                if abs(float(number.value) - rate) > half + 1e-9:
                    shown = f"{rate:.{max(number.decimals, 1)}f}".rstrip("0").rstrip(",.")
                    shown = shown.replace(".", ",")
                    problems.append(InputError(
                        f"prisgrunnlaget sier {text} %, men rundens index.csv gir {shown} % "
                        f"for {basis.nominal_year}→{basis.price_year}",
                        path=manifest.path, line=column.line, key="price_basis.label",
                        text=basis.label))
    return problems
