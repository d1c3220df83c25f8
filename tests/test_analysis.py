"""The analysis gives the outcomes the source states: growth, index adjustment, drivers and
where the printed tables do not add up."""

from __future__ import annotations

import io
import math
import shutil
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tbu_analysis import vocab
from tbu_analysis.analysis import growth, series
from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.cli import main
from tbu_analysis.rounds.names import ALL_SOLUTIONS

ROUND_ID = "2024-host"
PRINTED_RATE = 4.121  # notat Tabell 1: «2023- tallene er justert med 4,121 %»


def change(
    analysis,
    series: str,
    solution: str,
    start: int,
    end: int,
    basis: str = growth.PRICE_AS_PRINTED,
    item: str = "",
) -> pd.Series:
    table = analysis.growth
    rows = table[
        (table["series"] == series)
        & (table["solution"] == solution)
        & (table["item"] == item)
        & (table["from_year"] == start)
        & (table["to_year"] == end)
        & (table["price_basis"] == basis)
    ]
    assert len(rows) == 1, (series, solution, start, end, basis, len(rows))
    return rows.iloc[0]


def check(analysis, check_id: str) -> pd.Series:
    rows = analysis.reconciliation[analysis.reconciliation["check_id"] == check_id]
    assert len(rows) == 1, check_id
    return rows.iloc[0]


# --- growth --------------------------------------------------------------------------------


def test_forskrift_amount_grows_16_mnok_from_2024_to_2025(analysis):
    row = change(analysis, "finansieringsbehov", ALL_SOLUTIONS, 2024, 2025)
    assert (row["from_value"], row["to_value"]) == (1038, 1054)
    assert row["change_mnok"] == pytest.approx(16)
    assert round(row["change_pct"], 1) == 1.5
    assert (row["from_measure"], row["to_measure"]) == ("forskrift", "finansieringsbehov")


def test_cost_level_2025_is_1089(analysis):
    row = change(analysis, "kostnadsnivå", ALL_SOLUTIONS, 2024, 2025)
    assert row["to_value"] == 1089
    assert row["change_mnok"] == pytest.approx(51)
    assert round(row["change_pct"], 1) == 4.9


def test_helsenorge_cost_level_rises_16_mnok(analysis):
    row = change(analysis, "kostnadsnivå", "Helsenorge", 2024, 2025)
    assert (row["from_value"], row["to_value"]) == (343.6, 359.6)  # Tabell 5, with decimals
    assert row["change_mnok"] == pytest.approx(16.0)
    assert round(row["change_pct"], 1) == 4.7


def test_kjernejournal_cost_level_falls_11_5_mnok(analysis):
    row = change(analysis, "kostnadsnivå", "Kjernejournal", 2024, 2025)
    assert (row["from_value"], row["to_value"]) == (130.1, 118.6)
    assert row["change_mnok"] == pytest.approx(-11.5)
    assert round(row["change_pct"], 1) == -8.8


def test_2026_cost_level_falls_while_the_forskrift_amount_rises(analysis):
    level = change(analysis, "kostnadsnivå", ALL_SOLUTIONS, 2025, 2026)
    assert (level["to_value"], level["change_mnok"]) == (1076, pytest.approx(-13))
    funding = change(analysis, "finansieringsbehov", ALL_SOLUTIONS, 2025, 2026)
    assert (funding["from_value"], funding["to_value"]) == (1054, 1076)
    assert funding["change_mnok"] == pytest.approx(22)


def test_efficiency_is_50_6_mnok_or_4_9_percent_of_the_total(analysis):
    table = analysis.drivers
    row = table[
        (table["table"] == "tg-t4")
        & (table["row_kind"] == "total")
        & (table["category"] == "effektivisering")
    ]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["value_mnok"] == -50.6
    assert row["base_mnok"] == 1038
    assert round(row["pct_of_total_base"], 1) == -4.9
    assert row["category_label"] == "Effektivisering"


