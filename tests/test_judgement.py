"""Judging as the committee does: explanations summed over the whole source, the source's own
words about the last round, and questions ranked by the mill. kroner at stake — with the
autumn 2024 round's real figures, and read back from the rendered PDFs."""

from __future__ import annotations

import re

import pytest

from tbu_analysis.analysis import explanations as ex
from tbu_analysis.analysis import questions as q
from tbu_analysis.analysis import reading
from tbu_analysis.config import round_paths
from tbu_analysis.reports import context, key_messages
from tbu_analysis.rounds.names import NameMap
from test_report import pdf_text

ROUND = "2024-host"


@pytest.fixture(scope="module")
def paths():
    return round_paths(ROUND)


@pytest.fixture(scope="module")
def ctx(report_model):
    return context.load(ROUND)


@pytest.fixture(scope="module")
def sentences(paths):
    names = NameMap.from_csv(paths.names)
    text = (paths.root / "data/raw/2024-host/source/000_0a93e98d5add182d.txt").read_text()
    return reading.sentences(text, reading.solution_aliases(names), reading.item_stems(names))


def _note(analysis, paths, table, solution, category, item=""):
    notes = ex.driver_notes(analysis.drivers, analysis.figures, table,
                            ex.load_explanations(paths), solution=None,
                            by_item=bool(item))
    return next(n for n in notes if (n.solution, n.item, n.category) == (solution, item,
                                                                        category))


def test_e_resept_2026_is_explained_in_full_by_fm_and_sfm(analysis, paths):
    note = _note(analysis, paths, "tg-t11", "E-resept", "effektivisering")
    account = note.account
    assert note.value_mnok == pytest.approx(-11.4)
    assert account.full and account.left == (0.0, 0.0)
    amounts = {e.item: e.signed_range[0] for e in account.entries}
    assert amounts == {"Forskrivningsmodulen (FM)": pytest.approx(-6.4),
                       "Sentral forskrivningsmodul (SFM) drift og forvaltning": -5.0}
    fm = next(e for e in account.entries if e.from_level is not None)
    assert (fm.from_level.value, fm.amount) == ("12,4", "6,4")  # 12,4 → 6


def test_helsenorge_volume_growth_names_nhns_own_capacity(analysis, paths):
    account = _note(analysis, paths, "tg-t4", "Helsenorge", "volum_beredskap").account
    assert account.full
    assert account.explained == (pytest.approx(14.7), pytest.approx(14.7))  # of 15
    # NHN's own capacity: Helse og forløp 2,6, Økosystem 1,4 and Plattform 1,6 as tabell 5
    # prints them (the text swaps Økosystem's 1,4 and 1,2, reader6 R1)
    assert [(c.value, low) for c, low, _ in account.causes] == [("kapasitet",
                                                                  pytest.approx(5.6))]


def test_helsenorge_efficiency_is_summed_over_every_area(analysis, paths):
    account = _note(analysis, paths, "tg-t4", "Helsenorge", "effektivisering").account
    assert account.full  # −18: push −9 to −12 and five areas −6,7
    assert account.explained == (pytest.approx(-18.7), pytest.approx(-15.7))


def test_a_partly_explained_driver_says_what_is_left(analysis, paths):
    account = _note(analysis, paths, "tg-t4", "E-resept", "effektivisering").account
    assert not account.full
    assert account.explained == (-5.0, -5.0)
    assert account.left == (pytest.approx(-1.6), pytest.approx(-1.6))


def test_an_amount_derived_from_levels_must_be_their_difference(paths):
    entry = {"solution": "E-resept", "item": "Forskrivningsmodulen (FM)",
             "driver": "effektivisering", "year": 2026, "amount": "6,5",
             "change": "reduksjon", "reason": "x", "section": "s",
             "quote": "legger vi foreløpig til grunn 6 mill. kroner",
             "from_level": {"value": "12,4", "quote": "FM 12,4", "section": "s"}}
    with pytest.raises(ValueError, match="forskjellen"):
        ex.Explanation.model_validate(entry)
    entry["amount"] = "6,4"
    assert ex.Explanation.model_validate(entry).signed_range == (-6.4, -6.4)


def test_the_e_resept_forecast_contradiction_is_found_with_both_quotes(sentences):
    found = q.contradictions(q.forecast_statements(sentences))
    e_resept = next(c for c in found if c.solution == "E-resept")
    assert "ingen endring i årsprognosen for 2024 for e-resept" in e_resept.first.text
    assert "redusert med 5 mill. kroner" in e_resept.second.text
    assert e_resept.stake == 5
    vkp = next(c for c in found if "VKP" in c.quantity)
    assert {vkp.first_value, vkp.second_value} == {-3, -5}
    # Kjernejournal says −15 twice: consistent, not a contradiction
    assert not any("Kjernejournal" in c.quantity for c in found)


def test_vkps_2024_forecast_question_names_the_sources_third_amount(ctx):
    """Reader6 R26: the source gives VKP's 2024 forecast as 3 (l. 355: 25 against 28,2) and 5
    (l. 890) below the forskrift, and 5.5 (l. 892–894) a third: 2025's 25 is «3 mill. kroner
    høyere enn prognosen for 2024», so 22, about 6 below. The question names all three."""
    vkp = next(a for a in ctx.model.asks if a.question.startswith(
        "Er prognosen for 2024 for VKP"))
    assert vkp.question == "Er prognosen for 2024 for VKP redusert med 3, 5 eller 6 mill. kroner?"
    assert vkp.stake == 3
    assert "som da er 22, om lag 6 mill. kroner lavere enn forskriften" in vkp.text
    assert "«Forvaltningskostnadene for 2025 er likevel 3 mill. kroner høyere enn prognosen " \
        "for 2024» (Tallgrunnlag 5.5 Helsenettet, Velferdsteknologi)" in vkp.text
    assert vkp.text.endswith("Forskjellen er opptil 3 mill. kroner.")
    # reader7 Q20: E-resept's third statement has no amount (l. 719, «noe under rammen»): in
    # the text, not in the title or the stake
    e_resept = next(a for a in ctx.model.asks if a.question.startswith(
        "Er prognosen for 2024 for E-resept"))
    assert e_resept.question == ("Er prognosen for 2024 for E-resept uendret eller redusert "
                                 "med 5 mill. kroner?") and e_resept.stake == 5
    assert ("To poster ligger altså under budsjett, mens totalprognosen står uendret: øker noe "
            "annet, eller blir det et underforbruk som skal tilbake? Kilden: «Forvaltningskosten "
            "takter noe under rammen for 2024") in e_resept.text


