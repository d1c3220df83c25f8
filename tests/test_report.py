"""The rendered reports, read back from the PDFs as a committee member would read them."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from conftest import pdf_structure
from tbu_analysis import cli
from tbu_analysis.config import round_paths, slug
from tbu_analysis.pipeline import run_round_data
from tbu_analysis.reports.execute import INJECTED_CELL_ID, RunLog, run_round

#: Renders the round (notebooks and PDFs), once per session on one worker.
pytestmark = [pytest.mark.pdf, pytest.mark.notebook, pytest.mark.xdist_group("rendered_round")]

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def reports(rendered_round) -> Path:
    """The shipped round rendered once (``conftest.rendered_round``)."""
    pdfs, steps = rendered_round.pdfs, rendered_round.steps
    assert len(pdfs) == 1 + 5  # the main report and one per solution
    # A line per notebook and per PDF as it finished, for the person at the terminal.
    assert sum(label.startswith("kjøring ") for label in steps) == 2 + 1 + 5
    assert {label for label in steps if label.startswith("PDF ")} == {f"PDF {p.name}"
                                                                      for p in pdfs}
    return rendered_round.paths.reports


def test_the_notebooks_write_nothing_to_the_processed_data(reports):
    processed = reports.parents[1] / "data" / "processed" / ROUND
    written = {p.name: p.stat().st_mtime_ns for p in processed.iterdir()}
    executed = reports / "executed"
    assert {p.name for p in executed.glob("*.ipynb")} >= {"01_clean.ipynb",
                                                            "02_analysis.ipynb"}
    for name in ("01_clean.ipynb", "02_analysis.ipynb"):
        source = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert "write_" not in source and "run_clean" not in source
    assert {p.name: p.stat().st_mtime_ns for p in processed.iterdir()} == written


def test_main_report_states_the_rounds_key_figures(reports):
    text = pdf_text(reports / f"tbu-{ROUND}.pdf")
    assert "1 054" in text and "1,5 %" in text
    assert "+16 mill. kroner (1,5 %)" in text
    assert "1 089" in text and "50,6" in text and "4,9 %" in text
    assert "903,8" in text  # the 2023 total without the 4,121 % index
    assert "Side 1 av" in text and "TBU høsten 2024" in text


def test_reconciliation_appendix_names_discrepancies_from_the_source(reports):
    text = pdf_text(reports / f"tbu-{ROUND}.pdf")
    assert "Avvik i tabellene" in text
    # Tabell 5, Drift og produksjon: 83,6 + 2,2 + 9,3 − 11,5 = 83,6 but 82,6 is printed.
    assert "Drift og produksjon" in text and "82,6" in text
    # The note's "49 millioner kroner" against 1 089 − 1 038 = 51 in Tabell 4.
    assert "Teksten sier 49 mill. kroner, tabellene gir 51,0" in " ".join(text.split())


def test_main_report_lists_the_corrections_and_provenance(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "Rettet til" in text and "Godkjenningprosessen SFM" in text  # the moved 13,0
    assert "Det antas en reduksjon på 4 mill. kroner." in text  # evidence quoted
    assert "SHA-256" in text and "manifest.yaml" in text


@pytest.mark.parametrize(("solution", "level_2025"), [
    ("Helsenorge", "359,6"), ("Kjernejournal", "118,6"), ("E-resept", "192,0"),
    ("Grunndata og HelseID", "117,8"), ("Helsenettet", "299,9"),
])
def test_each_solution_report_names_its_solution_and_2025_level(reports, solution, level_2025):
    text = pdf_text(reports / f"{slug(solution)}.pdf")
    assert solution in text
    assert level_2025 in text


def test_reports_show_no_code_warnings_or_tracebacks(reports):
    for pdf in reports.glob("*.pdf"):
        text = pdf_text(pdf)
        for forbidden in ("Traceback", "import ", "PapermillExecutionError", "Executing",
                          "Warning", "ctx.", "def ", "display("):
            assert forbidden not in text, (pdf.name, forbidden)


def test_executed_notebooks_are_kept_without_run_times(reports):
    executed = reports / "executed" / f"tbu-{ROUND}.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert "start_time" not in nb.metadata.get("papermill", {})
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_rendering_again_gives_the_same_pdf(reports):
    from tbu_analysis.common.provenance import source_date
    from tbu_analysis.reports.render import render_pdf

    nb = nbformat.read(reports / "executed" / "kjernejournal.ipynb", as_version=4)
    nb.metadata["tbu"] = {"title": "Kjernejournal", "round": "TBU høsten 2024",
                          "author": "tbu-analysis"}
    again = render_pdf(nb, reports.parent / "again.pdf", created=source_date(ROOT)[0])
    first = PdfReader(reports / "kjernejournal.pdf").pages[0].extract_text()
    assert PdfReader(again).pages[0].extract_text() == first


def test_a_failing_notebook_keeps_its_executed_copy_and_the_old_pdf(tmp_path, capsys):
    repo = tmp_path
    for name in ("data/raw", "notebooks"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    broken = nbformat.read(repo / "notebooks" / "11_solution.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell("raise RuntimeError('brutt med vilje')")
    cell["id"] = "broken"
    broken.cells.insert(3, cell)
    nbformat.write(broken, repo / "notebooks" / "11_solution.ipynb")
    paths = round_paths(ROUND, repo)
    run_round_data(paths)
    paths.reports.mkdir(parents=True)
    old = paths.reports / "kjernejournal.pdf"
    old.write_bytes(b"%PDF earlier report")

    log = RunLog()
    pdfs = run_round(paths, repo / "notebooks", log, solutions=("Kjernejournal",))

    assert [p.name for p in pdfs] == [f"tbu-{ROUND}.pdf"]
    assert old.read_bytes() == b"%PDF earlier report"
    assert len(log.failures) == 1
    err = capsys.readouterr().err
    assert "11_solution.ipynb" in err and "celle 4" in err and "brutt med vilje" in err
    executed = nbformat.read(paths.reports / "executed" / "kjernejournal.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "brutt med vilje"


def test_report_command_exits_non_zero_on_a_bad_round_id(capsys):
    assert cli.main(["report", "--round", "../etc"]) == 2
    assert "ugyldig runde-id" in capsys.readouterr().err


def _repo_copy(target: Path) -> Path:
    for name in ("data/raw", "notebooks", "scenarios"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_scenario_command_renders_the_scenario_against_the_baseline(tmp_path, monkeypatch,
                                                                     capsys):
    repo = _repo_copy(tmp_path)
    monkeypatch.chdir(repo)
    assert cli.main(["clean", "--round", ROUND]) == 0
    assert cli.main(["scenario", "scenarios/alternativ-1.yml", "--round", ROUND]) == 0
    text = " ".join(pdf_text(repo / "reports" / "scenarios" / ROUND / "alternativ-1.pdf").split())
    assert "Alternativ 1" in text and "Kommuner" in text and "RHF" in text
    # the round's 2025 funding need, billed in full: the solutions' own figures (the main
    # report's: Grunndata og HelseID 117,8, Helsenettet without VKP from Tabell 9's rows,
    # 274,7; Kjernejournal 118,6 − 25,9 = 92,7) add to 1 053,4, NHN's 1 054 within its
    # rounding; for 2026 the report prints NHN's 1 076 beside the units' 1 074,5
    assert "1 053,4" in text
    assert "1 076 (NHNs siste estimat, slik NHN trykker det; løsningenes tall summerer til " \
        "1 074,5)" in text
    assert "SHA-256" in text  # the same provenance page as the round reports


def test_a_bad_scenario_file_renders_nothing(tmp_path, monkeypatch, capsys):
    repo = _repo_copy(tmp_path)
    monkeypatch.chdir(repo)
    bad = repo / "scenarios" / "feil.yml"
    bad.write_text((repo / "scenarios" / "alternativ-1.yml").read_text(encoding="utf-8")
                   + "\nukjent_nokkel: 1\n", encoding="utf-8")
    assert cli.main(["scenario", "scenarios/feil.yml"]) == 2
    err = capsys.readouterr().err
    assert "feil.yml" in err and "ukjent_nokkel" in err
    assert not (repo / "reports" / "scenarios").exists()


def test_a_rerun_gives_byte_identical_pdfs_outputs_and_executed_notebooks(reports):
    paths = round_paths(ROUND, reports.parents[1])
    executed = reports / "executed"
    files = [reports / "kjernejournal.pdf", reports / f"tbu-{ROUND}.pdf",
             paths.processed / "reconciliation.csv", paths.processed / f"tbu-{ROUND}.xlsx",
             executed / "kjernejournal.ipynb", executed / f"tbu-{ROUND}.ipynb",
             executed / "01_clean.ipynb", executed / "02_analysis.ipynb"]
    before = {path: (path.read_bytes(), path.stat().st_ino) for path in files}
    for path in files[4:]:
        text = path.read_text(encoding="utf-8")
        assert " at 0x" not in text, path.name
        nb = nbformat.reads(text, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert [c["id"] for c in injected] == [INJECTED_CELL_ID], path.name
    run_round_data(paths)
    log = RunLog()
    run_round(paths, paths.root / "notebooks", log, solutions=("Kjernejournal",))
    assert not log.failures
    for path, (data, inode) in before.items():
        assert path.read_bytes() == data, path.name
        assert path.stat().st_ino == inode, path.name  # unchanged bytes are not rewritten


# --- what a committee must find in the reports (issue 12) ------------------------------------


def _body(text: str) -> str:
    """The reader's part of the main report: everything before the technical annex (the
    contents list names the annex too, so the second mention is where it starts)."""
    first = text.find("Vedlegg A Avstemming")
    return text[: text.find("Vedlegg A Avstemming", first + 1)]


def test_main_report_answers_why_e_resept_grows(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "+34,6 %" in text  # 142,6 → 192,0
    assert "E-resept, økte kostnader grunnet investeringer: +54 mill. kroner." in text
    assert ("godkjenningsprosessen for SFM (4 mill. kroner), som i 2024 ble finansiert fra "
            "andre kilder, regnes med fra 2025; fotnoten til tabell 7 nevner i tillegg "
            "fakturering på 4 mill. kroner som ikke er hjemlet i forskrift") in text
    assert "forskriftsbetalingen" not in text  # Tabell 7's note: the 4 are not under it
    assert "drifts- og forvaltningskostnader for SFM i 2025 vil ligge på 50 mill. kroner" in text


def test_main_report_summary_answers_the_committees_first_questions(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    summary = text[text.find("Sammendrag", text.find("Sammendrag") + 1):]
    # the period leads each «Størst» point, beside a table of three periods (reader7 Q26)
    assert ("Størst nominell vekst 2024–2025: E-resepts kostnadsnivå øker med 34,6 %, fra "
            "142,6 til 192,0 mill. kroner. Den største årsaken er økte kostnader grunnet "
            "investeringer (+54 mill. kroner): SFM (50 mill. kroner)") in summary
    assert ("Siden forrige runde: Estimatet for 2025 er 26 mill. kroner lavere enn i vårens "
            "tallgrunnlag") in summary
    assert "våres" not in text and "enn i vårens;" not in text
    assert "påløpte kostnader 2023 −4,1 % fra forskriften, prognose 2024 −2,4 %" in summary
    # SFM's hjemmel (54) first; VKP's (25,2) and the 2024 underspend (25) are asked too
    assert ("Spørsmål til NHN: 20 spørsmål, først de som kan endre totalen, så fordelingen, "
            "hver gruppe etter beløpet. Det største gjelder 54 mill. kroner: Er betalingen for "
            "Sentral forskrivningsmodul (SFM) hjemlet i forskriften for 2025?") in summary
    # the underlying growth beside the nominal: Helsenorge grows, E-resept's growth is scope
    assert ("Størst underliggende vekst 2024–2025: Helsenorges kostnadsnivå øker med 11,0 mill. "
            "kroner (+3,2 %) når prisjustering") in summary
    assert "Uten omfangsendringer går E-resepts kostnadsnivå ned med 4,6 mill. kroner" \
        in summary


def test_main_report_explains_kjernejournals_fall_and_rebound(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert ("Kjernejournal: −37,4 mill. kroner (−28,7 %). I 2025 er 25,9 mill. kroner i "
            "udisponerte midler trukket fra (et engangsfradrag)") in text
    assert ("Kjernejournal: +42,9 mill. kroner (+46,3 %). Fradraget på 25,9 mill. kroner i "
            "udisponerte midler i 2025 var et engangsfradrag som faller bort i 2026") in text
    assert "Dette er følgelig en engangsreduksjon." in text


def test_main_report_answers_what_changed_since_spring(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "legge en øvre ramme for betaling året etter" in text  # the mandate, quoted
    assert "17 + 9 = 26 (stemmer)" in text
    assert "17 + 2 = 19" not in text  # holds only within rounding: not said (reader7 Q14)
    assert "vårens estimat var altså 275" in text  # 268 + 7, said in words (no total to check)


def test_main_report_answers_how_close_last_years_estimates_were(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert ("Samlet var påløpte kostnader 2023 902 mill. kroner mot forskrift 941: "
            "−39 mill. kroner (−4,1 %)") in text
    assert "Samlet var prognose 2024 1 013 mill. kroner mot forskrift 1 038" in text
    assert "Kjernejournal (påløpte kostnader 2023), −20 mill. kroner (−16,5 %)" in text


def test_main_report_answers_what_is_uncertain(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    # a page break inside a sentence leaves the list marks and the running head between its
    # words in the extracted text: taken out, so the sentence reads as printed
    text = re.sub(r"(?: [◦•])* Teknisk beregningsutvalg høsten 2024 TBU høsten 2024 "
                  r"Side \d+ av \d+", "", text)
    assert "Under forutsetning om at betaling for SFM og VKP hjemles i forskrift" in text
    assert "tilstrekkelig utprøving av Pasientens prøvesvar" in text
    assert "avvikling av PREG 31.12.2025" in text
    assert "57,5 mill. kroner" in text and "foreløpige grove estimerer" in text
    assert "underforbruk i 2024 på 10–15 mill. kroner" in text  # an interval stays one
    assert "underforbruk i 2024 på 5–10 mill. kroner" in text


def test_main_report_says_what_to_ask_nhn(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    questions = text[text.index("8 Spørsmål til NHN Spørsmålene"):]  # the body, not contents
    main = questions[:questions.find("9 Rettelser")]
    # Tabell 9 and 10 show where Helsenettet's 19 went (out of SOC, into the external service).
    assert "flyttes innen Helsenettet" not in main
    assert "Hva viser utprøvingen av direktefakturering av Pasientens måledata?" in main
    assert "Går fødselsmelding inn i eller ut av forskriften i 2025?" in main
    annex = text[text.find("Spørsmål om avrunding og trykkfeil"):]
    assert ("Hvilket tall for Helsenorges drift og produksjon er trykt feil? Helsenorge: Tabell 5, "
            "Drift og produksjon.") in annex
    assert "83,6 + 2,2 + 9,3 − 11,5 = 83,6, men 82,6 er trykt" in annex
    assert "Er dette bare avrunding? Tabell 11" in annex
    assert "Delene gir 1 088,2, trykt er 1 089. Forskjellen er 2,7 standardavvik" in annex


def test_main_report_has_a_cover_contents_and_no_build_words_in_its_body(reports):
    text = pdf_text(reports / f"tbu-{ROUND}.pdf")
    first_page = PdfReader(reports / f"tbu-{ROUND}.pdf").pages[0].extract_text()
    assert "Arbeidsdokument for Teknisk beregningsutvalg" in first_page
    assert "Innhold" not in first_page  # the cover stands on its own page
    contents = PdfReader(reports / f"tbu-{ROUND}.pdf").pages[1].extract_text()
    assert "Innhold" in contents and "8 Spørsmål til NHN" in contents
    assert "Helsedirektoratets notat 27.09.24" in " ".join(first_page.split())
    body = _body(text)
    for word in (".yaml", ".csv", ".tsv", "round_id", "index_rates", "tekstuttrekk",
                 "data/raw"):
        assert word not in body.lower(), word
    assert "SHA-256" in text[len(body):]  # provenance is in the annex
    for pdf in (p for p in reports.glob("*.pdf") if p.stem != f"tbu-{ROUND}"):
        body = pdf_text(pdf).split("Teknisk vedlegg: proveniens")[0].lower()
        assert not any(w in body for w in (".yaml", "round_id", "tekstuttrekk")), pdf.name


def test_discrepant_cells_are_marked_where_printed(reports):
    text = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "303 †" in text  # Helsenettet 2024 in the overview, against Tabell 9's 303,6
    assert "† Helsenettet, Forskrift 2024: Oversiktstabellene viser 303" in text
    helsenorge = " ".join(pdf_text(reports / "helsenorge.pdf").split())
    assert "82,6 †" in helsenorge and "8,6 †" in helsenorge
    assert "† Plattform, Tilbakeføring tidligere års midler: Teksten gir −8,6" in helsenorge


def test_one_value_per_quantity_is_explained_where_it_differs(reports):
    main = " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())
    assert "NHN trykker −2,7 %" in main and "utregnet gir det −2,8 %" in main
    helsenettet = " ".join(pdf_text(reports / "helsenettet.pdf").split())
    # Tabell 11's Helsenettet rows add to 300,2 and 270,2; the chart uses the report's values.
    assert ("Radene i tabell 11 summerer til 300,2 for kostnadsnivå 2025; grafen bruker, som "
            "resten av rapporten, 299,9 (tabell 9).") in helsenettet
    assert ("Radene i tabell 11 summerer til 270,2 for kostnadsnivå 2026; grafen bruker, som "
            "resten av rapporten, 269,9 (regnet ut fra kildens deler).") in helsenettet


def test_one_value_per_quantity_in_tables_charts_and_sentences(reports):
    """Issue 12.6 as a second reader found it: E-resept 2025→2026, Helsenettet 2025 and the
    Sum rows of the growth tables."""
    texts = _texts(reports)
    main, helsenettet, e_resept = texts["main"], texts["Helsenettet"], texts["E-resept"]
    # E-resept: 2026 is 192,0 − 11,4 = 180,6 (Tabell 11 prints it rounded, 181), so the levels
    # give the source's driver, −11,4, with no rounding step and no false «181,0»; the note
    # says it is computed, in the main and the solution report.
    assert main.count("E-resept 192,0 180,6 −11,4 −5,9 %") == 2
    assert "181,0" not in main and "181,0" not in e_resept and "−11,0" not in e_resept
    computed = ("E-resept 2026 er 180,6 her, kostnadsnivået 2025 192,0 − 11,4 (endringen i "
                "tabell 11), der kilden trykker 181")
    assert computed in main and computed in e_resept
    assert "«Avrunding/avvik i kilden» (+0,4): Endringene" not in e_resept
    # Kjernejournal 2025: 118,6 − 25,9 = 92,7 (printed 93, and −28,7 % is 92,7's)
    assert main.count("Kjernejournal 130,1 92,7 −37,4 −28,7 %") == 1
    assert "93,0" not in main
    # Helsenettet 2025–2026: 299,9 − 30 = 269,9 (printed 270): the move out is the whole
    # change, no underlying growth and no rounding step
    assert main.count("Helsenettet 299,9 269,9 −30,0 −10,0 %") == 2
    assert "2025–2026 −30,0 −10,0 % 0,0 −30,0 0,0 0,0 %" in helsenettet
    assert "Avrunding/avvik i kilden +0,1" not in helsenettet
    # Figur 3: the steps add to −13,4 and the chart goes 1 089,0 → 1 076,0 with +0,4 between.
    assert ("«Avrunding/avvik i kilden» (+0,4): Endringene kilden oppgir, summerer til −13,4 "
            "mill. kroner, fra kostnadsnivå 2025 1 089,0 til 1 075,6 (−1,2 % av 1 089,0). "
            "Kilden trykker 1 076") in main
    # D7: a percentage beside the table's «I % av utgangsnivået» names its base
    assert "(−3,2 % av 1 089,0)" in main
    # Helsenettet 2025: nothing is deducted, so the funding need is the cost level 299,9 in
    # every table and sentence; the rounded 300 of the other tables is named where it is used.
    for text in (main, helsenettet):
        assert "Helsenettet 303,6 300,0" not in text and "300,0 270,0" not in text
    assert main.count("Helsenettet 303,6 299,9 −3,7 −1,2 %") == 2
    assert "−3,6" not in helsenettet
    assert ("Forskriftsbeløpet går fra 303,6 mill. kroner i 2024 til 299,9 mill. kroner i 2025: "
            "−3,7 mill. kroner (−1,2 %)") in helsenettet
    assert "Forskriftsbeløp / finansieringsbehov 274 303,6 299,9 269,9" in helsenettet
    undeducted = ("Finansieringsbehov lik kostnadsnivå: Helsenettet har ingen tilbakeføring i "
                  "2025, så rapporten bruker kostnadsnivået 299,9 (tabell 9) for begge; "
                  "notatets tabell 1, tabell 3 og tabell 9 trykker 300.")
    assert undeducted in main and undeducted in helsenettet
    # Kostnadsnivå: the Sum row is the source's printed sum; the rows add to something else.
    assert ("Summen er kildens trykte sum (1 038 i notatets tabell 1 og 1 089 i tabell 4); "
            "radene over summerer til 1 037,5 i 2024 og 1 087,9 i 2025, en endring på +50,4 "
            "mot +51,0 i summen.") in main
    # 2026: the rows are 2025's plus Tabell 11's changes (−13,4; E-resept 180,6, Helsenettet
    # 269,9), against the printed −13
    assert ("radene over summerer til 1 087,9 i 2025 og 1 074,5 i 2026, en endring på −13,4 "
            "mot −13,0 i summen.") in main


def _figure_alts(pdf: Path) -> list[str]:
    """The text alternative of every figure in a tagged PDF, in document order."""
    return [str(e["/Alt"]).replace("\u00a0", " ") for e in pdf_structure(PdfReader(pdf))
            if e["/S"] == "/Figure" and "/Alt" in e]


_AMOUNT = r"([+\u2212]?)(\d{1,3}(?: \d{3})*,\d)"


def _amount(sign: str, digits: str) -> Decimal:
    value = Decimal(digits.replace(" ", "").replace(",", "."))
    return -value if sign == "\u2212" else value


def test_every_waterfall_closes_as_drawn(reports):
    """Every waterfall in every report: start + steps = each level as drawn, to the tenth
    the chart shows (read from the charts' text alternatives in the PDFs)."""
    checked = 0
    for pdf in sorted(reports.glob("*.pdf")):
        for alt in _figure_alts(pdf):
            if not alt.startswith("Fossefallsdiagram"):
                continue
            start = re.search(rf"Starter med [^:]+: {_AMOUNT} mill\. kroner\.", alt)
            end = re.search(rf"Ender med ([^:]+): {_AMOUNT} mill\. kroner\.", alt)
            middle = re.search(r"Deretter (.*?)\. Ender med", alt)
            assert start and end and middle, alt
            running = _amount(*start.groups())
            for part in middle.group(1).split("; "):
                step = re.fullmatch(rf"(.*?) {_AMOUNT}", part)
                assert step, (pdf.name, part)
                label, sign, digits = step.groups()
                if sign:  # a change: from the running total
                    running += _amount(sign, digits)
                else:  # a level: where the steps so far must have led
                    assert running == _amount(sign, digits), (pdf.name, alt)
            assert running == _amount(*end.groups()[1:]), (pdf.name, alt)
            checked += 1
    assert checked == 2 + 2 * 5  # two in the main report beside the overview, two per solution


def test_solution_reports_name_each_series_and_explain_their_drivers(reports):
    helsenorge = " ".join(pdf_text(reports / "helsenorge.pdf").split())
    assert "Påløpte kostnader 308 –" in helsenorge and "Prognose – 344 –" in helsenorge
    assert ("Prognosen for 2024 er trykt i hele millioner (344). Forskriften for 2024, 343,6, "
            "er 344 avrundet; kilden viser altså ikke noe avvik.") in helsenorge
    assert "Forskrift 2023 mot påløpte kostnader 2023 325 308 −17 −5,2 %" in helsenorge
    helsenettet = " ".join(pdf_text(reports / "helsenettet.pdf").split())
    assert ("Flytting innen Helsenettet, endret finansieringskilde (netto 0): Helsenettet felles "
            "tjenester −21 og Operasjonell sikkerhets- og hendelseshåndtering for helsesektoren "
            "+19 mill. kroner er penger som flyttes mellom poster, ikke ny vekst.") in helsenettet
    kjernejournal = " ".join(pdf_text(reports / "kjernejournal.pdf").split())
    assert ("NHN legger til grunn at Pasientens prøvesvar, en ny tjeneste, tas inn i "
            "kjernejournal") in kjernejournal  # an assumption with a condition (reader6 R13)
    assert "underforbruk i 2024 på 10–15 mill. kroner" in kjernejournal


def test_source_tables_and_check_lists_show_figures_as_printed(reports):
    kjernejournal = " ".join(pdf_text(reports / "kjernejournal.pdf").split())
    # Tabell 6 as NHN prints it: 40,00 beside 38,1, 1,25 beside −5,0, and a whole 93.
    assert "Drift og produksjon 40,00" in kjernejournal
    assert "Sum Kjernejournal 130,1 9,5 0,00 −4,0 0,0 0,0 −17,0 118,6 −25,9 93" in kjernejournal
    assert "gjengir NHNs tall med de desimalene kilden trykker" in kjernejournal
    main = " ".join(pdf_text(reports / "tbu-2024-host.pdf").split())
    # The list of discrepancies: Tabell 5's Innhold printed 23 against 22,1 computed.
    assert "finansieringsbehov 2025 23 22,1 0,9 0,55" in main


def test_solution_notebook_takes_the_slug_and_refuses_an_unknown_name(tmp_path):
    """Papermill's ``-p solution kjernejournal`` (the PDF's own name) runs; an unknown value
    stops in the first cell after the parameters, naming the valid values."""
    import papermill

    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(ROOT / "notebooks" / "11_solution.ipynb"), str(out),
                                   parameters={"solution": "helsenet"}, cwd=str(tmp_path),
                                   kernel_name="python3", progress_bar=False)
    assert "gyldige: Helsenorge (helsenorge), Kjernejournal (kjernejournal)" in str(error.value)
    executed = nbformat.read(out, as_version=4)
    ran = [c for c in executed.cells if c.cell_type == "code" and c.execution_count]
    # The parameters, papermill's injected parameters and the first cell, nothing more.
    assert len(ran) == 3 and "solution_name" in ran[-1].source


