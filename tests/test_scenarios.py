"""Scenarios: real numbers from the autumn 2024 round, and every kind of bad input refused."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.errors import InputError
from tbu_analysis.scenarios.files import (
    load_baseline,
    load_scenario,
    save_scenario,
    scenario_files,
)
from tbu_analysis.scenarios.keys import load_key_sets
from tbu_analysis.scenarios.model import CURRENT, Addition, Investment
from tbu_analysis.scenarios.projection import compute

ROOT = Path(__file__).resolve().parents[1]
ROUND_ID = "2024-host"
KEY_SETS = ROOT / "data" / "raw" / "cost_sharing"
SCENARIOS = ROOT / "scenarios"

# Funding need per billing unit, autumn 2024 round (source 000: Tabell 3; VKP from Tabell 4,
# 9 and 11). All in 2024 kroner; the 2023 column was raised by 4,121 % (nominal 903,8).
FIGURES = {
    # each solution's one value per quantity, as the main report prints it: 343,6 from
    # Tabell 5, not the overview's rounded 344
    "Helsenorge": {2023: 325, 2024: 343.6, 2025: 351, 2026: 373.6},
    # Kjernejournal 2025 and E-resept 2026 from the source's parts (118,6 − 25,9 = 92,7 and
    # 192,0 − 11,4 = 180,6; printed 93 and 181), as the main report prints them
    "Kjernejournal": {2023: 121, 2024: 130.1, 2025: 92.7, 2026: 135.6},
    "E-resept": {2023: 138, 2024: 142.6, 2025: 192, 2026: 180.6},
    "Grunndata og HelseID": {2023: 83, 2024: 117.6, 2025: 117.8, 2026: 114.8},
    # Helsenettet without VKP: 303,6 − 28,2 in 2024 (Tabell 9's rows); 299,9 − 25,2 in 2025
    # (Tabell 9: 187,2 + 87,5); in 2026 the report's 269,9 (299,9 − 30 in Tabell 11, printed
    # 270) less VKP's 25,2: the 2025 figure less the 30 moved out.
    "Helsenettet (ekskl. VKP)": {2023: 274, 2024: 275.4, 2025: 274.7, 2026: 244.7},
    "Velferdsteknologisk knutepunkt (VKP)": {2024: 28.2, 2025: 25.2, 2026: 25.2},
}
# The units add up to NHN's printed totals within a unit (1 037,5 is printed 1 038, 1 053,4 is
# printed 1 054: the source's finer rows against its rounded total), but for 2026: the
# solutions' 2025 cost levels (1 087,9) plus Tabell 11's changes (−13,4) give 1 074,5, where NHN
# prints 1 076 = 1 089 − 13; the 1,5 between is the source's own (see the test below).
TOTALS = {2023: 941, 2024: 1037.5, 2025: 1053.4, 2026: 1074.5}
PRINTED_TOTALS = {2023: 941, 2024: 1038, 2025: 1054, 2026: 1076}


def autumn_2024_funding() -> pd.DataFrame:
    """The fixture: what ``series.funding_by_unit`` gives for the 2024-host round."""
    rows = [
        {"unit": unit, "solution": "Helsenettet" if "VKP" in unit else unit, "year": year,
         "value_mnok": float(value), "price_year": 2024, "nominal_year": year}
        for unit, by_year in FIGURES.items() for year, value in by_year.items()
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def funding(baseline_funding) -> pd.DataFrame:
    return baseline_funding


@pytest.fixture(scope="module")
def index() -> PriceIndex:
    return PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")


def scenario(name: str):
    return load_scenario(SCENARIOS / f"{name}.yml", key_set_dir=KEY_SETS)


def bill(result, group: str, year: int, unit: str | None = None) -> float:
    frame = result.bills_by_unit if unit else result.bills
    mask = (frame["group"] == group) & (frame["year"] == year)
    if unit:
        mask &= frame["unit"] == unit
    return float(frame.loc[mask, "value_mnok"].sum())


def total(result, year: int) -> float:
    return float(result.totals.loc[result.totals["year"] == year, "value_mnok"].sum())


# --- real numbers ----------------------------------------------------------------------------


def test_the_baseline_reproduces_nhns_totals(funding, index):
    result = compute(scenario("baseline"), funding, index)
    for year, expected in TOTALS.items():
        assert total(result, year) == pytest.approx(expected)
        if year != 2026:
            assert abs(total(result, year) - PRINTED_TOTALS[year]) <= 1
        assert bill(result, "sum", year) == 0  # no such group: sums come from the tables
    # 2026: the gap to NHN's 1 076 is exactly the source's two discrepancies, both in the
    # reconciliation: the 2025 rows (1 087,9) against their printed sum (1 089), and Tabell
    # 11's drivers (−13,4) against its printed sum of changes (−13).
    assert PRINTED_TOTALS[2026] - total(result, 2026) == pytest.approx(
        (1089 - 1087.9) + (-13 - -13.4))


def test_the_scenario_called_baseline_is_the_baseline(funding, index):
    """baseline.yml grows by the round's own rates after NHN's last estimate (Tabell 11: volume
    1,1 %, efficiency 2,4 %), and so does the baseline it is compared with: 0 in every year
    (it was −27,8 in 2028 when the baseline was held flat)."""
    result = compute(scenario("baseline"), funding, index)
    assert result.scenario.baseline_growth.volume_pct == 1.1
    assert result.scenario.baseline_growth.efficiency_pct == 2.4
    assert result.versus_baseline["difference_mnok"].abs().max() < 1e-9
    assert total(result, 2028) == pytest.approx(1074.5 * (1 + (1.1 - 2.4) / 100) ** 2)
    assert round(total(result, 2028), 1) == 1046.7
    flat = replace(result.scenario, baseline_growth=None)
    held = compute(flat, funding, index).versus_baseline.groupby("year")["difference_mnok"]
    assert round(held.sum()[2028], 1) == -27.8  # what the report said before


def test_alternative_1_rhf_and_kommuner_each_pay_half_of_kjernejournal_2025(funding, index):
    result = compute(scenario("alternativ-1"), funding, index)
    assert bill(result, "rhf", 2025, "Kjernejournal") == pytest.approx(46.35)
    assert bill(result, "kommuner", 2025, "Kjernejournal") == pytest.approx(46.35)


@pytest.mark.parametrize("name", ["alternativ-1", "alternativ-2"])
def test_pharmacies_pay_11_pct_of_e_resept_2025(funding, index, name):
    result = compute(scenario(name), funding, index)
    assert bill(result, "apotek", 2025, "E-resept") == pytest.approx(21.12)
    assert bill(result, "apotek", 2025) == pytest.approx(21.12)


def test_alternative_2_moves_kjernejournal_towards_the_rhf(funding, index):
    result = compute(scenario("alternativ-2"), funding, index)
    assert bill(result, "kommuner", 2025, "Kjernejournal") == pytest.approx(0.4 * 92.7)
    assert bill(result, "rhf", 2025, "Kjernejournal") == pytest.approx(0.6 * 92.7)


def test_a_5_pct_index_moves_2023_from_941_to_about_949(funding, index):
    base = scenario("baseline")
    five = replace(base, index_rates={**base.index_rates, 2023: 5.0})
    result = compute(five, funding, index)
    assert total(result, 2023) == pytest.approx(941 / 1.04121 * 1.05)
    assert round(total(result, 2023), 1) == 948.9
    assert total(result, 2024) == pytest.approx(1037.5)
    diff = result.versus_baseline.groupby("year")["difference_mnok"].sum()
    assert diff[2023] == pytest.approx(941 / 1.04121 * 1.05 - 941)


def test_current_kroner_give_the_nominal_2023_amount(funding, index):
    result = compute(replace(scenario("baseline"), price_basis=CURRENT), funding, index)
    assert total(result, 2023) == pytest.approx(941 / 1.04121)
    assert round(total(result, 2023), 1) == 903.8
    assert total(result, 2025) == pytest.approx(TOTALS[2025] * 1.04121)


def test_fixed_kroner_of_another_year(funding, index):
    result = compute(replace(scenario("baseline"), price_year=2025), funding, index)
    assert total(result, 2024) == pytest.approx(TOTALS[2024] * 1.04121)
    assert result.price_label == "2025-kroner"


UNKNOWN_KJ_2025 = """name: Test med ukjent andel
source: test
date: 2024-01-01
units:
  Kjernejournal:
    2023-2024: {kommuner: 50, rhf: 50, apotek: 0, ovrige: 0}
    2025: {kommuner: ukjent, rhf: ukjent, apotek: 0, ovrige: 0}
    2026-: {kommuner: 50, rhf: 50, apotek: 0, ovrige: 0}
