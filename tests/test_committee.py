"""What a committee acts on: explanations and conditions from the source's prose, unlikely
rounding, estimates against outcomes, the previous round, and the solution parameter."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tbu_analysis.analysis import comparison, explanations
from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.common.errors import InputError
from tbu_analysis.config import round_paths
from tbu_analysis.reports import committee, context

ROUND = "2024-host"


@pytest.fixture(scope="module")
def paths(project_root):
    return round_paths(ROUND, project_root)


@pytest.fixture(scope="module")
def register(paths):
    return explanations.load_explanations(paths)


def check(analysis, check_id: str) -> pd.Series:
    rows = analysis.reconciliation[analysis.reconciliation["check_id"] == check_id]
    assert len(rows) == 1, check_id
    return rows.iloc[0]


# --- explanations --------------------------------------------------------------------------


def test_e_resept_growth_is_explained_by_sfm(analysis, register):
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t4", register)
    sfm = next(n for n in notes if n.solution == "E-resept" and n.category == "investeringer")
    assert sfm.value_mnok == 54
    amounts = {(e.item, e.amount): status for e, status in sfm.explanations}
    assert amounts[("", "54")] == explanations.MATCHES
    assert ("Sentral forskrivningsmodul (SFM) drift og forvaltning", "50") in amounts


def test_every_large_driver_in_the_summary_tables_is_explained(analysis, register):
    for table in ("tg-t4", "tg-t11"):
        notes = explanations.driver_notes(analysis.drivers, analysis.figures, table, register)
        assert explanations.unexplained(notes) == [], table


def test_helsenettets_moves_between_services_are_not_explained(analysis, register):
    """Tabell 9 moves 19 and 21 mill. kroner between shared and external services; the text
    explains only the 2 of the reception process, so the report says «kilden forklarer ikke»."""
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t9", register,
                                      by_item=True)
    missing = {(n.item, n.value_mnok) for n in explanations.unexplained(notes)}
    assert missing == {("Helsenettet felles tjenester", -21.0),
                       ("Operasjonell sikkerhets- og hendelseshåndtering for helsesektoren", 19.0)}
    text = committee.driver_explanations_markdown(notes, show_solution=False)
    assert "Kilden forklarer ikke denne endringen." in text


@pytest.mark.parametrize(("solution", "category", "amount", "items"), [
    # −11 − 4,5 − 1,5 = −17
    ("Kjernejournal", "effektivisering", -17.0,
     ["Legemidler −11", "Kjernejournal Portal −4,5", "Drift og produksjon −1,5"]),
    ("Grunndata og HelseID", "investeringer", 8.0, ["Personell +6", "HelseID +2"]),  # 6 + 2
    ("Grunndata og HelseID", "endret_finansieringskilde", -7.8,  # −9 + 1,2
     ["Personell −9", "Person +1,2"]),
])
def test_a_driver_the_source_explains_item_by_item_is_explained_in_full(
        analysis, register, solution, category, amount, items):
    """No one explanation equals the solution's amount, but its items' explanations add up to
    it: the report names each part and says the whole amount is explained."""
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t4", register)
    note = next(n for n in notes if n.solution == solution and n.category == category)
    assert note.value_mnok == amount
    assert explanations.MATCHES not in [s for _, s in note.explanations]
    assert note.fully_explained
    sentence = committee.driver_sentence(note)
    assert "bare en del" not in sentence
    assert "Til sammen forklarer dette hele beløpet." in sentence
    for item in items:
        assert f"({item})" in sentence, item


def test_a_solutions_drivers_take_its_own_tables_finer_sums(analysis, register):
    """Tabell 4 rounds to whole millions (l. 419): Helsenorge's volume growth is 15 there and
    14,9 in its own Tabell 5 (l. 459). Read with Tabell 5's sums, the solution report's
    sentence says 14,9, still explained in full by its parts (8 + 0,5 + 0,8 + 5,6 of capacity,
    with Økosystem's 1,4 as tabell 5 prints it: the text swaps it with the 1,2 of efficiency,
    reader6 R1), with the capacity said without a staffing gloss the source does not give."""
    rounded = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t4", register,
                                        solution="Helsenorge")
    finer = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t4", register,
                                      solution="Helsenorge", sums_from="tg-t5")
    volume = {n.category: n for n in finer}["volum_beredskap"]
    assert {n.category: n.value_mnok for n in rounded}["volum_beredskap"] == 15
    assert (volume.value_mnok, volume.decimals) == (14.9, 1)
    assert {n.category: n.value_mnok for n in finer}["investeringer"] == 14.1
    assert {n.category: n.value_mnok for n in finer}["tilbakeføring"] == -8.6  # same print
    sentence = committee.driver_sentence(volume)
    assert sentence.startswith("**Helsenorge, volum / beredskap: +14,9 mill. kroner.**")
    assert ("Til sammen forklarer dette hele beløpet. Av dette skyldes 5,6 mill. kroner økt "
            "kapasitet i NHN (kilden sier ikke om det er flere ansatte eller innleie).") in sentence


def test_reasons_say_no_more_than_the_source(register, paths):
    """Reader6: FM's avvikling in 2025 is NHN's aim («med mål om å avvikle i løpet av året»,
    l. 1052; R29); only the drift of fødselsmelding moves into the regulation (l. 146; R23);
    the note's figures are copied with small errors, not «avskrevet» (R40)."""
    from tbu_analysis.analysis import findings

    reasons = {(e.solution, e.item, e.year): e.reason for e in register}
    assert reasons[("E-resept", "Forskrivningsmodulen (FM)", 2026)].startswith(
        "forvaltningen av Forskrivningsmodulen (FM) går ned fra 12,4 til 6 mill. kroner fordi "
        "NHN har som mål å avvikle FM i løpet av 2025;")
    assert reasons[("Grunndata og HelseID", "Person", 2025)] == (
        "driften av fødselsmelding finansieres over pasientjournalloven i stedet for "
        "direktefakturering")
    said = [f.explanation for f in findings.load_findings(paths.findings).findings]
    assert any(s.startswith("Notatets tall per løsning i 3.2.3 er skrevet av fra tabellene "
                            "med små feil:") for s in said)
    assert not any("avskrevet" in s for s in said)


