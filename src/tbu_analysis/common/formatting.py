"""Format numbers for readers: the one place that decides how a published figure looks.

Norwegian conventions (nb_NO via Babel): decimal comma, no-break space (U+00A0) between
thousands, typographic minus (U+2212), ``%`` after a no-break space. Figures round half up,
as published tables do; Babel alone would round half to even (2,25 → 2,2).
A missing value (``None``, NaN, ``pd.NA``) prints as an en dash.
"""

from __future__ import annotations

import hashlib
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal, get_group_symbol

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

LOCALE = "nb_NO"
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "\u2013"
# A cell that reads as a number: "1 038,5", "−4,9 %", "54*", or "–" for none.
NUMERIC_TEXT = re.compile(
    r"^[\s\u00a0]*(?:[-+\u2212\u2013]?[\s\u00a0]*\d[\d\s\u00a0\u202f.,]*(?:[\s\u00a0]*%)?\**"
    r"|[-\u2013\u2014\u2212]?)[\s\u00a0]*$"
)
#: Column names shown as text even when numeric: years must not get a thousands separator.
TEXT_COLUMN_NAMES = frozenset({"år", "aar", "year", "runde", "round"})

_GROUP = get_group_symbol(LOCALE)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(value)
    import pandas as pd

    return value is pd.NA or value is pd.NaT


def _to_decimal(value: Any) -> Decimal:
    """Exact decimal for ``value``; floats go through ``repr`` so 1.005 stays 1.005."""
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got a bool: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        return Decimal(repr(float(value)))
    raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")


def _digits(value: Any, decimals: int, sign: str) -> str:
    """Shared core: round half up, format the magnitude with Babel, then add the sign.

    ``sign`` is ``"minus"`` (only negatives carry a sign) or ``"always"`` (+/−, none for 0).
    """
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    if _is_missing(value):
        return MISSING
    number = _to_decimal(value)
    if number.is_nan():
        return MISSING
    if number.is_infinite():
        magnitude = "∞"
        rounded = number
    else:
        try:
            rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        except InvalidOperation as error:  # more digits than the context allows
            raise ValueError(f"cannot round {value!r} to {decimals} decimals") from error
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        magnitude = format_decimal(abs(rounded), format=pattern, locale=LOCALE)
        magnitude = magnitude.replace(_GROUP, NBSP)
    if rounded < 0:
        return MINUS + magnitude
    if sign == "always" and rounded > 0:
        return "+" + magnitude
    return magnitude


def format_number(value: Any, decimals: int = 1) -> str:
    """``-1038.5`` → ``"−1 038,5"`` (NBSP as group separator), half up."""
    return _digits(value, decimals, "minus")


def format_percent(value: Any, decimals: int = 1) -> str:
    """``4.9`` (already percent) → ``"4,9 %"`` with a no-break space before ``%``."""
    text = _digits(value, decimals, "minus")
    return text if text == MISSING else f"{text}{NBSP}%"


def format_change(value: Any, decimals: int = 1) -> str:
    """A change with explicit sign: ``"+16,0"``, ``"−11,5"``, ``"0,0"``."""
    return _digits(value, decimals, "always")


def format_change_percent(value: Any, decimals: int = 1) -> str:
    """A change in percent with explicit sign: ``"+4,9 %"``."""
    text = _digits(value, decimals, "always")
    return text if text == MISSING else f"{text}{NBSP}%"


def _column_formatters(
    df: pd.DataFrame,
    decimals: int | Mapping[Any, int],
    percent_columns: Iterable[Any],
    change_columns: Iterable[Any],
    text_columns: Iterable[Any],
) -> dict[Any, Any]:
    import pandas as pd

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
    return MISSING if _is_missing(value) else str(value)


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


def places_needed(value: Any, least: int = 0, most: int = 2) -> int:
    """The fewest decimals (between ``least`` and ``most``) that show ``value`` exactly:
    whole millions as the source prints them (1 054), else 359,6 or 1,25."""
    if _is_missing(value):
        return least
    places = least
    while places < most and abs(round(float(value), places) - float(value)) > 1e-9:
        places += 1
    return places


def column_places(values: Iterable[Any], least: int = 0, most: int = 2) -> int:
    """One precision for a column: the fewest decimals (between ``least`` and ``most``) that
    show every value of it exactly, so 40 and 38,1 print as 40,0 and 38,1, never 40 beside
    38,1 or 40,00 beside 38,1. Missing values do not count."""
    return max([least, *(places_needed(v, least, most) for v in values if not _is_missing(v))])


#: A number whose thousands are grouped with an ordinary or a thin space ("1 038", "1 088,2"),
#: not a year beside a number ("2023 325,0": a group has at most three digits before it).
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u202f]\d{3})+)(?![\d])")


def group_thousands(text: str) -> str:
    """Prose as tables print numbers: a no-break space (U+00A0) between the thousands of a
    number written with an ordinary space ("fra 1 038 til 1 089"), so it never breaks."""
    return _SPACED_THOUSANDS.sub(
        lambda m: m.group(1) + re.sub(r"[ \u202f]", NBSP, m.group(2)), text)


_DASH_BETWEEN_WORDS = re.compile(r"(?<=\w)(?:-[ \u00a0]+| [-\u2013] )(?=\w)")
_YEAR_RANGE = re.compile(r"\b(\d{4})[ \u00a0]*[-\u2013][ \u00a0]*(\d{4})\b")


def title_text(text: str) -> str:
    """A title as a reader should see it: a hyphen that separates two parts ("Helsenorge-
    Vekst", "E-resept - Vekst") becomes an en dash with spaces ("Helsenorge – Vekst"), and a
    range of years takes an unspaced en dash ("2024–2025"). A hyphen inside a word
    ("E-resept") and a hyphen before "og" ("drifts- og forvaltningskostnader") stay."""
    def dash(match: re.Match) -> str:
        if match.group(0).startswith("-"):
            after = text[match.end():match.end() + 3]
            if not after[:1].isupper():  # "drifts- og": a shared word ending, not a dash
                return match.group(0)
        return " \u2013 "

    text = _DASH_BETWEEN_WORDS.sub(dash, text)
    return _YEAR_RANGE.sub("\\1\u2013\\2", text)
