"""parse_number reads every way the source prints a number, and refuses anything else."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_number, format_percent
from tbu_analysis.rounds.numbers import parse_number

NBSP, THIN, NNBSP = "\u00a0", "\u2009", "\u202f"
EN_DASH, MINUS = "\u2013", "\u2212"
SPACES = (" ", NBSP, THIN, NNBSP)
MINUSES = ("-", EN_DASH, MINUS)


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("1 038", Decimal("1038"), 0),  # notat Tabell 1, Sum 2024
        (f"1{NBSP}054", Decimal("1054"), 0),
        (f"1{THIN}076", Decimal("1076"), 0),
        (f"1{NNBSP}089", Decimal("1089"), 0),
        (f"12 345{NBSP}678,9", Decimal("12345678.9"), 1),
        ("130,1", Decimal("130.1"), 1),
        ("40,00", Decimal("40.00"), 2),  # Tabell 6 prints two decimals here
        ("1,25", Decimal("1.25"), 2),
        ("-8,6", Decimal("-8.6"), 1),
        (f"{EN_DASH}50,6", Decimal("-50.6"), 1),
        (f"{MINUS}17", Decimal("-17"), 0),
        (f"{MINUS}1{NBSP}038,5", Decimal("-1038.5"), 1),
        ("+5", Decimal("5"), 0),
        ("  275  ", Decimal("275"), 0),
    ],
)
def test_amounts(text, value, decimals):
    parsed = parse_number(text)
    assert parsed.value == value
    assert parsed.decimals == decimals
    assert not parsed.is_percent
    assert parsed.text == text  # the cell is kept exactly as printed


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("8,2 %", Decimal("8.2"), 1),  # Tabell 4, with a space
        ("4,9%", Decimal("4.9"), 1),  # Tabell 4, without
        ("-0,4%", Decimal("-0.4"), 1),
        (f"-4,9{NBSP}%", Decimal("-4.9"), 1),
        (f"{MINUS}13,1{NNBSP}%", Decimal("-13.1"), 1),
        ("0%", Decimal("0"), 0),
        ("38 %", Decimal("38"), 0),
        ("34,6%", Decimal("34.6"), 1),
    ],
)
def test_percentages(text, value, decimals):
    parsed = parse_number(text)
    assert parsed.is_percent
    assert parsed.value == value
    assert parsed.decimals == decimals


@pytest.mark.parametrize("text", ["-0 %", "-0%", f"{MINUS}0{NBSP}%", "-0,0 %"])
def test_minus_zero_percent_is_zero(text):
    parsed = parse_number(text)
    assert parsed.value == 0
    assert parsed.is_percent


@pytest.mark.parametrize(("text", "value"), [("54*", 54), ("27*", 27), ("4,0**", Decimal("4.0"))])
def test_footnote_marks_are_kept_apart_from_the_value(text, value):
    parsed = parse_number(text)
    assert parsed.value == value
    assert parsed.footnote == text[len(text.rstrip("*")) :]


@pytest.mark.parametrize(
    ("text", "value", "is_percent"),
    [
        ("<b>1038</b>", Decimal("1038"), False),  # Tabell 4, Sum
        ("<b>-50,6</b>", Decimal("-50.6"), False),
        ("<i>-13,1 %</i>", Decimal("-13.1"), True),  # Tabell 6, Vekst i %
        ("<b>2,8%</b>", Decimal("2.8"), True),  # Tabell 11
        ("<B>941</B>", Decimal("941"), False),
    ],
)
def test_markup_is_ignored(text, value, is_percent):
    parsed = parse_number(text)
    assert (parsed.value, parsed.is_percent) == (value, is_percent)


@pytest.mark.parametrize(
    "text", ["", "   ", NBSP, "-", EN_DASH, MINUS, "\u2014", "<b></b>", "<i>-</i>"]
)
def test_cells_without_a_number_give_none(text):
    assert parse_number(text).value is None


@pytest.mark.parametrize("text", ["12a", "1.25", "1 0", "abc", "1 0000", "12,", ",5", "5 5 %"])
def test_garbage_raises_input_error(text):
    with pytest.raises(InputError):
        parse_number(text)


def test_input_error_names_file_line_column_and_text():
    with pytest.raises(InputError) as caught:
        parse_number("13O,1", path="tables/tallgrunnlag-tabell-04.tsv", line=5, column=1)
    message = str(caught.value)
    assert "tallgrunnlag-tabell-04.tsv" in message
    assert "linje 5" in message
    assert "kolonne 1" in message
    assert "'13O,1'" in message
    assert caught.value.line == 5 and caught.value.column == 1


def test_input_error_without_location_still_shows_the_text():
    with pytest.raises(InputError, match="'abc'"):
        parse_number("abc")


def _quantized(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


_VALUES = st.decimals(
    min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False
)


@settings(deadline=None)  # no timing in tests
@given(value=_VALUES, decimals=st.integers(min_value=0, max_value=3))
def test_norwegian_formatting_parses_back(value, decimals):
    """What the reports print (NBSP groups, U+2212 minus) must read back to the same figure."""
    parsed = parse_number(format_number(value, decimals))
    assert parsed.value == _quantized(value, decimals)
    assert parsed.decimals == decimals
    assert not parsed.is_percent


@settings(deadline=None)  # no timing in tests
@given(value=_VALUES, decimals=st.integers(min_value=0, max_value=3))
def test_norwegian_percent_parses_back(value, decimals):
    parsed = parse_number(format_percent(value, decimals))
    assert parsed.value == _quantized(value, decimals)
    assert parsed.is_percent


def _hand_formatted(value: Decimal, decimals: int, space: str, minus: str, percent: str) -> str:
    """The source's own habits: any space between thousands, any dash as minus."""
    rounded = _quantized(value, decimals)
    integer, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = space.join(groups) + (f",{fraction}" if fraction else "")
    return (minus if rounded < 0 else "") + text + percent


@settings(deadline=None)  # no timing in tests
@given(
    value=_VALUES,
    decimals=st.integers(min_value=0, max_value=2),
    space=st.sampled_from(SPACES),
    minus=st.sampled_from(MINUSES),
    percent=st.sampled_from(["", "%", " %", f"{NBSP}%", f"{NNBSP}%"]),
)
def test_every_space_and_minus_parses(value, decimals, space, minus, percent):
    text = _hand_formatted(value, decimals, space, minus, percent)
    parsed = parse_number(text)
    assert parsed.value == _quantized(value, decimals)
    assert parsed.decimals == decimals
    assert parsed.is_percent == bool(percent)