def test_a_driver_the_source_explains_only_in_part_still_says_so(analysis, register):
    """E-resept's −6,6 of efficiency in 2025: the text gives −5 (drift taken in-house)."""
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t4", register)
    note = next(n for n in notes if n.solution == "E-resept" and n.category == "effektivisering")
    assert note.value_mnok == -6.6 and not note.fully_explained
    assert "Kilden forklarer 5 av 6,6 mill. kroner; 1,6 mill. kroner står uten forklaring." \
        in committee.driver_sentence(note)


def test_plattforms_printed_plus_8_6_disagrees_with_the_texts_deduction(analysis, register):
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t5", register,
                                      by_item=True)
    plattform = next(n for n in notes if n.item == "Plattform" and n.category == "tilbakeføring")
    assert plattform.value_mnok == 8.6
    assert [s for _, s in plattform.explanations] == [explanations.DISAGREES]


def test_an_interval_stays_an_interval(register):
    sms = next(e for e in register if e.amount == "8-10")
    assert sms.signed_range == (-10.0, -8.0)
    assert explanations.compare(sms, -9.0, 1) == explanations.MATCHES
    assert explanations.compare(sms, -11.5, 1) == explanations.PART_OF


@pytest.mark.parametrize(("old", "new", "message"), [
    ("quote: \"Vi forventer en effektivisering på 2 mill. kroner",
     "quote: \"Vi forventer en effektivisering på 3 mill. kroner", "sitatet finnes ikke i kilden"),
    ("amount: \"2,1\"", "amount: \"2,2\"", "beløpet 2,2 står ikke i sitatet"),
    ("driver: investeringer, year: 2026", "driver: investeringer, year: 2026, owner: x",
     "ukjent nøkkel"),
])
def test_a_bad_register_entry_is_one_message_with_file_and_line(tmp_round, old, new, message):
    path = tmp_round.raw / explanations.EXPLANATIONS_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        explanations.load_explanations(tmp_round)
    assert "explanations.yaml" in str(error.value) and "linje" in str(error.value)


def test_conditions_quote_the_source_and_keep_intervals(paths):
    conditions = explanations.load_conditions(paths)
    intervals = {c.solution: c.interval for c in conditions if c.kind == "intervall"}
    assert intervals == {"Kjernejournal": "10-15", "Helsenettet": "5-10"}
    grunndata = explanations.conditions_for(conditions, "Grunndata og HelseID")
    text = committee.conditions_markdown(grunndata, "Grunndata og HelseID")
    text = text.replace("\u00a0", " ")
    assert "avvikling av PREG 31.12.2025" in text
    # only its own and all solutions' conditions (the 2024 underspend for all names
    # Kjernejournal, but Kjernejournal's own conditions stay out)
    assert "Pasientens prøvesvar" not in text and "10 – 15" not in text
    assert "Underforbruket i 2024" in text
    # the underspend under it is allocated (15 + 10): the heading does not say the source
    # never splits these (reader6 R6, reader7 Q30)
    assert ("ikke Grunndata og HelseID alene; der kilden fordeler et beløp på løsningene, står "
            "fordelingen i punktet.") in text
    assert "kilden sier ikke hvordan de skal fordeles" not in text
    assert "Totalen for alle løsninger kan bli inntil" not in text  # counted under 2024


# --- unlikely rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(("check_id", "computed", "printed", "sigmas"), [
    # Tabell 11's 2025 column
    ("tg-t11:kolonne:Sum:Estimat kostnadsnivå 2025 reversert midlertidig nedtrekk*",
     1088.2, 1089, 2.7),
    ("tg-t6:kolonne:Sum:2025", 91.7, 93, 2.6),  # Tabell 6's funding need 2025
    ("tg-t5:kolonne:Sum:Finansieringsbehov 2025**", 353, 351, 2.1),  # Tabell 5's funding need
    ("tg-t5:kolonne:Sum:Estimert kostnadsnivå 2025 Sum", 359.8, 359.6, 2.1),  # its cost level
])
def test_these_checks_are_unlikely_rounding(analysis, check_id, computed, printed, sigmas):
    row = check(analysis, check_id)
    assert (row["computed"], row["printed"]) == (pytest.approx(computed), printed)
    assert row["status"] == tol.UNLIKELY
    assert tol.sigmas(row["difference"], row["spread"]) == pytest.approx(sigmas, abs=0.05)


def test_typical_rounding_stays_rounding(analysis):
    row = check(analysis, "tg-t4:rad:Sum:kostnadsnivå 2025")  # 1,2 deviations
    assert row["status"] == tol.ROUNDING
    assert (analysis.reconciliation["status"] == tol.UNLIKELY).sum() == 4


