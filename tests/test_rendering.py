"""Notebook → PDF: readers get text, tables and figures; never code, warnings or tracebacks."""

from __future__ import annotations

import io
import logging
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from tbu_analysis.common.errors import InputError
from tbu_analysis.presentation.charts import figure_to_svg, waterfall
from tbu_analysis.presentation.tables import format_table
from tbu_analysis.reports.render import (
    NormalizeIdsPreprocessor,
    StripNoisePreprocessor,
    TbuPdfExporter,
    created_timestamp,
    css_string,
    render_editions,
    render_html,
    render_pdf,
    report_metadata,
)

NB = "\u00a0"
CREATED = "2025-04-01T08:00:00Z"


def build_notebook():
    import pandas as pd

    nb = new_notebook()
    nb.metadata["tbu"] = {
        "title": "Kostnadsgrunnlag e-helse",
        "round": "Beregningsrunde april 2025",
    }
    nb.metadata["language_info"] = {"name": "python"}
    params = new_code_cell(
        "round_id = 'HEMMELIG-PARAMETER'", metadata={"tags": ["injected-parameters"]}
    )
    markdown = new_markdown_cell(
        "# Kostnader for nasjonale e-helseløsninger\n\n"
        "Økningen skyldes særlig prisjustering og nye tjenester på Helsenorge."
    )
    table = pd.DataFrame({"Løsning": ["Kjernejournal", "e-resept"], "MNOK": [1038.5, -11.5]})
    table_cell = new_code_cell(
        "vis_tabell_kildekode(df)",
        execution_count=2,
        outputs=[
            new_output(
                "execute_result",
                data={"text/html": format_table(table).to_html(), "text/plain": "DataFrame"},
                execution_count=2,
            ),
            new_output(
                "stream", name="stderr", text="script.py:3: FutureWarning: Warning, gammel kode\n"
            ),
        ],
    )
    error_cell = new_code_cell(
        "raise ValueError('krasj')",
        outputs=[
            new_output(
                "error",
                ename="ValueError",
                evalue="krasj",
                traceback=["Traceback (most recent call last):", "ValueError: krasj"],
            )
        ],
    )
    widget_cell = new_code_cell(
        "slider",
        outputs=[
            new_output(
                "display_data",
                data={
                    "application/vnd.jupyter.widget-view+json": {
                        "model_id": "abc", "version_major": 2, "version_minor": 0
                    },
                    "text/plain": "IntSlider(value=3)",
                },
            )
        ],
    )
    nb.cells = [params, markdown, table_cell, error_cell, widget_cell]
    return nb


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


#: The tests of ``rendered`` run on one xdist worker, which renders the PDF once.
RENDERED = pytest.mark.xdist_group("rendered_pdf")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    path = folder / "rapport.ipynb"
    nbformat.write(build_notebook(), path)
    pdf = render_pdf(path, folder / "ut" / "rapport.pdf", created=CREATED)
    return path, pdf


@RENDERED
def test_pdf_shows_the_report_and_nothing_else(rendered):
    _, pdf_path = rendered
    text = _text(pdf_path.read_bytes())
    assert "Kostnader for nasjonale e-helseløsninger" in text
    assert "Økningen skyldes særlig prisjustering" in text
    assert f"1{NB}038,5" in text and "Kjernejournal" in text
    assert "Side 1 av 1" in text
    # The running header carries the report's own heading, not the series title.
    assert text.count("Kostnader for nasjonale e-helseløsninger") == 2
    assert "Beregningsrunde april 2025" in text
    for hidden in (
        "Traceback", "Warning", "krasj", "HEMMELIG", "round_id", "vis_tabell_kildekode",
        "raise", "IntSlider", "In [", "Out[",
    ):
        assert hidden not in text, hidden


@RENDERED
def test_pdf_metadata(rendered):
    _, pdf_path = rendered
    reader = PdfReader(pdf_path)
    # The report's own first heading, not the series title given in the metadata.
    assert reader.metadata.title == "Kostnader for nasjonale e-helseløsninger"
    assert reader.metadata["/CreationDate"] == "D:20250401080000Z"
    assert reader.metadata["/ModDate"] == "D:20250401080000Z"
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210, 297
    )


