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

from conftest import pdf_structure
from tbu_analysis.pipeline import run_scenario
from tbu_analysis.presentation.fonts import font_checksums

#: Reads the rendered round (same worker as test_report) and checks it in chromium.
pytestmark = [pytest.mark.pdf, pytest.mark.browser, pytest.mark.xdist_group("rendered_round")]

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
    written = run_scenario(paths.root / "scenarios" / "baseline.yml", ROUND, paths.root)
    assert written, "the scenario notebook failed"
    scenario = written[0]
    return {"main": paths.reports / f"tbu-{ROUND}.pdf",
            "solution": paths.reports / "kjernejournal.pdf", "scenario": scenario}


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
    elements = pdf_structure(reader)
    kinds = {e["/S"] for e in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P"} <= kinds
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)


def test_main_report_waterfall_alt_names_start_steps_and_end(editions):
    figures = [e for e in pdf_structure(PdfReader(editions["main"])) if e["/S"] == "/Figure"]
    alts = [str(e["/Alt"]) for e in figures]
    assert len(alts) == 3  # the overview chart and one waterfall per pair of years
    assert alts[0].startswith("Søylediagram: Forskriftsbeløp 2023–2024, foreslått forskriftsbeløp "
                              "(finansieringsbehov) 2025 og estimat 2026 per løsning")
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


def _table_pieces(document) -> tuple[dict, list[str]]:
    """Per table (by its element): the body rows it has on each page, in page order; and
    what ends a page where it must not (a heading, a caption, a paragraph leading into a
    table, or a caption whose table has no body row on that page), or a table wider than
    the text column."""
    pieces: dict[int, list[tuple[int, int]]] = {}
    problems: list[str] = []

    def walk(box, table=None, in_body=False):
        for child in getattr(box, "children", []):
            element = getattr(child, "element", None)
            tag = getattr(child, "element_tag", None)
            inner_table, body = table, in_body
            if tag == "table" and element is not None:
                inner_table = element
            if tag == "tbody":
                body = True
            if tag and element is not None and child.is_in_normal_flow():
                yield tag, (element.get("class") or ""), child, inner_table, body
            yield from walk(child, inner_table, body)

    for number, page in enumerate(document.pages, start=1):
        blocks = []
        last = None
        rows: dict[int, int] = {}
        captions = []
        right = page._page_box.content_box_x() + page._page_box.width
        for tag, cls, box, table, body in walk(page._page_box):
            if type(box).__name__ == "TableBox" and \
                    box.position_x + box.margin_width() > right + 0.5:
                problems.append(f"side {number}: tabellen er bredere enn tekstsøylen")
            if tag == "tr" and body and type(box).__name__ == "TableRowBox":
                rows[id(table)] = rows.get(id(table), 0) + 1
            if tag == "caption":
                captions.append(id(table))
            if tag in {"h1", "h2", "h3", "h4", "p", "table", "tr", "figure", "li", "ul", "ol",
                       "caption"} and box.element is not last:  # an element's line boxes: once
                blocks.append((tag, cls))
                last = box.element
        for key, count in rows.items():
            pieces.setdefault(key, []).append((number, count))
        problems += [f"side {number}: tabelltittel uten rader" for c in captions if c not in rows]
        ends = blocks[-1] if blocks else ("", "")
        if number < len(document.pages) and (
                ends[0] in {"h1", "h2", "h3", "h4", "caption"} or "tbu-lead" in ends[1]):
            problems.append(f"side {number} slutter med {ends}")
        if number < len(document.pages) and ends[0] == "p" and len(blocks) > 1 \
                and blocks[-2][0] in {"h2", "h3"}:  # a chapter's heading and lead alone
            problems.append(f"side {number} slutter med {blocks[-2:]}")
    return pieces, problems


def _round_editions(rendered_round) -> list[Path]:
    return [pdf.with_suffix(".html") for pdf in rendered_round.pdfs]


