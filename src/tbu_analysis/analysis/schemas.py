"""The analysis outputs' schemas (pandera), checked before they are written, and the README's
data dictionary rendered from them and the vocabulary.

``levels.csv``, ``growth.csv``, ``drivers.csv`` and ``reconciliation.csv`` are declared like
``figures.csv`` (:mod:`tbu_analysis.rounds.schema`): columns in order, types, which may be
empty, the codes each coded column allows. Types are checked, never coerced, so a frame that
passes is written exactly as it was computed. ``python -m tbu_analysis.analysis.schemas``
prints the data dictionary; ``--write README.md`` replaces the README's section with it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from tbu_analysis.config import OutputName
from tbu_analysis.rounds.schema import (
    CLEAN_LOG_SCHEMA,
    CORRECTIONS_APPLIED_SCHEMA,
    FIGURES_SCHEMA,
    check_frame,
    column,
)
from tbu_analysis.vocab import (
    DRIVER_LABELS,
    FIGURE_DETAIL_SHEETS,
    PRICE_BASIS_PATTERN,
    SERIES_LABELS,
    VOCABULARIES,
    CheckType,
    Coded,
    DriverCategory,
    Measure,
    OutputTable,
    PriceBasis,
    RowKind,
    Series,
    Status,
    codes,
)

_YEAR = pa.Check.in_range(1990, 2100)
_DECIMALS = pa.Check.in_range(0, 6)


def _text(*names: str) -> dict[str, pa.Column]:
    return {name: column(name, str) for name in names}


LEVELS_SCHEMA = pa.DataFrameSchema(
    {
        **_text("solution", "item", "parent"),
        "year": column("year", int, _YEAR),
        "measure": column("measure", str, allowed=(Measure,),
                          description="which printed measure was used"),
        "value_mnok": column("value_mnok", float, description="the level as printed"),
        "decimals": column("decimals", int, _DECIMALS),
        **_text("table", "table_number"),
        "price_year": column("price_year", int, _YEAR),
        "nominal_year": column("nominal_year", int, _YEAR),
        "price_basis": column("price_basis", str),
        "series": column("series", str, allowed=(Series,)),
        "nominal": column("nominal", float),
        "fixed": column("fixed", float),
        "projected": column("projected", bool),
        "fixed_price_year": column("fixed_price_year", int, _YEAR),
    },
    strict=True, ordered=True, name=OutputName.LEVELS.value,
    description="each solution's and item's level per year and series; where a quantity is "
                "printed more than once, the printing with most decimals is used",
)

GROWTH_SCHEMA = pa.DataFrameSchema(
    {
        "series": column("series", str, allowed=(Series,)),
        "series_label": column("series_label", str, pa.Check.isin(list(SERIES_LABELS.values()))),
        **_text("solution", "item"),
        "from_year": column("from_year", int, _YEAR),
        "to_year": column("to_year", int, _YEAR),
        "price_basis": column("price_basis", str, pa.Check.str_matches(PRICE_BASIS_PATTERN),
                              description="the kroner the change is stated in"),
        "from_value": column("from_value", float),
        "to_value": column("to_value", float),
        "change_mnok": column("change_mnok", float),
        "change_pct": column("change_pct", float, nullable=True,
                             description="the change in % of `from_value` (empty when that "
                                         "is 0)"),
        "from_measure": column("from_measure", str, allowed=(Measure,)),
        "to_measure": column("to_measure", str, allowed=(Measure,)),
        **_text("from_table", "to_table"),
    },
    checks=[pa.Check(lambda df: df["from_year"] < df["to_year"],
                     error="en endring går fra et tidligere år til et senere")],
    strict=True, ordered=True, name=OutputName.GROWTH.value,
    description="change between every pair of years",
)

DRIVERS_SCHEMA = pa.DataFrameSchema(
    {
        **_text("table", "table_number", "solution", "item", "parent"),
        "row_kind": column("row_kind", str, allowed=(RowKind,)),
        "category": column("category", str, allowed=(DriverCategory,),
                           description="the driver"),
        "category_label": column("category_label", str,
                                 pa.Check.isin(list(DRIVER_LABELS.values()))),
        "from_year": column("from_year", int, _YEAR),
        "to_year": column("to_year", int, _YEAR),
        "value_mnok": column("value_mnok", float, description="the change as printed"),
        "base_mnok": column("base_mnok", float, nullable=True),
        "pct_of_own_base": column("pct_of_own_base", float, nullable=True),
        "pct_of_total_base": column("pct_of_total_base", float, nullable=True),
        "corrected": column("corrected", bool),
    },
    checks=[pa.Check(lambda df: df["from_year"] < df["to_year"],
                     error="en endring går fra et tidligere år til et senere")],
    strict=True, ordered=True, name=OutputName.DRIVERS.value,
    description="the driver decomposition",
)

RECONCILIATION_SCHEMA = pa.DataFrameSchema(
    {
        "check_id": column("check_id", str, pa.Check(lambda s: ~s.duplicated(),
                                                     error="kontroll-id-en finnes fra før")),
        "check_type": column("check_type", str, allowed=(CheckType,)),
        **_text("table", "table_number", "solution", "item", "check"),
        "computed": column("computed", float),
        "printed": column("printed", float),
        "difference": column("difference", float),
        "tolerance": column("tolerance", float, pa.Check.ge(0)),
        "status": column("status", str, allowed=(Status,)),
        "involves_correction": column("involves_correction", bool),
        **_text("message", "section", "quote"),
        "spread": column("spread", float, pa.Check.ge(0), nullable=True),
        **_text("explanation"),
    },
    checks=[pa.Check(lambda df: (df["explanation"] == "") | (df["status"] == Status.DISCREPANCY),
                     error="bare et avvik kan ha en forklaring")],
    strict=True, ordered=True, name=OutputName.RECONCILIATION.value,
    description="one row per check",
)

UNDERLYING_SCHEMA = pa.DataFrameSchema(
    {
        "series": column("series", str, allowed=(Series,)),
        "solution": column("solution", str),
        "from_year": column("from_year", int, _YEAR),
        "to_year": column("to_year", int, _YEAR),
        "from_value": column("from_value", float,
                         description="the level in `from_year` as printed, in `price_year` "
                                     "kroner (`levels.csv`)"),
        "to_value": column("to_value", float,
                       description="the level in `to_year` as printed, in `price_year` kroner"),
        "price_year": column("price_year", int, _YEAR),
        "from_nominal": column("from_nominal", float,
                           description="the level in `from_year` in its own year's kroner (a "
                                       "level the source raised by the index is taken back)"),
        "to_nominal": column("to_nominal", float,
                         description="the level in `to_year` in its own year's kroner"),
        "nominal_mnok": column("nominal_mnok", float,
                           description="nominal growth: `to_nominal − from_nominal`; = "
                                       "`index_mnok + scope_mnok + underlying_mnok`"),
        "nominal_pct": column("nominal_pct", float, nullable=True,
                          description="nominal growth in % of `from_nominal`"),
        "index_mnok": column("index_mnok", float,
                         description="prisjustering: the price rise the source's own index "
                                     "puts between the two levels (0 where the later figures "
                                     "are «ikke indeksregulert»; no rate the source does not "
                                     "state)"),
        "scope_mnok": column("scope_mnok", float,
                         description="omfangsendringer: what entered (+), left (−) or moved "
                                     "into or out of the solution that year, from "
                                     "`data/raw/<round>/scope.yaml`"),
        "underlying_mnok": column("underlying_mnok", float,
                              description="underliggende vekst: `to_value − from_value − "
                                          "scope_mnok` (volume, investments, efficiency, "
                                          "changed assumptions), in `price_year` kroner"),
        "underlying_pct": column("underlying_pct", float, nullable=True,
                             description="underlying growth in % of `from_value`"),
        "decimals": column("decimals", int, _DECIMALS,
                       description="the printed precision of the coarser of the two levels"),
        "scope_ids": column("scope_ids", str,
                        description="the scope register's entries counted, separated by "
                                    "spaces"),
        "other_ids": column("other_ids", str,
                            description="entries of that year that change nothing in the row: "
                                        "moves inside the solution, changes the figures do not "
                                        "contain (announced or unquantified) and growth of a "
                                        "service already inside; shown, not subtracted"),
    },
    checks=[pa.Check(lambda df: df["from_year"] < df["to_year"],
                     error="en endring går fra et tidligere år til et senere"),
            pa.Check(lambda df: (df["nominal_mnok"] - df["index_mnok"] - df["scope_mnok"]
                                 - df["underlying_mnok"]).abs() < 1e-6,
                     error="nominell vekst = prisjustering + omfang + underliggende vekst")],
    strict=True, ordered=True, name=OutputName.UNDERLYING.value,
    description="growth between consecutive years, per solution and in total, split into "
                "prisjustering (index), omfangsendringer (scope) and underliggende vekst",
)

#: The analysis outputs, by the name of the frame that holds each.
COMPARISON_SCHEMA = pa.DataFrameSchema(
    {
        "level": column("level", str, pa.Check.isin(["løsning", "post", "driver", "indeks"]),
                        description="what is compared: `løsning` (a solution's level), `post` "
                                    "(an item's), `driver` (a driver amount) or `indeks` (the "
                                    "year's index rate, in %)"),
        **_text("solution", "item"),
        "measure": column("measure", str, pa.Check.isin([*codes(Measure), "indeks"]),
                          description="the printed measure (`indeks` for an index rate)"),
        "category": column("category", str, allowed=(DriverCategory,), blank=True,
                           description="the driver (empty for a level)"),
        "year": column("year", int, _YEAR),
        "base_year": column("base_year", "Int64", nullable=True,
                            description="for a driver: the year it starts from; for an index "
                                        "rate: the year it raises to"),
        "unit": column("unit", str, pa.Check.isin(["MNOK", "prosent"]),
                       description="`MNOK`, or `prosent` for an index rate"),
        "previous": column("previous", float, nullable=True,
                           description="the previous round's value (empty when it has none)"),
        "current": column("current", float, nullable=True,
                          description="this round's value (empty when it has none)"),
        "change": column("change", float, nullable=True,
                         description="`current − previous` where both print the quantity"),
        "changed": column("changed", bool,
                          description="the change is beyond the two values' printed "
                                      "precision"),
        "status": column("status", str, pa.Check.isin(["begge", "ny", "fjernet"]),
                         description="`begge` (both rounds print it), `ny` (added in this "
                                     "round), `fjernet` (removed)"),
        "split_from": column("split_from", str,
                             description="for a new item: the item of the same solution that "
                                         "lost its amount that year (split out of it)"),
        "index_effect": column("index_effect", float, nullable=True,
                               description="history restated: the part of the change a new "
                                           "index rate explains (a level the source raised "
                                           "by the index, as both rounds' rates raise it)"),
        "other_change": column("other_change", float, nullable=True,
                               description="`change − index_effect`"),
        "previous_price_year": column("previous_price_year", "Int64", nullable=True,
                                      description="the kroner of the previous value"),
        "current_price_year": column("current_price_year", "Int64", nullable=True,
                                     description="the kroner of this round's value"),
        "previous_table": column("previous_table", str,
                                 description="the previous round's table printing it"),
        "current_table": column("current_table", str,
                                description="this round's table printing it"),
        "ceiling": column("ceiling", bool,
                          description="the frame has a ceiling here: the previous round is "
                                      "the spring before this autumn round, and the row is a "
                                      "solution's funding need"),
        "above_ceiling": column("above_ceiling", bool,
                                description="the funding need is above the spring ceiling "
                                            "beyond the printed precision"),
    },
    strict=True, ordered=True, name=OutputName.COMPARISON.value,
    description="since the last round, at every level: each solution, item and driver amount "
                "and each index rate of this round against the previous round named in the "
                "manifest (no rows when its tables are not in `data/raw/`)",
)

ANALYSIS_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    OutputTable.LEVELS.value: LEVELS_SCHEMA,
    OutputTable.GROWTH.value: GROWTH_SCHEMA,
    OutputTable.DRIVERS.value: DRIVERS_SCHEMA,
    OutputTable.RECONCILIATION.value: RECONCILIATION_SCHEMA,
    OutputTable.UNDERLYING.value: UNDERLYING_SCHEMA,
}

#: Every CSV a round's processing writes, in the order the data dictionary lists them.
OUTPUT_SCHEMAS: tuple[pa.DataFrameSchema, ...] = (
    FIGURES_SCHEMA, CORRECTIONS_APPLIED_SCHEMA, CLEAN_LOG_SCHEMA, *ANALYSIS_SCHEMAS.values(),
    COMPARISON_SCHEMA,
)


def check_outputs(result: Any) -> None:
    """Check every analysis output of ``result`` (levels, growth, drivers, reconciliation,
    underlying growth) against its schema; the first violation is an :class:`InputError`
    naming file, line, column and value."""
    for name, schema in ANALYSIS_SCHEMAS.items():
        check_frame(schema, getattr(result, name), schema.name)


# The data dictionary ---------------------------------------------------------------------

_BEGIN = "## Data dictionary"
_END = "## Adding a round"


def _type_name(col: pa.Column) -> str:
    dtype = str(col.dtype)
    kind = ("code" if col.metadata and col.metadata.get("codes") else
            "text" if dtype.startswith("str") else
            "true/false" if dtype == "bool" else
            "integer" if dtype.lower().startswith("int") else
            "number" if dtype.startswith("float") else dtype)
    return f"{kind}, may be empty" if col.nullable else kind


def _codes_note(col: pa.Column) -> str:
    kinds: Iterable[type[Coded]] = (col.metadata or {}).get("codes", ())
    names = " or ".join(f"*{kind.__name__}*" for kind in kinds)
    if not names:
        return ""
    return f" — a code of {names}{', or empty' if col.metadata.get('blank') else ''}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _file_section(schema: pa.DataFrameSchema) -> list[str]:
    lines = [f"### `{schema.name}` — {schema.description}", "",
             "| column | type | meaning |", "|---|---|---|"]
    for name, col in schema.columns.items():
        meaning = _cell(col.description) + _codes_note(col)
        lines.append(f"| `{name}` | {_type_name(col)} | {meaning} |")
    return [*lines, ""]


def _vocabulary_section(kind: type[Coded]) -> list[str]:
    doc = (kind.__doc__ or "").strip().splitlines()[0].replace("``", "`").rstrip(".")
    lines = [f"#### *{kind.__name__}* — {doc}", "",
             "| code | label | meaning |", "|---|---|---|"]
    lines += [f"| `{m.value}` | {_cell(m.label)} | {_cell(m.meaning)} |" for m in kind]
    return [*lines, ""]


def data_dictionary() -> str:
    """The README's "Data dictionary" section, from the output schemas and the vocabulary."""
    lines = [
        _BEGIN, "",
        "<!-- Generated from src/tbu_analysis/analysis/schemas.py and src/tbu_analysis/vocab.py"
        " by `python -m tbu_analysis.analysis.schemas --write README.md`;"
        " tests/test_schemas.py checks it. -->", "",
        "Every file `make report` writes to `data/processed/<round>/`, column by column, as the",
        "schemas that check them declare it. A *code* column holds one of the codes listed",
        "under [Codes](#codes); readers see its Norwegian label.", "",
    ]
    for schema in OUTPUT_SCHEMAS:
        lines += _file_section(schema)
    details = " and ".join(f"`{name}`" for name in FIGURE_DETAIL_SHEETS.values())
    sheets = ", ".join(f"`{t.label}` ({t.meaning if t is OutputTable.INDEX else t.value}"
                       + (f"; its other columns on {details}" if t is OutputTable.FIGURES
                          else "") + ")" for t in OutputTable)
    lines += ["### `tbu-<round>.xlsx`", "",
              f"Sheets {sheets}, and one sheet per source table as printed.", "",
              "### `run.json`", "",
              "What the outputs beside it were made with: `round`, `index_overrides` (the rates "
              "given with `--index`), `index_rates` (every rate used) and `price_year`.", "",
              "### Codes", ""]
    for kind in VOCABULARIES:
        lines += _vocabulary_section(kind)
    lines.append(f"`{PriceBasis.FIXED.value}` is written with its year, e.g. "
                 f"`faste 2024-kroner`.")
    return "\n".join(lines) + "\n\n"


def readme_section(readme: str) -> str:
    """The README's current data dictionary section."""
    start, end = readme.index(_BEGIN), readme.index(_END)
    return readme[start:end]


def write_readme(path: Path) -> bool:
    """Replace the README's data dictionary with the generated one; ``True`` if it changed."""
    text = path.read_text(encoding="utf-8")
    new = text.replace(readme_section(text), data_dictionary())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="README",
                        help="replace this file's data dictionary section")
    args = parser.parse_args(argv)
    if args.write:
        write_readme(args.write)
    else:
        sys.stdout.write(data_dictionary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