@RENDERED
def test_render_writes_atomically(rendered):
    _, pdf_path = rendered
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in pdf_path.parent.iterdir()] == ["rapport.pdf"]


@RENDERED
def test_same_notebook_gives_identical_bytes_even_at_another_time(rendered, tmp_path, monkeypatch):
    path, pdf_path = rendered
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400 * 400)  # fonts get a stamp
    again = render_pdf(path, tmp_path / "igjen.pdf", created=CREATED)
    assert again.read_bytes() == pdf_path.read_bytes()


@RENDERED
def test_node_and_path_render_the_same(rendered, tmp_path):
    path, pdf_path = rendered
    nb = nbformat.read(path, as_version=4)
    nb.metadata["tbu"]["title"] = "Kostnadsgrunnlag e-helse"
    out = render_pdf(nb, tmp_path / "node.pdf", created=CREATED)
    assert _text(out.read_bytes()) == _text(pdf_path.read_bytes())


def test_default_creation_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1743465600")
    assert created_timestamp() == "2025-04-01T00:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert created_timestamp() == "1980-01-01T00:00:00Z"
    assert created_timestamp("2025-04-01T10:00:00+02:00") == "2025-04-01T08:00:00Z"
    with pytest.raises(InputError):
        created_timestamp("i går")


def test_html_is_stable_and_norwegian(tmp_path):
    nb = build_notebook()
    html = render_html(nb, tmp_path / "debug.html", created=CREATED)
    assert (tmp_path / "debug.html").read_text(encoding="utf-8") == html
    assert '<html lang="nb">' in html
    assert '<meta content="2025-04-01T08:00:00Z" name="dcterms.created"/>' in html
    assert 'content: "Kostnader for nasjonale e-helseløsninger"' in html
    assert "cell-id=" not in html  # cells are flattened: headings and content are siblings
    assert "¶" not in html and "<script" not in html
    # A fresh copy with fresh random cell ids gives the same HTML.
    assert render_html(build_notebook(), created=CREATED) == html


def test_exporter_contract():
    exporter = TbuPdfExporter()
    assert exporter.output_mimetype == "application/pdf"
    assert exporter.file_extension == ".pdf"
    assert TbuPdfExporter.export_from_notebook == "TBU PDF"
    assert exporter.exclude_input and exporter.exclude_input_prompt
    assert exporter.exclude_output_prompt


def test_exporter_from_notebook_node_returns_pdf_bytes():
    exporter = TbuPdfExporter(created=CREATED)
    pdf, resources = exporter.from_notebook_node(build_notebook())
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert resources["output_extension"] == ".pdf"


def test_entry_point_if_installed():
    from importlib.metadata import entry_points

    names = {ep.name: ep for ep in entry_points(group="nbconvert.exporters")}
    if "tbupdf" not in names:
        pytest.skip("package not installed with its entry points")
    from nbconvert.exporters import get_exporter

    assert get_exporter("tbupdf") is TbuPdfExporter


def test_figures_and_wide_tables(tmp_path, caplog):
    import pandas as pd

    nb = build_notebook()
    fig = waterfall([("Start", 100, "level"), ("Opp", 5, "change"), ("Slutt", 105, "level")])
    wide = pd.DataFrame({f"Kolonne {i}": [1000.0 * i, -5.5] for i in range(14)})
    nb.cells.append(
        new_code_cell(
            "figur",
            outputs=[
                new_output("display_data", data={"image/svg+xml": figure_to_svg(fig)}),
                new_output("execute_result", data={"text/html": format_table(wide).to_html()}),
            ],
        )
    )
    with caplog.at_level(logging.WARNING):
        html = render_html(nb, created=CREATED)
        pdf = render_pdf(nb, tmp_path / "figur.pdf", created=CREATED)
    # A bare SVG output without words of its own still gets a name, and a number.
    assert 'alt="Figur"' in html and "Figur 1." in html
    assert "tbu-xwide" in html
    assert 'col1 num"' in html
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    text = _text(pdf.read_bytes())
    assert "+5,0" in text  # chart text stays text in the PDF