"""


def _unknown_kj_scenario(tmp_path: Path) -> tuple[Path, Path]:
    """The baseline scenario on a key that leaves Kjernejournal 2025 unknown: the scenario
    file and the folder of keys it reads."""
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "ukjent-kj.yaml").write_text(UNKNOWN_KJ_2025, encoding="utf-8")
    (keys / "alternativ-2.yaml").write_bytes((KEY_SETS / "alternativ-2.yaml").read_bytes())
    path = _scenario_file(tmp_path, "  key_set: alternativ-1\n", "  key_set: ukjent-kj\n")
    return path, keys


def test_unknown_shares_are_unallocated_until_a_scenario_sets_them(funding, index, tmp_path):
    path, keys = _unknown_kj_scenario(tmp_path)
    result = compute(load_scenario(path, key_set_dir=keys), funding, index)
    assert bill(result, "ikke_fordelt", 2025, "Kjernejournal") == pytest.approx(92.7)
    assert bill(result, "ikke_fordelt", 2024, "Helsenorge") == pytest.approx(343.6)  # no key
    row = result.unallocated.query("unit == 'Kjernejournal' and year == 2025")
    assert "ukjent" in row["reason"].iloc[0]

    text = path.read_text(encoding="utf-8").replace(
        "  extend_last_year: false  # nøkkelen gjelder alle år\n",
        "  extend_last_year: false\n  overrides:\n    Kjernejournal:\n"
        "      2025: {rhf: 55, kommuner: rest}\n",
    )
    path.write_text(text, encoding="utf-8")
    filled = compute(load_scenario(path, key_set_dir=keys), funding, index)
    assert bill(filled, "rhf", 2025, "Kjernejournal") == pytest.approx(0.55 * 92.7)
    assert bill(filled, "kommuner", 2025, "Kjernejournal") == pytest.approx(0.45 * 92.7)
    assert bill(filled, "ikke_fordelt", 2025, "Kjernejournal") == pytest.approx(0)


def test_the_bills_chart_leaves_out_groups_that_pay_nothing_and_names_its_source(
        funding, index, tmp_path):
    from tbu_analysis.presentation.charts import describe
    from tbu_analysis.scenarios.tables import bills_figure, chart_source

    result = compute(scenario("baseline"), funding, index)
    source = chart_source(result, "høsten 2024")
    text = describe(bills_figure(result, source))
    # Alternativ 1 gives øvrige aktører 0 % everywhere and leaves nothing unallocated.
    assert "Kommuner: 2023 462,9" in text.alt and "Apotek: 2023 15,2" in text.alt
    assert "Øvrige aktører" not in text.alt and "Ikke fordelt" not in text.alt
    assert text.source.startswith("NHNs tallgrunnlag høsten 2024") and "Alternativ 1" in source

    path, keys = _unknown_kj_scenario(tmp_path)
    unknown = compute(load_scenario(path, key_set_dir=keys), funding, index)
    assert "Ikke fordelt" in describe(bills_figure(unknown)).alt  # shown when not zero


def test_a_template_key_without_a_source_cannot_be_used(tmp_path):
    path = _scenario_file(tmp_path, "  key_set: alternativ-1\n", "  key_set: gjeldende-modell\n")
    with pytest.raises(InputError, match="mal uten kilde") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.key == "sharing.key_set"


def test_the_baseline_uses_a_key_the_sources_state(funding, index):
    result = compute(scenario("baseline"), funding, index)
    assert result.scenario.key_set.id == "alternativ-1"
    assert result.scenario.key_set.source_file.name == "001_26607bd423ebb788.txt"
    assert result.unallocated.empty
    assert bill(result, "kommuner", 2025) + bill(result, "rhf", 2025) + bill(
        result, "apotek", 2025) == pytest.approx(TOTALS[2025])


def test_the_projection_shows_start_drivers_and_end(funding, index):
    base = replace(
        scenario("alternativ-1"),
        efficiency_pct=2.0, volume_pct=3.0, investment_share_pct=20.0,
        investments=(Investment("Helsenorge", 2026, 100.0, "test"),),
        additions=(Addition("Kjernejournal", 2025, 17.0, "NUIT 4/23, alternativ 1"),),
    )
    result = compute(base, funding, index)
    rows = result.projection.set_index(["unit", "year"])
    kj_2025 = rows.loc[("Kjernejournal", 2025)]
    assert kj_2025["start"] == 92.7 and kj_2025["additions"] == 17
    assert kj_2025["end"] == pytest.approx(109.7)
    assert rows.loc[("Kjernejournal", 2026), "end"] == pytest.approx(135.6 + 17)
    hn = rows.loc[("Helsenorge", 2027)]
    assert hn["start"] == pytest.approx(373.6)
    assert hn["volume"] == pytest.approx(373.6 * 0.03)
    assert hn["efficiency"] == pytest.approx(-373.6 * 0.02)
    assert hn["investments"] == pytest.approx(20)  # 20 % of 100 the year after
    assert hn["end"] == pytest.approx(373.6 * 1.01 + 20)
    assert rows.loc[("Helsenorge", 2028), "start"] == pytest.approx(hn["end"])
    arithmetic = result.projection
    drivers = arithmetic[["start", "volume", "efficiency", "investments", "additions"]]
    assert (drivers.sum(axis=1) - arithmetic["end"]).abs().max() < 1e-9
    assert total(result, 2025) == pytest.approx(TOTALS[2025] + 17)


def test_the_deflator_path_grows_the_base_year_bill(funding, index):
    result = compute(scenario("alternativ-1"), funding, index)
    rows = result.deflated.set_index(["group", "year"])
    base = rows.loc[("kommuner", 2025), "bill_mnok"]
    assert base == pytest.approx(bill(result, "kommuner", 2025) * 1.04121)
    assert rows.loc[("kommuner", 2027), "reference_mnok"] == pytest.approx(base * 1.04121**2)
    nominal_2027 = bill(result, "kommuner", 2027) * 1.04121**3
    assert rows.loc[("kommuner", 2027), "difference_mnok"] == pytest.approx(
        nominal_2027 - base * 1.04121**2
    )


def test_bills_add_up_to_the_totals(funding, index):
    for path in scenario_files(SCENARIOS):
        result = compute(load_scenario(path, key_set_dir=KEY_SETS), funding, index)
        by_year = result.bills.groupby("year")["value_mnok"].sum()
        totals = result.totals.groupby("year")["value_mnok"].sum()
        pd.testing.assert_series_equal(by_year, totals, check_names=False)


def test_a_saved_scenario_loads_back_to_the_same_result(funding, index, tmp_path):
    original = replace(scenario("baseline"), efficiency_pct={2027: 1.5, 2028: 3.0},
                       additions=(Addition("E-resept", 2027, 22.0, "NUIT 4/23", "alt. 2"),))
    path = save_scenario(original, tmp_path / "lagret.yml")
    again = load_scenario(path, key_set_dir=KEY_SETS)
    a, b = compute(original, funding, index), compute(again, funding, index)
    pd.testing.assert_frame_equal(a.bills, b.bills)
    pd.testing.assert_frame_equal(a.projection, b.projection)


def test_the_baseline_is_the_sources_funding_need(baseline_funding):
    got = baseline_funding.set_index(["unit", "year"])["value_mnok"]
    want = autumn_2024_funding().set_index(["unit", "year"])["value_mnok"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


# --- bad input: InputError naming file, key and line; nothing computed -----------------------


def _scenario_file(tmp_path: Path, old: str, new: str) -> Path:
    text = (SCENARIOS / "baseline.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "feil.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_an_unknown_key_is_refused(tmp_path):
    path = _scenario_file(tmp_path, "  from_round: true\n", "  from_round: true\n  volum: 2\n")
    with pytest.raises(InputError, match="ukjent nøkkel") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.path == path
    assert caught.value.line == _line_of(path, "volum: 2")
    assert "growth.volum" in str(caught.value)


def test_a_share_outside_0_100_is_refused(tmp_path):
    path = _scenario_file(
        tmp_path, "  extend_last_year: false  # nøkkelen gjelder alle år\n",
        "  extend_last_year: false\n  overrides:\n    Kjernejournal:\n"
        "      2025: {rhf: 155, kommuner: rest}\n",
    )
    with pytest.raises(InputError, match="mellom 0 og 100") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.line == _line_of(path, "rhf: 155")
    assert "sharing.overrides.Kjernejournal.2025.rhf" in str(caught.value)


def test_shares_that_do_not_sum_to_100_are_refused_when_the_file_is_read(tmp_path):
    path = _scenario_file(
        tmp_path, "  extend_last_year: false  # nøkkelen gjelder alle år\n",
        "  extend_last_year: false\n  overrides:\n    Kjernejournal:\n"
        "      2026: {rhf: 40}\n",
    )
    with pytest.raises(InputError, match="summerer ikke til 100 % \\(90 %\\)") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.path == path
    assert caught.value.line == _line_of(path, "2026: {rhf: 40}")
    assert "sharing.overrides.Kjernejournal.2026" in str(caught.value)


def test_a_year_after_the_horizon_is_refused(tmp_path):
    path = _scenario_file(tmp_path, "    2027: 4.121\n  source: \"Plassholder",
                          "    2031: 4.121\n  source: \"Plassholder")
    with pytest.raises(InputError, match="etter horisonten") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.line == _line_of(path, "2031: 4.121")
    assert "index.rates.2031" in str(caught.value)


def test_a_year_before_the_data_is_refused(tmp_path, funding, index):
    path = _scenario_file(tmp_path, "    2024: 4.121\n", "    2019: 3.0\n    2024: 4.121\n")
    loaded = load_scenario(path, key_set_dir=KEY_SETS)
    with pytest.raises(InputError, match="før første år i dataene") as caught:
        compute(loaded, funding, index)
    assert caught.value.line == _line_of(path, "2019: 3.0")
    assert "index.rates.2019" in str(caught.value)


def test_an_unknown_unit_is_refused(tmp_path, funding, index):
    path = _scenario_file(tmp_path, "  additions: []\n",
                          "  additions:\n    - {unit: Helsenorge.no, from_year: 2027, mnok: 5, "
                          "source: test}\n")
    loaded = load_scenario(path, key_set_dir=KEY_SETS)
    with pytest.raises(InputError, match="ukjent enhet") as caught:
        compute(loaded, funding, index)
    assert caught.value.line == _line_of(path, "unit: Helsenorge.no")


def test_an_unknown_key_set_is_refused(tmp_path):
    path = _scenario_file(tmp_path, "  key_set: alternativ-1\n", "  key_set: alternativ-9\n")
    with pytest.raises(InputError, match="finner ikke fordelingsnøkkelen") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.line == _line_of(path, "key_set: alternativ-9")


def test_shipped_key_sets_and_scenarios_agree():
    key_sets = load_key_sets(KEY_SETS)
    for path in scenario_files(SCENARIOS):
        assert load_scenario(path, key_set_dir=KEY_SETS).key_set.id in key_sets


def test_load_baseline_reads_the_cleaned_round(cleaned_round, baseline_funding):
    got = load_baseline(cleaned_round.round_id, cleaned_round.root)
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  baseline_funding.reset_index(drop=True))


# --- the one input mechanism: models, bounds, schema notes ----------------------------------


def _model_fields(model, prefix: str = "") -> dict[str, object]:
    """Every key path of a model, nested models included (lists of models as one key)."""
    from pydantic import BaseModel

    from tbu_analysis.common.inputs import _unwrap

    fields: dict[str, object] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner = _unwrap(info.annotation)
        fields[path] = inner
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            fields.update(_model_fields(inner, f"{path}."))
    return fields


def test_the_schema_notes_in_baseline_yml_match_the_model():
    import re

    from tbu_analysis.scenarios.files import AdditionModel, InvestmentModel, ScenarioFile
    from tbu_analysis.scenarios.keys import FIRST_YEAR, LAST_YEAR

    text = (SCENARIOS / "baseline.yml").read_text(encoding="utf-8")
    notes = dict(re.findall(r"^#   ([a-z_.]+)\s+(.*)$", text, flags=re.MULTILINE))
    fields = _model_fields(ScenarioFile)
    leaves = {path for path, inner in fields.items()
              if not (isinstance(inner, type) and hasattr(inner, "model_fields"))}
    assert set(notes) == leaves
    assert f"{FIRST_YEAR}–{LAST_YEAR}" in text
    lists = {"growth.investments.items": InvestmentModel, "growth.additions": AdditionModel}
    for path, model in lists.items():
        listed = re.search(r"\{(.*)\}", notes[path])[1].split(", ")
        assert listed == list(model.model_fields)


def test_a_non_mapping_scenario_file_is_refused_without_echoing_it(tmp_path):
    path = tmp_path / "tekst.yml"
    path.write_text("Dette er ikke et scenario, bare en lang tekst " * 20, encoding="utf-8")
    with pytest.raises(InputError, match="må være en tabell") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.path == path and caught.value.line == 1
    assert len(str(caught.value)) < 200


def test_a_horizon_of_9999_is_refused_at_once_on_the_horizon(tmp_path):
    path = _scenario_file(tmp_path, "horizon: 2028\n", "horizon: 9999\n")
    with pytest.raises(InputError, match="horisonten") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.key == "horizon" and caught.value.text == "9999"
    assert caught.value.line == _line_of(path, "horizon: 9999")


def test_a_horizon_before_the_files_years_is_blamed_on_the_horizon(tmp_path):
    path = _scenario_file(tmp_path, "horizon: 2028\n", "horizon: 2020\n")
    with pytest.raises(InputError, match="horisonten ligger før") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    assert caught.value.key == "horizon"
    assert caught.value.line == _line_of(path, "horizon: 2020")


@pytest.mark.parametrize(("old", "new", "key", "message", "needle"), [
    ("price_basis: fast\n", "price_basis: nominell\n", "price_basis", "tillatt: 'fast'",
     "price_basis: nominell"),
    ("  from_round: true\n", "  efficiency_pct: 240\n", "growth.efficiency_pct", "100",
     "efficiency_pct: 240"),
    ("  from_round: true\n", "  from_round: true\n  volume_pct: 1.1\n", "growth",
     "from_round: true leser satsene", "growth:"),
    ("    lag_years: 1", "    lag_years: 50", "growth.investments.lag_years", "≤ 10",
     "lag_years: 50"),
    ("    2025: 4.121\n    2026", "    2025: -100\n    2026", "index.rates.2025", "> -50",
     "2025: -100"),
    ("  base_year: 2025\n", "  base_year: 20255\n", "deflator.base_year", "≤ 2100",
     "base_year: 20255"),
    ("    items: []\n", "    items:\n      - {unit: Helsenorge, year: 2027}\n",
     "growth.investments.items[1].mnok", "mangler", "{unit: Helsenorge, year: 2027}"),
])
def test_every_bad_value_is_refused_with_file_line_key_and_text(tmp_path, old, new, key,
                                                                  message, needle):
    path = _scenario_file(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    error = caught.value
    assert error.path == path and error.key == key, str(error)
    assert message in error.message, str(error)
    assert error.line == _line_of(path, needle), str(error)


def test_a_scenario_saved_outside_the_project_finds_the_projects_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = tmp_path / "eget.yml"
    path.write_text((SCENARIOS / "alternativ-1.yml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert load_scenario(path).key_set.id == "alternativ-1"


def test_one_broken_file_does_not_stop_the_comparison(tmp_path, funding, index):
    from tbu_analysis.scenarios.projection import compute_many

    broken = tmp_path / "feil.yml"
    broken.write_text("name: feil\nhorizon: 2028\n", encoding="utf-8")
    comparison = compute_many([SCENARIOS / "alternativ-1.yml", broken], funding, index)
    assert list(comparison.results) == [scenario("alternativ-1").name]
    assert comparison.notes[0].startswith("feil.yml er ikke med:")
    assert "sharing" in comparison.notes[0]


# --- the command line -------------------------------------------------------------------------


def test_the_command_refuses_a_bad_scenario_with_exit_2(tmp_path, monkeypatch, capsys,
                                                        analysis):
    from tbu_analysis import cli

    monkeypatch.chdir(ROOT)
    path = _scenario_file(tmp_path, "  extend_last_year: false  # nøkkelen gjelder alle år\n",
                          "  extend_last_year: false\n  overrides:\n    Kjernejournal:\n"
                          "      2026: {rhf: 10}\n")
    assert cli.main(["scenario", str(path), "--round", "2024-host"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and f"linje {_line_of(path, '2026: {rhf: 10}')}" in err
    assert "sharing.overrides.Kjernejournal.2026" in err and "summerer ikke til 100 %" in err


def test_an_unknown_unit_stops_the_command_before_any_notebook_runs(tmp_path, monkeypatch,
                                                                   capsys, analysis):
    from tbu_analysis import cli

    monkeypatch.chdir(ROOT)
    path = _scenario_file(tmp_path, "  additions: []\n",
                          "  additions:\n    - {unit: Helsenorge.no, from_year: 2027, mnok: 5, "
                          "source: test}\n")
    assert cli.main(["scenario", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ukjent enhet" in err and "Helsenorge.no" in err
    assert not (ROOT / "reports" / "scenarios" / ROUND_ID / "feil.pdf").exists()


def test_the_latest_round_is_chosen_by_year_and_season(tmp_path):
    import shutil

    from tbu_analysis.config import latest_round

    raw = tmp_path / "data" / "raw"
    for round_id, season in (("2024-host", "høst"), ("2025-var", "vår"), ("2023-host", "høst")):
        (raw / round_id).mkdir(parents=True)
        text = (ROOT / "data" / "raw" / "2024-host" / "manifest.yaml").read_text(
            encoding="utf-8").replace("round: 2024-host", f"round: {round_id}\nyear: {round_id[:4]}"
                                      ).replace("season: høst", f"season: {season}")
        (raw / round_id / "manifest.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert latest_round(tmp_path) == "2025-var"
    (raw / "2025-var" / "manifest.yaml").write_text(
        (raw / "2025-var" / "manifest.yaml").read_text(encoding="utf-8")
        .replace("year: 2025", "year: 2024"), encoding="utf-8")
    assert latest_round(tmp_path) == "2024-host"  # same year: autumn after spring


def test_a_frame_that_breaks_its_schema_is_refused(funding, index):
    import pandera.errors

    from tbu_analysis.scenarios import schemas

    result = compute(scenario("alternativ-1"), funding, index)
    broken = result.projection.copy()
    broken.loc[0, "end"] += 1.0  # start + drivers no longer give the end
    with pytest.raises(pandera.errors.SchemaError, match="= end"):
        schemas.checked(schemas.PROJECTION, broken)
    unknown_group = result.bills.copy()
    unknown_group.loc[0, "group"] = "staten"
    with pytest.raises(pandera.errors.SchemaError):
        schemas.checked(schemas.BILLS, unknown_group)


# --- key against key --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def alt1_against_alt2(funding, index):
    from tbu_analysis.scenarios import comparison

    return comparison.for_scenario(compute(scenario("baseline"), funding, index), funding, index)


def test_alternative_2_moves_16_6_mnok_in_2026_from_the_municipalities_to_the_rhf(
        alt1_against_alt2):
    whole = alt1_against_alt2["kostnad"]
    assert whole.first_name.startswith("Alternativ 1") and whole.second_name.startswith(
        "Alternativ 2")
    # Kjernejournal 135,6 × 10 % + HelseID's share of «Grunndata og HelseID» 114,8 × 31/117,8
    # × 10 %
    expected = 135.6 * 0.1 + 114.8 * (31 / 117.8) * 0.1
    assert whole.difference("kommuner", 2026) == pytest.approx(-expected)
    assert whole.difference("rhf", 2026) == pytest.approx(expected)
    assert round(expected, 1) == 16.6
    assert whole.difference("apotek", 2026) == 0  # 11 % of E-resept under both keys
    kj = whole.frame.query("unit == 'Kjernejournal' and group == 'kommuner' and year == 2026")
    assert kj["first_mnok"].iloc[0] == pytest.approx(67.8)
    assert kj["second_mnok"].iloc[0] == pytest.approx(54.24)
    assert kj["difference_pct"].iloc[0] == pytest.approx(-20.0)


def test_on_the_growth_the_keys_differ_by_a_tenth_of_kjernejournal_and_helseids_growth(
        alt1_against_alt2):
    growth = alt1_against_alt2["vekst"]
    # Kjernejournal 92,7 → 135,6; Grunndata og HelseID 117,8 → 114,8 (HelseID weight 31/117,8)
    expected = (135.6 - 92.7) * 0.1 + (114.8 - 117.8) * (31 / 117.8) * 0.1
    assert growth.difference("rhf", 2026) == pytest.approx(expected)
    assert growth.basis_label == "nøkkelen brukt på veksten fra året før"
    assert 2023 not in set(growth.frame["year"])  # no growth into the data's first year


def test_the_key_comparison_tables_say_their_base(alt1_against_alt2):
    from tbu_analysis.scenarios import tables

    whole = alt1_against_alt2["kostnad"]
    table = tables.key_comparison_table(whole)
    assert list(table.columns) == ["Aktørgruppe", "År", "Alternativ 1", "Alternativ 2",
                                   "Forskjell", "Forskjell (%)"]
    assert "Øvrige aktører" not in set(table["Aktørgruppe"])  # pays nothing under either
    by_unit = tables.key_comparison_by_unit_table(whole, 2026)
    row = by_unit[(by_unit["Løsning"] == "Kjernejournal") & (by_unit["Aktørgruppe"] == "Kommuner")]
    assert row["Forskjell"].iloc[0] == pytest.approx(-13.56)
    text = tables.key_basis_markdown(alt1_against_alt2, 2026)
    assert "hele kostnaden: −16,6" in text and "veksten fra året før: −4,2" in text
    assert "ikke oppgitt i kilden" in text and "1,1 MNOK" in text


def test_the_workbook_holds_the_tables_and_is_byte_identical_on_a_rerun(
        funding, index, alt1_against_alt2, tmp_path):
    import openpyxl

    from tbu_analysis.scenarios import tables

    result = alt1_against_alt2["kostnad"].first
    sheets = tables.export_tables(result, alt1_against_alt2)
    first = tables.write_workbook(sheets, tmp_path / "a.xlsx").read_bytes()
    again = tables.write_workbook(tables.export_tables(result, alt1_against_alt2),
                                  tmp_path / "b.xlsx").read_bytes()
    assert first == again
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert {"Regning", "Nøkler – kostnad", "Nøkler – vekst", "Forutsetninger"} <= set(
        book.sheetnames)
    rows = list(book["Nøkler – kostnad"].values)
    header = rows[2]  # under the title line (what, unit, kroner) and a blank line
    assert "mill. kroner, 2024-kroner" in rows[0][0]
    assert header[-1] == "Forskjell (%)"
    kj = next(r for r in rows if r[0] == "Kjernejournal" and r[1] == "Kommuner" and r[2] == 2026)
    assert kj[header.index("Alternativ 2")] == pytest.approx(54.24)
    csvs = tables.write_csv_files(sheets, tmp_path, "alt1")
    assert (tmp_path / "alt1-regning.csv") in csvs
    assert "Kommuner" in (tmp_path / "alt1-regning.csv").read_text(encoding="utf-8")


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_the_command_writes_the_workbook_beside_the_pdf(tmp_path, monkeypatch, capsys):
    import shutil

    from tbu_analysis import cli
    from tbu_analysis.reports import execute

    for name in ("data/raw", "scenarios"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["clean", "--round", "2024-host"]) == 0

    # the notebook run is tested elsewhere
    def fake_pdf(path, round_id, root, notebooks, log, *, name):
        pdf = root / "reports" / "scenarios" / ROUND_ID / f"{path.stem}.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(b"%PDF")
        return pdf

    monkeypatch.setattr(execute, "run_scenario", fake_pdf)
    assert cli.main(["scenario", "scenarios/alternativ-2.yml", "--round", "2024-host"]) == 0
    workbook = tmp_path / "reports" / "scenarios" / ROUND_ID / "alternativ-2.xlsx"
    assert workbook.is_file() and "alternativ-2.xlsx" in capsys.readouterr().out
    import openpyxl

    rows = list(openpyxl.load_workbook(workbook)["Nøkler – kostnad"].values)
    kj = next(r for r in rows if r[0] == "Kjernejournal" and r[1] == "Kommuner" and r[2] == 2026)
    assert kj[rows[2].index("Alternativ 2")] == pytest.approx(54.24)


# --- placeholders are not results -------------------------------------------------------------


def test_amounts_moved_with_placeholder_rates_are_marked(funding, index):
    from tbu_analysis.scenarios import tables

    base = scenario("baseline")
    assert base.index_placeholder and base.deflator.placeholder
    fixed = compute(base, funding, index)
    assert fixed.placeholder_years == ()  # 2024 kroner: no placeholder rate is used
    current = compute(replace(base, price_basis=CURRENT), funding, index)
    assert current.placeholder_years == (2025, 2026, 2027, 2028)  # 2024→2025 is a placeholder
    headings = list(tables.bills_table(current).columns)
    assert headings == ["Aktørgruppe", "2023", "2024", "2025*", "2026*", "2027*", "2028*"]
    assert any("merket med *" in note and "2025–2028" in note for note in current.notes)
    deflator = tables.deflator_table(current)
    assert set(deflator.loc[deflator["År"] > 2025, "Satser"]) == {"plassholder"}
    sourced = compute(replace(base, price_basis=CURRENT, index_placeholder=False,
                              deflator=replace(base.deflator, placeholder=False)),
                      funding, index)
    assert sourced.placeholder_years == ()
    assert "Satser" not in tables.deflator_table(sourced).columns


def test_the_assumptions_name_the_keys_base_and_the_placeholders(funding, index):
    from tbu_analysis.scenarios import tables

    table = tables.assumptions_table(compute(scenario("baseline"), funding, index))
    rows = table.set_index("Forutsetning")
    assert rows.loc["Grunnlag for nøkkelen", "Verdi"] == "ikke oppgitt i kilden"
    assert "1,1 MNOK" in rows.loc["Grunnlag for nøkkelen", "Kilde"]
    assert rows.loc["Indeks (satser i scenarioet)", "Verdi"].endswith("(plassholder, uten kilde)")
    assert rows.loc["Deflator", "Verdi"].endswith("(plassholder, uten kilde)")


def test_the_workbook_reads_and_prints_well_in_a_norwegian_spreadsheet(
        alt1_against_alt2, tmp_path):
    """Title with unit and kroner year, bold headers, years as numbers, one decimal for mill.
    kroner, «(%)» on percentages, landscape one page wide with the header on every page, and
    a tidy «Data» sheet for programs (LibreOffice's PDF of it: 16 readable pages, was 53)."""
    import openpyxl

    from tbu_analysis.scenarios import tables

    result = alt1_against_alt2["kostnad"].first
    path = tables.write_workbook(tables.export_tables(result, alt1_against_alt2),
                                 tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        tall = 1 if sheet.title.startswith("Figur") else 0  # a chart sheet: one page
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, tall)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows
    bills = book["Regning"]
    assert bills["A1"].value.startswith("Regning per aktørgruppe og år, mill. kroner, "
                                        "2024-kroner")
    assert [c.value for c in bills[3]] == ["Aktørgruppe", 2023, 2024, 2025, 2026, 2027, 2028]
    assert all(c.font.b for c in bills[3])
    assert bills["B4"].number_format == "#,##0.0"
    shares = [c.value for c in book["Andeler"][3]]
    assert "Kommuner (%)" in shares and "Øvrige aktører (%)" in shares
    deflator = [c.value for c in book["Mot deflator"][3]]
    assert "Vekst i regning (%)" in deflator and "Deflatorvekst (%)" in deflator
    data = list(book["Data"].values)
    assert data[0] == ("tabell", "nøkkel", "løsning", "aktørgruppe", "år", "mill_kroner",
                       "andel_prosent", "kroneverdi", "plassholdersats")
    kj = [r for r in data if r[:5] == ("regning", "alternativ-1", "Kjernejournal", "kommuner",
                                       2026)]
    assert len(kj) == 1 and kj[0][5] == pytest.approx(67.8) and kj[0][6] == 50.0
    assert any(r[0] == "nøkkel mot nøkkel, vekst" and r[1] == "alternativ-2" for r in data)


def test_placeholder_years_are_numbers_in_the_workbook_and_explained(funding, index, tmp_path):
    """The report's «2027*» is a text heading in a spreadsheet: the workbook has 2027, and
    «Forutsetninger» says what the mark means and which years it marks."""
    from dataclasses import replace

    import openpyxl

    from tbu_analysis.scenarios import tables
    from tbu_analysis.scenarios.model import CURRENT

    # in current kroner the baseline's later index rates (placeholders) move the amounts
    result = compute(replace(scenario("baseline"), price_basis=CURRENT), funding, index)
    assert result.placeholder_years
    assert f"{result.placeholder_years[0]}*" in tables.bills_table(result).columns
    book = openpyxl.load_workbook(tables.write_workbook(tables.export_tables(result),
                                                        tmp_path / "p.xlsx"))
    headers = [c.value for c in book["Regning"][3]]
    assert all(isinstance(h, int) for h in headers[1:])
    notes = {r[0]: r[1] for r in book["Forutsetninger"].values if r and r[0]}
    years = ", ".join(map(str, result.placeholder_years))
    assert notes["År med plassholdersats"].startswith(f"{years}: beløpene bygger på")
    csv = tables.norwegian_csv_bytes(tables.export_tables(result)["Regning"].frame)
    assert b"*" not in csv.split(b"\r\n")[0]


# --- ready-made scenarios from the sources (issue 21) ------------------------------------------

NUIT_4_23 = ROOT / "scenarios" / "source" / "002_ea57c06e23fd2e06.txt"


@pytest.mark.parametrize("name,extra", [("nuit-4-23-alternativ-1", 17.0),
                                        ("nuit-4-23-alternativ-2", 22.0)])
def test_nuit_4_23s_budget_alternatives_add_their_d_and_f_in_2025(funding, index, name,
                                                                 extra):
    result = compute(scenario(name), funding, index)
    by_year = result.versus_baseline.groupby("year")["difference_mnok"].sum()
    assert by_year[2025] == pytest.approx(extra) and by_year[2024] == 0
    source = " ".join(NUIT_4_23.read_text(encoding="utf-8").split())
    assert f"{extra:.1f}".replace(".", ",") + " MNOK" in source  # «Total … 17,0 MNOK»


def test_nuit_5_22s_rule_turns_a_fifth_of_an_investment_into_yearly_d_and_f(funding, index):
    result = compute(scenario("nuit-5-22-investering"), funding, index)
    steps = result.projection.set_index(["unit", "year"])["investments"]
    assert steps["Kjernejournal", 2027] == pytest.approx(0.2 * 96.8)


@pytest.mark.parametrize("name", ["nuit-4-23-alternativ-1", "nuit-4-23-alternativ-2",
                                  "nuit-5-22-investering"])
def test_every_quote_of_a_ready_made_scenario_is_in_the_shipped_source(name):
    """Each «…» in an addition's or investment's source is printed in NUIT 4/23 (the copy
    under scenarios/source/ is the document byte for byte)."""
    import re

    text = " ".join(NUIT_4_23.read_text(encoding="utf-8").split())
    s = scenario(name)
    quotes = [q for item in (*s.additions, *s.investments)
              for q in re.findall(r"«([^»]+)»", item.source)]
    assert quotes
    for quote in quotes:
        assert " ".join(quote.split()) in text, quote


def test_side_by_side_never_mixes_fixed_and_current_kroner_nor_repeats_a_block(
        funding, index, tmp_path, monkeypatch):
    from dataclasses import replace

    from tbu_analysis.scenarios import tables
    from tbu_analysis.scenarios.files import all_scenario_files, save_scenario
    from tbu_analysis.scenarios.model import CURRENT

    own = tmp_path / "mine"
    own.mkdir()
    monkeypatch.setenv("TBU_SCENARIO_DIR", str(own))
    save_scenario(replace(scenario("baseline"), name="Mitt i løpende kroner",
                          price_basis=CURRENT), own / "mitt.yml")
    files = all_scenario_files()
    assert files[-1] == own / "mitt.yml"  # the economist's own files are listed too
    from tbu_analysis.scenarios.projection import compute_many

    results = compute_many(files, funding, index).results
    split = tables.comparison_tables(results)
    assert set(split) == {"2024-kroner", "løpende kroner"}
    fixed = split["2024-kroner"]
    assert list(fixed.columns)[2:] == [2023, 2024, 2025, 2026, 2027, 2028]
    assert fixed["Scenario"].tolist().count("Mitt i løpende kroner") == 0
    blocks = [tuple(map(tuple, frame.drop(columns="Scenario").round(6).values))
              for _, frame in fixed.groupby("Scenario", sort=False)]
    assert len(blocks) == len(set(blocks))  # no block repeats another


def test_provenance_lists_the_compared_key_and_its_source(tmp_path):
    from tbu_analysis.scenarios.files import provenance_files

    names = {p.name for p in provenance_files(scenario("alternativ-2"))}
    assert {"alternativ-2.yml", "alternativ-2.yaml", "alternativ-1.yaml"} <= names
    assert "001_26607bd423ebb788.txt" in names


def test_readings_of_the_minutes_are_shown_as_readings(funding, index, alt1_against_alt2):
    """Alternativ 2's E-resept 44,5/44,5, «øvrige 0 %» and VKP 50/50 are the project's
    readings, not the minutes' words: the key files list them and both reports say so."""
    from tbu_analysis.scenarios import tables

    result = compute(scenario("alternativ-2"), funding, index)
    readings = result.scenario.key_set.readings
    assert [r.share for r in readings][:3] == [
        "E-resept 44,5/44,5", "Øvrige aktører 0 %", "Velferdsteknologisk knutepunkt (VKP) 50/50"]
    assert all("prosjektets tolkning" in r.why for r in readings)
    rows = tables.assumptions_table(result)
    shown = rows[rows["Forutsetning"] == "Tolkning (ikke sagt i kilden)"]
    assert len(shown) == len(readings)
    assert (rows["Forutsetning"] == "Tolkning i nøkkelen det sammenlignes med").sum() == 3
    text = tables.key_basis_markdown(alt1_against_alt2, 2026)
    assert "prosjektets tolkning av kilden, ikke noe kilden sier" in text and "44,5/44,5" in text
    summary = tables.summary(result)
    assert "aldri gjettet" not in summary
    assert "tolkning av kilden, ikke kildens egne tall: E-resept 44,5/44,5" in summary


# --- the scenario report: what it may print -----------------------------------------------------


def test_the_summary_prints_nhns_total_beside_the_units_sum(funding, index):
    """One value per quantity, as the main report: NHN's 2026 total as printed (1 076), the
    solutions' own figures summed (1 074,5), never a 1 076,2 of the overview's rounded rows."""
    from tbu_analysis.scenarios import files, tables

    result = compute(scenario("alternativ-2"), funding, index)
    text = " ".join(tables.summary(result, files.printed_totals("2024-host")).split())
    assert ("i 2026: 1 076 (NHNs siste estimat, slik NHN trykker det; løsningenes tall "
            "summerer til 1 074,5)") in text
    assert "forskjell mot grunnlaget: 0,0" in text  # a key changes no amounts
    added = compute(scenario("nuit-4-23-alternativ-1"), funding, index)
    assert "slik NHN trykker det" not in tables.summary(added, files.printed_totals("2024-host"))
    view = tables.totals_view(result).set_index("Løsning")
    assert view.loc["Helsenorge", "2024"] == "343,6" and view.loc["Helsenorge", "2025"] == "351"
    assert view.loc["Sum", "2026"] == "1\u00a0074,5" and view.loc["Sum", "2023"] == "941"


def test_nhns_years_print_at_the_sources_precision_in_the_bills_and_the_workbook(
        funding, index):
    """The source prints whole millions (325 for Helsenorge 2023): the report's bills table
    and the workbook's «Regning» and «Per løsning» show an amount of NHN's years with the
    decimals it needs (totals_view's rule), never 325,0; projected years keep one decimal."""
    import openpyxl

    from tbu_analysis.common.store import excel_bytes
    from tbu_analysis.scenarios import tables

    result = compute(scenario("alternativ-2"), funding, index)
    bills = tables.bills_view(result).set_index("Aktørgruppe")
    assert bills.loc["Øvrige aktører", "2023"] == "0"  # was 0,0
    assert bills.loc["Øvrige aktører", "2027"] == "0,0"  # projected
    assert bills.loc["Kommuner", "2023"] == "448,9" and bills.loc["Sum", "2024"] == "1\u00a0037,5"
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(tables.export_tables(result))))
    units = {row[0].value: row for row in book["Per løsning"].iter_rows(min_row=4)}
    assert (units["Helsenorge"][1].value, units["Helsenorge"][1].number_format) == (325, "#,##0")
    assert units["Helsenorge"][2].number_format == "#,##0.0"  # 343,6
    assert units["Helsenorge"][6].number_format == "#,##0.0"  # 2028, projected
    groups = {row[0].value: row for row in book["Regning"].iter_rows(min_row=4)}
    assert groups["Øvrige aktører"][1].number_format == "#,##0"
    assert groups["Kommuner"][1].number_format == "#,##0.0"