def test_spread_of_eleven_whole_numbers_and_their_total():
    spread = tol.sum_spread([0] * 11, 0)
    assert spread == pytest.approx((12 * 0.25 / 3) ** 0.5)
    assert tol.refine(tol.ROUNDING, 5.5, spread) == tol.UNLIKELY  # worst case: 5,5 σ
    assert tol.refine(tol.ROUNDING, 1.0, spread) == tol.ROUNDING
    assert tol.refine(tol.DISCREPANCY, 9.0, spread) == tol.DISCREPANCY


# --- estimates against outcomes, the previous round ------------------------------------------


def test_estimates_against_outcomes_per_solution(analysis):
    estimates = comparison.estimates_against_outcomes(analysis.figures).set_index(
        ["solution", "measure"])
    helsenorge = estimates.loc[("Helsenorge", "påløpt")]
    assert (helsenorge["year"], helsenorge["forskrift"], helsenorge["outcome"]) == (2023, 325, 308)
    assert helsenorge["difference_pct"] == pytest.approx(-17 / 325 * 100)
    kjernejournal = estimates.loc[("Kjernejournal", "prognose")]
    assert (kjernejournal["forskrift"], kjernejournal["outcome"]) == (130, 115)
    total = estimates.loc[("Alle løsninger", "prognose")]
    assert total["difference"] == -25


def test_the_previous_rounds_statements_and_their_arithmetic(paths):
    previous = comparison.load_previous_round(paths)
    statements = {s.id: s for s in previous.statements}
    assert statements["estimat-2025-redusert"].status == tol.OK  # 17 + 9 = 26
    # 17 + 2 = 19 against 18,5: within what whole-number rounding allows, and shown as such.
    assert statements["investeringer-under-nuit"].status == tol.ROUNDING
    assert float(statements["helsenettet-prognose-2024"].parts_sum) == 275


def test_the_manifest_names_the_previous_round(paths, tmp_round):
    """The previous round is the manifest's ``previous_round:``; previous_round.yaml keeps the
    statements. A round cannot be its own previous round, and statements about a previous round
    the manifest does not name are refused."""
    assert comparison.load_previous_round(paths).round == "2024-var"
    manifest = tmp_round.manifest
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("previous_round: 2024-var", "previous_round: 2024-host"),
                        encoding="utf-8")
    with pytest.raises(InputError, match="sin egen forrige runde"):
        comparison.load_previous_round(tmp_round)
    manifest.write_text(re.sub(r"\nprevious_round: .*\n", "\n", text), encoding="utf-8")
    with pytest.raises(InputError, match="manifest.yaml nevner ingen"):
        comparison.load_previous_round(tmp_round)
    (tmp_round.raw / "previous_round.yaml").unlink()
    assert comparison.load_previous_round(tmp_round) is None


def test_a_spring_round_sets_the_ceiling(figures):
    """A spring round built from this one: Helsenorge's 2025 funding need 10 lower in spring,
    so the autumn figure is above the spring ceiling; other solutions are unchanged."""
    spring = figures.copy()
    lower = (spring["solution"] == "Helsenorge") & (spring["measure"] == "finansieringsbehov") \
        & (spring["year"] == 2025) & (spring["item"] == "")
    spring.loc[lower, "value_mnok"] -= 10
    result = comparison.compare_rounds(figures, spring)
    above = result[result["above_ceiling"]]
    assert above[["solution", "year"]].values.tolist() == [["Helsenorge", 2025]]
    assert above["change"].iloc[0] == pytest.approx(10)
    assert (result.loc[~result["above_ceiling"], "change"] == 0).all()


# --- the solution parameter ----------------------------------------------------------------


def test_solution_parameter_takes_name_or_slug(project_root, monkeypatch):
    monkeypatch.chdir(project_root)
    assert context.solution_name(ROUND, "kjernejournal") == "Kjernejournal"
    assert context.solution_name(ROUND, "Grunndata og HelseID") == "Grunndata og HelseID"
    assert context.solution_name(ROUND, "grunndata-og-helseid") == "Grunndata og HelseID"
    with pytest.raises(InputError, match="gyldige: Helsenorge \\(helsenorge\\)"):
        context.solution_name(ROUND, "helsenet")


def test_solution_names_resolve_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert context.solution_name(ROUND, "e-resept") == "E-resept"


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_report_compares_with_a_spring_round_in_the_project(tmp_round, monkeypatch):
    """A spring round built by the test beside the autumn one (its overview table with
    Helsenorge's 2025 at 341 instead of 351): the report shows both rounds and flags
    Helsenorge as above the spring ceiling."""
    import hashlib
    import re
    import shutil

    from tbu_analysis.pipeline import run_clean

    spring_dir = tmp_round.raw.parent / "2024-var"
    shutil.copytree(tmp_round.raw, spring_dir)
    autumn_row, spring_row = "Helsenorge\t325\t344\t351\t374", "Helsenorge\t325\t344\t341\t374"
    edited = [spring_dir / "tables" / "tallgrunnlag-tabell-03.tsv",
              spring_dir / "tables" / "notat-tabell-01.tsv", *spring_dir.glob("source/*.txt")]
    for path in edited:  # the spring round's tables and its own source text agree
        path.write_text(path.read_text(encoding="utf-8").replace(autumn_row, spring_row),
                        encoding="utf-8")
    source = next(spring_dir.glob("source/*.txt"))
    manifest = spring_dir / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8").replace("round: 2024-host", "round: 2024-var")
    text = text.replace("season: høst", "season: vår")  # a spring forecast sets the ceiling
    text = re.sub(r"\nprevious_round: .*\n", "\n", text)  # spring is read against no round
    (spring_dir / "previous_round.yaml").unlink()
    text = text.replace("data/raw/2024-host/source/", "data/raw/2024-var/source/")
    text = re.sub(r"sha256: [0-9a-f]{64}",
                  f"sha256: {hashlib.sha256(source.read_bytes()).hexdigest()}", text)
    manifest.write_text(text, encoding="utf-8")
    for round_id in ("2024-var", ROUND):
        run_clean(round_paths(round_id, tmp_round.root))
    monkeypatch.chdir(tmp_round.root)
    ctx = context.load(ROUND)
    result = ctx.round_comparison
    above = result[result["above_ceiling"]]
    assert above[["solution", "year", "previous", "current"]].values.tolist() == [
        ["Helsenorge", 2025, 341.0, 351.0]]
    assert ("Over taket fra forrige runde: Helsenorge 2025 (+10 mill. kroner)."
            in ctx.since_previous_markdown())
    assert len(ctx.since_previous_tables()) == 1