def test_missing_notebook():
    with pytest.raises(InputError, match="finnes ikke"):
        render_pdf("finnes/ikke.ipynb", "ut.pdf")


def test_strip_noise_preprocessor():
    nb = build_notebook()
    nb.cells.append(
        new_code_cell(
            "js",
            outputs=[
                new_output("display_data", data={"application/javascript": "alert(1)"}),
                new_output("stream", name="stdout", text="Utskrift\n"),
            ],
        )
    )
    nb.metadata["widgets"] = {"state": {}}
    nb, _ = StripNoisePreprocessor().preprocess(nb, {})
    kinds = [(o.output_type, o.get("name")) for c in nb.cells for o in c.get("outputs", [])]
    assert kinds == [("execute_result", None), ("stream", "stdout")]
    assert "widgets" not in nb.metadata


def test_normalize_ids_preprocessor():
    svg = (
        '<svg><metadata><dc:date>2025-01-01</dc:date></metadata>'
        '<defs><clipPath id="p1a2b3c4d5e"><rect/></clipPath></defs>'
        '<g clip-path="url(#p1a2b3c4d5e)"><use xlink:href="#m99ffee" /></g>'
        '<path id="m99ffee" fill="#0072b2"/></svg>'
    )
    styler = '<style>#T_ab12c td {x}</style><table id="T_ab12c"><td id="T_ab12c_row0_col0">'
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                outputs=[
                    new_output("display_data", data={"image/svg+xml": svg}),
                    new_output("display_data", data={"text/html": styler}),
                ],
            )
        ]
    )
    nb, _ = NormalizeIdsPreprocessor().preprocess(nb, {})
    cell = nb.cells[0]
    assert cell.id == "c0"
    out_svg = cell.outputs[0].data["image/svg+xml"]
    assert "metadata" not in out_svg
    assert 'id="c0o0-0"' in out_svg and "url(#c0o0-0)" in out_svg
    assert 'xlink:href="#c0o0-1"' in out_svg and 'id="c0o0-1"' in out_svg
    assert 'fill="#0072b2"' in out_svg
    out_html = cell.outputs[1].data["text/html"]
    assert "ab12c" not in out_html
    assert 'id="T_s00000"' in out_html and 'id="T_s00000_row0_col0"' in out_html


def test_css_string_escapes():
    assert css_string('Runde "vår" \\ 2025') == '"Runde \\"vår\\" \\\\ 2025"'
    assert css_string("a</style>b") == '"a\\3C /style>b"'
    assert css_string(None) == '""'


def test_report_metadata_defaults_and_errors():
    nb = new_notebook()
    assert report_metadata(nb, "rapport")["title"] == "rapport"
    assert report_metadata(nb)["language"] == "nb"
    nb.metadata["tbu"] = {"title": ["ikke", "tekst"]}
    with pytest.raises(InputError, match="tbu.title"):
        report_metadata(nb)


def _notebook_with(*cells):
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = list(cells)
    return nb


def _html_output(html: str):
    return new_code_cell("vis()", outputs=[new_output("display_data", data={"text/html": html})])