def test_the_summary_says_where_the_units_sum_differs_from_the_main_report(funding, index):
    """Helsenettet is billed as two parts (VKP with its own key). In this round its units sum
    to the main report's figure every year (2026: 25,2 + 244,7 = 269,9, the report's 299,9 − 30
    from Tabell 11), so nothing is said; where they differ (Tabell 11's own rows give 187,5 +
    57,5 + 25,2 = 270,2) it is said once, beside the figure, and only where the scenario shows
    NHN's years unchanged."""
    from tbu_analysis.scenarios import files, tables

    assert files.report_differences("2024-host") == []
    differences = [("Helsenettet", 2026, 270.2, 269.9)]
    result = compute(scenario("alternativ-2"), funding, index)
    text = " ".join(tables.summary(result, files.printed_totals("2024-host"), differences).split())
    assert ("Helsenettet 2026 er 270,2 her: summen av kildens rader for delene som fordeles med "
            "hver sin nøkkel. Hovedrapporten bruker løsningens eget tall, 269,9.") in text
    added = compute(scenario("nuit-4-23-alternativ-1"), funding, index)
    assert "Hovedrapporten bruker" not in tables.summary(added, files.printed_totals("2024-host"),
                                                         differences)


def test_unknown_and_no_cost_are_two_markers(funding, index, tmp_path):
    from tbu_analysis.scenarios import tables

    view = tables.shares_view(compute(scenario("alternativ-2"), funding, index))
    vkp = view[view["Løsning"] == "Velferdsteknologisk knutepunkt (VKP)"].set_index("År")
    assert vkp.loc[2023, "Merknad"] == "ingen kostnad" and vkp.loc[2023, "Kommuner"] == ""
    assert vkp.loc[2024, "Kommuner"] == "50,0\u00a0%"
    path, keys = _unknown_kj_scenario(tmp_path)
    unknown = tables.shares_view(compute(load_scenario(path, key_set_dir=keys), funding, index))
    kj = unknown[(unknown["Løsning"] == "Kjernejournal") & (unknown["År"] == 2025)]
    assert "ukjent" in set(kj.iloc[0, 2:]) and "ingen kostnad" not in set(kj.iloc[0, 2:])