def test_source_footnotes_name_what_their_star_marks_and_quote_the_source(figures):
    """The report's tables do not print the source's stars, so each footnote names what the
    source marked: the table title, a column, or a figure; a star two footnotes share names
    nothing rather than the wrong thing."""
    from tbu_analysis.reports import views
    from tbu_analysis.rounds.manifest import load_manifest

    manifest = load_manifest(round_paths("2024-host").manifest)
    assert views.source_footnotes(manifest.table("tg-t3"), figures) == [
        "Kildens fotnote til tabelltittelen: «Alle tallene vises i 2024-kroner og "
        "2023-tallene er justert med 4,121%.»",
        # the source's header, «Forskrift 2025**» (l. 385), beside the report's label
        # (reader7 Q16)
        "Kildens fotnote til kolonnen «Forskrift 2025» (her: finansieringsbehov 2025): "
        "«Tilbakeføring av midler er innarbeidet under hver løsning.»"]
    # a header that is only the year, or names the column as the label does, is not repeated
    assert views.source_footnotes(manifest.table("tg-t9"), figures)[-1] == (
        "Kildens fotnote til kolonnen «Finansieringsbehov 2025»: «Tall er ikke indeksregulert.»")
    assert views.source_footnotes(manifest.table("tg-t4"), figures)[0] == (
        "Kildens fotnote til tallet E-resept, Økte kostnader grunnet investeringer: «NUIT sak "
        "6/24 og e-helseråd sak 5/24 og under forutsetning om at betaling for SFM i forskrift.»")
    shared = views.source_footnotes(manifest.table("tg-t7"), figures)
    assert shared[:2] == [
        "Kildens fotnote: «Behandlet i NUIT sak 6/24 og e-helseråd sak 5/24 og under "
        "forutsetning at betaling hjemles i forskrift.»",
        "Kildens fotnote: «Tall er ikke indeksregulert.»"]
    assert shared[2] == ("Kildens fotnote: «I tillegg kommer fakturering på 4 mnok som ikke "
                         "er hjemlet i forskrift.»")  # the source's own unit, quoted
    assert not any(note.startswith("*") for spec in manifest.tables
                   for note in views.source_footnotes(spec, figures))


def test_a_driver_table_shows_only_the_footnotes_about_what_it_shows(figures):
    """A driver table shows the driver columns, not «Finansieringsbehov 2025» or the cost
    levels: their footnotes stay with the tables that show them, and a footnote whose place
    cannot be told (Tabell 7's three) is not put under a table it may not belong to."""
    from tbu_analysis.reports import views
    from tbu_analysis.rounds.manifest import load_manifest

    manifest = load_manifest(round_paths("2024-host").manifest)
    drivers = ["Løsning", "Økte kostnader grunnet investeringer", "Effektivisering", "Sum"]
    assert views.source_footnotes(manifest.table("tg-t4"), figures, shown=drivers) == [
        "Kildens fotnote til tallet E-resept, Økte kostnader grunnet investeringer: «NUIT sak "
        "6/24 og e-helseråd sak 5/24 og under forutsetning om at betaling for SFM i forskrift.»"]
    assert views.source_footnotes(manifest.table("tg-t8"), figures, shown=drivers) == [
        "Kildens fotnote til kolonnen «Økte kostnader grunnet investeringer»: «Behandlet i NUIT "
        "sak 6/24 og e-helseråd sak 5/24.»"]
    assert views.source_footnotes(manifest.table("tg-t7"), figures, shown=drivers) == []
    assert views.source_footnotes(manifest.table("tg-t11"), figures, shown=drivers) == []
    assert len(views.source_footnotes(manifest.table("tg-t11"), figures)) == 2  # as printed


# --- what the committee reads: one sentence per driver, questions per solution --------------


def test_a_driver_in_one_sentence_with_a_short_reference(analysis, register):
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t11", register)
    felles = next(n for n in notes if n.item == "Helsenettet felles tjenester")
    sentence = committee.driver_sentence(felles)
    assert sentence.startswith("**Helsenettet felles tjenester, endring i finansiering")
    assert "«" not in sentence and sentence.endswith("Kilde: Tallgrunnlag 6.")
    assert committee.short_section("Tallgrunnlag 5.3 E-resept, Sentral forskrivningsmodul") \
        == "Tallgrunnlag 5.3"
    assert committee.short_section("Notat 3.2.2 Kostnadsdrivere") == "Notat 3.2.2"