def test_tables_get_header_scope_and_totals_set_off():
    """format_table writes the semantics itself (issue 18 point 4: no repair after the run):
    the rendered page shows them as the Styler wrote them."""
    import pandas as pd
    from bs4 import BeautifulSoup

    table = pd.DataFrame({
        "Post": ["Helsenorge", "Summer og delsummer", "Delsum drift", "I alt", "Sum"],
        "Beregnet": [1.0, 2.0, 3.0, 4.0, 10.0],
        "Fil": ["tables/tabell-01.tsv", "a", "b", "0" * 64, "c"],
    })
    styled = format_table(table).to_html()
    nb = _notebook_with(new_markdown_cell("# Tabell"), _html_output(styled))
    for html in (styled, render_html(nb, created=CREATED)):
        soup = BeautifulSoup(html, "html.parser")
        rows = {row.td.get_text(): row.get("class", []) for row in soup.select("tbody tr")}
        assert rows["Helsenorge"] == [] and rows["Summer og delsummer"] == []
        assert rows["Delsum drift"] == ["tbu-subtotal"]
        assert rows["I alt"] == ["tbu-sum"]
        assert rows["Sum"] == ["tbu-sum", "tbu-last"]
        assert {th["scope"] for th in soup.select("thead th")} == {"col"}
        assert all(th.get_text(strip=True) for th in soup.select("th"))  # no empty header
        assert "tbu-path" in soup.find("td", string="tables/tabell-01.tsv")["class"]
        assert "tbu-hash" in soup.find("td", string="0" * 64)["class"]
        first, number = soup.select("tbody tr")[0].find_all("td")[:2]
        assert {"text", "tbu-nowrap"} <= set(first["class"]) and "num" in number["class"]
    wide = pd.DataFrame({f"K{i}": [1.0] for i in range(10)})
    assert 'class="tbu-table tbu-xwide tbu-short"' in format_table(wide).to_html()
    assert 'class="tbu-table tbu-wide tbu-short"' in format_table(wide.iloc[:, :9]).to_html()
    long = pd.DataFrame({"Post": [f"Rad {i}" for i in range(15)], "Sum": range(15)})
    assert 'class="tbu-table"' in format_table(long).to_html()  # may break over pages
    # Headers break between words or at a compound's joint (a soft hyphen), never inside a
    # syllable; a span of years is set on one line.
    spans = pd.DataFrame({"Fra–til": ["2023–2024"], "Endret finansieringskilde": [1.0]})
    html = format_table(spans).to_html()
    assert "finansierings\u00adkilde" in html and "tbu-nowrap" in html


def test_prose_gets_norwegian_minus_and_no_break_spaces_but_code_does_not():
    nb = _notebook_with(new_markdown_cell(
        "# Tall\n\nVeksten var (-1 %) og 4,121% med 3 mill. kroner; 2023-tallene og "
        "2024–2026 står; `x = -1` er kode."))
    html = render_html(nb, created=CREATED)
    assert f"(\u22121{NB}%)" in html and f"4,121{NB}%" in html
    assert f"3{NB}mill. kroner" in html
    assert "2023-tallene" in html and "2024–2026" in html
    assert "<code>x = -1</code>" in html


def test_charts_are_numbered_with_caption_and_source(tmp_path):
    from bs4 import BeautifulSoup

    from tbu_analysis.presentation.charts import figure_html

    steps = [("Start", 100, "level"), ("Opp", 5, "change"), ("Slutt", 105, "level")]
    nb = _notebook_with(
        new_markdown_cell("# Figurer\n\n*Kilde: NHN Tallgrunnlag, Tabell 4.*"),
        _html_output(figure_html(waterfall(steps, title="Fra 2024 til 2025"))),
        _html_output(figure_html(waterfall(steps, title="Egen kilde"), source="Notatet, Tabell 1")),
    )
    pdf, page = render_editions(nb, tmp_path / "figurer.pdf", created=CREATED)
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    captions = [f.figcaption.get_text(" ", strip=True) for f in soup.select("figure")]
    assert captions == [
        "Figur 1. Fra 2024 til 2025. Kilde: NHN Tallgrunnlag, Tabell 4.",
        "Figur 2. Egen kilde. Kilde: Notatet, Tabell 1.",
    ]
    # Each chart's SVG ids are its own, so two charts never share an anchor.
    ids = [tag["id"] for tag in soup.select("svg [id]")]
    assert len(ids) == len(set(ids))
    # The HTML edition is self-contained: the shipped font inside it, no file URL.
    text = page.read_text(encoding="utf-8")
    assert "data:font/otf;base64," in text and "file:" not in text
    # A rerun writes the same bytes, in both editions.
    again_pdf, again_page = render_editions(nb, tmp_path / "igjen" / "figurer.pdf",
                                            created=CREATED)
    assert again_page.read_bytes() == page.read_bytes()
    assert again_pdf.read_bytes() == pdf.read_bytes()
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "nb"
    assert _figure_alts(reader) == [
        f"Fossefallsdiagram: {title}. Starter med Start: 100,0 mill. kroner. Deretter Opp +5,0. "
        "Ender med Slutt: 105,0 mill. kroner. Verdiaksen er brutt og starter på 98."
        for title in ("Fra 2024 til 2025", "Egen kilde")
    ]