def test_helsenorge_efficiency_share_of_own_base_and_of_total(analysis):
    table = analysis.drivers
    row = table[
        (table["table"] == "tg-t4")
        & (table["solution"] == "Helsenorge")
        & (table["category"] == "effektivisering")
    ].iloc[0]
    assert row["value_mnok"] == -18
    assert round(row["pct_of_own_base"], 1) == -5.2  # 18 of 344
    assert round(row["pct_of_total_base"], 1) == -1.7  # 18 of 1 038


def test_drivers_of_tabell_4_add_up_to_the_cost_level(analysis):
    steps = growth.waterfall_steps(analysis.figures)
    labels = [label for label, _, _ in steps]
    assert labels[0] == "Forskrift 2024" and labels[-1] == "Finansieringsbehov 2025"
    values = dict((label, value) for label, value, _ in steps)
    level = labels.index("Kostnadsnivå 2025")
    drivers = [(label, v) for label, v, kind in steps[1:level] if kind == "change"]
    changes = sum(v for label, v in drivers if label != vocab.SOURCE_GAP_LABEL)
    assert values["Forskrift 2024"] + changes == pytest.approx(1088.4)
    assert values["Kostnadsnivå 2025"] == 1089
    # The printed 1 089 is 0,6 beyond the drivers: the chart carries it as a step of its own.
    assert (vocab.SOURCE_GAP_LABEL, 0.6) in drivers


@pytest.mark.parametrize(("solution", "from_year", "gaps"), [
    ("E-resept", 2025, []),  # 192,0 − 11,4 = 180,6, the report's level (Tabell 11 prints 181)
    ("Kjernejournal", 2024, []),  # 118,6 − 25,9 = 92,7, the report's level (printed 93)
    ("Alle løsninger", 2025, [0.4]),  # 1 089 + 31 − 30 + 12 − 26,4 = 1 075,6; printed 1 076
    ("Alle løsninger", 2024, [0.6, -0.5]),  # 1 088,4 against 1 089; 1 054,5 against 1 054
    ("Helsenettet", 2025, []),  # 299,9 − 30 = 269,9, the report's level (printed 270)
    ("Helsenorge", 2025, []),
])
def test_every_waterfall_closes_with_the_sources_gap_as_a_step(analysis, solution, from_year,
                                                                 gaps):
    steps = growth.waterfall_steps(analysis.figures, solution, from_year)
    running = 0.0
    for label, value, kind in steps:
        if kind == "level":
            if label != steps[0][0]:
                assert round(running, 1) == value, (label, running, value)
            running = value
        else:
            running += value
    assert [v for label, v, _ in steps if label == vocab.SOURCE_GAP_LABEL] == gaps


def test_a_level_printed_rounded_is_computed_from_the_sources_parts(analysis):
    """D4–D6 of the fifth reader: a level the source prints in whole millions where its own
    table leads to it from a level with decimals is the computed figure (one value per
    quantity, no rounding shown as growth); the sums stay the source's printed sums."""
    computed = series.levels_from_parts(analysis.figures)
    found = {(r.solution, r.year, r.measure): (r.value_mnok, r.start, r.change, r.printed)
             for r in computed.itertuples()}
    assert found == {
        ("Kjernejournal", 2025, "finansieringsbehov"): (92.7, 118.6, -25.9, 93.0),
        ("E-resept", 2026, "kostnadsnivå"): (180.6, 192.0, -11.4, 181.0),
        ("Helsenettet", 2026, "kostnadsnivå"): (269.9, 299.9, -30.0, 270.0),
    }
    funding = series.yearly_series(analysis.figures, "finansieringsbehov")
    level = funding[(funding["solution"] == "E-resept") & (funding["year"] == 2026)].iloc[0]
    assert (level["value_mnok"], level["decimals"], level["table_number"]) == (180.6, 1,
                                                                               "Tabell 11")
    total = funding[(funding["solution"] == "Alle løsninger") & (funding["year"] == 2026)]
    assert float(total["value_mnok"].iloc[0]) == 1076  # the printed sum, not 1 075,6
    printed = series.yearly_series(analysis.figures, "finansieringsbehov", as_printed=True)
    assert float(printed[(printed["solution"] == "Kjernejournal") & (printed["item"] == "")
                         & (printed["year"] == 2025)]["value_mnok"].iloc[0]) == 93