def test_the_plus_printed_deduction_reads_with_the_texts_sign(analysis, register):
    notes = explanations.driver_notes(analysis.drivers, analysis.figures, "tg-t5", register,
                                      by_item=True)
    plattform = next(n for n in notes if n.item == "Plattform" and n.category == "tilbakeføring")
    sentence = committee.driver_sentence(plattform, show_solution=False)
    assert sentence.startswith("**Plattform, tilbakeføring tidligere års midler: −8,6 mill. "
                               "kroner.** Tabellen trykker +8,6")
    assert "bare en del" not in sentence


def test_a_solution_asks_only_its_own_questions(report_model):
    """E-resept's report asks about E-resept (and the requests for all that name it)."""
    ctx = context.load(ROUND)
    text = ctx.questions_text("E-resept")
    for other in ("Kjernejournal", "Grunndata og HelseID", "Helsenettet", "Helsenorge"):
        assert other not in text, other
    assert "1\u00a0088,2" in ctx.questions_text(annex=True)


def test_a_move_the_tables_trace_is_not_asked(report_model):
    """Tabell 9's −21 and +19 (and +2) between Helsenettet's services are one move, and the
    source accounts for all of it: the text for the APT's 2, Tabell 10 and 9 for the 19 (out
    of «Hendelseshåndtering og SOC», into the external service). Neither report asks it, nor
    its parts as unexplained changes."""
    ctx = context.load(ROUND)
    move = next(m for m in ctx.moves if m.solution == "Helsenettet")
    assert move.amount == 21 and move.unexplained == 0
    assert [t.amount for t in move.traced] == [19, 2]
    for text in (ctx.questions_text(), ctx.questions_text("Helsenettet")):
        assert "flyttes innen Helsenettet" not in text
        assert "Hva er årsaken?" not in text


def test_every_question_begins_as_a_sentence(report_model):
    ctx = context.load(ROUND)
    text = ctx.questions_text() + "\n" + ctx.questions_text(annex=True)
    starts = re.findall(r"^\s*\d+\. \*\*.+?\?\*\* (?:\*\(.+?\)\* )?(\S)", text, re.M)
    assert len(starts) >= 12 and all(c.isupper() or c.isdigit() for c in starts), starts
    assert "Teksten i avsnitt 3, alle løsninger." in text


def test_a_finding_asks_the_question_its_register_entry_gives(report_model):
    """Reader's defect 14: a finding's question says what it is about (the findings register's
    ``question``), not «Hva stemmer her?»; the figures a finding's text gives are not
    repeated in a parenthesis after it, but rows its text does not give are."""
    ctx = context.load(ROUND)
    main, annex = ctx.questions_text(), ctx.questions_text(annex=True)
    assert "Hva stemmer her?" not in main + annex
    # Plattform (46 against 48,7) is asked with the three others (reader6 R4)
    assert ("**Hvorfor følger ikke finansieringsbehovet kostnadsnivået minus tilbakeføringen på "
            "fire Helsenorge-områder?** *(største avvik mellom trykt og beregnet tall: 2,8 mill. "
            "kroner)* Helsenorge: Tabell 5, Innhold, kommunikasjon og merkevare; tabell 5, "
            "Økosystem; tabell 5, Plattform; tabell 5, Veiledning og bruk.") \
        in main.replace("\u00a0", " ")
    assert ("**Hvorfor er E-resept-prosentene avrundet mot null?** Tabell 7, E-resept; teksten "
            "i avsnitt 3.2.3, E-resept.") in annex
    # −4,63 and 34,64 are the text's −4,6 and 34,6: no «(trykt −4, beregnet −4,63; …)»
    assert "beregnet −4,63" not in annex and "beregnet 192;" not in annex
    # the testunivers rows' own figures are not in its text: they follow it
    assert "(trykt 34,6, beregnet 34,9; trykt 20, beregnet 20,2;" in main
    assert ("**Er Helsenettets forskrift for 2024 303 eller 303,6?** Notatets tabell 1, "
            "Helsenettet; tallgrunnlagets tabell 1, Helsenettet; tabell 3, Helsenettet.") in annex


def test_the_sfm_invoicing_outside_the_regulation_is_a_question_not_a_claim(report_model):
    """Tabell 7's note: «I tillegg kommer fakturering på 4 mnok som ikke er hjemlet i
    forskrift». The reason for E-resept's +54 no longer says the 4 come into the payment under
    the regulation; the findings register asks NHN how they are invoiced, with the quote."""
    ctx = context.load(ROUND)
    sfm = next(e for e in ctx.explanations
               if e.solution == "E-resept" and e.item == "" and e.amount == "54")
    assert "forskriftsbetalingen" not in sfm.reason
    assert "ikke er hjemlet i forskrift" in sfm.reason
    quote = "«I tillegg kommer fakturering på 4 mnok som ikke er hjemlet i forskrift.»"
    for text in (ctx.questions_markdown(), ctx.questions_markdown("E-resept")):
        line = next(x for x in text.splitlines() if "fotnoten til tabell 7 sier faktureres" in x)
        # the footnote does not say which 4 it bills (reader7 Q21): the title does not assume
        assert line.split(". ", 1)[1].startswith(
            "**Hva er de 4 mill. kronene som fotnoten til tabell 7 sier faktureres utenfor "
            "forskriften?") and quote in line
        assert "Er det de samme 4 mill. kronene?" in line
    assert "4 mnok" not in ctx.questions_markdown("Helsenettet")