def test_growth_into_a_settled_year_is_asked_last_with_the_sources_pointer(ctx):
    """Reader6 R9 and R37: the 2024 forskrift is fixed, so the underlying growth 2023–2024 is
    asked after every question the committee's decision needs, and says why; and the source's
    one quantified pointer for those years (l. 1083–1085, NUIT 4/22: 30 MNOK in 2023, 55 in
    2024, spread on Kjernejournal, Grunndata, HelseID and Helsenorge) is given."""
    main = [a for a in ctx.model.asks if not a.annex]
    grunndata = next(a for a in main if a.question == (
        "Hva forklarer den underliggende veksten i Grunndata og HelseID fra 2023 til 2024?"))
    assert grunndata.settled and main.index(grunndata) > max(
        i for i, a in enumerate(main) if not a.settled)
    assert "estimert til 30 mill. kroner i 2023 og 55 mill. kroner i 2024" in grunndata.text
    assert "forklarer ikke veksten med beløp" not in grunndata.text
    assert grunndata.text.endswith("Forskriften for 2024 er fastsatt; svaret endrer den ikke, "
                                   "men forklarer nivået estimatene bygger på.")


def test_okosystems_swapped_amounts_are_marked_on_both_cells_and_said_in_the_bullet(ctx):
    """Reader6 R1: tabell 5 prints Økosystem's volume 1,4 and efficiency −1,2 (l. 455); the
    text gives 1,2 and 1,4 (l. 538, 540). Both cells carry the text's amount, and the
    Helsenorge bullets print the table's amount with the text's beside it, so the parts add
    up to the table's 14,9 (8 + 0,5 + 0,8 + 2,6 + 1,4 + 1,6)."""
    figures = ctx.figures
    marked = {(figures.loc[i, "category"], figures.loc[i, "item"]): text
              for i, text in ctx.marked_cells.items() if figures.loc[i, "table"] == "tg-t5"}
    assert marked[("volum_beredskap", "Økosystem")].startswith("Teksten gir +1,2: «")
    assert marked[("effektivisering", "Økosystem")].startswith("Teksten gir −1,4: «")
    words = " ".join(section[4] for section in ctx.driver_sections()).replace("\u00a0", " ")
    assert "(Helse og forløp +2,6, Økosystem +1,4 (teksten: +1,2), Plattform +1,6)" in words
    assert "Økosystem −1,2 (teksten: −1,4)" in words


def test_the_whole_source_is_searched_for_the_last_round(sentences):
    hits = reading.search(sentences, ["våren 2024"])
    helsenorge = [s.text for s in hits if s.solution == "Helsenorge"]
    assert "Sammenlignet med det presentert våren 2024 er det kun mindre endringer." \
        in helsenorge


def test_moves_are_netted_and_asked_once(analysis, paths):
    found = q.moves(analysis.drivers, ex.load_explanations(paths))
    helsenettet = next(m for m in found if m.solution == "Helsenettet")
    assert helsenettet.amount == 21 and helsenettet.unexplained == 19  # APT's 2 explained
    kjernejournal = next(m for m in found if m.solution == "Kjernejournal")
    assert kjernejournal.amount == 5 and kjernejournal.unexplained == 0  # Testunivers


def test_questions_are_ranked_by_decision_relevance_then_stake(ctx):
    main = [a for a in ctx.asks if not a.annex]
    annex = [a for a in ctx.asks if a.annex]
    assert not any(a.kind == q.ROUNDING for a in main)
    assert any(a.question == "Er dette bare avrunding?" for a in annex)
    # what the sector pays first, then the split between solutions or items, then the rest
    classes = [q.AFFECTS_ORDER.index(a.moves) for a in main]
    assert classes == sorted(classes)
    for moves in q.AFFECTS_ORDER:
        stakes = [a.stake for a in main if a.moves == moves and a.stake is not None]
        assert stakes == sorted(stakes, reverse=True)
    # the first moves the total: SFM's 54, which needs hjemmel in the regulation, quoted
    # where the source says so (Figur 1, the footnotes to Tabell 4 and Tabell 7)
    assert main[0].moves == q.TOTAL and main[0].stake == 54
    assert "Sentral forskrivningsmodul (SFM) hjemlet" in main[0].question
    for said in ("Under forutsetning om at betaling for SFM og VKP hjemles i forskrift",
                 "under forutsetning om at betaling for SFM i forskrift",
                 "og under forutsetning at betaling hjemles i forskrift."):
        assert said in main[0].text
    total = [a for a in main if a.moves == q.TOTAL]
    # the 30 of Helsenettet's shared services; VKP 25,2 (the source contradicts itself); the
    # 2024 underspend of 25 (Tabell 1) to come back; måledata 9; E-resept 5, fødselsmelding 5
    assert [a.stake for a in total][:7] == [54, 30, 25.2, 25, 9, 5, 5]
    assert "30 mill. kroner av Helsenettets felles tjenester" in total[1].question
    assert "VKP" in total[2].question and "Helsenettet -VKP 28,2" in total[2].text
    assert "underforbruket i 2024" in total[3].question
    assert "reduseres tilsvarende beløpet som skal tilbakebetales" in total[3].text
    # Kjernejournal's «fellesfunksjoner» are asked with the 57,5 they may be part of; not part
    # of it, they come on top of the total (reader5 D30)
    shared = next(a for a in main if "fellesfunksjonene" in a.question)
    assert shared.moves == q.TOTAL and "57,5" in shared.question
    # Grunndata og HelseID's +34,6 in 2023→2024: no driver table, so asked, after the split
    grunndata = next(a for a in main if a.kind == q.UNEXPLAINED
                     and a.solution == "Grunndata og HelseID")
    assert grunndata.stake == pytest.approx(34.6) and grunndata.moves == q.OTHER
    assert "fra 2023 til 2024" in grunndata.question
    # Helsenettet's 19 moved between items is traced by Tabell 10 and 9: not asked.
    assert not any(a.kind == q.MOVE for a in main)
    assert any(a.kind == q.CONTRADICTION and a.solution == "E-resept" for a in main)
    # the committee's own requests, with the four-year plan it asked the council model to
    # follow up (reader7 Q7)
    assert sum(a.kind == q.REQUEST for a in main) == 6
    # Plattform's funding need (46 against 48,7 once the deduction's sign is right) is asked
    # with the three other Helsenorge areas of the same column, not left out (reader6 R4);
    # the sign itself, settled by the text, is no question
    plattform = next(a for a in main if "tabell 5, Plattform" in a.text)
    assert "Plattform er trykt 2,7 lavere (46 mot 57,3 − 8,6 = 48,7" in plattform.text
    assert "65,9" not in plattform.text
    assert not any("Plattform" in a.text for a in annex)
    # the text gives the figures, so they are not repeated after it (reader5 D14)
    assert "(trykt 46, beregnet 48,7.)" not in plattform.text
    # a text that does not give them keeps them: Kjernejournal's testunivers (34,9 computed)
    testunivers = next(a for a in main + annex if "Testuniverset" in a.text)
    assert testunivers.text.endswith("(trykt 34,6, beregnet 34,9; trykt 20, beregnet 20,2; "
                                     "trykt 6, beregnet 6,2; trykt 18,5, beregnet 18,8.)")
    helsenorge = next(a for a in main if "For fire Helsenorge-områder" in a.text)
    assert helsenorge.text.endswith("kolonnen ser ikke ut til å være avstemt mot "
                                    "kostnadsnivået.")


