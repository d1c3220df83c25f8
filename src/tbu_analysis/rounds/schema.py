"""The tidy figures table: its columns, their types, and a schema check (pandera)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from tbu_analysis.common.errors import InputError

FIGURE_COLUMNS = [
    "round", "table", "table_number", "table_role", "table_primary", "solution", "item",
    "parent", "measure", "category", "year", "base_year", "value_mnok", "value_pct",
    "decimals", "is_total",
    "row_kind", "column_role", "price_basis", "price_year", "nominal_year", "row_label",
    "label_as_printed", "text_as_printed", "footnote", "note", "source_file", "source_row",
    "source_col", "corrected", "correction_ids",
]
TEXT_COLUMNS = [
    "round", "table", "table_number", "table_role", "solution", "item", "parent", "measure",
    "category", "row_kind", "column_role", "price_basis", "row_label", "label_as_printed",
    "text_as_printed",
    "footnote", "note", "source_file", "correction_ids",
]

_COLUMN_TYPES = {
    **{name: pa.Column(str) for name in TEXT_COLUMNS},
    "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
    "base_year": pa.Column("Int64", nullable=True),
    "value_mnok": pa.Column(float, nullable=True),
    "value_pct": pa.Column(float, nullable=True),
    "decimals": pa.Column(int, pa.Check.in_range(0, 6)),
    "is_total": pa.Column(bool),
    "table_primary": pa.Column(bool),
    "price_year": pa.Column(int),
    "nominal_year": pa.Column(int),
    "source_row": pa.Column(int, pa.Check.ge(1)),
    "source_col": pa.Column(int, pa.Check.ge(1)),
    "corrected": pa.Column(bool),
    "row_kind": pa.Column(str, pa.Check.isin(["item", "subtotal", "total", "percent"])),
}

FIGURES_SCHEMA = pa.DataFrameSchema(
    {name: _COLUMN_TYPES[name] for name in FIGURE_COLUMNS},
    checks=[
        pa.Check(lambda df: df["value_mnok"].notna() ^ df["value_pct"].notna(),
                 error="each figure is either an amount or a percentage"),
    ],
    strict=True,
    ordered=True,
    coerce=True,
)


def validate_figures(figures: pd.DataFrame) -> pd.DataFrame:
    for name in TEXT_COLUMNS:
        figures[name] = figures[name].fillna("").astype(str)
    try:
        return FIGURES_SCHEMA.validate(figures)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        raise InputError(f"tallene bryter skjemaet: {exc}") from None


def read_figures(path: str | Path) -> pd.DataFrame:
    """Read a figures.csv written by the cleaner, with its types restored."""
    path = Path(path)
    if not path.is_file():
        raise InputError("finner ikke tallene; kjør `make data` først", path=path)
    frame = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False,
                        na_values={"value_mnok": [""], "value_pct": [""], "base_year": [""]})
    return validate_figures(frame)