def _figure_alts(reader: PdfReader) -> list[str]:
    found = []

    def walk(node) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and "/S" in kid:
                if kid["/S"] == "/Figure":
                    found.append(str(kid.get("/Alt", "")))
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    return found


def _table_html(header: str) -> str:
    return (f"<table><thead><tr><th>Post</th><th>{header}</th></tr></thead>"
            "<tbody><tr><td>Sum</td><td>1</td></tr></tbody></table>")


@pytest.mark.parametrize(("header", "note", "missing"), [
    ("Forskrift 2025**", "**Tall er ikke indeksregulert.", []),
    ("Forskrift 2025**", "*Tall er ikke indeksregulert.", ["*"]),  # "**" does not show "*"
    ("Forskrift 2025*", "**Tall er ikke indeksregulert.", ["**"]),
    ("Forskrift 2025 †", "† Helsenettet, Forskrift 2024: summerer ikke.", []),
    ("Forskrift 2025", "† Helsenettet, Forskrift 2024: summerer ikke.", ["†"]),
    ("Forskrift 2025", "Kilde: NHN Tallgrunnlag høst 2024, Tabell 3.", []),
])
def test_a_footnote_mark_under_a_table_must_be_in_that_table(header, note, missing):
    from bs4 import BeautifulSoup

    from tbu_analysis.reports.render import footnote_marks_missing

    html = (f"<main>{_table_html(header)}<p><em>{note}</em></p>"
            "<h2>Neste</h2><p>*Ikke en note til tabellen over overskriften.</p></main>")
    assert [m for m, _ in footnote_marks_missing(BeautifulSoup(html, "html.parser"))] == missing
    nb = _notebook_with(new_markdown_cell("# Noter"), _html_output(_table_html(header)),
                        new_markdown_cell(note.replace("*", "\\*")))
    if missing:
        with pytest.raises(InputError) as error:
            render_html(nb, created=CREATED)
        assert f"fotnotemerket {missing[0]} står ikke i tabellen" in str(error.value)
        assert note.lstrip("*† ")[:20] in str(error.value)
    else:
        render_html(nb, created=CREATED)


def test_printed_contents_link_to_their_headings_and_a_dead_entry_is_refused():
    from bs4 import BeautifulSoup

    contents = ('<ul class="toc">\n<li><a href="#Sammendrag">Sammendrag</a></li>\n'
                '<li><a href="#x">1 Vekst per løsning</a></li>\n</ul>')
    nb = _notebook_with(new_markdown_cell("# Rapport"), new_markdown_cell(contents),
                        new_markdown_cell("## Sammendrag\n\nTekst."),
                        new_markdown_cell("## 1 Vekst per løsning\n\nTekst."))
    soup = BeautifulSoup(render_html(nb, created=CREATED), "html.parser")
    for link in soup.select("ul.toc a"):
        target = soup.find(id=link["href"][1:])
        assert target is not None and target.name == "h2"
        assert target.get_text(strip=True) == link.get_text(strip=True)
    dead = _notebook_with(new_markdown_cell("# Rapport"), new_markdown_cell(contents),
                          new_markdown_cell("## Sammendrag\n\nTekst."))
    with pytest.raises(InputError, match="1 Vekst per løsning"):
        render_html(dead, created=CREATED)


def test_html_edition_on_a_phone_skip_link_scrolling_boxes_and_one_contents():
    """Issue 19 point 8: «Hopp til innholdet» first, each table and chart in a named,
    focusable box that scrolls sideways, the narrow-screen rules, and the report's own
    contents as the only table of contents."""
    import pandas as pd
    from bs4 import BeautifulSoup

    from tbu_analysis.reports.render import html_edition

    nb = build_notebook()
    wide = pd.DataFrame({f"Kolonne {i}": [1000.0 * i, -5.5] for i in range(14)})
    nb.cells.append(new_code_cell("tabell", outputs=[
        new_output("execute_result", data={"text/html": wide.to_html()})]))
    page = BeautifulSoup(html_edition(render_html(nb, created=CREATED)), "html.parser")
    first = page.body.find(True)
    assert first.name == "a" and first.get_text() == "Hopp til innholdet"
    assert page.find(id=first["href"][1:]).name == "main"
    boxes = page.select("div.tbu-scroll")
    assert boxes and all(b["tabindex"] == "0" and b["role"] == "region" and b["aria-label"]
                         and b.find(["table", "figure"]) for b in boxes)
    assert any("max-width: 40rem" in s.string for s in page.head.find_all("style"))
    assert len(page.select("nav.tbu-contents")) + len(page.select("ul.toc")) <= 1


