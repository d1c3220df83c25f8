"""The tidy figures table: its columns, their types, and a schema check (pandera).

Every output file of the project is declared the same way, with :func:`column`: a type,
checks, whether it may be empty, the codes it allows (from :mod:`tbu_analysis.vocab`) and a
description, so one declaration both checks a frame and documents it in the README.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from tbu_analysis.common.errors import InputError
from tbu_analysis.config import OutputName
from tbu_analysis.vocab import (
    FIELDS,
    Coded,
    ColumnRole,
    DriverCategory,
    Measure,
    RowKind,
    TableRole,
    codes,
)


def column(name: str, dtype: object, *checks: pa.Check, nullable: bool = False,
           allowed: tuple[type[Coded], ...] = (), blank: bool = False,
           description: str | None = None) -> pa.Column:
    """A column of an output file: its type and checks, the vocabularies its codes come from
    (``blank``: or empty) and its description (default: the vocabulary's ``FIELDS``)."""
    checks_ = list(checks)
    if allowed:
        values = [code for kind in allowed for code in codes(kind)] + ([""] if blank else [])
        kinds = " / ".join(kind.__name__ for kind in allowed)
        checks_.append(pa.Check.isin(values, error=f"ukjent kode; {kinds} har "
                                                   f"{', '.join(v or '(tom)' for v in values)}"))
    return pa.Column(dtype, checks_, nullable=nullable, name=name,
                     description=description or FIELDS[name],
                     metadata={"codes": allowed, "blank": blank})


_REASONS = {
    pa.errors.SchemaErrorReason.COLUMN_NOT_IN_DATAFRAME: "mangler kolonnen",
    pa.errors.SchemaErrorReason.COLUMN_NOT_IN_SCHEMA: "kolonnen hører ikke til fila",
    pa.errors.SchemaErrorReason.COLUMN_NOT_ORDERED: "kolonnene står i feil rekkefølge",
    pa.errors.SchemaErrorReason.SERIES_CONTAINS_NULLS: "tom verdi der en verdi kreves",
}


def check_frame(schema: pa.DataFrameSchema, frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """``frame`` checked against ``schema``; a violation names the file, the line it would
    have in the CSV, the column and the offending value."""
    try:
        return schema.validate(frame)
    except pa.errors.SchemaErrors as errors:
        error = errors.schema_errors[0]
    except pa.errors.SchemaError as one:
        error = one
    raise _schema_message(error, file) from None


def _schema_message(exc: pa.errors.SchemaError, file: str) -> InputError:
    cases = exc.failure_cases
    column_name = exc.schema.name if isinstance(exc.schema, pa.Column) else None
    line = text = None
    if isinstance(cases, pd.DataFrame):
        first = cases.astype(object).iloc[0] if len(cases) else pd.Series(dtype=object)
        index = first.get("index")
        line = int(index) + 2 if pd.api.types.is_integer(index) else None
        value = first.get("failure_case")
        if column_name is not None and value is not None and not pd.isna(value):
            text = str(value)  # one column's value; a check across columns has none
    elif cases is not None:
        column_name = column_name or str(cases)
    reason = exc.reason_code
    if reason == pa.errors.SchemaErrorReason.WRONG_DATATYPE:
        what, text = f"feil type, skal være {exc.schema.dtype}", str(cases)
    elif reason in _REASONS:
        what = _REASONS[reason]
    else:
        what = getattr(exc.check, "error", None) or str(exc.check)
    return InputError(f"bryter skjemaet: {what}", path=file, line=line, column=column_name,
                      text=text)


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
    **{name: column(name, str) for name in TEXT_COLUMNS},
    "table_role": column("table_role", str, allowed=(TableRole,)),
    "measure": column("measure", str, allowed=(Measure,)),
    "category": column("category", str, allowed=(DriverCategory, Measure), blank=True),
    "column_role": column("column_role", str, allowed=(ColumnRole,)),
    "row_kind": column("row_kind", str, allowed=(RowKind,)),
    "year": column("year", int, pa.Check.in_range(1990, 2100)),
    "base_year": column("base_year", "Int64", nullable=True),
    "value_mnok": column("value_mnok", float, nullable=True),
    "value_pct": column("value_pct", float, nullable=True),
    "decimals": column("decimals", int, pa.Check.in_range(0, 6)),
    "is_total": column("is_total", bool),
    "table_primary": column("table_primary", bool),
    "price_year": column("price_year", int),
    "nominal_year": column("nominal_year", int),
    "source_row": column("source_row", int, pa.Check.ge(1)),
    "source_col": column("source_col", int, pa.Check.ge(1)),
    "corrected": column("corrected", bool),
}

FIGURES_SCHEMA = pa.DataFrameSchema(
    {name: _COLUMN_TYPES[name] for name in FIGURE_COLUMNS},
    checks=[
        pa.Check(lambda df: df["value_mnok"].notna() ^ df["value_pct"].notna(),
                 error="hvert tall er enten et beløp eller en prosent"),
    ],
    strict=True,
    ordered=True,
    coerce=True,
    name=OutputName.FIGURES.value,
    description="one row per number printed in the source",
)

#: corrections_applied.csv, written by the cleaner: one row per corrected cell.
CORRECTIONS_APPLIED_SCHEMA = pa.DataFrameSchema(
    {
        "id": column("id", str),
        "table": column("table", str),
        "table_number": column("table_number", str),
        "file": column("file", str),
        "line": column("line", int, pa.Check.ge(1)),
        "column": column("column", int, pa.Check.ge(0)),
        "as_printed": column("as_printed", str, nullable=True),
        "corrected": column("corrected", str, nullable=True,
                            description="the cell as corrected"),
        "reason": column("reason", str),
        "evidence": column("evidence", str),
    },
    strict=True, ordered=True, name=OutputName.CORRECTIONS_APPLIED.value,
    description="one row per corrected cell",
)

#: clean_log.csv, written by the cleaner: one row per table read.
CLEAN_LOG_SCHEMA = pa.DataFrameSchema(
    {
        "table": column("table", str),
        "number": column("number", str),
        "document": column("document", str),
        "title": column("title", str),
        "file": column("file", str),
        "rows": column("rows", int, pa.Check.ge(0)),
        "figures": column("figures", int, pa.Check.ge(0)),
        "corrected_figures": column("corrected_figures", int, pa.Check.ge(0)),
    },
    strict=True, ordered=True, name=OutputName.CLEAN_LOG.value,
    description="one row per table read",
)


def validate_figures(figures: pd.DataFrame) -> pd.DataFrame:
    for name in TEXT_COLUMNS:
        figures[name] = figures[name].fillna("").astype(str)
    return check_frame(FIGURES_SCHEMA, figures, OutputName.FIGURES)


def read_figures(path: str | Path) -> pd.DataFrame:
    """Read a figures.csv written by the cleaner, with its types restored."""
    path = Path(path)
    if not path.is_file():
        raise InputError("finner ikke tallene; kjør `make data` først", path=path)
    frame = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False,
                        na_values={"value_mnok": [""], "value_pct": [""], "base_year": [""]})
    return validate_figures(frame)