def test_uncertainty_that_moves_the_total_is_summed_apart_from_the_distribution(paths):
    conditions = ex.load_conditions(paths)
    years = {y.year: y for y in ex.total_at_stake(conditions)}
    # 2025: SFM 54 needs hjemmel and fødselsmelding's 5 may leave (down); måledata's 9 would
    # come back (up). VKP's 25,2 is not summed: the source both has VKP in the regulation for
    # 2024 and says its payment is to be authorised; with it, 84,2
    assert years[2025].down == pytest.approx((59, 59))
    assert years[2025].parts("ned") == ["54", "5"]
    # up: måledata's 9 and Kjernejournal's −17 efficiency, whose three parts the text
    # conditions («hvis»), hedges («vil kunne») or ties to the modernised RF (reader6 R12),
    # and Helsenorge's −11,5 in drift og produksjon, which rests on push notification from
    # 1 January (8–10 sms, 1–2 login; reader7 Q4)
    assert years[2025].up == (37.5, 37.5)
    assert sorted(years[2025].parts("opp")) == sorted(["11,5", "9", "11", "4,5", "1,5"])
    kj = [c for c in years[2025].conditions if c.solution == "Kjernejournal"]
    assert sum(c.stake_mnok for c in kj) == pytest.approx(17)  # Tabell 6's −17,0
    assert [c.stake for c in years[2025].doubted] == ["25,2"]
    assert years[2025].with_doubted("ned") == pytest.approx((84.2, 84.2))
    # the 2024 underspend comes back through lower payment in no one year; its amount is
    # counted under 2024 (18–28), not a second time with no year (reader5 D2)
    assert years[None].down == (0, 0)
    assert any("Underforbruket i 2024" in c.statement for c in years[None].unquantified)
    # 2026: prøvesvar 17 down; up PREG 3 and Helsenorge's provisional efficiency 12 (a figure,
    # counted as 2025's «vil kunne» 4,5 is; reader7 Q3); the rough 30 and FM's provisional 6
    # either way, and Kjernejournal's fellesfunksjoner, not quantified
    assert years[2026].down == (17, 17) and years[2026].up == (15, 15)
    assert years[2026].parts("opp") == ["12", "3"]
    assert years[2026].both == (36, 36)
    # Helsenorge's volume growth may be lower (reader6 R5) and E-resept's approval held at the
    # 2025 level (reader6 R39)
    # 2025 (reader7 Q23), and VKP's 2026 level resting on 2024's and 2025's experience
    assert [(c.solution, c.direction) for c in years[2026].unquantified] == [
        ("Helsenorge", "ned"), ("E-resept", None), ("Helsenettet", None), ("Kjernejournal", "opp")]
    assert years[2026].unquantified[3].name == "kostnadene for fellesfunksjoner"
    # 2024: the expected underspend, the text's intervals kept as intervals, and VKP's 3
    # (Tabell 1's 25 lies inside): 10–15 + 5–10 + 3
    # VKP: 3 (årsprognose 25), 5 (5.5) or 6 (5.5: 2025's 25 is 3 over the 2024 forecast, 22)
    assert years[2024].ranges == (18, 31)
    assert years[2024].parts(None) == ["10-15", "5-10", "3-6"]
    # the 57,5 moves no total: it is a distribution; Kjernejournal's «fellesfunksjoner» may
    # come on top of it («I tillegg kommer»), so they can move the total, with no amount
    spread = [c for c in conditions if c.effect == ex.DISTRIBUTION]
    assert any(c.stake == "57,5" for c in spread)
    assert not any("fellesfunksjoner" in c.quote for c in spread)
    extra = next(c for c in conditions if "fellesfunksjoner" in c.quote)
    assert (extra.solution, extra.year, extra.stake, extra.effect, extra.direction) == \
        ("Kjernejournal", 2026, None, ex.TOTAL, "opp")
    assert "57,5" in extra.statement and "kommer beløpet i tillegg" in extra.statement
    largest = ex.largest_total_condition(conditions, 2025)
    assert largest.stake == "54"