def test_a_percentage_of_a_tiny_base_is_left_out(alt1_against_alt2):
    """On the growth, RHF's 2025 bill is 5,4 under one key and 1,7 under the other: the
    difference of 3,7 was printed as 237,9 % (of 1,7) in alternativ-2.pdf."""
    from tbu_analysis.scenarios import tables
    from tbu_analysis.scenarios.comparison import TINY_BASE_MNOK

    growth = alt1_against_alt2["vekst"].frame
    rhf = growth.query("unit == 'Alle løsninger' and group == 'rhf' and year == 2025").iloc[0]
    assert rhf["first_mnok"] < TINY_BASE_MNOK and rhf["difference_pct"] != rhf["difference_pct"]
    assert round(abs(rhf["difference_mnok"]), 1) == 3.7  # the amount stays
    assert tables.tiny_bases(alt1_against_alt2["vekst"])


def test_placeholders_are_no_results_in_the_report(funding, index):
    """The deflator table and the placeholder index and deflator bars rest on rates without a
    source: the report leaves them out and says so; the workbook's sheet says it is none."""
    from tbu_analysis.scenarios import projection, tables

    result = compute(scenario("alternativ-2"), funding, index)
    assert projection.deflator_is_placeholder(result.scenario)
    assert any("ikke med i rapporten" in note for note in result.notes)
    assert not any(note.startswith("Deflatorsammenligningen:") for note in result.notes)
    title = tables.export_tables(result)["Mot deflator"].title
    assert "plassholdere uten kilde" in title and "ikke et resultat" in title


def test_the_workbook_draws_key_against_key(funding, index, tmp_path):
    """A chart sheet after each key-against-key table: a line chart per group that pays and
    a bar chart of the differences, drawn from the sheet's own cells; byte-identical reruns."""
    import openpyxl

    from tbu_analysis.scenarios import comparison, tables

    result = compute(scenario("alternativ-2"), funding, index)
    keys = comparison.for_scenario(result, funding, index)
    target = tables.write_workbook(tables.export_tables(result, keys), tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(target)
    names = book.sheetnames
    assert names.index("Figur – kostnad") == names.index("Nøkler – kostnad") + 1
    sheet = book["Figur – kostnad"]
    assert [c.value for c in sheet[3]][:4] == ["År", "Kommuner: Alternativ 2",
                                             "Kommuner: Alternativ 1", "Kommuner: forskjell"]
    kommuner_2026 = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == 2026)
    assert kommuner_2026[3] == pytest.approx(16.58, abs=0.01)
    again = tables.write_workbook(tables.export_tables(result, keys), tmp_path / "b.xlsx")
    assert target.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(target) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 * 4  # Kommuner, RHF, Apotek and the differences, on both bases