def test_the_funding_need_is_the_cost_level_where_nothing_is_deducted(analysis):
    """Helsenettet 2025: Tabell 9 prints the cost level 299,9 and, with no tilbakeføring, the
    funding need 300; the report uses 299,9 for both, the bills keep the printed column."""
    funding = series.yearly_series(analysis.figures, "finansieringsbehov")
    printed = series.yearly_series(analysis.figures, "finansieringsbehov", as_printed=True)

    def value(frame, solution):
        rows = frame[(frame["solution"] == solution) & (frame["item"] == "")
                     & (frame["year"] == 2025)]
        return float(rows["value_mnok"].iloc[0])

    assert value(funding, "Helsenettet") == 299.9
    assert value(printed, "Helsenettet") == 300
    assert value(funding, "Kjernejournal") == 92.7  # 118,6 less 25,9 deducted: not the level
    assert value(funding, "Helsenorge") == 351


# --- index adjustment ----------------------------------------------------------------------


def _level_2023(levels: pd.DataFrame) -> pd.Series:
    rows = levels[
        (levels["series"] == "finansieringsbehov")
        & (levels["solution"] == ALL_SOLUTIONS)
        & (levels["year"] == 2023)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_shipped_index_is_the_printed_rate(analysis):
    assert dict(analysis.index.rates) == {2023: PRINTED_RATE}


def test_nominal_2023_total_and_the_default_rate_reproduce_941(analysis):
    row = _level_2023(analysis.levels)
    assert row["value_mnok"] == 941
    assert row["nominal"] == pytest.approx(941 / 1.04121)
    assert round(row["nominal"], 1) == 903.8
    assert row["fixed"] == pytest.approx(941)
    assert row["fixed_price_year"] == 2024


def test_another_rate_gives_its_scenario(figures, analysis):
    scenario = analysis.index.with_rates({2023: 5})
    row = _level_2023(growth.indexed_levels(figures, analysis.index, scenario))
    assert row["nominal"] == pytest.approx(941 / 1.04121)  # the nominal amount is the data
    assert row["fixed"] == pytest.approx(941 / 1.04121 * 1.05)
    assert round(row["fixed"], 1) == 948.9


def test_growth_2023_to_2024_in_nominal_and_fixed_prices(analysis):
    nominal = change(
        analysis, "finansieringsbehov", ALL_SOLUTIONS, 2023, 2024, growth.PRICE_NOMINAL
    )
    fixed = change(analysis, "finansieringsbehov", ALL_SOLUTIONS, 2023, 2024, "faste 2024-kroner")
    assert round(nominal["change_pct"], 1) == 14.9
    assert round(fixed["change_pct"], 1) == 10.3
    assert fixed["change_mnok"] == pytest.approx(97)
    assert (1 + nominal["change_pct"] / 100) == pytest.approx(
        (1 + fixed["change_pct"] / 100) * (1 + PRINTED_RATE / 100)
    )


def test_index_factor_of_the_printed_rate(analysis):
    assert analysis.index.factor(2023, 2024) == pytest.approx(1.04121)
    assert analysis.index.convert(941, 2024, 2023) == pytest.approx(903.756, abs=1e-3)
    assert analysis.index.factor(2024, 2024) == 1


_RATES = st.lists(st.floats(min_value=-20, max_value=30, allow_nan=False), min_size=1, max_size=8)


@settings(deadline=None)  # no timing in tests
@given(rates=_RATES, start=st.integers(1990, 2030), data=st.data())
def test_chaining_forward_and_back_is_inverse(rates, start, data):
    index = PriceIndex(rates={start + i: r for i, r in enumerate(rates)})
    years = st.integers(start, start + len(rates))
    a, b, c = data.draw(years), data.draw(years), data.draw(years)
    assert index.factor(a, b) * index.factor(b, a) == pytest.approx(1)
    assert index.factor(a, b) * index.factor(b, c) == pytest.approx(index.factor(a, c))
    value = data.draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
    assert index.convert(index.convert(value, a, b), b, a) == pytest.approx(value, abs=1e-6)


def test_index_without_a_year_says_which_one_is_missing():
    from tbu_analysis.common.errors import InputError

    with pytest.raises(InputError, match="2024→2025"):
        PriceIndex(rates={2023: 4.121}).factor(2023, 2025)
    assert not PriceIndex(rates={2023: 4.121}).covers(2023, 2025)


# --- reconciliation ------------------------------------------------------------------------


def test_the_source_has_at_least_a_dozen_discrepancies(analysis):
    statuses = analysis.reconciliation["status"]
    assert set(statuses) == {tol.OK, tol.ROUNDING, tol.UNLIKELY, tol.DISCREPANCY}
    assert (statuses == tol.DISCREPANCY).sum() >= 12
    tables_only = analysis.reconciliation[analysis.reconciliation["check_type"] != "påstand"]
    assert (tables_only["status"] == tol.DISCREPANCY).sum() >= 12


def test_helsenorge_drift_og_produksjon_row_does_not_add_up(analysis):
    # 83,6 + 2,2 + 9,3 − 11,5 = 83,6, printed 82,6
    row = check(analysis, "tg-t5:rad:Drift og produksjon:Estimert kostnadsnivå 2025 Sum")
    assert row["item"] == "Drift og produksjon"
    assert row["computed"] == pytest.approx(83.6)
    assert row["printed"] == 82.6
    assert row["status"] == tol.DISCREPANCY
    assert "avvik" in row["message"]


def test_helsenettet_forskrift_2024_differs_between_tabell_3_and_9(analysis):
    row = check(analysis, "kryss:tg-t3:tg-t9:Helsenettet::forskrift::2024")
    assert (row["printed"], row["computed"]) == (303, pytest.approx(303.6))
    assert row["status"] == tol.DISCREPANCY


def test_eksterne_tjenester_2025_differs_between_tabell_11_and_9(analysis):
    row = check(
        analysis, "kryss:tg-t11:tg-t9:Helsenettet:Helsenettet eksterne tjenester:kostnadsnivå::2025"
    )
    assert (row["printed"], row["computed"]) == (187.5, pytest.approx(187.2))
    assert row["status"] == tol.DISCREPANCY


def test_tabell_4_sum_of_cost_level_2025_is_rounding(analysis):
    # The row: 1 038 + 85,5 − 4 − 2,8 + 22,3 − 50,6 = 1 088,4 against a printed 1 089.
    row = check(analysis, "tg-t4:rad:Sum:kostnadsnivå 2025")
    assert row["computed"] == pytest.approx(1088.4)
    assert row["status"] == tol.ROUNDING
    # The column: the solutions' 2025 levels add to 1 088,6, which rounds to the printed 1 089.
    column = check(analysis, "tg-t4:kolonne:Sum:kostnadsnivå 2025")
    assert column["computed"] == pytest.approx(1088.6)
    assert column["status"] == tol.OK


def test_checks_after_the_kjernejournal_correction_say_so(analysis):
    table = analysis.reconciliation
    rows = table[table["check_id"].str.startswith("tg-t6:rad:")]
    items = rows[rows["item"] != ""]
    assert len(items) == 14  # seven items, two row identities each
    assert items["involves_correction"].all()
    assert items["message"].str.contains("etter rettelse av tekstuttrekket").all()
    journal = check(analysis, "tg-t6:rad:Pasientens journaldokumenter:kostnadsnivå 2025")
    assert journal["item"] == "Pasientens journaldokumenter"
    assert journal["computed"] == pytest.approx(8.0 + 9.5 + 1.25)
    assert journal["status"] == tol.OK
    total = table[table["check_id"] == "tg-t6:rad:Sum:kostnadsnivå 2025"].iloc[0]
    assert not total["involves_correction"]


def test_nested_subtotals_of_tabell_7_add_up(analysis):
    table = analysis.reconciliation
    for label, item, expected in [
        ("Delsum E-resept ekskl. Forskrivningsmodulene", "E-resept ekskl. forskrivningsmodulene",
         129.6),
        ("Delsum Forskrivningsmodulene (FM og SFM)", "Forskrivningsmodulene (FM og SFM)", 13.0),
    ]:
        rows = table[table["check_id"].str.startswith(f"tg-t7:kolonne:{label}:")]
        assert len(rows) == 5
        assert (rows["item"] == item).all()
        assert (rows["status"] == tol.OK).all()
        assert check(analysis, f"tg-t7:kolonne:{label}:Forskrift 2024")["computed"] == \
            pytest.approx(expected)
    # The grand total counts the two subtotals, not the items inside them.
    assert check(analysis, "tg-t7:kolonne:Sum:Forskrift 2024")["computed"] == \
        pytest.approx(142.6)
    # The FM subtotal only adds up after the forskrift amount moves to FM's row.
    assert check(analysis, "tg-t7:kolonne:Delsum Forskrivningsmodulene (FM og SFM):"
                 "Forskrift 2024")["involves_correction"]


def test_subtotal_helsenettet_eksterne_tjenester_adds_up(analysis):
    table = analysis.reconciliation
    rows = table[table["check_id"].str.startswith("tg-t9:kolonne:Helsenettet eksterne tjenester:")]
    assert len(rows) == 9
    assert (rows["item"] == "Helsenettet eksterne tjenester").all()
    assert (rows["status"] == tol.OK).all()
    subtotal = "tg-t9:kolonne:Helsenettet eksterne tjenester"
    assert check(analysis, f"{subtotal}:Forskrift 2024")["computed"] == pytest.approx(165.7)
    assert check(analysis, f"{subtotal}:kostnadsnivå 2025")["computed"] == pytest.approx(187.2)
    assert check(analysis, "tg-t9:kolonne:Sum:Forskrift 2024")["computed"] == \
        pytest.approx(303.6)


def test_every_check_has_a_message_and_a_sane_tolerance(analysis):
    table = analysis.reconciliation
    assert table["check_id"].is_unique
    assert (table["message"].str.len() > 0).all()
    assert (table["tolerance"] > 0).all()
    ok = table[table["status"] == tol.OK]
    assert (ok["difference"].abs() <= ok["tolerance"] + 1e-9).all()
    bad = table[table["status"] == tol.DISCREPANCY]
    assert (bad["difference"].abs() >= bad["tolerance"] - 1e-9).all()


# --- tolerance -----------------------------------------------------------------------------


@pytest.mark.parametrize(("decimals", "expected"), [(0, 0.5), (1, 0.05), (2, 0.005)])
def test_half_unit(decimals, expected):
    assert tol.half_unit(decimals) == pytest.approx(expected)


def test_sum_tolerance_adds_the_half_units_of_parts_and_result():
    assert tol.sum_tolerance([1], 1) == pytest.approx(0.1)
    assert tol.sum_tolerance([0, 1, 1], 0) == pytest.approx(1.1)
    assert tol.sum_tolerance([], 0) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("computed", "printed", "decimals", "tolerance", "status"),
    [
        (1088.6, 1089, 0, 2.15, tol.OK),  # rounds to what is printed
        (1088.4, 1089, 0, 1.7, tol.ROUNDING),  # off, but within the printed precision
        (83.6, 82.6, 1, 0.25, tol.DISCREPANCY),  # Tabell 5, Drift og produksjon
        (2.25, 2.3, 1, 0.1, tol.OK),  # half up, not half to even
        (-2.25, -2.3, 1, 0.1, tol.OK),
        (303.6, 303, 0, 0.55, tol.DISCREPANCY),
    ],
)
def test_classify(computed, printed, decimals, tolerance, status):
    assert tol.classify(computed, printed, decimals, tolerance) == status