def test_the_uncertainties_chapter_separates_total_and_distribution(ctx):
    text = ctx.conditions_markdown().replace("\u00a0", " ")
    total = text.index("Usikkerhet som kan endre totalen")
    spread = text.index("Usikkerhet i fordelingen")
    assert total < spread
    assert "Totalen kan bli inntil 59 mill. kroner lavere (54 + 5) eller bli inntil 37,5 mill. " \
           "kroner høyere (11,5 + 11 + 9 + 4,5 + 1,5). VKP for Helsenettet (25,2 mill. " \
           "kroner) er ikke lagt til, fordi " \
           "kilden sier to ting om den (se under og spørsmål til NHN); regnes beløpet med, kan " \
           "totalen bli inntil 84,2 mill. kroner lavere (54 + 5 + 25,2)." in text[total:spread]
    assert "endre seg med inntil 36 mill. kroner i begge retninger (30 + 6)" in text
    assert "kan gå begge veier" not in text
    # the 2024 underspend's refund is counted once, under 2024 (reader5 D2)
    # no year, so nothing is added: said as the reason, not as a contradiction (reader6 R6);
    # no self-reference to «hovedrapporten» in the main report (R27)
    assert "Uten bestemt år:** Kilden sier ikke hvilket år, så ingen beløp regnes med her" in text
    assert "inntil 25 mill. kroner lavere" not in text
    assert "der hovedrapporten regner det med" not in text
    # 2026 holds Kjernejournal's fellesfunksjoner, not quantified (reader5 D30)
    assert "(30 + 6). I tillegg er fire forhold ikke tallfestet." in text
    assert "Totalen kan bli inntil 17 mill. kroner lavere, bli inntil 15 mill. kroner høyere " \
        "(12 + 3) eller endre seg med inntil 36 mill. kroner" in text
    # a solution's report says apart what moves the total for all solutions; Helsenettet's
    # own −30 stands in Helsenettet's report as its own (reader5 D18)
    helsenorge = ctx.conditions_markdown("Helsenorge").replace("\u00a0", " ")
    assert "Totalen kan" not in helsenorge and "inntil 30 mill. kroner" not in helsenorge
    assert "Usikkerhet som kan endre totalen for alle løsninger" in helsenorge
    own = ctx.conditions_markdown("Helsenettet").replace("\u00a0", " ")
    assert "**2026:** Totalen for Helsenettet kan endre seg med inntil 30 mill. kroner i " \
        "begge retninger" in own
    assert "57,5 mill. kroner av Helsenettets felles tjenester" in text[spread:]
    # the 2024 underspend: the text's intervals and VKP's 3 (Tabell 1's −25 lies inside)
    assert "Lagt sammen gir beløpene under 18–31 mill. kroner (10–15 + 5–10 + 3–6); " \
        "usikkerheten er spennet, 13 mill. kroner." in text
    assert "Underforbruket i 2024 (tallgrunnlagets tabell 1 har 25 mill. kroner" in text
    # Helsenettet's report: its 2024 range holds VKP as the main report's does (Tabell 1's
    # −10 inside), and a year whose only amount is VKP says so
    helsenettet = ctx.conditions_markdown("Helsenettet").replace("\u00a0", " ")
    assert "Lagt sammen gir beløpene under 8–16 mill. kroner (5–10 + 3–6); usikkerheten " \
        "er spennet, 8 mill. kroner" in helsenettet
    assert "**2025:** VKP for Helsenettet (25,2 mill. kroner) er det eneste beløpet dette " \
        "året, men er ikke regnet som sikkert" in helsenettet


def test_the_575_spread_onto_the_solutions_stands_in_their_reports(ctx):
    """Helsenettet's shared services (57,5) are to be spread on four solutions from 2026
    (reader6 R18): each of their reports says its 2026 figure may rise, Helsenettet's that its
    own falls by the amount; only the total for all solutions stays."""
    spread = next(c for c in ctx.conditions if c.stake == "57,5")
    assert spread.onto == ["Helsenorge", "Kjernejournal", "E-resept", "Grunndata og HelseID"]
    for solution in spread.onto:
        text = ctx.conditions_markdown(solution).replace("\u00a0", " ")
        assert "57,5 mill. kroner av Helsenettets felles tjenester skal fra 2026 fordeles" in text
        assert f"Tallet for {solution} for 2026 har ikke med sin andel og kan derfor bli " \
            "høyere." in text
        assert f"flyttes beløpet mellom løsninger, endres tallet for {solution}." in text
        assert "så fordelingen endrer ikke totalen" not in text
    own = ctx.conditions_markdown("Helsenettet").replace("\u00a0", " ")
    assert "blir Helsenettets tall for 2026 57,5 mill. kroner lavere" in own
    assert "Tallet for Helsenettet for 2026 har ikke med" not in own
    main = ctx.conditions_markdown().replace("\u00a0", " ")
    assert "totalen for alle løsninger endres ikke" in main
    assert "Tallet for" not in main
    # the 2025–2026 growth of each of the four names the move its figures do not yet hold
    for solution in spread.onto:
        pair = next(p for p in key_messages._pairs(ctx, solution) if p.to_year == 2026)
        assert "felles-tjenester-fordeles" in [e.id for e in pair.others]


def test_fodselsmelding_out_is_a_possibility_the_source_conditions(ctx):
    """reader6 R20: the 5 for fødselsmelding leave Grunndata only if NHN takes the service
    over («jobber med», «vil da»), and the 2025 figures move its operation in (+1,2)."""
    text = ctx.conditions_markdown("Grunndata og HelseID").replace("\u00a0", " ")
    assert "Fødselsmelding (5 mill. kroner) kan gå ut av Grunndata fra 2025 hvis NHN tar over " \
        "eierskapet" in text
    assert "driften av fødselsmelding (1,2 mill. kroner) flyttes inn i forskriften" in text
    assert "skal etter tallgrunnlaget ut av Grunndata" not in text
    ask = next(a for a in ctx.asks if "fødselsmelding" in str(a.question))
    assert "omtaler en mulig fremtidig endring" in ask.text


