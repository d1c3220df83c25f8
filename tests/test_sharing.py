"""Cost-sharing keys: the shipped key sets say what the sources say, bad keys are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbu_analysis.common.errors import InputError
from tbu_analysis.scenarios.keys import (
    GROUPS,
    UNALLOCATED,
    Allocation,
    KeyBase,
    allocation_for,
    load_key_set,
    load_key_sets,
    split,
)

ROOT = Path(__file__).resolve().parents[1]
KEY_SETS = ROOT / "data" / "raw" / "cost_sharing"


@pytest.fixture(scope="module")
def key_sets():
    return load_key_sets(KEY_SETS)


def test_every_shipped_key_set_stands_on_a_document_in_the_sources(key_sets):
    assert {"alternativ-1", "alternativ-2", "gjeldende-modell"} <= set(key_sets)
    used = {k: v for k, v in key_sets.items() if not v.template}
    assert set(used) == {"alternativ-1", "alternativ-2"}
    for key_set in used.values():
        assert key_set.source_file == KEY_SETS / "source" / "001_26607bd423ebb788.txt"
        assert "sak 8/21 Kostnadsfordeling" in key_set.source and key_set.date == "2021-04-21"
        assert "data/raw" not in key_set.source  # readers see the document, not a path
    assert load_key_sets(KEY_SETS, templates=False).keys() == used.keys()


def test_the_present_model_is_a_template_with_every_share_unknown(key_sets):
    template = key_sets["gjeldende-modell"]
    assert template.template and template.date == "ukjent"
    for entries in template.units.values():
        for entry in entries:
            assert set(entry.shares.values()) == {None}


def test_the_keys_say_which_base_the_source_gives(key_sets):
    for name in ("alternativ-1", "alternativ-2"):
        key_set = key_sets[name]
        assert key_set.base == KeyBase.UNSTATED  # «fordeling av kostnadene»: base not said
        assert "«det kun skiller 1,1 MNOK" in key_set.base_note
        assert "87,8 mill. kroner" in key_set.base_note
        e_resept = key_set.units["E-resept"][0]
        assert e_resept.base == KeyBase.COST and e_resept.shares["apotek"] == 11


def test_alternative_1_is_50_50_with_pharmacies_paying_11_pct_of_e_resept(key_sets):
    alt1 = key_sets["alternativ-1"]
    kj = allocation_for(alt1, "Kjernejournal", 2025)
    assert kj.shares == {"kommuner": 50, "rhf": 50, "apotek": 0, "ovrige": 0}
    erx = allocation_for(alt1, "E-resept", 2025)
    assert erx.shares["apotek"] == 11
    assert erx.shares["kommuner"] == erx.shares["rhf"] == 44.5


def test_alternative_2_weights_helseid_inside_its_unit_by_tabell_8(key_sets):
    alt2 = key_sets["alternativ-2"]
    assert allocation_for(alt2, "Kjernejournal", 2025).shares["kommuner"] == 40
    blended = allocation_for(alt2, "Grunndata og HelseID", 2025).shares
    # Tabell 8, estimert kostnadsnivå 2025: HelseID 31 (40/60), grunndata 86,8 (50/50)
    assert blended["kommuner"] == pytest.approx((31 * 40 + 86.8 * 50) / 117.8)
    assert blended["rhf"] == pytest.approx((31 * 60 + 86.8 * 50) / 117.8)
    earlier = allocation_for(alt2, "Grunndata og HelseID", 2024).shares
    assert earlier["kommuner"] == pytest.approx((27 * 40 + 90.6 * 50) / 117.6)


def test_extending_the_last_year_is_a_choice(tmp_path):
    key_set = load_key_set(_write(tmp_path, "  Kjernejournal:\n    2025-2026: {kommuner: 50, "
                                  "rhf: 50, apotek: 0, ovrige: 0}\n"))
    assert allocation_for(key_set, "Kjernejournal", 2027).reason
    assert "mangler" in allocation_for(key_set, "Kjernejournal", 2024).reason
    carried = allocation_for(key_set, "Kjernejournal", 2027, extend_last_year=True)
    assert carried.shares["rhf"] == 50 and carried.carried_from == 2026


def test_unknown_shares_go_to_the_unallocated_line(key_sets):
    allocation = allocation_for(key_sets["gjeldende-modell"], "Kjernejournal", 2025)
    parts = split(93.0, allocation)
    assert parts[UNALLOCATED] == pytest.approx(93.0)
    assert parts["kommuner"] == parts["rhf"] == 0


@given(
    st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3),
    st.floats(min_value=0, max_value=2000, allow_nan=False),
    st.sets(st.sampled_from(GROUPS), max_size=4),
)
def test_a_split_always_adds_up_to_the_amount(cuts, amount, unknown):
    low, mid, high = sorted(cuts)
    values = [low, mid - low, high - mid, 100 - high]
    shares = {
        group: None if group in unknown else float(value)
        for group, value in zip(GROUPS, values, strict=True)
    }
    reason = "ukjent" if unknown else ""
    parts = split(amount, Allocation(shares=shares, reason=reason))
    assert sum(parts.values()) == pytest.approx(amount, abs=1e-9)
    assert all(value >= -1e-9 for value in parts.values())


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "test-nokkel.yaml"
    path.write_text(
        'name: Test\nsource: test\ndate: 2024-01-01\nunits:\n' + body, encoding="utf-8"
    )
    return path


def test_a_share_outside_0_100_is_refused_with_file_line_and_key(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    alle: {kommuner: 120, rhf: -20, apotek: 0, "
                  "ovrige: 0}\n")
    with pytest.raises(InputError) as caught:
        load_key_set(path)
    message = str(caught.value)
    assert str(path) in message and "linje 6" in message
    assert "units.Kjernejournal.alle.kommuner" in message and "0 og 100" in message


def test_shares_that_do_not_add_up_to_100_are_refused(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    2025:\n      kommuner: 40\n      rhf: 50\n"
                  "      apotek: 0\n      ovrige: 0\n")
    with pytest.raises(InputError, match="summerer ikke til 100") as caught:
        load_key_set(path)
    assert "units.Kjernejournal.2025" in str(caught.value)
    assert caught.value.line == 6


def test_an_unknown_key_in_a_key_set_is_refused(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    alle: {kommuner: 50, rhf: 50, apotek: 0, "
                  "ovrige: 0, staten: 0}\n")
    with pytest.raises(InputError, match="ukjent nøkkel") as caught:
        load_key_set(path)
    assert "units.Kjernejournal.alle.staten" in str(caught.value)


def test_a_missing_share_must_be_written_as_unknown_not_left_out(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    alle: {kommuner: 50, rhf: 50}\n")
    with pytest.raises(InputError, match="ukjent"):
        load_key_set(path)


def test_overlapping_years_are_refused(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    alle: {kommuner: 50, rhf: 50, apotek: 0, "
                  "ovrige: 0}\n    2025: {kommuner: 50, rhf: 50, apotek: 0, ovrige: 0}\n")
    with pytest.raises(InputError, match="overlapper"):
        load_key_set(path)


def test_rest_and_fractions(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    2025-: {kommuner: rest, rhf: 100/3, "
                  "apotek: '11,5', ovrige: 0}\n")
    shares = load_key_set(path).units["Kjernejournal"][0].shares
    assert shares["kommuner"] == pytest.approx(100 - 100 / 3 - 11.5)
    assert shares["apotek"] == 11.5


def test_a_non_mapping_key_file_is_refused(tmp_path):
    path = tmp_path / "liste.yaml"
    path.write_text("- kommuner\n- rhf\n", encoding="utf-8")
    with pytest.raises(InputError, match="må være en tabell") as caught:
        load_key_set(path)
    assert caught.value.path == path


@pytest.mark.parametrize(("head", "key", "message"), [
    ("name: Test\nsource: test\ndate: i fjor\n", "date", "ÅÅÅÅ-MM-DD"),
    ("name: Test\nsource: test\ndate: 2024-01-01\nbase: alt\n", "base",
     "tillatt: 'vekst', 'kostnad', 'ukjent'"),
    ("name: Test\ndate: 2024-01-01\n", "source", "mangler"),
    ("name: Test\nsource: test\nsource_file: data/raw/mangler.txt\ndate: 2024-01-01\n",
     "source_file", "kildekopien finnes ikke"),
    ("name: Test\nsource: test\nsource_file: pyproject.toml\ndate: 2024-01-01\n",
     "source_file", "kildekopien finnes ikke"),
])
def test_every_bad_top_level_value_is_refused_with_key(tmp_path, head, key, message):
    path = tmp_path / "nokkel.yaml"
    path.write_text(head + "units:\n  Kjernejournal:\n    alle: {kommuner: 50, rhf: 50, "
                    "apotek: 0, ovrige: 0}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_key_set(path)
    assert caught.value.key == key, str(caught.value)
    assert message in caught.value.message, str(caught.value)


def test_a_year_out_of_bounds_is_refused(tmp_path):
    path = _write(tmp_path, "  Kjernejournal:\n    20255: {kommuner: 50, rhf: 50, apotek: 0, "
                  "ovrige: 0}\n")
    with pytest.raises(InputError, match="mellom 1990 og 2100") as caught:
        load_key_set(path)
    assert caught.value.line == 6
