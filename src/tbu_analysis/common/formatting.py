"""Format numbers for readers: the one place that decides how a published figure looks.

Norwegian conventions (nb_NO via Babel): decimal comma, no-break space (U+00A0) between
thousands, typographic minus (U+2212), ``%`` after a no-break space. Figures round half up,
as published tables do; Babel alone would round half to even (2,25 → 2,2).
A missing value (``None``, NaN, ``pd.NA``) prints as an en dash.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd
from babel.numbers import format_decimal, get_group_symbol

LOCALE = "nb_NO"
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "\u2013"
# A cell that reads as a number: "1 038,5", "−4,9 %", "54*", or "–" for none.
NUMERIC_TEXT = re.compile(
    r"^[\s\u00a0]*(?:[-+\u2212\u2013]?[\s\u00a0]*\d[\d\s\u00a0\u202f.,]*(?:[\s\u00a0]*%)?\**"
    r"|[-\u2013\u2014\u2212]?)[\s\u00a0]*$"
)

_GROUP = get_group_symbol(LOCALE)


def is_missing(value: Any) -> bool:
    """``None``, NaN, ``pd.NA`` or ``pd.NaT``: printed as an en dash."""
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(value)
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
    if is_missing(value):
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


def places_needed(value: Any, least: int = 0, most: int = 2) -> int:
    """The fewest decimals (between ``least`` and ``most``) that show ``value`` exactly:
    whole millions as the source prints them (1 054), else 359,6 or 1,25."""
    if is_missing(value):
        return least
    places = least
    while places < most and abs(round(float(value), places) - float(value)) > 1e-9:
        places += 1
    return places


def column_places(values: Iterable[Any], least: int = 0, most: int = 2) -> int:
    """One precision for a column: the fewest decimals (between ``least`` and ``most``) that
    show every value of it exactly, so 40 and 38,1 print as 40,0 and 38,1, never 40 beside
    38,1 or 40,00 beside 38,1. Missing values do not count."""
    return max([least, *(places_needed(v, least, most) for v in values if not is_missing(v))])


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


def collapse(text: object) -> str:
    """Text as quotes are compared and messages show it: runs of whitespace (incl. no-break
    spaces) as one space, none at either end; not text (a cell read as a number) as its str."""
    return " ".join(str(text).split())