def test_without_the_move_of_30_the_total_rises_and_helsenettet_stays(ctx):
    """reader6 R33: the question on the 30 stands in the main report and Helsenettet's; without
    the move the total rises by 17 (−13 + 30), while Helsenettet's own level is unchanged
    (Tabell 11: VKP 0, eksterne 0, felles −30)."""
    total = next(p for p in key_messages._pairs(ctx) if p.to_year == 2026)
    own = next(p for p in key_messages._pairs(ctx, "Helsenettet") if p.to_year == 2026)
    assert (round(total.printed), round(total.printed + 30)) == (-13, 17)
    assert round(own.printed + 30, 1) == 0.0
    ask = next(a for a in ctx.asks if "30 mill. kroner av Helsenettets felles" in a.question)
    assert "uten den ville det samlede kostnadsnivået ha økt med 17 mill. kroner i stedet " \
        "for å falle med 13 (tabell 11), og Helsenettets kostnadsnivå ville vært uendret." \
        in " ".join(ask.text.split())
    # reader7 Q5: the 30 is no saving: the services stay and their users pay outside the
    # regulation (l. 1022, 1068); the question asks who they are
    text = " ".join(ask.text.split())
    assert "Tjenestene består; det er kostnaden som fordeles til brukerne av tjenestene, " \
        "ikke en besparelse." in text
    # reader8 S3: the source's «Helsenettet eksterne tjenester» row is inside the regulation
    assert "raden «Helsenettet eksterne tjenester» i forskriftsbeløpet (187,5 mill. kroner" \
        in text
    assert "«Det er viktig å presisere at de faktiske felles tjenestene vil bestå, det er " \
        "kostnaden som fordeles til brukerne av tjenestene.»" in text
    reason = next(e.reason for e in ex.load_explanations(ctx.paths)
                  if (e.solution, e.amount, e.year) == ("Helsenettet", "30", 2026))
    assert reason.endswith("tjenestene består, det er kostnaden som fordeles til brukerne av "
                           "tjenestene, og ikke en besparelse")


def test_kjernejournals_2025_efficiency_is_listed_with_its_conditions(ctx):
    """reader6 R12: Kjernejournal's report lists 2025 — its −17 rests on less data stored
    («hvis»), a simpler access control («vil kunne») and the modernised RF — and the usage
    costs that may come later."""
    text = ctx.conditions_markdown("Kjernejournal").replace("\u00a0", " ")
    assert "**2025:** Totalen for Kjernejournal kan bli inntil 17 mill. kroner høyere " \
        "(11 + 4,5 + 1,5)." in text
    assert "hvis mengden av data som lagres reduseres" in text
    assert "kostnader for økt bruk av tjenesten kan komme senere" in text
    reasons = [e.reason for e in ex.load_explanations(ctx.paths) if e.amount == "1,5"
               and e.solution == "Kjernejournal"]
    assert reasons == ["mindre lagret reseptdata, hvis datamengden reduseres"]


def test_helsenorges_2026_volume_is_last_years_rate_which_nhn_says_may_fall(ctx):
    """reader6 R5: the +12 in 2026 is the historical growth, which NHN says may be lower if
    push notification works as planned; the −12 efficiency is provisional."""
    text = ctx.conditions_markdown("Helsenorge").replace("\u00a0", " ")
    own = text[text.index("for Helsenorge, det sektoren betaler"):]
    assert "**2026:** Totalen for Helsenorge kan bli inntil 12 mill. kroner høyere. I tillegg " \
        "er ett forhold ikke tallfestet." in own
    assert "**2025:** Totalen for Helsenorge kan bli inntil 11,5 mill. kroner høyere." in own
    assert "8–10 mill. kroner lavere sms-kostnader og 1–2 mill. kroner lavere " \
        "innloggingskostnader" in own
    assert "Volumveksten på 12 mill. kroner i 2026 er veksten i bruken i tidligere år" in own
    assert "Effektiviseringen på 12 mill. kroner i 2026 er lagt inn foreløpig." in own
    reasons = [e.reason for e in ex.load_explanations(ctx.paths)
               if (e.solution, e.driver, e.year) == ("Helsenorge", "volum_beredskap", 2026)]
    assert reasons == ["økt bruk, anslått ut fra veksten i tidligere år (ca. 12 mill. kroner i "
                       "året); NHN sier veksten kan bli lavere hvis push-varslingen går etter "
                       "planen"]


def test_e_resept_lists_what_the_source_leaves_open(ctx):
    """reader6 R39: the data responsibility moved to Helsedirektoratet and the approval held
    at the 2025 level in 2026 stand among E-resept's uncertainties (not quantified)."""
    text = ctx.conditions_markdown("E-resept").replace("\u00a0", " ")
    assert "Dataansvaret for reseptformidleren er flyttet til Helsedirektoratet fra 1. juni " \
        "2024." in text
    assert "Godkjenningsprosessen for e-resept er holdt på samme nivå i 2026 som i 2025" in text
    assert "antas å reduseres i 2026" in text


def test_the_risk_margin_is_said_as_the_source_says_it(ctx):
    """reader7 Q1: Tallgrunnlag 2 says, read whole, both that the estimates hold no provisions
    for unknown information and that they «vil kun inneholde 5 % risikomargin»; the report
    says both with the quote, asks NHN, and computes no amount the source does not give."""
    general = next(c for c in ctx.conditions if "risikomargin" in c.statement)
    assert general.solution == "Alle løsninger" and general.stake is None
    assert ("vil derfor ikke inneholde risikoavsetninger for å hensynte ukjent informasjon eller "
            "fremtidig usikkerhet. Norsk helsenetts estimer for fremtidige drift- og "
            "forvaltningskostnader vil kun inneholde 5 % risikomargin") in general.quote
    for solution in (None, "E-resept", "Helsenettet"):
        text = " ".join(ctx.conditions_markdown(solution).replace("\u00a0", " ").split())
        assert "men også at estimatene for fremtidige kostnader «vil kun inneholde 5 % " \
            "risikomargin»" in text
        assert "uten avsetning for risiko og usikkerhet" not in text
        # reader8 S4: the source gives the 5 %; what it leaves open is its base and kroner
        assert "Kilden sier ikke hva de 5 % regnes av, hvor mange kroner det er" in text
        assert "hvor stor margin" not in text
    ask = next(a for a in ctx.asks if "risikomargin på 5 %" in a.question)
    assert ask.moves == "totalen" and ask.stake is None and not ask.annex
    assert "kan kostnadene inkludere en nødvendig risikomargin" in ask.text
    assert "54" not in ask.text  # 5 % of a base the source does not name is not computed