# --- content defects found reading the rendered reports page by page (issue 12) ---------------

SOLUTIONS = ("Helsenorge", "Kjernejournal", "E-resept", "Grunndata og HelseID", "Helsenettet")


def _texts(reports: Path) -> dict[str, str]:
    """Every PDF's text with whitespace collapsed: the main report as «main», the solution
    reports by solution name."""
    texts = {"main": " ".join(pdf_text(reports / f"tbu-{ROUND}.pdf").split())}
    for solution in SOLUTIONS:
        texts[solution] = " ".join(pdf_text(reports / f"{slug(solution)}.pdf").split())
    return texts


def _reader_body(name: str, text: str) -> str:
    """What precedes the technical annex: «Vedlegg A» (its second mention, after the contents)
    in the main report, the first «Vedlegg:» in a solution report."""
    if name == "main":
        return _body(text)
    return text[: text.find("Vedlegg:")]


def test_one_quantity_printed_twice_is_noted_in_every_report_that_shows_it(reports):
    """Helsenettet's 2024 is 303 in the overview tables and 303,6 in Tabell 9 (beyond
    rounding: noted); Grunndata og HelseID's growth is printed «0 %» in Tabell 8 where the
    report computes 0,2 %. Helsenorge's 2025 drivers, 14 / 15 in Tabell 4 and 14,1 / 14,9 in
    Tabell 5, are the rounding Tabell 4 announces (source l. 419): not «annen verdi», and
    Tabell 4's note says it is rounded."""
    texts = _texts(reports)
    for name in ("main", "Helsenorge"):
        assert "trykker 14,1" not in texts[name]
        assert "tabell 4 trykker 14" not in texts[name].lower()
    assert ("Kilde: NHN Tallgrunnlag høst 2024, Tabell 4 (tall er ikke indeksregulert "
            "(2024-prisnivå)). Tabell 4 har tallene avrundet til nærmeste million "
            "(enkelte med desimaler).") in texts["main"]
    # the Helsenorge report's drivers are those of its own Tabell 5, as its table and chart
    assert "Helsenorge, volum / beredskap: +14,9 mill. kroner." in texts["Helsenorge"]
    assert ("Helsenorge, økte kostnader grunnet investeringer: +14,1 mill. kroner."
            in texts["Helsenorge"])
    # Helsenettet 2024: the growth tables take Tabell 9's 303,6 and say where 303 is printed.
    # D10: the two «tabell 1» told apart, a table's name in lower case mid-sentence
    note = ("Samme tall, annen verdi i kilden: Helsenettet 2024 er 303,6 her (tabell 9); "
            "notatets tabell 1, tallgrunnlagets tabell 1 og tabell 3 trykker 303.")
    assert note in _body(texts["main"])
    helsenettet = texts["Helsenettet"]
    assert note in helsenettet  # under the levels by year
    for name, text in texts.items():  # notes joined with «;» end with one full stop
        assert ").." not in text and ").;" not in text, name
    # Why 303 against 303,6, said in full once (with the levels) and pointed to under the
    # estimates, which compare Tabell 1's 303.
    why = "Oversiktstabellene viser 303 for Helsenettet i 2024"
    assert helsenettet.count(why) == 1
    assert note + " " + why in helsenettet
    assert re.search(r"Helsenettet, forskrift 2024 \(303, tallgrunnlagets tabell 1\): Se "
                     r"forklaringen over \(s\. \d+\)\.", helsenettet)
    main = _body(texts["main"])
    assert main.count(why) == 1 and main.count("303,6 (28,2 + 165,7 + 109,7)") == 1
    assert main.count("Helsenettet 2024 er også her 303,6 (tabell 9). Se forklaringen over") == 3
    assert "Helsenettet eksterne tjenester, Forskrift 2024" not in helsenettet
    assert "vekst i % for «2025»: 0,2 % (trykt 0 %)" in texts["Grunndata og HelseID"]