def test_a_question_whose_quote_is_not_in_the_source_is_refused(tmp_round):
    from tbu_analysis.analysis import findings

    path = tmp_round.findings
    text = path.read_text(encoding="utf-8")
    old = "I tillegg kommer fakturering på 4 mnok"
    assert old in text
    path.write_text(text.replace(old, "I tillegg kommer fakturering på 5 mnok"), encoding="utf-8")
    with pytest.raises(InputError, match="sitatet finnes ikke i kilden") as error:
        findings.load_questions(tmp_round)
    assert "findings.yaml" in str(error.value) and "linje" in str(error.value)


def test_a_note_is_said_in_full_once_per_report_and_pointed_to_after(report_model):
    """Helsenettet's 2024 is 303 in the overview tables and 303,6 in Tabell 9: the reader
    meets the explanation in full where it first stands, and a link back to it after."""
    ctx = context.load(ROUND)
    why = "tabell 9 summerer til 303,6 (28,2 + 165,7 + 109,7), som avrundes til 304."
    first = ctx.overview_note()
    assert first.count(why) == 1 and '<span id="note-1"></span>' in first
    # Section 2's growth tables that show Helsenettet 2024, in the report's order.
    growth = [ctx.levels_note(table, ctx.growth_series(heading))
              for heading, table in ctx.growth_sections()
              if heading.startswith("Forskriftsbeløp") and "2024" in table.columns]
    assert len(growth) == 3
    assert "notatets tabell 1, tallgrunnlagets tabell 1 og tabell 3 trykker 303." in growth[0]
    assert why not in growth[0] and 'href="#note-1"' in growth[0]
    for later in growth[1:]:
        assert later.startswith("*Samme tall, annen verdi i kilden:* Helsenettet 2024 er også "
                                "her 303,6 (tabell 9). Se <a class=\"noteref\" href=\"#note-")
        # Reader's defect 15: «Se forklaringen over» leads to the explanation itself (the
        # †-note of the overview), not to the first «Samme tall» note that points to it.
        assert 'href="#note-1"' in later
    for text in (ctx.estimates_note(), ctx.questions_markdown(annex=True)):
        assert why not in text and "forklaringen over</a>" in text
    # Reader6 R41: the annex's «Mulige forklaringer» lists only what no question has said in
    # full; here every explanation is said before, so the section (heading and all) is left
    # out rather than printed as eleven bullets that only point back.
    assert ctx.explanations_markdown() == ""
    assert why in ctx.questions_text(annex=True)  # the rounding list, without pointers
    # a solution report says it in full at its first use
    solution = context.load(ROUND)
    levels = solution.levels_note(solution.solution_levels("Helsenettet"), "finansieringsbehov",
                                  "Helsenettet")
    assert why in levels and why not in solution.estimates_note("Helsenettet")


def test_a_solution_summary_names_the_price_basis_and_the_estimate(report_model):
    """Helsenorge's 2023 forskrift is printed in 2024-kroner (Tabell 3, l. 385–393: «justert
    med 4,121 %»), and 2026 is an estimate («Estimat 2026»), not a regulation (reader6 R8).
    Helsenettet's 2025 is a funding need the source prints (300 in Tabell 3): no «estimert»."""
    ctx = context.load(ROUND)
    summary = ctx.solution_summary("Helsenorge").replace("\u00a0", " ")
    assert ("Forskriftsbeløpet går fra 325 mill. kroner i 2023 (i 2024-kroner) til 343,6 mill. "
            "kroner i 2024: +18,6 mill. kroner (5,7 %).") in summary
    assert ("Forskriftsbeløpet går fra 351 mill. kroner i 2025 til estimert 373,6 mill. kroner "
            "i 2026: +22,6 mill. kroner (6,4 %).") in summary
    assert "Kostnadsnivået går fra 359,6 mill. kroner i 2025 til 373,6" in summary
    helsenettet = ctx.solution_summary("Helsenettet").replace("\u00a0", " ")
    assert "til 299,9 mill. kroner i 2025" in helsenettet
    assert "til estimert 269,9 mill. kroner i 2026" in helsenettet


def test_percent_notes_only_for_what_a_table_shows_and_said_once(report_model):
    """E-resept (reader6 R36, R38): the driver table has no «2025» column, so the note on the
    printed 34 % stays with the full Tabell 7; there the † note already gives −4 % and 34 %,
    so the one-decimal note keeps only the others (38 % and 1 %). The −5 of the supplier
    change is said once, beside its reason, not again as «Av dette skyldes 5»."""
    ctx = context.load(ROUND)
    (_, _, _, notes, words), *_ = ctx.driver_sections("E-resept")
    assert ("NHN trykker −4 % for «Effektivisering» i % av «Forskrift 2024»; utregnet gir det "
            "−4,6 %.") in notes.replace("\u00a0", " ")
    assert "vekst i % for «2025»" not in notes
    assert "Driften av reseptformidleren flyttes fra ekstern leverandør til NHN" in words
    assert "bytte av leverandør" not in words
    (_, _, full), = ctx.item_tables("E-resept")
    full = full.replace("\u00a0", " ")
    assert "(trykt 34 %; notatet sier også 34 %)" in full  # the † note
    assert ("«Økte kostnader grunnet investeringer» i % av «Forskrift 2024»: 37,9 % (trykt "
            "38 %); «Volum / beredskap» i % av «Forskrift 2024»: 1,4 % (trykt 1 %).") in full
    assert "−4,6 % (trykt −4 %); vekst" not in full