def test_the_2024_underspend_follows_the_sources_rule_and_vkp_is_no_contradiction(ctx):
    """reader7 Q2: chapter 4 no longer says the source is silent on the year: its rule is
    «neste års forskriftsfestede beløp» (l. 318), NHN updates the forecast before the 2025
    regulation (l. 361), yet the 2022–2023 money came off only in 2025 (l. 45), so the year is
    not said outright. Q8: VKP came into the regulation in 2024 («+ VKP» under Forskrift 2024
    in the note's Tabell 1, l. 81); the question no longer calls it a contradiction."""
    text = " ".join(ctx.conditions_markdown().replace("\u00a0", " ").split())
    assert "kilden sier ikke i hvilket år" not in text
    assert ("Etter kildens regel reduseres neste års forskriftsfestede beløp (tallgrunnlaget 2), "
            "og NHN skal oppdatere prognosen før forskriften for 2025 behandles i Stortinget "
            "(tallgrunnlaget 3).") in text
    assert ("Kilden sier ikke uttrykkelig om 2024-underforbruket trekkes fra i 2025 eller "
            "senere (midlene fra 2022 og 2023 ble først trukket fra i 2025)") in text
    ask = next(a for a in ctx.asks if "underforbruket i 2024" in a.question)
    assert "kommer udisponerte midler fra 2022 og 2023 som fratrukk i grunnlaget som " \
        "faktureres sektor i 2025." in ask.text
    assert "Trekkes 2024-underforbruket fra i 2025 eller senere, og med hvor mye?" in ask.text
    vkp = next(a for a in ctx.asks if "VKP" in a.question and a.stake == 25.2)
    assert vkp.question == "Gjelder forbeholdet i fotnoten til figur 1 også VKP i 2025?"
    assert "motsier" not in vkp.text and "«+ VKP» (Notat 3, tabell 1" in vkp.text


def test_what_the_source_gives_the_committee_to_ask_with(ctx):
    """reader7 Q6: the SFM question gives Helsedirektoratet's two requirements for billing a
    new service (notat 4.2: a legal assessment under pasientjournalloven § 8, and sufficient
    trial). Q7: the four-year plan to 2028 and the committee's request that the council model
    follow it up are asked about. Q9: Helsenorge's growth 2023–2024 is asked with NUIT's rule
    of thumb (about 20 % of an 80–100 investment a year) and NHN's 12 a year in use."""
    sfm = next(a for a in ctx.asks if a.stake == 54)
    assert "en juridisk vurdering av om tjenesten hører inn under de nasjonale " \
        "e-helseløsningene i pasientjournalloven § 8, og tilstrekkelig utprøving." in sfm.text
    assert "«Definere og gjennomføre tilstrekkelig utprøving.» (Notat 4.2" in sfm.text
    plan = next(a for a in ctx.asks if "fireårsplan" in a.question)
    assert plan.kind == q.REQUEST and plan.stake is None
    assert "«Norsk helsenett har laget en fireårsplan for utvikling i drift og forvaltning til " \
        "og med 2028." in plan.text
    assert "Teknisk beregningsutvalg ba rådsmodellen om å følge opp 4 årsplan." in plan.text
    helsenorge = next(a for a in ctx.asks if a.question == "Hva forklarer den underliggende "
                      "veksten i Helsenorge fra 2023 til 2024?")
    text = " ".join(helsenorge.text.split())
    assert "(forventet 80–100 mill. kroner), og en forventet årlig økning i kostnadene til drift " \
        "og forvaltning på rundt 20 % av investeringen." in text
    assert "om lag 12 mill. kroner i året før effektivisering" in text
    assert "og forklarer ikke veksten med beløp" not in text


def test_a_solution_report_says_its_carried_over_money_and_its_figure_once_spread(ctx):
    """reader7 Q11: E-resept uses 27 carried over from 2022 (17,5) and 2023 (9,5) in 2024
    (Tabell 2, l. 367–374): said under its levels, with the note that they are not the 34,5
    deducted in 2025. Q12: Helsenettet's 2026 figure (269,9) still holds the 57,5 to be spread
    onto the four others; spread, it is about 212,4 (computed here)."""
    levels = ctx.levels_note(ctx.solution_levels("E-resept"), "finansieringsbehov", "E-resept")
    levels = " ".join(levels.replace("\u00a0", " ").split())
    assert ("*Overført fra tidligere år:* I tillegg til forskriften for 2024 bruker E-resept "
            "27 mill. kroner som er overført fra tidligere år (tabell 2, «Bruk av tidligere års "
            "midler i 2024»). Av de 27 kommer 17,5 fra 2022 og 9,5 fra 2023. De 38,7 mill. "
            "kronene som til sammen er overført for alle løsningene, fulgte oppgaver fra 2022 "
            "og 2023") in levels
    assert "de er ikke de 34,5 mill. kronene som trekkes fra beløpet for 2025" in levels
    kjernejournal = ctx.levels_note(ctx.solution_levels("Kjernejournal"), "finansieringsbehov",
                                    "Kjernejournal")
    assert "Overført fra tidligere år" not in kjernejournal  # no row in Tabell 2
    summary = " ".join(ctx.solution_summary("Helsenettet").replace("\u00a0", " ").split())
    assert ("Helsenettets tall for 2026 (269,9 mill. kroner) inneholder fortsatt 57,5 mill. "
            "kroner som skal fordeles på Helsenorge, Kjernejournal, E-resept og Grunndata og "
            "HelseID; fordelt blir tallet om lag 212,4 mill. kroner (regnet ut her), og totalen "
            "for alle løsninger endres ikke.") in summary
    assert "skal fordeles på" not in ctx.solution_summary("E-resept")


def test_the_largest_uncertainty_stands_in_the_solution_summary(ctx):
    """reader7 Q10: E-resept's summary does not state SFM's payment under the regulation as
    settled: the 50 says NHN assumes it on condition that the payment is authorised, and
    the summary names the solution's largest uncertainty, from the conditions register (the
    same choice as the main report's key message)."""
    summary = " ".join(ctx.solution_summary("E-resept").replace("\u00a0", " ").split())
    assert ("NHN legger til grunn at Sentral forskrivningsmodul (SFM) betales over forskriften "
            "fra 2025, under forutsetning av at betalingen hjemles i forskriften (fotnoten til "
            "tabell 7)") in summary
    assert ("Største usikkerhet: Økningen på 54 mill. kroner for Sentral forskrivningsmodul "
            "(SFM) forutsetter at betalingen hjemles i forskriften. Se «Forutsetninger og "
            "usikkerhet».") in summary
    assert "Største usikkerhet: Flyttingen av 30 mill. kroner" in ctx.solution_summary(
        "Helsenettet").replace("\u00a0", " ")
    # Helsenorge: its provisional 12 in 2026 outweighs 2025's 11,5 on push notification
    assert "Største usikkerhet: Effektiviseringen på 12 mill. kroner i 2026 er lagt inn " \
        "foreløpig." in ctx.solution_summary("Helsenorge").replace("\u00a0", " ")


