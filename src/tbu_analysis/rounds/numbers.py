"""Parse numbers as the Norwegian source prints them.

Handles thousands separators (space, no-break space, thin space), decimal comma, hyphen,
en dash and U+2212 as minus, ``%`` with or without a space, footnote marks (``54*``),
``<b>``/``<i>`` markup, ``-0 %``, and cells that hold no number (blank, ``-``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse

_MARKUP = re.compile(r"</?(?:b|i|u|em|strong|sup|sub)>", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u2007]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
_NUMBER = re.compile(
    r"""^(?P<sign>[-+])?\s*
        (?P<int>\d{1,3}(?:\ \d{3})+|\d+)
        (?:,(?P<frac>\d+))?
        (?P<stars>\*+)?
        (?:\s*(?P<pct>%))?
        (?P<stars2>\*+)?$""",
    re.VERBOSE,
)
_EMPTY = {"", "-", "–", "—", "\u2212"}
# No figure in million kroner or percent needs more; a longer number is a typing error, and
# would otherwise become ``inf`` or lose digits as a float.
MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 6


@dataclass(frozen=True)
class ParsedNumber:
    """A printed number: its exact value, printed precision and what decorated it."""

    text: str
    value: Decimal | None
    decimals: int = 0
    is_percent: bool = False
    footnote: str = ""

    @property
    def half_unit(self) -> float:
        """Half of the last printed digit: the most rounding can have moved the value."""
        return 0.5 * 10 ** (-self.decimals)


def strip_markup(text: str) -> str:
    return _MARKUP.sub("", text).strip()


def plain_text(text: str) -> str:
    """A printed cell as its words: without markup, runs of whitespace as one space (how a
    row's label is matched across the raw table, the registers and names.csv)."""
    return collapse(strip_markup(text))


def parse_number(
    text: str,
    *,
    path: str | Path | None = None,
    line: int | None = None,
    column: int | str | None = None,
) -> ParsedNumber:
    """Parse one cell; blank and ``-`` give ``value=None``; anything else unparseable raises."""
    raw = text
    cleaned = strip_markup(text).translate(_MINUS)
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if cleaned in _EMPTY:
        return ParsedNumber(text=raw, value=None)
    match = _NUMBER.match(cleaned)
    if not match:
        raise InputError("kan ikke lese tallet", path=path, line=line, column=column, text=raw)
    digits = match["int"].replace(" ", "")
    frac = match["frac"] or ""
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS or len(frac) > MAX_DECIMALS:
        raise InputError(
            f"tallet har for mange sifre (høyst {MAX_INTEGER_DIGITS} før og {MAX_DECIMALS} "
            "etter komma)", path=path, line=line, column=column,
            text=raw if len(raw) <= 60 else f"{raw[:57]}...",
        )
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    if match["sign"] == "-":
        value = -value
    return ParsedNumber(
        text=raw,
        value=value,
        decimals=len(frac),
        is_percent=match["pct"] is not None,
        footnote=(match["stars"] or "") + (match["stars2"] or ""),
    )
