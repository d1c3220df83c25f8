"""Since the last round, at every level (comparison.csv), the frame of the seasons, and
previous-round statements with signs, checked against the previous round's tables."""

from __future__ import annotations

import hashlib
import re
import shutil

import pandas as pd
import pytest

from tbu_analysis.analysis import comparison
from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.config import round_paths
from tbu_analysis.pipeline import run_round_data
from tbu_analysis.rounds.cleaning import clean_round

AUTUMN = "2024-host"


def _side(paths, season: str | None = None, rate: float | None = None):
    index = PriceIndex.from_csv(paths.index)
    if rate is not None:
        index = index.with_rates({2023: rate})
    from tbu_analysis.rounds.manifest import load_manifest

    return comparison.RoundSide(paths.round_id, season or load_manifest(paths.manifest).season,
                                clean_round(paths).figures, index)


def test_every_level_is_compared_and_a_new_index_is_named(paths):
    """The autumn round against itself with its 2023 rate at 3,5 % instead of 4,121 %: every
    solution, item and driver amount is there, nothing changed, the index change is named
    and every 2023 figure raised by the index has the part the new rate would restate."""
    autumn = _side(paths)
    result = comparison.since_last_round(_side(paths, rate=3.5), autumn)
    assert set(result["level"]) == {"løsning", "post", "driver", "indeks"}
    assert (result["status"] == "begge").all() and not result.loc[
        result["level"] != "indeks", "changed"].any()
    index = result[result["level"] == "indeks"].iloc[0]
    assert (index["previous"], index["current"], index["change"]) == (4.121, 3.5, -0.621)
    helsenorge = result[(result["level"] == "løsning") & (result["solution"] == "Helsenorge")
                        & (result["measure"] == "forskrift") & (result["year"] == 2023)].iloc[0]
    # 325 in 2024-kroner at 4,121 % is 312,1 in 2023-kroner; at 3,5 % that is 323,1.
    assert helsenorge["index_effect"] == pytest.approx(325 * (1.035 / 1.04121 - 1))
    assert helsenorge["other_change"] == pytest.approx(-helsenorge["index_effect"])
    drivers = result[result["level"] == "driver"]
    assert len(drivers) > 100 and drivers["index_effect"].isna().all()  # not index-raised


def test_added_removed_and_split_rows(paths):
    """An item split out of another (Melding's 33,9 in 2024: 30 stay, 3,9 become a new
    row), a row removed, a driver changed 21 → 27."""
    autumn = _side(paths)
    figures = autumn.figures.copy()
    melding = (figures["solution"] == "Helsenettet") & (figures["item"] == "Melding") \
        & (figures["measure"] == "forskrift") & (figures["year"] == 2024)
    assert figures.loc[melding, "value_mnok"].tolist() == [33.9]
    new_row = figures[melding].assign(item="Meldingsovervåking", value_mnok=3.9)
    figures.loc[melding, "value_mnok"] = 30.0
    krypto = (figures["item"] == "Kryptotjenesten")
    figures = pd.concat([figures[~krypto], new_row], ignore_index=True)
    volume = (figures["solution"] == "Helsenettet") & (figures["item"] == "Helsenettet "
                                                        "eksterne tjenester") \
        & (figures["category"] == "endret_finansieringskilde") & (figures["table"] == "tg-t9")
    assert figures.loc[volume, "value_mnok"].tolist() == [21.0]
    figures.loc[volume, "value_mnok"] = 27.0
    spring = comparison.RoundSide("2025-var", "vår", figures, autumn.index)
    result = comparison.since_last_round(spring, autumn)
    split = result[result["item"] == "Meldingsovervåking"].iloc[0]
    assert (split["status"], split["split_from"], split["current"]) == ("ny", "Melding", 3.9)
    removed = result[result["item"] == "Kryptotjenesten"]
    assert set(removed["status"]) == {"fjernet"} and removed["current"].isna().all()
    driver = result[(result["level"] == "driver") & (result["item"] == "Helsenettet eksterne "
                                                     "tjenester")
                    & (result["category"] == "endret_finansieringskilde")].iloc[0]
    assert (driver["previous"], driver["current"], driver["change"]) == (21.0, 27.0, 6.0)
    # A spring round reading the autumn before compares, and checks no ceiling.
    assert not result["ceiling"].any() and not result["above_ceiling"].any()
    # The report says it at item and driver level.
    from tbu_analysis.reports import committee

    text = committee.since_last_round_markdown(result, "Helsenettet")
    assert "Helsenettet, Melding, forskrift 2024: 33,9 → 30 (−3,9)" in text
    assert "Helsenettet, Meldingsovervåking, forskrift 2024: ny (3,9, delt ut av Melding)" in text
    assert "Helsenettet, Kryptotjenesten, forskrift 2024: fjernet (var 7,5)" in text
    assert ("Helsenettet, Helsenettet eksterne tjenester, endret finansieringskilde "
            "2024→2025: 21 → 27 (+6)") in text


