"""Numbers as readers see them: exact strings, Norwegian conventions, half-up rounding."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbu_analysis.common.formatting import (
    format_change,
    format_change_percent,
    format_number,
    format_percent,
)
from tbu_analysis.presentation.tables import format_frame, format_table
from tbu_analysis.rounds.numbers import parse_number

NB = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1038.5, 1, f"1{NB}038,5"),
        (-1038.5, 1, f"{MINUS}1{NB}038,5"),
        (2.25, 1, "2,3"),  # half up, where Babel alone gives 2,2
        (2.35, 1, "2,4"),
        (-2.25, 1, f"{MINUS}2,3"),  # half away from zero, as Excel prints it
        (1.005, 2, "1,01"),  # the float's shortest repr, not its binary expansion
        (2.5, 0, "3"),
        (1234567.891, 1, f"1{NB}234{NB}567,9"),
        (999.95, 1, f"1{NB}000,0"),
        (0, 1, "0,0"),
        (-0.04, 1, "0,0"),  # no minus on a number that rounds to zero
        (Decimal("2.25"), 1, "2,3"),
        (np.float64(2.25), 1, "2,3"),
        (np.int64(12000), 0, f"12{NB}000"),
        (85.5, 1, "85,5"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_default_is_one_decimal():
    assert format_number(1038) == f"1{NB}038,0"
    assert format_number(-1038.46) == f"{MINUS}1{NB}038,5"
    assert format_number(12.25, 2) == "12,25"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, Decimal("NaN")])
def test_missing_values_print_as_en_dash(missing):
    for func in (format_number, format_percent, format_change, format_change_percent):
        assert func(missing) == "\u2013"


def test_percent():
    assert format_percent(4.9) == f"4,9{NB}%"
    assert format_percent(-2.25) == f"{MINUS}2,3{NB}%"
    assert format_percent(100, 0) == f"100{NB}%"


def test_change_has_explicit_sign_except_for_zero():
    assert format_change(16) == "+16,0"
    assert format_change(-11.5) == f"{MINUS}11,5"
    assert format_change(0) == "0,0"
    assert format_change(-0.04) == "0,0"
    assert format_change(1038.5) == f"+1{NB}038,5"
    assert format_change_percent(4.94) == f"+4,9{NB}%"
    assert format_change_percent(-7.67) == f"{MINUS}7,7{NB}%"


def test_infinity_and_bad_input():
    assert format_number(float("inf")) == "∞"
    assert format_number(float("-inf")) == f"{MINUS}∞"
    with pytest.raises(TypeError):
        format_number("12")
    with pytest.raises(TypeError):
        format_number(True)
    with pytest.raises(ValueError):
        format_number(1.0, -1)


@given(
    st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False),
    st.integers(min_value=0, max_value=3),
)
def test_round_trips_through_the_projects_parser(value, decimals):
    """What we print, our parser reads back as the half-up rounded value."""
    text = format_number(value, decimals)
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert parse_number(text).value == expected
    assert "-" not in text and " " not in text


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Løsning": ["Kjernejournal", "e-resept"],
            "År": [2024, 2025],
            "Nivå": [1038.5, None],
            "Endring": [16.0, -11.5],
            "Endring %": [4.94, -7.67],
        }
    )


def test_format_frame_gives_strings():
    out = format_frame(
        _table(), change_columns=["Endring", "Endring %"], percent_columns=["Endring %"]
    )
    assert out.to_dict("list") == {
        "Løsning": ["Kjernejournal", "e-resept"],
        "År": ["2024", "2025"],  # years are not numbers to group
        "Nivå": [f"1{NB}038,5", "\u2013"],
        "Endring": ["+16,0", f"{MINUS}11,5"],
        "Endring %": [f"+4,9{NB}%", f"{MINUS}7,7{NB}%"],
    }


def test_format_frame_decimals_per_column_and_text_columns():
    df = pd.DataFrame({"id": [1001, 1002], "x": [1.25, 2.5]})
    out = format_frame(df, decimals={"x": 2}, text_columns=["id"])
    assert out["id"].tolist() == ["1001", "1002"]
    assert out["x"].tolist() == ["1,25", "2,50"]
    with pytest.raises(KeyError):
        format_frame(df, percent_columns=["nope"])


def test_format_table_html_is_norwegian_aligned_and_deterministic():
    styler = format_table(_table(), percent_columns=["Endring %"], change_columns=["Endring"])
    html = styler.to_html()
    assert html == format_table(
        _table(), percent_columns=["Endring %"], change_columns=["Endring"]
    ).to_html()
    assert f"1{NB}038,5" in html and f"{MINUS}11,5" in html and f"4,9{NB}%" in html
    assert "+16,0" in html and ">2024<" in html
    assert "row_heading" not in html  # no index
    assert re.search(r'<table [^>]*class="tbu-table\b', html)  # with its size class beside
    assert "td.col2 {\n  text-align: right;" in html
    assert "td.col0 {\n  text-align: left;" in html
    assert 'class="data row0 col2 num"' in html


def test_format_table_caption():
    html = format_table(_table(), caption="Tabell 1. Kostnader (MNOK)").to_html()
    assert "Tabell 1. Kostnader (MNOK)" in html