def test_each_solution_reports_questions_concern_only_its_solution(reports):
    texts = _texts(reports)
    for solution in SOLUTIONS:
        text = texts[solution]
        questions = text[text.find("Spørsmål til NHN"): text.find("Vedlegg:")]
        assert f"Spørsmålene her gjelder {solution}, først de der svaret kan endre totalen" \
            in questions
        # the shared services to be spread over the solutions are named by their owner, and
        # Kjernejournal's «fellesfunksjoner» are asked with where they were charged until now
        # and the 2024 underspend, for all solutions, names the two that underspend
        shared = re.sub(r"Er fellesfunksjonene .*?\(Tallgrunnlag 6 Kjernejournal\)\.", "",
                        questions.replace("Helsenettets felles tjenester", ""))
        shared = re.sub(r"Når og med hvor mye trekkes underforbruket .*?Stortinget\.» "
                        r"\(Tallgrunnlag 3, Tilbakebetaling udisponerte midler for 2024\)\.",
                        "", shared)
        # and the source's one amount for 2023–2024 growth names the four it is spread over
        # (NUIT 4/22, reader6 R37)
        shared = re.sub(r"Tallgrunnlaget gjengir en tidligere anbefaling fra NUIT: .*?"
                        r"NUIT-sak 4/22\)\.", "", shared)
        others = [s for s in SOLUTIONS if s != solution and s in shared]
        assert others == [], (solution, others)
    # The note's 3.2.3 copying errors are typesetting: the main report's annex list asks them.
    assert "118,5" not in texts["E-resept"] and "191,6" not in texts["Kjernejournal"]