def test_the_ceiling_follows_the_seasons(paths):
    autumn = _side(paths)
    figures = autumn.figures.copy()
    lower = (figures["solution"] == "Helsenorge") & (figures["item"] == "") \
        & (figures["measure"] == "finansieringsbehov") & (figures["year"] == 2025)
    figures.loc[lower, "value_mnok"] -= 10
    spring = comparison.RoundSide("2024-var", "vår", figures, autumn.index)
    read_by_autumn = comparison.since_last_round(autumn, spring)
    above = read_by_autumn[read_by_autumn["above_ceiling"]]
    assert above[["solution", "year"]].values.tolist() == [["Helsenorge", 2025]]
    assert not comparison.since_last_round(spring, autumn)["above_ceiling"].any()
    assert comparison.compare_rounds(figures, autumn.figures, ceiling=False)[
        "above_ceiling"].sum() == 0


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_comparison_csv_is_written_with_the_previous_round_in_data_raw(tmp_round):
    """An autumn round read against a spring copy of itself in data/raw (the spring index at
    3,5 %): comparison.csv holds every level, and the autumn's own round has no rows when its
    previous round is not there."""
    run_round_data(tmp_round)
    empty = (tmp_round.processed / "comparison.csv").read_text(encoding="utf-8")
    assert empty.count("\n") == 1  # 2024-var is not in data/raw: the columns only
    spring = tmp_round.raw.parent / "2024-var"
    shutil.copytree(tmp_round.raw, spring)
    manifest = spring / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8").replace("round: 2024-host", "round: 2024-var")
    text = re.sub(r"\nprevious_round: .*\n", "\n", text).replace("season: høst", "season: vår")
    manifest.write_text(text.replace("data/raw/2024-host/", "data/raw/2024-var/"),
                        encoding="utf-8")
    (spring / "previous_round.yaml").unlink()
    run_round_data(tmp_round)
    frame = pd.read_csv(tmp_round.processed / "comparison.csv", keep_default_na=False)
    assert set(frame["level"]) == {"løsning", "post", "driver", "indeks"}
    assert (frame["status"] == "begge").all()
    assert frame.loc[frame["level"] == "løsning", "ceiling"].astype(str).str.contains(
        "True").any()
    assert hashlib.sha256(text.encode()).hexdigest()  # (the spring manifest was written)


def test_a_net_change_with_signs_and_no_kontroll_without_a_total(paths, tmp_round):
    from tbu_analysis.reports import committee

    previous = comparison.load_previous_round(paths)
    text = committee.previous_round_markdown(previous, None)
    helsenettet = next(line for line in text.splitlines() if "268 mill. kroner" in line)
    assert "Kontroll" not in helsenettet  # the text gives no total for 268 and 7
    assert "Kontroll: 17 + 9 = 26 (stemmer)" in text
    statement = comparison.Statement(
        id="netto", solution="Helsenettet", statement="netto", section="x",
        quote="økt med 15 og redusert med 5, netto 10 mill. kroner", parts=["15", "-5"],
        total="10")
    assert float(statement.parts_sum) == 10 and statement.status == tol.OK
    line = committee.previous_round_markdown(
        comparison.PreviousRound("2024-var", None, (statement,)), None)
    assert "Kontroll: 15 − 5 = 10 (stemmer)" in line
    with pytest.raises(ValueError, match="tallet 8 står ikke i sitatet"):
        comparison.Statement(id="x", solution="Helsenettet", statement="x", section="x",
                             quote="268 mill. kroner, 7 mill. kroner lavere", parts=["-8"])


