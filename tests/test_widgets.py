"""The scenario explorer: set a control's value, read the recomputed tables from its state."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.scenarios.explorer import ScenarioExplorer
from tbu_analysis.scenarios.files import load_scenario
from tbu_analysis.scenarios.projection import compute
from tbu_analysis.scenarios.tables import bills_table, deflator_table, shares_table

ROOT = Path(__file__).resolve().parents[1]
KEY_SETS = ROOT / "data" / "raw" / "cost_sharing"

@pytest.fixture
def explorer(baseline_funding) -> ScenarioExplorer:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    return ScenarioExplorer(baseline_funding, index, scenario, chart=False)


def cell(result, group: str, year: int, unit: str | None = None) -> float:
    frame = result.bills_by_unit if unit else result.bills
    mask = (frame["group"] == group) & (frame["year"] == year)
    if unit:
        mask &= frame["unit"] == unit
    return float(frame.loc[mask, "value_mnok"].sum())


def test_choosing_alternative_2_recomputes_the_bills(explorer):
    assert cell(explorer.result, "kommuner", 2025, "Kjernejournal") == pytest.approx(46.35)
    assert set(dict(explorer.key_set.options).values()) == {"alternativ-1", "alternativ-2"}
    explorer.key_set.value = "alternativ-2"
    assert explorer.error is None
    assert cell(explorer.result, "kommuner", 2025, "Kjernejournal") == pytest.approx(37.08)
    assert cell(explorer.result, "rhf", 2025, "Kjernejournal") == pytest.approx(55.62)
    assert cell(explorer.result, "apotek", 2025, "E-resept") == pytest.approx(21.12)
    assert cell(explorer.result, "ikke_fordelt", 2025) == pytest.approx(0)
    assert "Kommuner" in explorer.bills_view.value


def test_the_index_slider_restates_2023(explorer):
    explorer.index_rates[2023].value = 5.0
    totals = explorer.result.totals.groupby("year")["value_mnok"].sum()
    assert round(totals[2023], 1) == 948.9
    assert totals[2024] == pytest.approx(1037.5)  # the solutions' own figures, 343,6 …


def test_efficiency_and_volume_sliders_change_the_projection(explorer):
    explorer.efficiency.value = 0.0
    explorer.volume.value = 2.0
    rows = explorer.result.projection.set_index(["unit", "year"])
    assert rows.loc[("Helsenorge", 2027), "end"] == pytest.approx(373.6 * 1.02)
    assert rows.loc[("Helsenorge", 2028), "end"] == pytest.approx(373.6 * 1.02**2)


@pytest.fixture
def unknown_explorer(baseline_funding, tmp_path) -> ScenarioExplorer:
    """An explorer on a key with Kjernejournal 2025 unknown (no shipped key has one)."""
    from test_scenarios import UNKNOWN_KJ_2025

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "ukjent-kj.yaml").write_text(UNKNOWN_KJ_2025, encoding="utf-8")
    (keys / "alternativ-2.yaml").write_bytes((KEY_SETS / "alternativ-2.yaml").read_bytes())
    path = tmp_path / "ukjent.yml"
    path.write_text((ROOT / "scenarios" / "baseline.yml").read_text(encoding="utf-8").replace(
        "  key_set: alternativ-1\n", "  key_set: ukjent-kj\n"), encoding="utf-8")
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    return ScenarioExplorer(baseline_funding, index, load_scenario(path, key_set_dir=keys),
                            chart=False)


def test_filling_the_unknown_kjernejournal_2025_side(unknown_explorer):
    explorer = unknown_explorer
    assert cell(explorer.result, "ikke_fordelt", 2025, "Kjernejournal") == pytest.approx(92.7)
    options = dict(explorer.unknown_cell.options)
    explorer.unknown_cell.value = options["Kjernejournal 2025: RHF"]
    explorer.unknown_value.value = "55"
    result = explorer.result
    assert cell(result, "rhf", 2025, "Kjernejournal") == pytest.approx(50.985)
    assert cell(result, "kommuner", 2025, "Kjernejournal") == pytest.approx(41.715)
    assert cell(result, "ikke_fordelt", 2025, "Kjernejournal") == pytest.approx(0)
    explorer.unknown_value.value = ""  # back to unknown
    assert cell(explorer.result, "ikke_fordelt", 2025, "Kjernejournal") == pytest.approx(92.7)


def test_bad_input_shows_a_message_and_no_tables(unknown_explorer):
    explorer = unknown_explorer
    explorer.unknown_value.value = "155"
    assert explorer.error is not None and explorer.result is None
    assert "0 og 100" in explorer.message.value
    assert explorer.bills_view.value == ""
    explorer.unknown_value.value = "45"
    assert explorer.error is None and explorer.result is not None


def test_lagre_scenario_writes_a_file_that_gives_the_same_result(explorer, tmp_path):
    explorer.key_set.value = "alternativ-2"
    explorer.index_rates[2023].value = 5.0
    explorer.volume.value = 1.5
    target = tmp_path / "eget.yml"
    explorer.save_path.value = str(target)
    explorer.save_button.click()
    assert target.is_file() and "Lagret" in explorer.save_status.value
    saved = load_scenario(target, key_set_dir=KEY_SETS)
    again = compute(saved, explorer.baseline_funding, explorer.index)
    pd.testing.assert_frame_equal(again.bills, explorer.result.bills)
    assert saved.key_set.id == "alternativ-2"


def test_views_are_tables_the_notebook_can_show(explorer):
    bills = bills_table(explorer.result)
    assert list(bills["Aktørgruppe"])[-1] == "Sum"
    # the solutions' own figures (Helsenorge 373,6 …, E-resept 192,0 − 11,4 = 180,6, Helsenettet
    # 299,9 − 30 = 269,9); printed 1 076
    assert bills.set_index("Aktørgruppe").loc["Sum", "2026"] == pytest.approx(1074.5)
    assert not deflator_table(explorer.result).empty
    assert "Kommuner" in shares_table(explorer.result).columns


def test_the_explorers_frames_keep_the_scenario_schemas(explorer):
    from tbu_analysis.scenarios import schemas

    explorer.key_set.value = "alternativ-2"
    explorer.volume.value = 2.0
    result = explorer.result
    for schema, frame in [(schemas.PROJECTION, result.projection), (schemas.BILLS, result.bills),
                          (schemas.BILLS_BY_UNIT, result.bills_by_unit),
                          (schemas.VERSUS_BASELINE, result.versus_baseline),
                          (schemas.DEFLATED, result.deflated)]:
        schemas.checked(schema, frame)


def test_saving_an_untouched_explorer_gives_the_file_that_was_loaded(explorer, tmp_path):
    target = tmp_path / "uendret.yml"
    assert explorer.save(target) == target
    assert target.read_bytes() == (ROOT / "scenarios" / "baseline.yml").read_bytes()


def test_a_changed_value_records_its_new_source_and_loads_back(baseline_funding, tmp_path):
    import datetime as dt

    import yaml

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index, scenario, chart=False,
                                today=dt.date(2026, 1, 2))
    explorer.volume.value = 0.1 + 0.2  # 0.30000000000000004 from a slider's arithmetic
    explorer.key_set.value = "alternativ-2"
    target = explorer.save(tmp_path / "endret.yml")
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["growth"]["volume_pct"] == 0.3
    assert saved["growth"]["source"] == "endret i utforskeren, 2026-01-02"
    assert saved["index"]["source"] == scenario.index_source  # untouched: old source kept
    assert saved["description"].startswith("Endret i utforskeren 2026-01-02 fra «Grunnlag")
    assert "fordelingsnøkkel Alternativ 2 (var Alternativ 1)" in saved["description"]
    again = ScenarioExplorer(baseline_funding, index,
                             load_scenario(target, key_set_dir=KEY_SETS), chart=False)
    assert again.key_set.value == "alternativ-2"
    pd.testing.assert_frame_equal(again.result.bills, explorer.result.bills)


def test_saved_scenarios_go_to_the_users_folder_outside_the_repository(
        baseline_funding, tmp_path, monkeypatch):
    monkeypatch.setenv("TBU_SCENARIO_DIR", str(tmp_path / "mine"))
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index, scenario, chart=False)
    assert Path(explorer.save_path.value) == tmp_path / "mine" / "baseline-eget.yml"
    explorer.save_button.click()
    assert (tmp_path / "mine" / "baseline-eget.yml").is_file()
    assert not (ROOT / "scenarios" / "baseline-eget.yml").exists()


def test_the_explorers_tables_export_to_excel_and_csv(explorer, tmp_path):
    import openpyxl

    explorer.save_path.value = str(tmp_path / "mitt.yml")
    explorer.key_set.value = "alternativ-2"
    explorer.export_button.click()
    book = openpyxl.load_workbook(tmp_path / "mitt.xlsx")
    rows = list(book["Regning"].values)
    assert rows[0][0].startswith("Regning per aktørgruppe og år, mill. kroner, 2024-kroner")
    header = rows[2]  # title, blank line, then the bold header
    kommuner = next(r for r in rows if r[0] == "Kommuner")
    assert kommuner[header.index(2025)] == pytest.approx(503.77)  # Grunndata 117,8
    assert book["Regning"].cell(row=4, column=2).number_format == "#,##0.0"
    assert "Eksportert" in explorer.save_status.value
    csv = (tmp_path / "mitt-regning.csv").read_bytes()
    assert csv.startswith("\ufeffAktørgruppe;2023;".encode())  # BOM, semicolons
    assert "Kommuner;" in csv.decode("utf-8-sig") and ";503,8;" in csv.decode("utf-8-sig")


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_the_explorers_export_is_the_workbook_make_scenario_writes(explorer, tmp_path):
    """Same scenario, same bytes: the explorer's «Eksporter» and `make scenario`'s workbook
    (key against key included) after changing the key and a rate."""
    from tbu_analysis.config import round_paths
    from tbu_analysis.pipeline import run_clean
    from tbu_analysis.scenarios.export import write_scenario_workbook

    explorer.key_set.value = "alternativ-2"
    explorer.volume.value = 1.5
    explorer.save_path.value = str(tmp_path / "mitt.yml")
    saved = explorer.save()
    explorer.export()
    paths = round_paths("2024-host", ROOT)
    run_clean(paths)
    made = write_scenario_workbook(load_scenario(saved, key_set_dir=KEY_SETS), paths,
                                   tmp_path / "make" / "mitt.xlsx")
    assert (tmp_path / "mitt.xlsx").read_bytes() == made.read_bytes()
    import openpyxl

    assert "Nøkler – kostnad" in openpyxl.load_workbook(made).sheetnames


def test_controls_without_effect_are_disabled_with_the_reason(explorer):
    assert not explorer.index_rates[2023].disabled  # restates 2023 into 2024 kroner
    assert explorer.index_rates[2024].disabled and explorer.index_rates[2026].disabled
    assert explorer.investment_share.disabled  # the baseline has no investments
    assert "løpende kroner" in explorer.disabled_help.value
    assert "growth.investments.items" in explorer.disabled_help.value
    explorer.price_basis.value = "lopende"
    assert not explorer.index_rates[2024].disabled
    assert "løpende kroner" not in explorer.disabled_help.value


def test_readouts_are_norwegian_numbers(explorer):
    explorer.index_rates[2023].value = 4.121
    assert explorer.typed[explorer.index_rates[2023]].value == "4,121"
    explorer.volume.value = -1.5
    assert explorer.typed[explorer.volume].value == "\u22121,5"
    assert "padding" in explorer.bills_view.value


def test_a_hidden_tab_is_drawn_when_it_is_opened(explorer):
    explorer.key_set.value = "alternativ-2"
    assert "Kommuner" in explorer.bills_view.value
    assert explorer.totals_view.value == ""  # not drawn until opened
    explorer.tabs.selected_index = 1
    assert "Kjernejournal" in explorer.totals_view.value and "1\u00a0074,5" in \
        explorer.totals_view.value


def test_the_bars_show_each_groups_bill_in_norwegian_numbers(baseline_funding):
    from tbu_analysis.scenarios.explorer import bills_bars_html

    scenario = load_scenario(ROOT / "scenarios" / "alternativ-2.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    bars = bills_bars_html(compute(scenario, baseline_funding, index))
    assert "Kommuner" in bars and "503,8" in bars and "Ikke fordelt" not in bars


def test_investments_and_additions_can_be_added_and_saved(baseline_funding, tmp_path):
    import datetime as dt

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index, scenario, chart=False,
                                today=dt.date(2026, 1, 2))
    before = explorer.result.projection.set_index(["unit", "year"])
    explorer.item_unit.value, explorer.item_year.value = "Helsenorge", 2027
    explorer.item_mnok.value = "100"
    explorer.add_item()
    assert not explorer.investment_share.disabled  # now there is an investment
    explorer.item_kind.value = "addition"
    explorer.item_unit.value, explorer.item_year.value = "Kjernejournal", 2027
    explorer.item_mnok.value = "13,0"
    explorer.item_add.click()
    rows = explorer.result.projection.set_index(["unit", "year"])
    assert rows.loc[("Helsenorge", 2028), "investments"] == pytest.approx(20)  # 20 % a year on
    assert rows.loc[("Kjernejournal", 2027), "additions"] == pytest.approx(13)
    assert rows.loc[("Kjernejournal", 2027), "end"] == pytest.approx(
        before.loc[("Kjernejournal", 2027), "end"] + 13)
    target = explorer.save(tmp_path / "med-tillegg.yml")
    saved = load_scenario(target, key_set_dir=KEY_SETS)
    assert saved.investments[0].source == "endret i utforskeren, 2026-01-02"
    assert (saved.additions[0].unit, saved.additions[0].mnok) == ("Kjernejournal", 13.0)
    explorer.item_mnok.value = "tretten"
    explorer.add_item()
    assert explorer.error is not None and "tretten" in explorer.message.value
    explorer.clear_items()
    assert explorer.error is None
    assert explorer.result.projection.set_index(["unit", "year"]).loc[
        ("Kjernejournal", 2027), "additions"] == 0


def test_the_explorer_sets_its_key_against_another(explorer):
    assert explorer.compare_with.value == "alternativ-2"  # the file's sharing.compare_with
    explorer.tabs.selected_index = 4
    view = explorer.keys_view.value
    assert "Alternativ 2 mot Alternativ 1, nøkkelen brukt på hele kostnaden" in view
    assert "\u221216,6" in view and "ikke oppgitt i kilden" in view
    assert "alternativ-1" not in dict(explorer.compare_with.options).values()  # never itself


def test_a_custom_key_for_one_solution_is_used_saved_and_loaded_back(explorer, tmp_path):
    explorer.share_unit.value, explorer.share_from.value = "Kjernejournal", 2025
    for group, value in {"kommuner": "30", "rhf": "60", "apotek": "0", "ovrige": "10"}.items():
        explorer.share_boxes[group].value = value
    explorer.share_apply.click()
    assert explorer.error is None
    assert cell(explorer.result, "kommuner", 2026, "Kjernejournal") == pytest.approx(0.3 * 135.6)
    assert cell(explorer.result, "ovrige", 2026, "Kjernejournal") == pytest.approx(13.56)
    assert cell(explorer.result, "kommuner", 2024, "Kjernejournal") == pytest.approx(65.05)
    saved = load_scenario(explorer.save(tmp_path / "egen.yml"), key_set_dir=KEY_SETS)
    again = compute(saved, explorer.baseline_funding, explorer.index)
    pd.testing.assert_frame_equal(again.bills, explorer.result.bills)
    explorer.share_boxes["ovrige"].value = "0"  # now 90 %
    explorer.share_apply.click()
    assert explorer.error is not None and "summerer ikke til 100 %" in explorer.message.value
    explorer.clear_shares()
    assert cell(explorer.result, "kommuner", 2026, "Kjernejournal") == pytest.approx(67.8)


def test_deflator_rates_are_edited_saved_with_their_new_source_and_loaded_back(
        baseline_funding, tmp_path):
    import datetime as dt

    import yaml

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index, scenario, chart=False,
                                today=dt.date(2026, 1, 2))
    assert sorted(explorer.deflator_rates) == [2025, 2026, 2027]
    assert not any(slider.disabled for slider in explorer.deflator_rates.values())

    def reference(group: str, year: int) -> float:
        frame = explorer.result.deflated.set_index(["group", "year"])
        return float(frame.loc[(group, year), "reference_mnok"])

    kommuner_2025 = reference("kommuner", 2025)  # the base year's bill, current kroner
    assert kommuner_2025 == pytest.approx(537.41, abs=0.01)
    assert reference("kommuner", 2027) == pytest.approx(kommuner_2025 * 1.04121**2)
    explorer.deflator_rates[2026].value = 2.0
    assert explorer.typed[explorer.deflator_rates[2026]].value == "2,000"
    assert reference("kommuner", 2027) == pytest.approx(kommuner_2025 * 1.04121 * 1.02)
    assert reference("kommuner", 2027) == pytest.approx(570.75, abs=0.01)
    explorer.tabs.selected_index = 5
    assert "Over deflator" in explorer.deflator_view.value and "570,7" in \
        explorer.deflator_view.value
    target = explorer.save(tmp_path / "deflator.yml")
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["deflator"]["rates"] == {2025: 4.121, 2026: 2.0, 2027: 4.121}
    assert saved["deflator"]["source"] == "endret i utforskeren, 2026-01-02"
    assert saved["index"]["source"] == scenario.index_source  # untouched: old source kept
    again = ScenarioExplorer(baseline_funding, index,
                             load_scenario(target, key_set_dir=KEY_SETS), chart=False)
    assert again.deflator_rates[2026].value == 2.0
    pd.testing.assert_frame_equal(again.result.deflated, explorer.result.deflated)


def test_a_deflator_rate_before_the_base_year_is_disabled_with_the_reason(
        baseline_funding, tmp_path):
    path = tmp_path / "basis-2026.yml"
    path.write_text((ROOT / "scenarios" / "baseline.yml").read_text(encoding="utf-8").replace(
        "  base_year: 2025\n", "  base_year: 2026\n"), encoding="utf-8")
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index,
                                load_scenario(path, key_set_dir=KEY_SETS), chart=False)
    assert explorer.deflator_rates[2025].disabled
    assert not explorer.deflator_rates[2026].disabled
    assert "Deflatorsatsene for 2025 virker ikke" in explorer.disabled_help.value
    assert "basisåret 2026" in explorer.disabled_help.value


def test_a_custom_key_for_single_years_is_used_saved_and_loaded_back(explorer, tmp_path):
    def set_key(first: int, last: int, shares: dict[str, str]) -> None:
        explorer.share_unit.value = "Kjernejournal"
        explorer.share_from.value, explorer.share_to.value = first, last
        for group, value in shares.items():
            explorer.share_boxes[group].value = value
        explorer.share_apply.click()

    assert cell(explorer.result, "kommuner", 2026, "Kjernejournal") == pytest.approx(67.8)
    set_key(2026, 2028, {"kommuner": "30", "rhf": "60", "apotek": "0", "ovrige": "10"})
    set_key(2027, 2027, {"kommuner": "40", "rhf": "40", "apotek": "0", "ovrige": "20"})
    assert explorer.error is None
    kommuner = {year: cell(explorer.result, "kommuner", year, "Kjernejournal")
                for year in (2025, 2026, 2027, 2028)}
    totals = explorer.result.bills_by_unit.query("unit == 'Kjernejournal'").groupby(
        "year")["value_mnok"].sum()
    assert kommuner[2025] == pytest.approx(46.35)  # alternative 1's own 50 % of 92,7
    assert kommuner[2026] == pytest.approx(40.68)  # 30 % of 135,6
    assert kommuner[2027] == pytest.approx(0.4 * totals[2027])
    assert kommuner[2028] == pytest.approx(0.3 * totals[2028])
    assert "2026: " in explorer.share_help.value and "2027: " in explorer.share_help.value
    target = explorer.save(tmp_path / "per-aar.yml")
    import yaml

    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert set(saved["sharing"]["overrides"]["Kjernejournal"]) == {2026, 2027, 2028}
    again = ScenarioExplorer(explorer.baseline_funding, explorer.index,
                             load_scenario(target, key_set_dir=KEY_SETS), chart=False)
    pd.testing.assert_frame_equal(again.result.bills_by_unit, explorer.result.bills_by_unit)
    set_key(2027, 2027, {"kommuner": "40", "rhf": "40", "apotek": "0", "ovrige": "10"})
    assert explorer.error is not None and "summerer ikke til 100 %" in explorer.message.value
    set_key(2028, 2027, {"kommuner": "40", "rhf": "40", "apotek": "0", "ovrige": "20"})
    assert explorer.error is not None and "«Til og med år» (2027) ligger før" in \
        explorer.message.value


# --- saving tells the truth (issue 21) and the explorer never raises (issue 22) --------------


def test_a_saved_scenario_names_the_key_it_uses_and_compares_with_the_other(explorer,
                                                                             tmp_path):
    """Load baseline.yml (alternativ 1 against 2), switch to alternativ 2, save: the file no
    longer calls itself alternativ 1, and it sets alternativ 2 against alternativ 1."""
    import yaml

    explorer.key_set.value = "alternativ-2"
    assert explorer.compare_with.value == "alternativ-1"
    explorer.tabs.selected_index = 4
    assert "Alternativ 1 mot Alternativ 2" in explorer.keys_view.value
    saved = yaml.safe_load(explorer.save(tmp_path / "alt2.yml").read_text(encoding="utf-8"))
    assert saved["sharing"] == {"key_set": "alternativ-2", "compare_with": "alternativ-1",
                                "extend_last_year": False}
    assert saved["name"].startswith("Alternativ 2 – endret i utforskeren fra «Grunnlag")
    assert "fordelt med alternativ 1" not in saved["description"]
    assert "50/50 mellom kommuner og RHF" not in saved["description"]
    assert "Alternativ 2 (var Alternativ 1)" in saved["description"]
    again = load_scenario(tmp_path / "alt2.yml", key_set_dir=KEY_SETS)
    assert again.compare_with.id == "alternativ-1"


def test_a_name_and_description_typed_are_saved_as_typed(explorer, tmp_path):
    explorer.volume.value = 2.0
    explorer.name_box.value = "Høy volumvekst"
    explorer.description_box.value = "Volumvekst 2 % per år."
    saved = load_scenario(explorer.save(tmp_path / "typed.yml"), key_set_dir=KEY_SETS)
    assert (saved.name, saved.description) == ("Høy volumvekst", "Volumvekst 2 % per år.")


def test_a_scenario_compared_with_its_own_key_is_refused(tmp_path):
    from tbu_analysis.common.errors import InputError

    path = tmp_path / "selv.yml"
    path.write_text((ROOT / "scenarios" / "baseline.yml").read_text(encoding="utf-8").replace(
        "compare_with: alternativ-2", "compare_with: alternativ-1"), encoding="utf-8")
    with pytest.raises(InputError, match="seg selv") as caught:
        load_scenario(path, key_set_dir=KEY_SETS)
    line = next(number for number, text in enumerate(
        path.read_text(encoding="utf-8").splitlines(), start=1)
        if "compare_with: alternativ-1" in text)
    assert caught.value.key == "sharing.compare_with" and caught.value.line == line


@pytest.mark.parametrize("typed", ["ukjent", "rest", "abc", "-5", "1e400", "", "155"])
def test_every_share_box_value_gives_a_message_or_a_result_never_an_exception(explorer, typed):
    explorer.share_unit.value, explorer.share_from.value = "Kjernejournal", 2025
    for group, value in {"kommuner": typed, "rhf": "rest", "apotek": "0", "ovrige": "0"}.items():
        explorer.share_boxes[group].value = value
    explorer.share_apply.click()
    assert (explorer.error is None) != (explorer.result is None)
    assert explorer.error is not None or "Kjernejournal" in explorer.share_help.value


def test_ukjent_in_a_share_box_is_shown_as_typed(explorer):
    explorer.share_unit.value, explorer.share_from.value = "Kjernejournal", 2025
    for group, value in {"kommuner": "ukjent", "rhf": "rest", "apotek": "0",
                         "ovrige": "0"}.items():
        explorer.share_boxes[group].value = value
    explorer.share_apply.click()
    assert "Kommuner «ukjent»" in explorer.share_help.value
    assert "RHF «rest»" in explorer.share_help.value


@pytest.mark.parametrize("kind", ["investment", "addition"])
@pytest.mark.parametrize("typed", ["-5", "999 999 999 999", "ukjent", "1e400", "12,5"])
def test_an_added_amount_is_checked_as_the_file_is_so_what_is_saved_loads(explorer, tmp_path,
                                                                        kind, typed):
    explorer.item_kind.value = kind
    explorer.item_unit.value, explorer.item_year.value = "Kjernejournal", 2026
    explorer.item_mnok.value = typed
    explorer.add_item()
    if explorer.error is not None:
        assert "Beløp" in explorer.message.value
        explorer.clear_items()
    target = explorer.save(tmp_path / "lagt-til.yml")
    assert target is not None, explorer.save_status.value
    load_scenario(target, key_set_dir=KEY_SETS)
    if typed == "-5" and kind == "investment" or typed in ("999 999 999 999", "ukjent", "1e400"):
        assert not explorer.added_investments and not explorer.added_additions


def test_saving_to_an_unwritable_place_says_so_in_the_widget(explorer, tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("", encoding="utf-8")
    explorer.volume.value = 2.0
    assert explorer.save(blocker / "under-en-fil.yml") is None
    assert "Ikke lagret" in explorer.save_status.value
    assert explorer.export(blocker) == []
    assert "Ikke eksportert" in explorer.save_status.value


def test_a_scenario_that_would_not_load_is_not_saved(explorer, tmp_path):
    """Save checks with the reader's own check: an investment the file cannot hold is
    refused with its message, and nothing is written."""
    from dataclasses import replace

    from tbu_analysis.common.errors import InputError
    from tbu_analysis.scenarios.files import save_scenario
    from tbu_analysis.scenarios.model import Investment

    bad = replace(explorer.current_scenario(), investment_share_pct=20,
                  investments=(Investment("Kjernejournal", 2026, -5.0, "x"),))
    with pytest.raises(InputError, match="mnok"):
        save_scenario(bad, tmp_path / "ugyldig.yml")
    assert not (tmp_path / "ugyldig.yml").exists()


# --- every number typed or dragged, reset and undo (issue 21) ----------------------------------


def test_a_rate_typed_with_a_decimal_comma_moves_its_slider_and_recomputes(explorer):
    box = explorer.typed[explorer.index_rates[2023]]
    box.value = "5,0"
    assert explorer.index_rates[2023].value == 5.0 and box.value == "5,000"
    totals = explorer.result.totals.groupby("year")["value_mnok"].sum()
    assert round(totals[2023], 1) == 948.9
    explorer.typed[explorer.volume].value = "2 %"
    assert explorer.volume.value == 2.0
    rows = explorer.result.projection.set_index(["unit", "year"])
    assert rows.loc[("Helsenorge", 2027), "end"] == pytest.approx(373.6 * (1 + 0.02 - 0.024))


@pytest.mark.parametrize("typed", ["abc", "12", "ukjent", "", "1e400", "-3"])
def test_a_bad_typed_rate_gives_its_message_and_moves_nothing(explorer, typed):
    slider = explorer.index_rates[2023]
    explorer.typed[slider].value = typed
    assert slider.value == pytest.approx(4.121)
    assert explorer.error is not None and "Indeks 2023" in explorer.message.value
    explorer.typed[slider].value = "4,121"  # the slider's own value: the message goes
    assert explorer.error is None and explorer.result is not None


def test_each_control_shows_the_source_of_its_default(explorer):
    assert "Tabell 11" in explorer.sources[explorer.efficiency].value
    assert "4,121 %" in explorer.sources[explorer.index_rates[2023]].value
    assert "index.csv)" in explorer.sources[explorer.index_rates[2023]].value
    assert "Plassholder" in explorer.sources[explorer.index_rates[2025]].value
    assert "NUIT sak 5/22" in explorer.sources[explorer.investment_share].value


def test_reset_one_control_and_reset_all_give_the_file_back(explorer, tmp_path):
    from tbu_analysis.scenarios.files import scenario_to_dict

    loaded = scenario_to_dict(explorer.scenario)
    explorer.efficiency.value = 5.0
    explorer.volume.value = 3.0
    explorer.resets[explorer.efficiency].click()
    assert explorer.efficiency.value == pytest.approx(2.4)
    assert scenario_to_dict(explorer.current_scenario())["growth"]["volume_pct"] == 3.0
    explorer.key_set.value = "alternativ-2"
    explorer.item_unit.value, explorer.item_mnok.value = "Kjernejournal", "10"
    explorer.item_kind.value = "addition"
    explorer.add_item()
    explorer.reset_all_button.click()
    assert scenario_to_dict(explorer.current_scenario()) == loaded
    assert explorer.compare_with.value == "alternativ-2"
    assert explorer.save(tmp_path / "x.yml").read_bytes() == (
        ROOT / "scenarios" / "baseline.yml").read_bytes()


def test_undo_takes_back_the_last_change_one_at_a_time(explorer):
    from tbu_analysis.scenarios.files import scenario_to_dict

    loaded = scenario_to_dict(explorer.scenario)
    assert explorer.undo_button.disabled
    explorer.volume.value = 2.0
    explorer.key_set.value = "alternativ-2"
    explorer.efficiency.value = 1.0
    explorer.undo_button.click()
    assert explorer.efficiency.value == pytest.approx(2.4)
    assert explorer.key_set.value == "alternativ-2" and explorer.volume.value == 2.0
    assert explorer.typed[explorer.efficiency].value == "2,4"
    explorer.undo_button.click()
    assert explorer.key_set.value == "alternativ-1"
    assert explorer.compare_with.value == "alternativ-2"
    explorer.undo_button.click()
    assert scenario_to_dict(explorer.current_scenario()) == loaded
    assert explorer.undo_button.disabled


# --- load from the interface (issue 21) --------------------------------------------------------


def test_scenarios_and_own_saved_files_load_from_the_interface(explorer, tmp_path,
                                                               monkeypatch,
                                                               shipped_round_cleaned):
    from tbu_analysis.config import latest_round

    monkeypatch.setenv("TBU_SCENARIO_DIR", str(tmp_path))
    listed = dict(explorer.load_file.options)
    assert "scenarios/alternativ-2.yml" in listed and "scenarios/nuit-4-23-alternativ-2.yml" \
        in listed
    assert explorer.load_round.value == latest_round(ROOT)  # the newest round present first
    explorer.load_round.value = "2024-host"  # the round the fixture cleaned, whichever exist
    explorer.load_file.value = listed["scenarios/alternativ-2.yml"]
    explorer.load_button.click()
    assert explorer.key_set.value == "alternativ-2" and explorer.compare_with.value == \
        "alternativ-1"
    assert "Lastet" in explorer.load_status.value and explorer.error is None
    assert explorer.widget.children[1].children[1] is explorer.key_set  # the new controls shown
    explorer.volume.value = 2.0
    saved = explorer.save(tmp_path / "mitt.yml")
    own = {label: value for label, value in explorer.load_file.options}
    assert any(value == str(saved) and "egen" in label for label, value in own.items())
    assert explorer.load(saved)
    assert explorer.volume.value == 2.0


def test_a_file_that_cannot_be_loaded_leaves_the_explorer_as_it_was(explorer, tmp_path):
    bad = tmp_path / "feil.yml"
    bad.write_text("name: feil\nhorizon: 2028\n", encoding="utf-8")
    before = explorer.key_set
    assert not explorer.load(bad)
    assert "Ikke lastet" in explorer.load_status.value and "sharing" in \
        explorer.load_status.value
    assert explorer.key_set is before and explorer.result is not None


# --- Følsomhet (issue 21) ------------------------------------------------------------------------


def test_the_tornado_ranks_the_uncertain_inputs_with_their_sources(explorer):
    from tbu_analysis.scenarios import sensitivity

    base, swings = sensitivity.tornado(explorer.result, explorer.baseline_funding,
                                       explorer.index, "kommuner", 2028,
                                       sensitivity.load_ranges(ROOT / sensitivity.RANGES_FILE))
    assert base == pytest.approx(cell(explorer.result, "kommuner", 2028))
    labels = [s.label for s in swings]
    assert labels[0] == "Effektivisering per år"  # the widest bar first
    efficiency = swings[0]
    # the same bills as the explorer gives with the slider at the low and the high value
    explorer.efficiency.value = 0.0
    assert efficiency.low_mnok == pytest.approx(cell(explorer.result, "kommuner", 2028))
    explorer.efficiency.value = 4.9
    assert efficiency.high_mnok == pytest.approx(cell(explorer.result, "kommuner", 2028))
    assert efficiency.low_mnok - efficiency.high_mnok == pytest.approx(51.0, abs=0.1)
    explorer.reset(explorer.efficiency)
    assert "4,9 % av totalen" in efficiency.high_source
    assert "uten kilde" in efficiency.low_source
    index = next(s for s in swings if s.label.startswith("Indekssats"))
    assert index.width == 0 and "faste kroner" in index.note
    share = next(s for s in swings if s.label.startswith("D&F-andel"))
    assert share.note == "scenarioet har ingen investeringer"
    key_base = next(s for s in swings if "hele kostnaden eller bare på veksten" in s.label)
    assert key_base.low_mnok == pytest.approx(cell(explorer.result, "kommuner", 2028) - 16.2,
                                              abs=0.1)  # alternative 2 on the whole cost
    table = sensitivity.tornado_table(base, swings)
    assert list(table.columns)[:3] == ["Forutsetning", "Lav verdi", "Høy verdi"]


def test_the_folsomhet_tab_draws_the_tornado_for_the_chosen_group_and_year(explorer):
    explorer.tabs.selected_index = explorer.SENSITIVITY_TAB
    assert explorer.tabs.get_title(explorer.SENSITIVITY_TAB) == "Følsomhet"
    view = explorer.sensitivity_view.value
    assert "regningen for kommuner i 2028" in view and "Effektivisering per år" in view
    explorer.sensitivity_group.value, explorer.sensitivity_year.value = "apotek", 2027
    assert "regningen for apotek i 2027" in explorer.sensitivity_view.value


def test_the_explorers_words_come_from_its_templates(baseline_funding, tmp_path, monkeypatch):
    """An economist changes a label in explorer.md.j2 and a message in explorer.html.j2 (a
    copy in ``TBU_TEMPLATES`` wins): the explorer shows the new words, and nothing else."""
    templates = ROOT / "src" / "tbu_analysis" / "scenarios" / "templates"
    override = tmp_path / "templates"
    override.mkdir()
    plain = (templates / "explorer.md.j2").read_text(encoding="utf-8")
    shown = (templates / "explorer.html.j2").read_text(encoding="utf-8")
    label, message = "Viderefør siste års nøkkel til senere år", "Kan ikke regne:"
    assert label in plain and message in shown
    (override / "explorer.md.j2").write_text(
        plain.replace(label, "Bruk siste års nøkkel videre"), encoding="utf-8")
    (override / "explorer.html.j2").write_text(
        shown.replace(message, "Tallene kan ikke regnes:"), encoding="utf-8")
    monkeypatch.setenv("TBU_TEMPLATES", str(override))
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yml", key_set_dir=KEY_SETS)
    index = PriceIndex.from_csv(ROOT / "data" / "raw" / "2024-host" / "index.csv")
    explorer = ScenarioExplorer(baseline_funding, index, scenario, chart=False)
    assert explorer.extend.description == "Bruk siste års nøkkel videre"
    assert explorer.share_from.description == "Fra og med år"  # the rest as shipped
    explorer.item_mnok.value = "abc"
    explorer.add_item()
    assert explorer.message.value.startswith(
        '<p style="color:#B00020"><b>Tallene kan ikke regnes:</b> ')
