"""Price indices: chain yearly rates to move amounts between price levels."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.rounds.numbers import parse_number


@dataclass(frozen=True)
class PriceIndex:
    """Yearly index rates in percent; ``rates[y]`` raises year ``y`` kroner to ``y + 1`` kroner."""

    rates: Mapping[int, float]
    sources: Mapping[int, str] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def from_csv(cls, path: str | Path) -> PriceIndex:
        path = Path(path)
        if not path.is_file():
            raise InputError("indeksfilen finnes ikke", path=path)
        rates: dict[int, float] = {}
        sources: dict[int, str] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            expected = {"from_year", "to_year", "rate_pct", "source"}
            missing = expected - set(reader.fieldnames or [])
            if missing:
                raise InputError(
                    f"mangler kolonne(r) {', '.join(sorted(missing))}", path=path, line=1
                )
            for line, row in enumerate(reader, start=2):
                try:
                    from_year, to_year = int(row["from_year"]), int(row["to_year"])
                except ValueError:
                    raise InputError(
                        "år må være heltall", path=path, line=line,
                        text=f"{row['from_year']},{row['to_year']}",
                    ) from None
                if to_year != from_year + 1:
                    raise InputError(
                        "en rad gjelder ett år til det neste", path=path, line=line,
                        column="to_year", text=row["to_year"],
                    )
                if from_year in rates:
                    raise InputError(
                        "året står to ganger", path=path, line=line, column="from_year",
                        text=row["from_year"],
                    )
                parsed = parse_number(row["rate_pct"], path=path, line=line, column="rate_pct")
                if parsed.value is None:
                    raise InputError(
                        "mangler sats", path=path, line=line, column="rate_pct",
                        text=row["rate_pct"],
                    )
                rates[from_year] = float(parsed.value)
                sources[from_year] = row["source"]
        return cls(rates=rates, sources=sources, path=path)

    def with_rates(self, overrides: Mapping[int, float]) -> PriceIndex:
        """A scenario: the same index with some years' rates replaced or added."""
        rates = dict(self.rates)
        rates.update({int(year): float(rate) for year, rate in overrides.items()})
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