def test_one_unit_difference_with_two_parts_is_rounding():
    tolerance = tol.sum_tolerance([1, 1], 1)  # 0,15: two parts and a result, one decimal
    assert tol.classify(10.1, 10.0, 1, tolerance) == tol.ROUNDING
    assert tol.classify(10.2, 10.0, 1, tolerance) == tol.DISCREPANCY


def test_one_unit_difference_with_one_part_is_a_discrepancy():
    """Two half-up roundings of one value cannot differ by a whole last digit: 34,9 against
    34,8 is an error, so the rounding bound is strict."""
    tolerance = tol.sum_tolerance([1], 1)
    assert tol.classify(34.9, 34.8, 1, tolerance) == tol.DISCREPANCY
    assert tol.classify(118.6, 118.5, 1, tolerance) == tol.DISCREPANCY


def test_ratio_tolerance_follows_both_printings():
    # Tabell 4, effektivisering: 100 × −50,6 / 1 038 = −4,87 printed −4,9 %.
    spread = tol.ratio_tolerance(-50.6, 0.05, 1038, 0.5, 1)
    assert spread == pytest.approx(100 * (0.05 / 1038 + 50.6 * 0.5 / 1038**2) + 0.05)
    assert tol.classify(100 * -50.6 / 1038, -4.9, 1, spread) == tol.OK
    assert math.isinf(tol.ratio_tolerance(1, 0.5, 0, 0.5, 1))


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2.25, 1, 2.3), (-2.25, 1, -2.3), (1088.5, 0, 1089), (1.005, 2, 1.01)],
)
def test_round_half_up(value, decimals, expected):
    assert tol.round_half_up(value, decimals) == expected


