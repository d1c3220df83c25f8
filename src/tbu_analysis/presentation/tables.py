"""Tables for readers, shared by the reports and the scenarios: a frame as the strings a reader
sees (``format_frame``) and a pandas Styler for notebooks and PDFs (``format_table``). Numbers
are formatted by :mod:`tbu_analysis.common.formatting`, the one place that decides how a
figure looks."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from pandas.io.formats.style import Styler

from tbu_analysis.common.formatting import (
    MISSING,
    NUMERIC_TEXT,
    collapse,
    format_change,
    format_change_percent,
    format_number,
    format_percent,
    is_missing,
)

#: Column names shown as text even when numeric: years must not get a thousands separator.
TEXT_COLUMN_NAMES = frozenset({"år", "aar", "year", "runde", "round"})
#: A first cell that makes a row a total or a subtotal (set off in bold with a rule):
#: "Sum", "Sum endring", "I alt", "Delsum …", but not "Summer og delsummer".
_TOTAL_LABEL = re.compile(r"^(?:sum|totalt?|i alt)\b", re.IGNORECASE)
_SUBTOTAL_LABEL = re.compile(r"^delsum\b", re.IGNORECASE)
#: A git commit or a SHA-256 checksum: set whole, small and on one line.
_CHECKSUM = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
#: A file or folder path ("tables/tallgrunnlag-tabell-01.tsv"): never broken inside.
_FILE_PATH = re.compile(r"^(?:[\w.\-]+(?:/[\w.\-]+)*/|[\w.\-]+(?:/[\w.\-]+)*\.[a-z]{2,4})$")
#: A span of years ("2023–2024"): one unit, never broken at its dash.
_YEAR_SPAN = re.compile(r"^\d{4}\s*[\u2013-]\s*\d{4}$")
#: A short name joined by a hyphen («E-resept»): one word, never broken after its hyphen.
_HYPHENATED_NAME = re.compile(r"^\w+-\w+$")
#: More columns than this: a smaller type (``tbu-wide``, ``tbu-xwide``) so the table fits A4
#: with its header words whole (a solution's detail table has 10 or 11).
WIDE_COLUMNS, XWIDE_COLUMNS = 8, 9
TEMPLATES = Path(__file__).parent / "templates"
SOFT_HYPHEN = "\u00ad"
#: A row label this short is kept on one line («Grunndata og HelseID»): a long item name may
#: wrap, a name of a few words does not.
SHORT_LABEL = 24
#: A table with no more body rows than this is kept on one page (``tbu-short``): a break
#: would leave three rows on one page and two on the next.
SHORT_TABLE_ROWS = 14


def _row_class(row: list[Mapping[str, Any]], last: bool) -> str:
    """A body row's classes for the print CSS, from its label (the first cell shown)."""
    shown = [cell for cell in row if cell.get("is_visible", True) is not False]
    label = collapse(shown[0].get("display_value", "")) if shown else ""
    kind = ("tbu-subtotal" if _SUBTOTAL_LABEL.match(label)
            else "tbu-sum" if _TOTAL_LABEL.match(label) else "")
    return " ".join(filter(None, [kind, "tbu-last" if last else ""]))


def _cell_class(cell: Mapping[str, Any]) -> str:
    """An extra class for a cell set whole on one line: a checksum, a file path, a span of
    years, a short hyphenated name («E-resept», in any column) or a short row label (the
    first column)."""
    text = str(cell.get("display_value", "")).strip()
    if _CHECKSUM.match(text):
        return " tbu-hash"
    if _FILE_PATH.match(text):
        return " tbu-path"
    first = "col0" in str(cell.get("class", "")).split()
    if _YEAR_SPAN.match(text) or (first and 0 < len(text) <= SHORT_LABEL) \
            or (len(text) <= SHORT_LABEL and _HYPHENATED_NAME.match(text)):
        return " tbu-nowrap"
    return ""


@functools.cache
def _header_joints() -> tuple[tuple[str, str], ...]:
    """(compound, compound with a soft hyphen at its joint), from ``header_breaks.json``."""
    data = json.loads((TEMPLATES / "header_breaks.json").read_text(encoding="utf-8"))
    return tuple((word.replace("|", ""), word.replace("|", SOFT_HYPHEN))
                 for word in data["joints"])


def header_text(label: Any) -> str:
    """A column header as printed: a long compound may break at its joint only
    («Finansierings-/behov»), never inside a syllable («investe-ringer»)."""
    text = str(label)
    for word, broken in _header_joints():
        text = re.sub(re.escape(word), lambda m, b=broken: m.group(0)[:b.index(SOFT_HYPHEN)]
                      + SOFT_HYPHEN + m.group(0)[b.index(SOFT_HYPHEN):], text,
                      flags=re.IGNORECASE)
    return text


class TableStyler(Styler):
    """A Styler whose HTML is what the PDF and the HTML edition need as it comes (template
    ``templates/table.html.j2``): header scopes, row and cell classes; nothing is repaired
    after the notebook has run."""

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), Styler.loader]),
        trim_blocks=True,
    )
    env.filters["tbu_row_class"] = _row_class
    env.filters["tbu_cell_class"] = _cell_class
    template_html_table = env.get_template("table.html.j2")


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
    styler = TableStyler(df).set_uuid(f"tbu{digest}").hide(axis="index")
    styler = styler.format(
        {column: func or _as_text for column, func in formatters.items()}, na_rep=MISSING
    ).format_index(header_text, axis="columns")
    width = len(df.columns)
    classes = ["tbu-table", *(["tbu-printed"] if as_printed else []),
               *(["tbu-xwide"] if width > XWIDE_COLUMNS else ["tbu-wide"]
                 if width > WIDE_COLUMNS else []),
               *(["tbu-short"] if len(df) <= SHORT_TABLE_ROWS else [])]
    styler = styler.set_table_attributes(f'class="{" ".join(classes)}"')
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