def test_no_heading_or_caption_ends_a_page_and_tables_keep_two_rows_each_side(rendered_round):
    """Every report of the round: a heading, a table's caption ("Mill. kroner") or a line
    leading into a table never ends a page; a table that breaks keeps at least two body
    rows on each side of every break (never its Sum alone), and repeats its header."""
    pages = 0
    for html in _round_editions(rendered_round):
        document = _laid_out(html)
        pages += len(document.pages)
        pieces, problems = _table_pieces(document)
        assert problems == [], (html.name, problems)
        for parts in pieces.values():
            if len(parts) > 1:
                assert all(count >= 2 for _, count in parts), (html.name, parts)
    assert pages > 40
    css = (ROOT / "src/tbu_analysis/reports/templates/tbu_pdf/static/tbu.css").read_text()
    assert re.search(r"thead \{\s*display: table-header-group;", css)  # repeated on breaks


def test_provenance_rows_take_one_line_and_name_the_round_and_index_in_words(rendered_round):
    html = rendered_round.paths.reports / f"tbu-{ROUND}.html"
    document = _laid_out(html)
    heights, pages = [], set()
    for number, page in enumerate(document.pages, start=1):
        for tag, _cls, box, _parent in _flow(page._page_box):
            if tag == "table" and type(box).__name__ == "TableBox" and \
                    box.element.findtext(".//th") == "Opplysning":
                pages.add(number)
                heights += [row.height for group in box.children for row in group.children
                            if group.element_tag == "tbody"]
    assert heights and max(heights) < 1.5 * min(heights)  # no row wraps to a second line
    assert len(pages) <= 2
    text = re.sub(r"[ \n]+", " ", " ".join(_pages(rendered_round.paths.reports
                                                   / f"tbu-{ROUND}.pdf")))  # NBSP kept
    assert f"Beregningsrunde høsten 2024 ({ROUND})" in text
    assert f"Indeksjustering 4,121{NB}% (2023→2024)" in text
    assert "round_id" not in text and "index_rates" not in text


def test_prose_numbers_use_the_tables_no_break_thousands_separator(rendered_round):
    reports = rendered_round.paths.reports
    text = "\n".join(_pages(reports / f"tbu-{ROUND}.pdf"))
    # findings.yaml writes "fra 1 038 til 1 089" with ordinary spaces; the reader sees NBSP.
    assert f"fra 1{NB}038 til 1{NB}089" in text and "1 038 til" not in text
    for html in _round_editions(rendered_round):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("main p, main li, main figcaption, main caption"):
            found = re.search(r"(?<![\d,.])\d{1,3}[ \u202f]\d{3}(?!\d)", element.get_text())
            assert not found or re.match(r"\d{4} ", found.group(0)), (
                html.name, element.get_text()[:120])


def _text_width(text: str, size: float, bold: bool = False) -> float:
    from fontTools.ttLib import TTFont

    from tbu_analysis.presentation.fonts import font_files

    name = "Inter-Bold" if bold else "Inter-Regular"
    font = TTFont(str(next(p for p in font_files() if p.stem == name)))
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    units = font["head"].unitsPerEm
    return sum(metrics[cmap.get(ord(c), cmap[ord(" ")])][0] for c in text) / units * size


def test_chart_labels_lie_inside_the_chart_and_tick_labels_keep_their_thousands(
        rendered_round):
    """Every label of every chart, measured with the shipped font's own advance widths,
    starts inside the chart (the first letter of the longest category is not cut off), and
    an axis number with thousands uses a no-break space as tables do."""
    checked = 0
    for html in _round_editions(rendered_round):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for svg in soup.select("figure.tbu-chart svg"):
            width = float(svg["viewbox"].split()[2])
            for text in svg.find_all("text"):
                style = text.get("style", "")
                size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
                anchor = (re.search(r"text-anchor: (\w+)", style) or [0, "start"])[1]
                label = text.get_text()
                advance = _text_width(label, size, "bold" in style)
                # A wrapped label is placed by a transform, each line from its left end.
                x = float(text["x"]) if text.get("x") else float(
                    re.search(r"translate\(([\d.]+)", text["transform"]).group(1))
                left = {"start": x, "middle": x - advance / 2, "end": x - advance}[anchor]
                if re.search(r"rotate\(-?90", text.get("transform", "")):  # the axis title
                    left, advance = x - size, size
                # charts.EDGE_ROOM_PT (6 pt) of room at the edges, less a rounding hair.
                assert left >= 5.5 and left + advance <= width - 1, (html.name, label, left)
                assert not re.search(r"\d[ \u202f]\d{3}\b", label), label
                checked += 1
            ticks = [t.get_text() for t in svg.find_all("text")
                     if re.fullmatch(r"[\u2212\d\u00a0,]+", t.get_text())]
            assert ticks, html.name
    assert checked > 100
    main = (rendered_round.paths.reports / f"tbu-{ROUND}.html").read_text(encoding="utf-8")
    assert f">1{NB}025</text>" in main  # Figur 2's axis from 1 010 to 1 150