def test_why_the_figures_move_reads_one_sentence_per_driver_with_the_quotes_in_the_annex(
        reports):
    main = _texts(reports)["main"]
    body = _body(main)
    start = body.find("Hvorfor tallene endres", body.find("3 Hva driver veksten"))
    first = body[start: body.find("Figur 2", start)]
    assert "«" not in first  # no quotes in the committee's list
    assert ("E-resept, økte kostnader grunnet investeringer: +54 mill. kroner. SFM (50 mill. "
            "kroner) og godkjenningsprosessen for SFM (4 mill. kroner), som i 2024 ble "
            "finansiert fra andre kilder, regnes med fra 2025; fotnoten til tabell 7 nevner i "
            "tillegg fakturering på 4 mill. kroner som ikke er hjemlet i forskrift. Kilde: "
            "Tallgrunnlag 5.3.") in first
    assert ("Kjernejournal, effektivisering: −17 mill. kroner.") in first
    assert "−1,5). Til sammen forklarer dette hele beløpet. Kilde: Tallgrunnlag 5.2." in first
    assert ("Helsenorge, endret finansieringskilde: +5 mill. kroner. Verdikjedetesting") in first
    assert ("Kildens tekst forklarer 5 av 6,6 mill. kroner med beløp; resten, 1,6 mill. "
            "kroner, forklarer den bare med ord; beløpene er tabellens: "
            "godkjenningsprosessen") in first
    assert "1,6 mill. kroner står uten forklaring" not in first
    annex = main[main.find("Vedlegg B Kildens ord om endringene",
                           main.find("Vedlegg B Kildens ord om endringene") + 1):]
    assert ("«Norsk helsenett vurderer at drifts- og forvaltningskostnader for SFM i 2025 vil "
            "ligge på 50 mill. kroner» (Tallgrunnlag 5.3") in annex  # a page may break after
    helsenettet = _texts(reports)["Helsenettet"]
    # D22: the move is one bullet (−21 and +19 together), its source words in the annex
    assert helsenettet.count("er penger som flyttes mellom poster, ikke ny vekst") == 1
    assert "Beløpet hører til de 21 mill. kroner" not in helsenettet
    assert ("Flytting innen Helsenettet, endret finansieringskilde 2024–2025 (netto 0): «Norsk "
            "helsenett vil over tid fordele kosten på fellestjenestene") in helsenettet
    assert "19 mill. kroner fra «Hendelseshåndtering og SOC" in helsenettet
    assert "2 mill. kroner fra «APT støtteverktøy» til «Mottaksprosess»" in helsenettet
    for wrong in ("for 0 mill. kroner", "Kilden forklarer 21 mill. kroner av flyttingen",
                  "Største endring fra 2024 til 2025: Helsenettet felles tjenester"):
        assert wrong not in helsenettet, wrong