def test_a_solution_report_says_which_statements_are_about_all_solutions(paths):
    """Notat 3.2's 26 mill. kroner is the whole round's (Kjernejournal's part is 17): in the
    Kjernejournal report it is labelled so, not read as Kjernejournal's own estimate (reader6
    R14); the main report needs no label. Without the previous round's tables the lead says
    so without project jargon (R19), and E-resept's Buypass prognosis names E-resept (R28)."""
    from tbu_analysis.reports import committee

    previous = comparison.load_previous_round(paths)
    own = committee.previous_round_markdown(previous, None, solution="Kjernejournal")
    assert "- **Alle løsninger samlet: Estimatet for 2025 er 26 mill. kroner lavere" in own
    assert ("Tabellene fra forrige runde er ikke tilgjengelige for denne analysen. Kilden sier "
            "dette om endringene siden da") in own
    assert "prosjektet" not in own
    main = committee.previous_round_markdown(previous, None)
    assert "- **Estimatet for 2025 er 26 mill. kroner lavere" in main
    assert "Alle løsninger samlet:" not in main
    assert ("- **Prognosen for E-resept for 2024 er satt ned med 5 mill. kroner fordi kostnaden "
            "til Buypass er lavere.") in main


def test_a_statement_checked_against_the_previous_rounds_tables(paths):
    autumn = _side(paths)
    figures = autumn.figures.copy()
    higher = (figures["solution"] == "Alle løsninger") & (figures["item"] == "") \
        & (figures["measure"] == "finansieringsbehov") & (figures["year"] == 2025)
    figures.loc[higher, "value_mnok"] += 26
    overview = comparison.compare_rounds(autumn.figures, figures, ceiling=True)
    statements = {s.id: s for s in comparison.load_previous_round(paths).statements}
    said = statements["estimat-2025-redusert"].model_copy(
        update={"year": 2025, "measure": "finansieringsbehov", "total": "-26"})
    before, after, status = said.against_tables(overview)
    assert (before, after, status) == (1080.0, 1054.0, tol.OK)


@pytest.fixture
def paths(project_root):
    return round_paths(AUTUMN, project_root)


def test_the_level_against_the_spring_ceiling_is_said_outright(paths, analysis):
    """Notat 1: the spring figures «dannet en øvre grense for kostnadsnivået for 2025», and the
    autumn reduced 2025 by 26 mill. kroner: ch. 5 says 2025 is 26 under the ceiling, quoted,
    that the mandate ties the ceiling to the payment and the note to the cost level (the source
    says both, reader5 D3), and the spring figure the two
    imply (the source prints none): 1 089 (Tabell 4) + 26 = 1 115. The solution reports do not
    (the 26 is the whole round's)."""
    from tbu_analysis.reports import committee

    previous = comparison.load_previous_round(paths)
    assert previous.ceiling is not None and previous.ceiling.below == "26"
    assert previous.ceiling.spring_level(analysis.levels) == (1089.0, 1115.0, "Tabell 4")
    text = committee.previous_round_markdown(previous, None, levels=analysis.levels)
    # the 26 are services taken out, not a saving (reader6 R25)
    assert ("**Kontroll mot taket:** Estimatet for 2025 ligger 26 mill. kroner under taket fra "
            "vårens tallgrunnlag. Hele forskjellen er tjenester som er tatt ut av estimatet, "
            "ikke lavere kostnader for det som er med: Pasientens prøvesvar (17 mill. kroner, "
            "utsatt) og Pasientens måledata (9 mill. kroner, som skal faktureres kundene "
            "direkte). Kilden sier det selv: «Tallgrunnlaget som Norsk helsenett "
            "utarbeidet til Teknisk beregningsutvalg våren 2024 dannet en øvre grense for "
            "kostnadsnivået for 2025.") in text
    assert ("Mandatet over knytter taket til betalingen (forskriftsbeløpet), notatet her til "
            "kostnadsnivået; kilden bruker begge, og kontrollen her er regnet på "
            "kostnadsnivået. Kilden trykker ikke vårens tall; høstens kostnadsnivå for 2025 er "
            "1 089 mill. kroner (tabell 4), så vårens tall var 1 115 mill. kroner (1 089 + 26, "
            "regnet ut her).") in text.replace("\u00a0", " ")
    with pytest.raises(ValueError, match="sitatet nevner ikke «finansieringsbehov»"):
        comparison.Ceiling(year=2025, below="26", series="finansieringsbehov",
                           quote=previous.ceiling.quote, section="x")
    assert "Kontroll mot taket" not in committee.previous_round_markdown(
        previous, None, solution="Kjernejournal")
    with pytest.raises(ValueError, match="tallet 25 står ikke i sitatet"):
        comparison.Ceiling(year=2025, below="25", quote=previous.ceiling.quote, section="x")