def test_titles_from_the_source_take_an_en_dash(rendered_round):
    for html in _round_editions(rendered_round):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for title in soup.select("h1, h2, h3, h4, caption, figcaption"):
            text = title.get_text(" ", strip=True)
            assert not re.search(r"\w- [A-ZÆØÅ]| - ", text), (html.name, text)
    helsenorge = (rendered_round.paths.reports / "helsenorge.html").read_text(encoding="utf-8")
    assert "Helsenorge \u2013 Vekst og reduksjon" in helsenorge


def _decimals_of(cell: str) -> int | None:
    number = cell.replace(NB, "").replace("\u2212", "").replace("+", "").split("%")[0]
    number = number.replace("\u2020", "").strip()
    if not re.fullmatch(r"\d+(?:,\d+)?", number):
        return None
    return len(number.split(",")[1]) if "," in number else 0


def test_every_table_column_shows_one_precision(rendered_round):
    """One number of decimals per column in every table the report computes: amounts apart,
    percentages apart. Source tables reproduced as printed and lists of checks show each
    figure with its own precision (class ``tbu-printed``); there must be some of those."""
    printed = 0
    for html in _round_editions(rendered_round):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for table in soup.find_all("table"):
            if "tbu-printed" in table.get("class", []):
                printed += 1
                continue  # a source table as printed, or a list of checks: figure by figure
            columns: dict[tuple[int, bool], set[int]] = {}
            for row in table.select("tbody tr"):
                cells = row.find_all(["td", "th"], recursive=False)
                label = cells[0].get_text(" ", strip=True) if cells else ""
                if label.startswith(("Vekst i %", "I % av")):
                    continue
                for index, cell in enumerate(cells[1:], start=1):
                    text = cell.get_text(strip=True)
                    places = _decimals_of(text)
                    if places is not None:
                        columns.setdefault((index, "%" in text), set()).add(places)
            mixed = {k: v for k, v in columns.items() if len(v) > 1}
            caption = table.find_previous(["h2", "h3"])
            assert not mixed, (html.name, caption.get_text() if caption else "", mixed)
    assert printed >= 12  # each report's source tables and its list of checks


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.mark.parametrize("report", ["main", "solution", "scenario"])
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
    # Each footnote text once under its table: cells that share it are named together.
    for table in soup.find_all("table"):
        notes = []
        for sibling in table.find_next_siblings():
            if sibling.name in {"table", "figure", "h1", "h2", "h3", "h4"}:
                break
            text = sibling.get_text(" ", strip=True)
            if sibling.name == "p" and text.startswith("†"):
                notes.append(text.split(":", 1)[1].strip())
        assert len(notes) == len(set(notes)), notes
    if report == "solution":  # Kjernejournal's Tabell 6: three cells, one note
        assert any(d.count(";") >= 2 and "Testuniverset" in d for d in daggers), daggers
    text = " ".join(soup.get_text(" ").split())
    assert not re.search(r"(?<![\w*])\*{1,2}[A-ZÆØÅ]", text)  # no bare source star left
    if report == "main":
        assert ("Kildens fotnote til kolonnen «Forskrift 2025» (her: finansieringsbehov 2025): "
                "«Tilbakeføring av midler er innarbeidet under hver løsning.»") in text


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
    assert "8 Spørsmål til NHN" in titles and titles[-1] == \
        "Vedlegg C Teknisk vedlegg: proveniens"
    numbers = [int(page) for _, page in entries]
    # the key messages and the contents share page 2; the summary starts on page 3
    assert "Hovedbudskap" in pages[1]
    assert numbers == sorted(numbers) and numbers[0] == 3 and numbers[-1] <= len(pages)
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