def test_names_notes_and_signs_read_as_a_committee_member_would_write_them(reports):
    texts = _texts(reports)
    for name, text in texts.items():
        assert "Helsenettet, Helsenettet" not in text, name
    assert ("Helsenettet felles tjenester, endring i finansiering / forutsetninger: −30 mill. "
            "kroner.") in texts["main"]
    assert ("Notatets tabell 1 har under tallene raden «Nye tjenester i digital samhandling», "
            "som med kildens kortform sier hvilke tjenester som er lagt til (+), tatt ut (−) "
            "eller økt: for forskrift 2024 «+ VKP +Journaldoks»") in texts["main"]
    assert "Forskrift 2024: + VKP" not in texts["main"]
    helsenorge = texts["Helsenorge"]
    assert ("Plattform, tilbakeføring tidligere års midler: −8,6 mill. kroner. Tabellen trykker "
            "+8,6; kildens tekst og kolonnens trykte sum gir −8,6") in helsenorge
    assert "Plattform, tilbakeføring tidligere års midler: +8,6 mill. kroner" not in helsenorge




def test_every_report_explains_its_abbreviations_once_and_has_no_build_words(reports):
    import re

    from tbu_analysis.analysis.abbreviations import load_abbreviations

    explanations = {a.abbreviation: a.explanation
                    for a in load_abbreviations(round_paths(ROUND, reports.parents[1]))}
    assert {"D&F", "SFM", "VKP", "PLL", "FM", "PREG", "NUIT"} <= set(explanations)

    for name, text in _texts(reports).items():
        body = _reader_body(name, text)
        for abbreviation in explanations:
            if re.search(rf"(?<!\w){re.escape(abbreviation)}(?!\w)", body):
                explained = f"{abbreviation}: {explanations[abbreviation]}"
                assert body.count(explained) == 1, (name, abbreviation)
        for word in (".yaml", ".csv", ".tsv", ".txt", "round_id", "index_rates",
                     "tekstuttrekk", "data/raw", "reports/"):
            assert word not in body.lower(), (name, word)
        unquoted = re.sub(r"«[^»]*»", "", body)
        for typo in ("grunnnet", "estimerer", "hensynte"):  # the source's, kept in quotes
            assert typo not in unquoted, (name, typo)