def test_whole_million_prognoses_and_text_avvik_are_explained_where_listed(report_model):
    """Reader6 R30: chapter 6 compares 130,1 (forskrift 2024) with a prognosis printed in whole
    millions (115): the note says the forskrift is taken rounded (130), for every solution
    where that applies. R22: Grunndata og HelseID's avvik list has Person 38,6 against 35,6
    and Personell 26 against 29 in the text; the analysts' explanation stands with it.
    R17: a section inside parentheses has none of its own."""
    ctx = context.load(ROUND)
    note = ctx.estimates_note().replace("\u00a0", " ")
    assert ("Prognosen for 2024 er trykt i hele millioner, så avviket er regnet mot forskriften "
            "for 2024 avrundet på samme måte:* Helsenorge 343,6 → 344, Kjernejournal 130,1 → "
            "130, E-resept 142,6 → 143 og Grunndata og HelseID 117,6 → 118.") in note
    lead = ctx.solution_reconciliation_note("Grunndata og HelseID").replace("\u00a0", " ")
    assert ("og 3 avvik. Om avvikene i kildens tekst: Teksten har 38,6 for Person og 26 for "
            "Personell i 2024, tabell 8 har 35,6 og 29: 3 mill. kroner står på ulik linje, "
            "summen (64,6) er den samme. Avvikene:") in lead
    assert "3.2.3" not in lead  # that finding names all four solutions: the main report's
    helsenorge = ctx.solution_reconciliation_note("Helsenorge")
    assert ("Om avvikene i kildens tekst: Teksten og tabell 5 har byttet om kapasitetsøkningen "
            "(1,2) og effektiviseringen (1,4) for Økosystem") in helsenorge
    assert "83,6 + 2,2" not in helsenorge  # a table's avvik is explained under it (†)
    # E-resept's printed 34 % in the note has the explanation of Tabell 7's † (said there)
    assert "Om avvikene" not in ctx.solution_reconciliation_note("E-resept")
    sections = {c.section for c in ctx.conditions}
    assert "Notat 3, tabell 1" in sections
    assert not any("(Tabell" in s or "(Figur" in s for s in sections)  # no «(Notat 3 (Tabell 1))»


def test_a_traced_move_names_each_part_and_is_not_the_largest_change(report_model):
    """Helsenettet's −21 (felles tjenester) against +19 and +2 nets to zero, and the source
    traces both parts (Tabell 10 → Tabell 9: 19 out of «Hendelseshåndtering og SOC», 2 out of
    «APT støtteverktøy»). The solution summary does not call it the largest change or say the
    source leaves it unexplained; the move's sentence names 19 and 2 each, and no remainder."""
    ctx = context.load(ROUND)
    summary = ctx.solution_summary("Helsenettet")
    assert "−21" not in summary and "Helsenettet felles tjenester, endret" not in summary
    assert ("Største endring fra 2024 til 2025: **Velferdsteknologisk knutepunkt (VKP), "
            "effektivisering: −3 mill. kroner.** Forvaltningskostnadene for VKP ventes å gå ned "
            "fra 28 mill. kroner i 2024 til 25 mill. kroner i 2025") in summary
    note = next(n for n in ctx.driver_notes("Helsenettet")
                if n.item == "Helsenettet felles tjenester" and n.value_mnok == -21)
    text = committee.driver_sentence(note, show_solution=False, moves=ctx.moves)
    assert ("Kilden viser hvor pengene går: 19 mill. kroner fra «Hendelseshåndtering og SOC for "
            "interne og eksterne tjenester» til «Operasjonell sikkerhets- og hendelseshåndtering "
            "for helsesektoren» og 2 mill. kroner fra «APT støtteverktøy» til «Mottaksprosess»."
            ) in text
    assert "(netto 0)" in text
    assert "for 0 mill. kroner" not in text and "spørsmål til NHN" not in text


def test_a_remainder_the_source_explains_in_words_says_so(report_model):
    """E-resept's −6,6 (effektivisering 2025): 5 with an amount (reseptformidleren); the −1,0
    and −0,6 (Tabell 7) in words only: «ressurspådraget [er] noe redusert», FM's «aktiviteten
    reduseres så langt det er mulig». The report no longer says 1,6 stand unexplained."""
    ctx = context.load(ROUND)
    note = next(n for n in ctx.driver_notes() if (n.solution, n.category, n.to_year)
                == ("E-resept", "effektivisering", 2025))
    assert note.value_mnok == -6.6
    text = committee.driver_sentence(note, moves=ctx.moves)
    # with each item's amount from Tabell 7 (l. 678, l. 681; reader7 Q19)
    assert ("Kildens tekst forklarer 5 av 6,6 mill. kroner med beløp; resten, 1,6 mill. "
            "kroner, forklarer den bare med ord; beløpene er tabellens: "
            "godkjenningsprosessen er effektivisert, så "
            "ressurspådraget er noe redusert (Godkjenningsprosessen e-resept −1,0) og "
            "forvaltningen av FM fortsetter i 2025") in text
    assert "så langt det er mulig (Forskrivningsmodulen (FM) −0,6)." in text
    assert "står uten forklaring" not in text
    quotes = committee.explanation_quotes_markdown([note])
    assert "«Som følge av dette er ressurspådraget noe redusert.»" not in quotes  # whole quote
    assert "Som følge av dette er ressurspådraget noe redusert.» (Tallgrunnlag 5.3" in quotes


# --- the second reader's low findings (reader 5: D9, D16, D22) --------------------------------