def test_vkps_fall_to_2025_says_what_the_source_gives(ctx):
    """reader6 R34: not «kilden sier ikke hvorfor»: NHN books the −3 as efficiency, yet 2025
    is 3 over the 2024 forecast because onboarding moves from 2024 to 2025."""
    vkp = next(e for e in ex.load_explanations(ctx.paths)
               if e.item == "Velferdsteknologisk knutepunkt (VKP)" and e.year == 2025)
    assert "kilden sier ikke hvorfor" not in vkp.reason
    assert "fordi innføring skyves fra 2024 til 2025" in vkp.reason
    assert "3 mill. kroner høyere enn prognosen for 2024" in vkp.quote


def test_kjernejournals_printed_percent_holds_with_the_level_the_report_uses(ctx):
    """reader6 R10: Tabell 6 prints 93 (118,6 − 25,9 = 92,7 rounded) and −28,7 %; the report
    uses 92,7, so the percentage is checked with it (92,7 / 130,1 − 1 = −28,75 %) and no note
    calls NHN's −28,7 % wrong (it said −28,5 %, from the rounded 93)."""
    row = ctx.reconciliation.set_index("check_id").loc["tg-t6:prosent:Vekst i %:2025"]
    assert row["printed"] == -28.7
    assert row["computed"] == pytest.approx(100 * (92.7 / 130.1 - 1))
    assert row["status"] == "ok"


def test_provesvar_in_2026_is_an_assumption_with_a_condition(ctx):
    """reader6 R13: the +17 for Kjernejournal in 2026 is what NHN assumes («legger til
    grunn»), a new service, on the condition that it is tried out enough."""
    provesvar = next(e for e in ex.load_explanations(ctx.paths)
                     if (e.solution, e.year, e.amount) == ("Kjernejournal", 2026, "17"))
    assert provesvar.reason.startswith("NHN legger til grunn at Pasientens prøvesvar, en ny "
                                       "tjeneste,")
    assert provesvar.reason.endswith("forutsatt at tjenesten er prøvd ut i tilstrekkelig grad")
    assert provesvar.quote.startswith("Kjernejournal legger til grunn at pasientens prøvesvar")


def test_maaledata_is_three_of_scope_and_six_of_planned_growth(analysis, paths):
    from tbu_analysis.analysis.scope import load_scope

    entry = next(e for e in load_scope(paths) if e.id == "maledata-ut")
    personell = _note(analysis, paths, "tg-t8", "Grunndata og HelseID", "investeringer",
                      "Personell")
    moved = _note(analysis, paths, "tg-t8", "Grunndata og HelseID",
                  "endret_finansieringskilde", "Personell")
    assert entry.value == 3 and personell.value_mnok == 6 and moved.value_mnok == -9
    assert entry.value + personell.value_mnok == -moved.value_mnok  # 3 + 6 = 9
    # one clause inside the parenthesis, no full stop in it (reader6 R21)
    assert entry.remark == ("det tjenesten kostet i 2024; de andre 6 av kildens 9 mill. kroner "
                            "er planlagt vekst for 2025, som tabell 8 legger inn og trekker ut "
                            "igjen på samme rad, og endrer ikke veksten")


def test_fm_goes_down_because_it_is_phased_out_and_six_remain_for_dependence(paths):
    entries = [e for e in ex.load_explanations(paths) if e.item == "Forskrivningsmodulen (FM)"
               and e.year == 2026]
    assert len(entries) == 1
    assert "med mål om å avvikle i løpet av året" in entries[0].quote
    reason = entries[0].reason
    # the source's aim, not a certainty (reader6 R29: «med mål om å avvikle»)
    assert "fordi NHN har som mål å avvikle FM i løpet av 2025" in reason
    assert "skal avvikles" not in reason
    assert reason.index("avvikle") < reason.index("avhengige")  # dependence: why 6 remain


def test_a_sum_that_holds_only_within_rounding_is_not_said(ctx):
    """Reader5 D13, reader7 Q14: 17 + 2 = 19 against the note's 18,5 (l. 128) is rounding
    talk; the statement and its quote stay, the check is left out; 17 + 9 = 26 holds."""
    text = ctx.since_previous_markdown()
    assert "Investeringene gir 18,5 mill. kroner mindre enn det NUIT" in text
    assert "17 + 2 = 19" not in text and "grensen for avrunding" not in text
    assert "Kontroll: 17 + 9 = 26 (stemmer)." in text


def test_a_check_the_reports_correction_makes_hold_is_no_deviation(ctx):
    from tbu_analysis.analysis import tolerance
    from tbu_analysis.reports import views

    row = ctx.reconciliation[ctx.reconciliation["check_id"]
                             == "tg-t5:kolonne:Sum:Tilbakeføring tidligere års midler"].iloc[0]
    assert row["computed"] == pytest.approx(-8.6) and row["status"] == tolerance.OK
    listed = views.problems_view(ctx.reconciliation, claims=False)
    assert not (listed["Forskjell"] == "0").any()
    assert (listed["Post"] == "Plattform").any()  # the sign error stays, on its row


def test_the_since_last_round_section_quotes_helsenorge(ctx):
    text = ctx.since_previous_markdown("Helsenorge")
    assert "kun mindre endringer" in text
    assert "sier ikke noe" not in text
    e_resept = ctx.since_previous_markdown("E-resept")
    assert "55 mill. kroner" in e_resept and "Buypass" in e_resept


# --- read back from the PDFs ------------------------------------------------------------------


@pytest.fixture(scope="module")
def texts(rendered_round) -> dict[str, str]:
    return {p.stem: " ".join(pdf_text(p).split()) for p in rendered_round.pdfs}


def test_pdf_e_resept_2026_is_explained_in_full(texts):
    for name in ("tbu-2024-host", "e-resept"):
        text = texts[name]
        assert "E-resept, effektivisering: −11,4 mill. kroner." in text \
            or "effektivisering: −11,4 mill. kroner." in text
        assert "(FM −6,4)" in text and "(SFM −5)" in text
        assert "Til sammen forklarer dette hele beløpet." in text