# --- outputs -------------------------------------------------------------------------------


def _zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


ANALYSIS_OUTPUTS = (
    "growth.csv",
    "reconciliation.csv",
    "levels.csv",
    "drivers.csv",
    "underlying.csv",
    "comparison.csv",
    f"tbu-{ROUND_ID}.xlsx",
)


#: The tests of ``analysed_twice`` run on one xdist worker, so it is computed once.
ANALYSED_TWICE = pytest.mark.xdist_group("analysed_twice")


@pytest.fixture(scope="module")
def analysed_twice(round_copier, cleaned_template, tmp_path_factory):
    """Outputs of ``tbu analyse`` run twice on a copy of the round, deleted in between (the
    copy cleaned by `tbu clean` once per session, ``cleaned_template``)."""
    paths = round_copier(tmp_path_factory.mktemp("repo"))
    shutil.copytree(cleaned_template.processed.parent, paths.processed.parent)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(paths.root)
        assert main(["analyse", "--round", ROUND_ID]) == 0
        first = {name: (paths.processed / name).read_bytes() for name in ANALYSIS_OUTPUTS}
        for name in ANALYSIS_OUTPUTS:
            (paths.processed / name).unlink()
        assert main(["analyse", "--round", ROUND_ID]) == 0
    second = {name: (paths.processed / name).read_bytes() for name in ANALYSIS_OUTPUTS}
    return paths, first, second


