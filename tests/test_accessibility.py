"""Accessible reports: tagged PDFs read back from their structure, HTML editions checked by
axe-core in a real browser (Debian's chromium), typography read from the laid-out pages.

The shipped autumn 2024 round is rendered once (the main report and one solution report)
with a scenario report, in a copy of the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tbu_analysis.reports.execute import RunLog, run_scenario
from tbu_analysis.reports.fonts import font_checksums

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"
CHROMIUM = Path("/usr/bin/chromium")
NB = "\u00a0"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def editions(rendered_round) -> dict[str, Path]:
    """PDF paths of the main report, a solution report and a scenario report (the scenario
    rendered beside the session's rendered round)."""
    paths = rendered_round.paths
    log = RunLog()
    scenario = run_scenario(paths.root / "scenarios" / "baseline.yml", ROUND, paths.root,
                            paths.root / "notebooks", log)
    assert not log.failures, log.failures
    return {"main": paths.reports / f"tbu-{ROUND}.pdf",
            "solution": paths.reports / "kjernejournal.pdf", "scenario": scenario}


def _structure(reader: PdfReader) -> list[dict]:
    """Every structure element under /StructTreeRoot, in document order."""
    found: list[dict] = []

    def walk(node) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and kid.get("/Type") != "/MCR" and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    return found


def _heading(html_path: Path) -> str:
    return BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser").h1.get_text()


@pytest.mark.parametrize("report", ["main", "solution", "scenario"])
def test_every_pdf_is_tagged_with_language_title_bookmarks_and_figure_alt(editions, report):
    pdf = editions[report]
    reader = PdfReader(pdf)
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "nb"
    assert "/StructTreeRoot" in catalog
    assert "pdfuaid:part" in catalog["/Metadata"].get_object().get_data().decode()
    # The report's own title, the same as its first heading.
    assert reader.metadata.title == _heading(pdf.with_suffix(".html"))
    assert reader.outline  # bookmarks from the headings
    elements = _structure(reader)
    kinds = {e["/S"] for e in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P"} <= kinds
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)


def test_main_report_waterfall_alt_names_start_steps_and_end(editions):
    figures = [e for e in _structure(PdfReader(editions["main"])) if e["/S"] == "/Figure"]
    alts = [str(e["/Alt"]) for e in figures]
    assert len(alts) == 3  # the overview chart and one waterfall per pair of years
    assert alts[0].startswith("Søylediagram: Forskriftsbeløp / finansieringsbehov per løsning")
    assert "Kjernejournal: 2023 121,0, 2024 130,1" in alts[0]
    first = alts[1]
    # Tabell 11 of the source: 1 038 to the funding need of 1 054.
    assert first.startswith("Fossefallsdiagram: Fra 2024 til 2025: alle løsninger")
    assert f"Starter med Forskrift 2024: 1{NB}038,0 mill. kroner." in first
    assert "Deretter " in first and "Effektivisering \u221250,6" in first
    assert re.search(rf"Ender med [^:]+: 1{NB}054,0 mill\. kroner\.", first)


def test_html_editions_are_self_contained_with_landmarks_and_table_headers(editions):
    for pdf in editions.values():
        page = pdf.with_suffix(".html")
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert soup.html["lang"] == "nb"
        assert soup.find("main") and soup.find("header") and soup.find("footer")
        assert soup.find("h1") and soup.find("h2")
        # Nothing fetched: no scripts, no file or network URLs, fonts embedded.
        assert not soup.find("script")
        assert not re.search(r"""(?:src|href)=["'](?:https?:|file:)""", text)
        assert "url(\"file:" not in text and "data:font/otf;base64," in text
        headers = soup.select("table th")
        assert headers and all(th.get("scope") in {"col", "row", "colgroup"}
                               for th in headers)
        for svg in soup.find_all("svg"):
            assert svg["role"] == "img" and svg["aria-label"]
            assert svg.find("title").get_text() == svg["aria-label"]
        for number, figure in enumerate(soup.select("figure.tbu-chart"), start=1):
            caption = figure.figcaption.get_text(" ", strip=True)
            assert caption.startswith(f"Figur {number}.")
            assert "Kilde:" in caption


def test_round_index_links_every_report_by_its_title(editions):
    index = editions["main"].parent / "index.html"
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "nb" and soup.find("main")
    links = {a["href"]: a.get_text(" ", strip=True) for a in soup.find_all("a")}
    for pdf in (editions["main"], editions["solution"]):
        assert links[pdf.with_suffix(".html").name] == _heading(pdf.with_suffix(".html"))
        assert pdf.name in links


def _browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} mangler: kjør `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def test_html_editions_have_no_wcag_a_or_aa_violations_in_chromium(editions):
    from axe_playwright_python.sync_playwright import Axe

    pages = [p.with_suffix(".html") for p in editions.values()]
    pages.append(editions["main"].parent / "index.html")
    axe = Axe()
    with _browser() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox"])
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            for html in pages:
                page.goto(html.as_uri())
                result = axe.run(page, options={"runOnly": {"type": "tag",
                                                            "values": WCAG_TAGS}})
                assert result.response["passes"], html  # axe really ran its rules
                violations = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                              for v in result.response["violations"]]
                assert violations == [], (html.name, violations)
        finally:
            browser.close()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests


def test_pdf_typography_minus_percent_and_fonts(editions):
    reader = PdfReader(editions["main"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "\u2212" in text
    assert not re.search(r"(?<![\w./\-\u2212])-\d", text)  # a minus is never a hyphen
    assert not re.search(r"\d ?%", text)  # always a no-break space before %
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("Inter") for name in fonts), fonts


def test_provenance_lists_the_shipped_fonts_with_checksums(editions):
    text = editions["main"].with_suffix(".html").read_text(encoding="utf-8")
    plain = text.replace("\u200b", "")
    for name, digest in font_checksums().items():
        assert name in plain and digest in plain


def _laid_out(html_path: Path):
    import weasyprint

    return weasyprint.HTML(filename=str(html_path)).render()


def _flow(box, parent_tag: str = ""):
    """Block-level boxes of a page in order: tag, classes, box and the enclosing tag."""
    for child in getattr(box, "children", []):
        tag = getattr(child, "element_tag", None)
        element = getattr(child, "element", None)
        if tag and element is not None and child.is_in_normal_flow():
            yield tag, (element.get("class") or ""), child, parent_tag
        yield from _flow(child, tag if tag and tag != parent_tag else parent_tag)


def test_no_heading_ends_a_page_and_no_total_row_stands_alone(editions):
    document = _laid_out(editions["main"].with_suffix(".html"))
    assert len(document.pages) > 5
    for number, page in enumerate(document.pages[:-1], start=1):
        blocks = [(tag, cls) for tag, cls, _, _ in _flow(page._page_box)
                  if tag in {"h1", "h2", "h3", "h4", "p", "table", "tr", "figure", "li",
                             "ul", "ol"}]
        assert blocks[-1][0] not in {"h1", "h2", "h3", "h4"}, (number, blocks[-3:])
    for number, page in enumerate(document.pages, start=1):
        rows = [(tag, cls) for tag, cls, _, parent in _flow(page._page_box)
                if tag == "tr" and parent == "tbody"]
        if rows:
            first_table_rows = []
            for _tag, cls in rows:
                first_table_rows.append(cls)
                if "tbu-last" in cls:
                    break
            assert not (len(first_table_rows) == 1 and "tbu-last" in first_table_rows[0]
                        and number > 1), f"side {number}: bare summeraden"


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.mark.parametrize("report", ["main", "solution"])
def test_one_unit_style_mill_kroner_and_no_mnok_outside_source_quotes(editions, report):
    text = "\n".join(_pages(editions[report]))
    outside_quotes = re.sub(r"«[^»]*»", "", text)
    assert "mill. kroner" in outside_quotes
    assert not re.search(r"mnok", outside_quotes, re.IGNORECASE), re.findall(
        r".{30}mnok.{10}", outside_quotes, re.IGNORECASE)
    assert not re.search(r"mill\. kr\b", outside_quotes)  # one form, not "mill. kr"
    if report == "main":
        assert "Endring (mill. kroner)" in text and "Avvik (mill. kroner)" in text
        assert "MNOK:" not in text  # the abbreviation list no longer needs it


@pytest.mark.parametrize("report", ["main", "solution"])
def test_every_footnote_mark_under_a_table_is_in_that_table(editions, report):
    from tbu_analysis.reports.render import footnote_marks_missing

    html = editions[report].with_suffix(".html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert footnote_marks_missing(soup) == []
    daggers = [p.get_text(" ", strip=True) for p in soup.find_all("p")
               if p.get_text(strip=True).startswith("†")]
    assert daggers and any("\u00a0†" in table.get_text() for table in soup.find_all("table"))
    text = " ".join(soup.get_text(" ").split())
    assert not re.search(r"(?<![\w*])\*{1,2}[A-ZÆØÅ]", text)  # no bare source star left
    if report == "main":
        assert ("Kildens fotnote til kolonnen «Finansieringsbehov 2025»: «Tilbakeføring av "
                "midler er innarbeidet under hver løsning.»") in text


def test_main_cover_has_its_own_page_and_printed_contents_give_page_numbers(editions):
    pages = _pages(editions["main"])
    cover = " ".join(pages[0].split())
    assert "Arbeidsdokument for Teknisk beregningsutvalg" in cover
    assert "Helsedirektoratets notat 27.09.24" in cover
    assert "Innhold" not in cover and "Sammendrag" not in cover
    entries = re.findall(r"^(\S.*?) ?\.{5,} ?(\d+)$", pages[1], re.MULTILINE)
    titles = [title for title, _ in entries]
    assert titles[:3] == ["Sammendrag", "1 Forskriftsbeløp og estimater per løsning",
                          "2 Vekst per løsning"]
    assert "8 Spørsmål til NHN" in titles and titles[-1] == "Vedlegg C Proveniens"
    numbers = [int(page) for _, page in entries]
    assert numbers == sorted(numbers) and numbers[0] == 2 and numbers[-1] <= len(pages)
    for title, page in entries:  # each section starts on the page the contents give
        lines = [" ".join(line.split()) for line in pages[int(page) - 1].splitlines()]
        assert title in lines, (title, page)
    soup = BeautifulSoup(editions["main"].with_suffix(".html").read_text(encoding="utf-8"),
                         "html.parser")
    links = soup.select("ul.toc a")
    assert [link.get_text(strip=True) for link in links] == titles
    for link in links:  # the HTML edition: plain links to the headings
        target = soup.find(id=link["href"].removeprefix("#"))
        assert target is not None and target.get_text(strip=True) == link.get_text(strip=True)