_RENDER_IN_A_WORKER = """
import sys
from concurrent.futures import ProcessPoolExecutor
from nbformat.v4 import new_markdown_cell, new_notebook
from tbu_analysis.reports.render import render_pdf

def job(path):
    render_pdf(new_notebook(cells=[new_markdown_cell("# Tittel\\n\\nTekst")]), path)
    return path

if __name__ == "__main__":
    with ProcessPoolExecutor(1) as pool:  # as a round's PDF workers render
        pool.submit(job, sys.argv[1]).result()
    render_pdf(new_notebook(cells=[new_markdown_cell("# Tittel")]), sys.argv[2])  # and here
"""


@pytest.mark.pdf
def test_a_finished_process_leaves_no_font_folder(tmp_path):
    """WeasyPrint keeps the fonts of a font configuration in a temporary folder; a PDF
    worker, or any process that rendered, removes it when it ends, without a traceback
    (before, every round left two folders of about 1 MB in /tmp)."""
    import os
    import subprocess
    import sys

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = tmp_path / "render_and_exit.py"
    script.write_text(_RENDER_IN_A_WORKER, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "a.pdf"),
                           str(tmp_path / "b.pdf")], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(scratch)}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.pdf").stat().st_size > 0 and (tmp_path / "b.pdf").stat().st_size > 0
    assert sorted(p.name for p in scratch.iterdir()) == []
    assert "Exception ignored" not in done.stderr


#: ``HTMLExporter.from_notebook_node`` of the pinned nbconvert (7.17.2), which
#: ``TbuPdfExporter._html_exporter_soup`` copies: an upgrade that changes it fails below, so
#: the copy is read again (and this digest updated) rather than drifting from it unseen.
NBCONVERT_HTML_STEP = "3dccafff45cc4e749766089c7de2f5385ac071e03f4f5a15bfb3b025f54893b9"
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
       "rkJggg==")


def test_the_copy_of_nbconverts_html_step_gives_what_nbconvert_gives(monkeypatch):
    """``_html_exporter_soup`` keeps nbconvert's tree instead of parsing the text it writes
    again; the report's HTML must be the same as through nbconvert's own method (an image
    without alt text and the focusable outputs included), and that method the one copied."""
    import hashlib
    import inspect

    from bs4 import BeautifulSoup
    from nbconvert.exporters.html import HTMLExporter

    source = inspect.getsource(HTMLExporter.from_notebook_node)
    assert hashlib.sha256(source.encode()).hexdigest() == NBCONVERT_HTML_STEP, \
        "nbconvert's HTMLExporter.from_notebook_node changed: compare render._html_exporter_soup"
    nb = build_notebook()
    nb.cells.append(new_code_cell("figur", outputs=[new_output(
        "display_data", data={"image/png": PNG, "text/plain": "<Figure>"}), new_output(
        "display_data", data={"text/html": f'<img src="data:image/png;base64,{PNG}">',
                              "text/plain": "<IPython.core.display.HTML object>"})]))
    ours, _ = TbuPdfExporter(created=CREATED).to_html(nb)

    def nbconverts(self, nb, resources, **kw):
        html, resources = HTMLExporter.from_notebook_node(self, nb, resources, **kw)
        return BeautifulSoup(html, features="html.parser"), resources

    monkeypatch.setattr(TbuPdfExporter, "_html_exporter_soup", nbconverts)
    theirs, _ = TbuPdfExporter(created=CREATED).to_html(nb)
    # an image without alt text gets nbconvert's; the template marks no cell «jp-Notebook»,
    # so nbconvert's focusable-cell pass finds nothing either way
    assert "No description has been provided for this image" in theirs
    assert "jp-Notebook" not in theirs
    assert ours == theirs