@ANALYSED_TWICE
def test_analyse_writes_growth_reconciliation_and_workbook(analysed_twice):
    paths, first, _ = analysed_twice
    assert set(first) == set(ANALYSIS_OUTPUTS)
    written = pd.read_csv(paths.processed / "reconciliation.csv", keep_default_na=False)
    assert (written["status"] == tol.DISCREPANCY).sum() >= 12
    sheets = pd.read_excel(paths.processed / f"tbu-{ROUND_ID}.xlsx", sheet_name=None)
    assert {"Tall", "Nivåer", "Vekst", "Drivere", "Avstemming"} <= set(sheets)
    assert "Tabell 4 (tg-t4)" in sheets
    assert len(sheets["Tall"]) == 485
    assert len(sheets["Avstemming"]) == len(written)


@ANALYSED_TWICE
def test_a_second_analyse_gives_byte_identical_csv_files(analysed_twice):
    _, first, second = analysed_twice
    for name in first:
        if name.endswith(".csv"):
            assert first[name] == second[name], name


@ANALYSED_TWICE
def test_a_second_analyse_gives_the_same_workbook_contents(analysed_twice):
    """Every part of the workbook but its core properties (see the bug test below)."""
    _, first, second = analysed_twice
    name = f"tbu-{ROUND_ID}.xlsx"
    a, b = _zip_members(first[name]), _zip_members(second[name])
    assert list(a) == list(b)
    assert {k: v for k, v in a.items() if k != "docProps/core.xml"} == {
        k: v for k, v in b.items() if k != "docProps/core.xml"
    }