def test_a_move_between_items_is_one_bullet_with_the_source_words_in_the_annex(report_model):
    """D22: Helsenettet's 2025 move (−21 out of felles tjenester, +19 into the external SOC
    service, +2 into Mottaksprosess; net 0) is one bullet, not two that repeat each other, and
    the annex the lead points to holds the source's words for it (l. 942 and l. 960)."""
    ctx = context.load(ROUND)
    words = "\n".join(section[-1] for section in ctx.driver_sections("Helsenettet"))
    words = words.replace("\u00a0", " ")
    assert ("- **Flytting innen Helsenettet, endret finansieringskilde (netto 0):** Helsenettet "
            "felles tjenester −21 og Operasjonell sikkerhets- og hendelseshåndtering for "
            "helsesektoren +19 mill. kroner er penger som flyttes mellom poster, ikke ny vekst. "
            "Kilden viser hvor pengene går: 19 mill. kroner fra «Hendelseshåndtering og SOC for "
            "interne og eksterne tjenester» til «Operasjonell sikkerhets- og "
            "hendelseshåndtering for helsesektoren» og 2 mill. kroner fra «APT støtteverktøy» "
            "til «Mottaksprosess». Kilde: Tallgrunnlag 5.5.") in words
    assert "Beløpet hører til de 21 mill. kroner" not in words
    annex = ctx.explanation_quotes_markdown("Helsenettet")
    assert annex.startswith("- **Flytting innen Helsenettet, endret finansieringskilde "
                            "2024–2025 (netto 0):** «Norsk helsenett vil over tid fordele "
                            "kosten på fellestjenestene ut på de eksterne tjenestene")
    assert ("«Estimat for 2025 inneholder en økning på 2 mill. kroner fra APT støtteverktøy "
            "(lisenskost og plattform/drift/forvaltning) som er direkte relatert til "
            "mottaksprosessen.") in annex
    assert annex.count("Flytting innen Helsenettet") == 1


def test_tabell_2s_38_7_is_told_apart_from_the_34_5_deducted_in_2025(report_model):
    """D16: the 38,7 in «Bruk av tidligere års midler» followed tasks and are used in 2024
    (notat l. 93); the 34,5 deducted from 2025 are funds not tied to tasks (l. 99)."""
    ctx = context.load(ROUND)
    notes = {heading: note for heading, _, note in ctx.prognosis_sections()}
    note = notes["Bruk av tidligere års midler i 2024 (NHN Tallgrunnlag høst 2024, Tabell 2)"]
    assert ("*De 38,7 mill. kronene som til sammen er overført for alle løsningene, fulgte "
            "oppgaver fra 2022 og 2023, og NHN venter å bruke dem i 2024; de er ikke de 34,5 "
            "mill. kronene som trekkes fra beløpet for 2025, som er midler som ikke er knyttet "
            "til overførte oppgaver. (Notat "
            "3.1 Prognose 2024; Notat 3.2 Kostnadsnivå for 2025)*") in note
    assert not any("38,7 mill. kronene" in n for h, n in notes.items() if "Tabell 2" not in h)


def test_a_table_note_states_only_numbers_its_quotes_print(paths):
    source = explanations.source_text(paths)
    entry = {"table": "tg-t2", "section": "Notat 3.1 Prognose 2024",
             "statement": "De 38,7 mill. kronene brukes i 2024.",
             "quote": "Norsk helsenett forventer i 2024 å benytte alle forskriftsmidlene (38,7 "
                      "millioner kroner) som ble overført sammen med utestående oppgaver fra "
                      "2022 og 2023."}
    explanations.TableNote.model_validate(entry, context={"source": source})
    with pytest.raises(ValueError, match="tallet 38,8 i statement står ikke i sitatene"):
        explanations.TableNote.model_validate(
            {**entry, "statement": "De 38,8 mill. kronene brukes i 2024."},
            context={"source": source})


def test_a_quote_keeps_the_sources_spelling_marked_sic(paths):
    """D9: the source (text extracted from PDF) writes «HelseDirektoratets» (l. 186); the
    register quotes it as it stands, marked « [sic]», and the mark is not part of the quote.
    Mending the word instead is not the source's text."""
    source = explanations.source_text(paths)
    quote = ("Norsk helsenett kommer tilbake med økonomiske konsekvenser når resultatet av "
             "HelseDirektoratets [sic] konsekvensutredningen for EHDS foreligger.")
    explanations.Quoted.model_validate({"quote": quote, "section": "Notat 3.2.3"},
                                       context={"source": source})
    with pytest.raises(ValueError, match="sitatet finnes ikke i kilden"):
        explanations.Quoted.model_validate(
            {"quote": quote.replace("HelseDirektoratets [sic]", "Helsedirektoratets"),
             "section": "Notat 3.2.3"}, context={"source": source})
    ehds = [c for c in explanations.load_conditions(paths) if "EHDS" in c.quote]
    assert [c.quote.count("HelseDirektoratets [sic] konsekvensutredningen") for c in ehds] == [1]


def test_one_way_to_read_the_numbers_a_quote_prints():
    """The registers' validators and the questions' «already said» test share one reader: a
    grouped thousand is one number, «1.25» reads both ways, and numbers compare as numbers."""
    from decimal import Decimal

    from tbu_analysis.analysis import claims

    assert explanations.numbers_in("1 038 og 1.25; reduksjon på 11,5") == {
        Decimal("1038"), Decimal("1.25"), Decimal("125"), Decimal("11.5")}
    assert Decimal("8.60") in explanations.numbers_in("med 8,6 mill. kroner")
    assert claims.numbers_in is explanations.numbers_in
