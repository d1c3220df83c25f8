"""Tables for readers, shared by the reports and the scenarios: a frame as the strings a reader
sees (``format_frame``) and a pandas Styler for notebooks and PDFs (``format_table``). Numbers
are formatted by :mod:`tbu_analysis.common.formatting`, the one place that decides how a
figure looks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from tbu_analysis.common.formatting import (
    MISSING,
    NUMERIC_TEXT,
    format_change,
    format_change_percent,
    format_number,
    format_percent,
    is_missing,
)

#: Column names shown as text even when numeric: years must not get a thousands separator.
TEXT_COLUMN_NAMES = frozenset({"år", "aar", "year", "runde", "round"})


def _column_formatters(
    df: pd.DataFrame,
    decimals: int | Mapping[Any, int],
    percent_columns: Iterable[Any],
    change_columns: Iterable[Any],
    text_columns: Iterable[Any],
) -> dict[Any, Any]:
    percent, change, text = set(percent_columns), set(change_columns), set(text_columns)
    unknown = (percent | change | text) - set(df.columns)
    if unknown:
        raise KeyError(f"unknown column(s): {sorted(map(str, unknown))}")
    default = decimals if isinstance(decimals, int) else 1
    per_column = decimals if isinstance(decimals, Mapping) else {}
    formatters: dict[Any, Any] = {}
    for column in df.columns:
        series = df[column]
        is_number = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(
            series
        )
        if column in text or str(column).strip().lower() in TEXT_COLUMN_NAMES:
            is_number = False
        if not is_number and column not in percent | change:
            formatters[column] = None
            continue
        places = per_column.get(column, default)
        if column in percent and column in change:
            func = format_change_percent
        elif column in percent:
            func = format_percent
        elif column in change:
            func = format_change
        else:
            func = format_number
        formatters[column] = (lambda f, d: lambda v: f(v, d))(func, places)
    return formatters


def _as_text(value: Any) -> str:
    return MISSING if is_missing(value) else str(value)


def format_frame(
    df: pd.DataFrame,
    *,
    decimals: int | Mapping[Any, int] = 1,
    percent_columns: Iterable[Any] = (),
    change_columns: Iterable[Any] = (),
    text_columns: Iterable[Any] = (),
) -> pd.DataFrame:
    """A copy of ``df`` with every cell as the string a reader sees.

    Numeric columns are formatted with :func:`format_number` (``decimals`` is one number or a
    mapping per column); ``percent_columns`` get ``%``; ``change_columns`` get an explicit
    sign; ``text_columns`` and columns named år/year/runde are shown as they are.
    """
    formatters = _column_formatters(df, decimals, percent_columns, change_columns, text_columns)
    out = df.copy()
    for column, func in formatters.items():
        out[column] = [(func or _as_text)(value) for value in df[column]]
    return out


def format_table(
    df: pd.DataFrame,
    *,
    decimals: int | Mapping[Any, int] = 1,
    percent_columns: Iterable[Any] = (),
    change_columns: Iterable[Any] = (),
    text_columns: Iterable[Any] = (),
    caption: str | None = None,
    as_printed: bool = False,
) -> Styler:
    """A pandas Styler for notebook display: Norwegian numbers, right-aligned, no index.

    Its HTML ids come from a hash of the table, not a random uuid, so an executed notebook
    (and the PDF made from it) is the same byte for byte on every run. ``as_printed`` marks a
    table whose numbers each keep their own precision (class ``tbu-printed``): a source table
    with the decimals the source printed, or a list of checks, one figure per row.
    """
    percent_columns, change_columns = list(percent_columns), list(change_columns)
    formatters = _column_formatters(df, decimals, percent_columns, change_columns, text_columns)
    digest = hashlib.sha256(
        (df.to_csv() + repr((decimals, percent_columns, change_columns, caption))).encode()
    ).hexdigest()[:10]
    numeric = [column for column, func in formatters.items() if func is not None]
    # Columns already written as Norwegian numbers (a source table "as printed") align as
    # numbers too.
    numeric += [column for column in df.columns if column not in numeric
                and df[column].map(lambda v: isinstance(v, str)).all()
                and df[column].map(lambda v: bool(NUMERIC_TEXT.match(v))).all()
                and column not in set(text_columns)]
    styler = df.style.set_uuid(f"tbu{digest}").hide(axis="index")
    styler = styler.format(
        {column: func or _as_text for column, func in formatters.items()}, na_rep=MISSING
    )
    styler = styler.set_table_attributes(
        'class="tbu-table tbu-printed"' if as_printed else 'class="tbu-table"')
    styles: dict[Any, list[dict[str, str]]] = {}
    for column in df.columns:
        align = "right" if column in numeric else "left"
        # Numbers never break; headings may wrap so that wide tables still fit the page.
        nowrap = " white-space: nowrap;" if align == "right" else ""
        styles[column] = [
            {"selector": "td", "props": f"text-align: {align};{nowrap}"},
            {"selector": "th", "props": f"text-align: {align};"},
        ]
    styler = styler.set_table_styles(styles, overwrite=False)
    if numeric:
        classes = df.copy().astype(object)
        for column in df.columns:
            classes[column] = "num" if column in numeric else "text"
        styler = styler.set_td_classes(classes)
    if caption:
        styler = styler.set_caption(caption)
    return styler