def test_pdf_helsenorge_quotes_kun_mindre_endringer(texts):
    assert "kun mindre endringer" in texts["helsenorge"]


def test_pdf_main_list_has_the_contradiction_and_no_rounding_question(texts):
    text = texts["tbu-2024-host"]
    start = text.index("8 Spørsmål til NHN Spørsmålene")
    main = text[start:text.index("9 Rettelser", start)]
    assert "ingen endring i årsprognosen for 2024 for e-resept" in main
    assert "redusert med 5 mill. kroner på grunn av redusert kost til Buypass" in main
    assert "avrunding?" not in main
    assert "Er dette bare avrunding?" in text[text.index("Spørsmål om avrunding og trykkfeil"):]


def test_pdf_annex_follows_the_reports_own_correction(texts):
    assert "beregnet 65,9" not in texts["tbu-2024-host"]




def test_pdf_uncertainties_fm_and_maaledata_read_as_the_source_says(texts):
    main = texts["tbu-2024-host"]
    chapter = main[main.index("4 Forutsetninger og usikkerhet Hva"):]
    chapter = chapter[:chapter.index("5 Siden forrige runde")]
    total = chapter.index("Usikkerhet som kan endre totalen")
    assert total < chapter.index("Usikkerhet i fordelingen mellom løsningene")
    assert "Totalen kan bli inntil 59 mill. kroner lavere (54 + 5)" in chapter
    assert "84,2 mill. kroner lavere (54 + 5 + 25,2)" in chapter
    assert "kilden sier ikke om det er en del av de 57,5 mill. kronene" in chapter
    for name in ("tbu-2024-host", "e-resept"):
        assert ("går ned fra 12,4 til 6 mill. kroner fordi NHN har som mål å avvikle FM i løpet "
                "av 2025") \
            in texts[name]
        assert "6 mill. kroner fordi noen virksomheter" not in texts[name]
    assert "de andre 6 av kildens 9 mill. kroner er planlagt vekst for 2025" in main
    annex = main[main.index("Avvik i tabellene"):]
    assert "−8,6 −8,6 0" not in annex  # no zero difference listed as a deviation


def test_pdf_every_report_says_the_risk_margin_and_sfm_is_conditional(texts):
    """reader7 Q1 and Q10, read back from the PDFs."""
    for name, text in texts.items():
        assert "«vil kun inneholde 5 % risikomargin»" in text, name
    assert "Inneholder kostnadsnivået for 2025 og estimatet for 2026 en risikomargin på 5 %?" \
        in texts["tbu-2024-host"]
    assert "betales over forskriften fra 2025;" not in texts["e-resept"]
    assert "Største usikkerhet: Økningen på 54 mill. kroner for Sentral forskrivningsmodul " \
        "(SFM) forutsetter at betalingen hjemles i forskriften." in texts["e-resept"]


def test_pdf_solutions_name_the_575_their_2026_figure_lacks(texts):
    """reader6 R18: the four solutions the 57,5 is spread onto say so in their PDFs."""
    for stem, name in (("helsenorge", "Helsenorge"), ("kjernejournal", "Kjernejournal"),
                       ("e-resept", "E-resept"), ("grunndata-og-helseid", "Grunndata og HelseID")):
        text = texts[stem]
        assert f"Tallet for {name} for 2026 har ikke med sin andel og kan derfor bli høyere." \
            in text
        assert "nevner også resten av Helsenettets felles tjenester (57,5)" in text
    assert "blir Helsenettets tall for 2026 57,5 mill. kroner lavere" in texts["helsenettet"]


def test_pdf_no_note_calls_nhns_kjernejournal_percent_wrong(texts):
    """reader6 R10: no «utregnet gir det −28,5 %» or «−28,5 % (trykt −28,7 %)» beside the
    −28,7 % the report prints itself."""
    for name in ("kjernejournal", "tbu-2024-host"):
        assert "−28,5 %" not in texts[name] and "−28,52" not in texts[name]
    assert "(−28,7 %)" in texts["kjernejournal"]


def test_pdf_question_numbers_run_on_across_the_groups(rendered_round, ctx):
    """The groups are headings inside one numbered list: the first question that moves only the
    distribution follows the last that moves the total. WeasyPrint ignores ``<ol start>`` and
    the list marks are no text in the PDF, so the counter the PDF is laid out with is read."""
    total = sum(a.moves == q.TOTAL for a in ctx.asks if not a.annex)
    html = (rendered_round.paths.reports / "tbu-2024-host.html").read_text("utf-8")
    chapter = html[html.index("Svaret kan endre fordelingen"):]
    listing = re.search(r"<ol ([^>]*)>", chapter).group(1)
    assert f'start="{total + 1}"' in listing
    assert f"counter-reset: list-item {total}" in listing


def test_a_solution_table_says_where_the_report_moved_a_figure_and_the_rule_goes_both_ways(ctx):
    """Reader7 Q27: Tabell 7's 13,0 stands on «Godkjenningprosessen SFM» in the text version
    (l. 679) and belongs to FM (13,0 − 0,6 = 12,4): the E-resept report says so under its table.
    Q31: under Tallgrunnlag 1 the settlement rule read whole (l. 316–318): an underspend comes
    off next year's payment, a shortfall may raise it, and there is no right to repayment."""
    notes = " ".join(n for _, _, n in ctx.item_tables("E-resept"))
    assert ("I tekstversjonen av kilden som analysen bygger på, står tallet 13,0 i tabell 7 på "
            "feil rad; tabellen her har det på raden kildens tekst knytter det til.") in notes
    assert "Rettet etter kildens egen tekst" not in " ".join(
        n for _, _, n in ctx.item_tables("Helsenorge"))
    prognosis = " ".join(n for _, _, n in ctx.prognosis_sections())
    # reader8 S2: the høringsnotat's «derfor»: no refund, because it comes off the next payment
    assert ("og manglende finansiering kan etter NHN tilsvarende gi en midlertidig økning. "
            "Høringsnotatet sier at virksomhetene derfor ikke har krav på å få betalt tilbake "
            "et beløp de har betalt for mye: det trekkes i stedet fra betalingen for det nye "
            "året. Kilden sier ikke om Helsenettets merforbruk (påløpte") in prognosis