@ANALYSED_TWICE
def test_workbook_modified_date_is_fixed(analysed_twice):
    """openpyxl stamps the save time into the workbook; the writer fixes it so reruns are
    byte-identical."""
    _, first, _ = analysed_twice
    core = _zip_members(first[f"tbu-{ROUND_ID}.xlsx"])["docProps/core.xml"].decode()
    assert "<dcterms:created" in core and "2000-01-01T00:00:00Z</dcterms:created>" in core
    assert "2000-01-01T00:00:00Z</dcterms:modified>" in core


def test_every_discrepancy_of_the_shipped_round_has_an_explanation(analysis):
    table = analysis.reconciliation
    unexplained = table[(table["status"] == tol.DISCREPANCY) & (table["explanation"] == "")]
    assert unexplained.empty, unexplained["check_id"].tolist()
    plattform = table[table["check_id"] == "tg-t5:rad:Plattform:Finansieringsbehov 2025**"]
    plattform = plattform.iloc[0]
    assert "48,7" in plattform["explanation"]


def test_a_findings_register_naming_an_unknown_check_is_refused(cleaned_round):
    from tbu_analysis.analysis.analyse import analyse
    from tbu_analysis.common.errors import InputError

    cleaned_round.findings.write_text(
        "findings:\n  - checks: [finnes-ikke]\n    explanation: tekst\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        analyse(cleaned_round)
    assert "findings.yaml" in str(error.value) and "finnes-ikke" in str(error.value)
    assert "linje 2" in str(error.value)


def test_summary_states_the_printed_figure_under_another_index(cleaned_round):
    """The printed 2023 total stays 941 (raised by 4,121 %) whatever rate a scenario uses;
    only the growth in fixed prices moves."""
    from tbu_analysis.analysis.analyse import analyse
    from tbu_analysis.reports.narrative import key_findings

    result = analyse(cleaned_round, {2023: 5.0})
    first = key_findings(result.growth, result.drivers, result.levels, result.reconciliation,
                         result.index)[0].replace("\u00a0", " ")
    assert "941 mill. kroner, justert med 4,121 %" in first
    assert "903,8" in first and "9,4 % i faste 2024-kroner" in first


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_adding_next_years_rate_does_not_change_the_round(cleaned_round):
    """The index file is shared by all rounds: a later round's rate must not turn this
    round's "ikke indeksregulert" estimates into projections."""
    from tbu_analysis.analysis.analyse import analyse

    before = analyse(cleaned_round).growth
    with cleaned_round.index.open("a", encoding="utf-8") as handle:
        handle.write('2024,2025,"3,5",testsats\n')
    after = analyse(cleaned_round).growth
    pd.testing.assert_frame_equal(before, after)


#: A register that does not validate fails before the analysis computes anything (the first
#: three cases, a few hundredths of a second each); one whose ids must be checked against the
#: run's checks needs the reconciliation (about 1–2 s). The one marked slow is also refused
#: through the command line in test-fast (test_bad_input: a check that holds).
@pytest.mark.parametrize("text", [
    "- ikke en mapping\n",
    "findings: [tekst]\n",
    "findings:\n  - checks: tg-t5:rad:Plattform:2025\n    explanation: tekst\n",
    "findings:\n  - checks: [tg-t5:rad:Drift og produksjon:Estimert kostnadsnivå 2025 Sum]\n"
    "    explanation: a\n"
    "  - checks: [tg-t5:rad:Drift og produksjon:Estimert kostnadsnivå 2025 Sum]\n"
    "    explanation: b\n",
    pytest.param("findings:\n  - checks: [tg-t4:rad:Helsenorge:kostnadsnivå 2025]\n"
                 "    explanation: stemmer allerede\n", marks=pytest.mark.slow),
])
def test_malformed_findings_are_refused(cleaned_round, text):
    from tbu_analysis.analysis.analyse import analyse
    from tbu_analysis.common.errors import InputError

    cleaned_round.findings.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        analyse(cleaned_round)
    assert "findings.yaml" in str(error.value)
