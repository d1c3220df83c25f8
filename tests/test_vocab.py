"""One vocabulary: every code has one Norwegian label, and the outputs and views show it."""

from __future__ import annotations

import pytest

from tbu_analysis import vocab
from tbu_analysis.analysis.growth import waterfall_steps
from tbu_analysis.reports import views
from tbu_analysis.rounds.names import ALL_SOLUTIONS


@pytest.mark.parametrize("kind", vocab.VOCABULARIES, ids=lambda k: k.__name__)
def test_every_code_has_a_label_and_a_meaning(kind):
    for member in kind:
        assert member.label.strip(), f"{kind.__name__}.{member.name} has no label"
        assert member.meaning.strip(), f"{kind.__name__}.{member.name} has no meaning"
    assert len(set(vocab.codes(kind))) == len(kind)
    assert len(set(vocab.labels(kind).values())) == len(kind), "two codes share a label"


def test_codes_compare_equal_to_the_strings_in_the_data():
    assert vocab.Status.DISCREPANCY == "discrepancy"
    assert vocab.Measure("kostnadsnivå") is vocab.Measure.KOSTNADSNIVA
    assert vocab.MEASURE_LABELS[vocab.Measure.KOSTNADSNIVA] == "Kostnadsnivå"
    assert vocab.fixed_kroner(2024) == "faste 2024-kroner"


def test_label_mappings_are_read_only():
    with pytest.raises(TypeError):
        vocab.STATUS_LABELS["ok"] = "Greit"  # type: ignore[index]


def test_the_funding_series_has_one_name_in_the_outputs(analysis):
    growth = analysis.growth
    funding = growth[growth["series"] == "finansieringsbehov"]
    assert set(funding["series_label"]) == {"Forskriftsbeløp / finansieringsbehov"}
    assert set(growth["series_label"]) == set(vocab.SERIES_LABELS.values())
    # The 2024→2025 funding need of all solutions, as printed: 1 038 → 1 054.
    row = funding[(funding["solution"] == ALL_SOLUTIONS) & (funding["item"] == "")
                  & (funding["from_year"] == 2024) & (funding["to_year"] == 2025)].iloc[0]
    assert (row["from_value"], row["to_value"]) == (1038.0, 1054.0)
    assert row["price_basis"] == vocab.PriceBasis.AS_PRINTED


def test_driver_labels_come_from_the_vocabulary(analysis):
    drivers = analysis.drivers
    labelled = dict(zip(drivers["category"], drivers["category_label"], strict=True))
    assert labelled == {code: vocab.DRIVER_LABELS[code] for code in labelled}
    assert labelled["effektivisering"] == "Effektivisering"


def test_waterfall_steps_are_named_by_measure_and_driver(figures):
    labels = [label for label, _, _ in waterfall_steps(figures)]
    assert labels[0] == "Forskrift 2024"
    assert "Tilbakeføring tidligere års midler" in labels
    assert labels[-1] == "Finansieringsbehov 2025"


def test_reconciliation_summary_is_headed_by_status_and_check_type(analysis):
    summary = views.reconciliation_summary(analysis.reconciliation)
    assert list(summary.columns) == ["Kontroll", "Stemmer", "Avrunding", "Usannsynlig avrunding",
                                     "Avvik"]
    assert list(summary["Kontroll"])[:-1] == [
        vocab.CHECK_TYPE_LABELS[t] for t in vocab.codes(vocab.CheckType)
        if t in set(analysis.reconciliation["check_type"])]
    total = summary.set_index("Kontroll").loc["I alt"]
    assert (total["Stemmer"], total["Avrunding"], total["Usannsynlig avrunding"],
            total["Avvik"]) == (559, 13, 4, 28)  # −28,7 % holds (R10); VKP 28,2 (Q25)


def test_the_command_line_counts_the_checks_as_vedlegg_a_does(analysis, report_model,
                                                             shipped_round_cleaned):
    """`tbu analyse`'s line and the report's Vedlegg A «I alt» are one count of the checks as
    the report shows them: Helsenorge's column sum of tilbakeføring (−8,6 printed, +8,6 from
    rows with Plattform's sign printed wrong) holds with the analysts' correction, so the
    sign is one avvik (its row's), not two. reconciliation.csv keeps it as computed."""
    from tbu_analysis.cli import _summary

    total = views.reconciliation_summary(report_model.reconciliation).set_index("Kontroll")
    total = tuple(total.loc["I alt"])
    assert total == (560, 13, 4, 27)  # 559 before VKP's 28,2 was quoted (reader7 Q25)
    assert _summary(shipped_round_cleaned, analysis.reconciliation, "ut") == (
        "2024-host: 604 kontroller — {} stemmer, {} avrundingsforskjell, "
        "{} usannsynlig avrunding, {} avvik → ut".format(*total))
    as_computed = views.reconciliation_summary(analysis.reconciliation).set_index("Kontroll")
    assert tuple(as_computed.loc["I alt"]) == (559, 13, 4, 28)


def test_messages_use_the_status_phrase(analysis):
    checks = analysis.reconciliation
    checks = checks[checks["check_type"] != vocab.CheckType.PASTAND]  # claims word their own
    for status, phrase in vocab.STATUS_PHRASES.items():
        messages = checks.loc[checks["status"] == status, "message"]
        assert messages.str.contains(f"({phrase}", regex=False).all(), status


def test_source_columns_are_headed_by_measure_and_driver(figures):
    from tbu_analysis.config import round_paths
    from tbu_analysis.rounds.manifest import load_manifest

    manifest = load_manifest(round_paths("2024-host").manifest)
    headings = [views.column_label(c) for t in manifest.tables for c in t.columns.values()]
    assert "Forskrift 2023" in headings
    assert "Økte kostnader grunnet investeringer" in headings
    assert not any(h.startswith(("forskrift", "kostnadsnivå", "investeringer")) for h in headings)


def test_actor_groups_are_defined_once():
    """The scenarios take their actor groups from the vocabulary: no second copy."""
    from tbu_analysis.scenarios import labels

    assert labels.GROUP_LABELS is vocab.GROUP_LABELS
    assert set(labels.GROUPS) | {labels.UNALLOCATED, labels.TOTAL} == set(vocab.codes(
        vocab.ActorGroup))
