"""Executed notebook → the reader's editions: a tagged PDF and a self-contained HTML file.

nbconvert HTML with our template, then laid out by WeasyPrint as a tagged PDF/UA-1
(structure tree, language, title, bookmarks, ``/Alt`` on every figure) and written as an HTML
edition with the shipped fonts embedded.

The HTML comes out of its producers as the editions need it: tables from ``format_table``
(``presentation/templates/table.html.j2``: header scopes, total and last rows, cell classes,
caption), cells and outputs without nbconvert's wrappers (``tbu_pdf/index.html.j2``), charts as
``<figure>`` with alt text and caption (``presentation/charts``), the cover, contents and notes
from the prose templates (the lead into a table and the source note under it with their
classes). What is still done to the HTML after the run, and why it is not done by a producer:

- ``_list_starts``: WeasyPrint does not honour ``<ol start>``; the start becomes a counter.
- ``_number_figures``: «Figur N.» and a chart's source. A number counts the figures of the
  whole document, which no chart knows when it is drawn (each is drawn by its own cell, and a
  kernel may draw several reports' charts); the source is the table note before it.
- ``_typeset``: Norwegian typography (U+2212 minus, no-break spaces before «%», a unit and in
  thousands, en dash in titles) over every text node. The text comes from many producers that
  write ASCII on purpose: the source's own quotes, the YAML registers, the data's labels and
  markdown cells; one pass over the finished text is the one place the rule lives.
- ``_contents``: ids on the chapters (nbconvert gives heading ids only with a visible «¶»
  link) and the printed contents' links to them; the screen edition's ``nav`` for a report
  that prints no contents.
- ``_check_footnote_marks``: not a repair but a check that refuses a table footnote whose mark
  the table does not show.
- ``html_edition``: the screen edition only (fonts embedded as data, scrolling boxes for
  tables and charts, the narrow-screen CSS WeasyPrint must not read).

No LaTeX and no browser. Readers see markdown and outputs only: code, prompts, the parameter
cells, stderr (warnings, papermill's kernel noise), errors with tracebacks and widgets never
reach either edition. The same notebook gives the same bytes.

Notebook-metadata contract (``nb.metadata["tbu"]``, all keys optional)::

    {"title": "TBU e-helse: kostnadsgrunnlag",   # <title>, PDF title, running header (left)
     "round": "Beregningsrunde april 2025",       # running header (right)
     "date": "1. april 2025",                     # footer (left), shown as written
     "author": "Norsk helsenett",                 # PDF author
     "language": "nb"}                            # <html lang>, hyphenation; default "nb"

The report's own first heading (``# …``) is its title when it has one; without it the
metadata title, then ``nb.metadata["title"]`` or the notebook's file name is used. The PDF's
creation date is not in this contract: it comes from ``created`` (see
:func:`created_timestamp`) so reruns stay identical.
"""

from __future__ import annotations

import base64
import html as html_lib
import logging
import multiprocessing.util
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import nbformat
from bs4 import BeautifulSoup, NavigableString
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode, default
from traitlets.config import Config

from tbu_analysis.common import provenance
from tbu_analysis.common.atomic import atomic_path
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import group_thousands, title_text
from tbu_analysis.common.provenance import FIXED_EPOCH
from tbu_analysis.presentation.fonts import FONT_FAMILY, font_files

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "tbu_pdf"
#: WeasyPrint's PDF/UA-1 variant: a tagged PDF with language, title and structure tree.
PDF_VARIANT = "pdf/ua-1"

#: Cells with these tags are dropped; papermill tags its parameter cell ``injected-parameters``.
REMOVE_CELL_TAGS = frozenset(
    {"injected-parameters", "parameters", "papermill-error-cell-tag", "remove-cell", "remove_cell"}
)
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
#: What a printed page can show, best first. Widgets, scripts and LaTeX are left out.
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_STYLER_TABLE_ID = re.compile(r'id="T_([0-9a-f]{5})"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


class StripNoisePreprocessor(Preprocessor):
    """Drop outputs a reader must not see: stderr, errors, widgets and scripts."""

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            kept = []
            for output in cell.get("outputs", []):
                kind = output.get("output_type")
                if kind == "error" or (kind == "stream" and output.get("name") != "stdout"):
                    continue
                if kind in {"display_data", "execute_result"}:
                    data = output.get("data", {})
                    if WIDGET_VIEW in data:
                        continue
                    for mimetype in [m for m in data if m not in DISPLAY_PRIORITY]:
                        del data[mimetype]
                    if not data:
                        continue
                    for mimetype in ("image/png", "image/jpeg"):
                        if mimetype in data and not _has_alt(output, cell, mimetype):
                            output.setdefault("metadata", {}).setdefault(mimetype, {})
                            output["metadata"][mimetype]["alt"] = "Figur"
                kept.append(output)
            cell.outputs = kept
        return nb, resources


def _has_alt(output: Any, cell: Any, mimetype: str) -> bool:
    meta = output.get("metadata", {})
    return bool(meta.get(mimetype, {}).get("alt") or meta.get("alt") or cell.metadata.get("alt"))


class NormalizeIdsPreprocessor(Preprocessor):
    """Replace random ids (cell ids, pandas Styler uuids, matplotlib SVG ids) by stable ones."""

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        styler_ids: dict[str, str] = {}
        for index, cell in enumerate(nb.cells):
            if "id" in cell:
                cell.id = f"c{index}"
            for number, output in enumerate(cell.get("outputs", [])):
                data = output.get("data", {})
                if "text/html" in data:
                    text = _normalize_styler_ids(_text(data["text/html"]), styler_ids)
                    if "<svg" in text:  # a chart from reports.charts: its ids, per output
                        text = _normalize_svg(text, f"c{index}o{number}-")
                    data["text/html"] = text
                if "image/svg+xml" in data:
                    data["image/svg+xml"] = _normalize_svg(
                        _text(data["image/svg+xml"]), f"c{index}o{number}-"
                    )
        return nb, resources


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _normalize_styler_ids(html: str, seen: dict[str, str]) -> str:
    for old in _STYLER_TABLE_ID.findall(html):
        seen.setdefault(old, f"{len(seen):05d}")
    for old, new in seen.items():
        html = re.sub(rf"T_{old}(?![0-9a-f])", f"T_s{new}", html)
    return html


def _normalize_svg(svg: str, prefix: str) -> str:
    """Drop ``<metadata>`` (it holds a date) and rename every id in order of appearance."""
    svg = _SVG_METADATA.sub("", svg)
    mapping = {old: f"{prefix}{n}" for n, old in enumerate(dict.fromkeys(_SVG_ID.findall(svg)))}
    if not mapping:
        return svg
    pattern = re.compile(
        r'(\bid="|#)(' + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
        + r')(?=["\')\s])'
    )
    return pattern.sub(lambda m: m.group(1) + mapping[m.group(2)], svg)


def css_string(value: Any) -> str:
    """A CSS string literal for ``content:`` (quotes, backslashes, newlines and ``<`` escaped)."""
    text = str(value or "")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    text = text.replace("\r\n", "\n").replace("\n", "\\A ")
    return f'"{text}"'


def created_datetime(created: datetime | str | int | float | None = None) -> datetime:
    """The PDF's creation time (UTC): ``created`` if given, else ``SOURCE_DATE_EPOCH``, else a
    fixed epoch (1980-01-01) — never the clock, so a rerun gives the same bytes."""
    if created is None or created == "":
        epoch = provenance.source_date_epoch()
        created = epoch if epoch is not None else FIXED_EPOCH
    if isinstance(created, int | float):
        moment = datetime.fromtimestamp(created, tz=UTC)
    elif isinstance(created, datetime):
        moment = created
    else:
        try:
            moment = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError:
            raise InputError("ugyldig tidspunkt (bruk ISO 8601)", text=str(created)) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def created_timestamp(created: datetime | str | int | float | None = None) -> str:
    """:func:`created_datetime` as W3C text for ``dcterms.created`` (``2025-04-01T00:00:00Z``)."""
    return created_datetime(created).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_metadata(nb: Any, name: str = "") -> dict[str, str]:
    """Read the ``nb.metadata["tbu"]`` contract (see module docstring) with its defaults."""
    tbu = nb.metadata.get("tbu", {}) or {}
    if not isinstance(tbu, Mapping):
        raise InputError('notatbokens metadata "tbu" må være et objekt', text=repr(tbu))
    result = {}
    for key in ("title", "round", "date", "author", "language"):
        value = tbu.get(key)
        if value is not None and not isinstance(value, str | int):
            raise InputError(f'metadata "tbu.{key}" må være tekst', text=repr(value))
        result[key] = "" if value is None else str(value)
    result["title"] = (report_heading(nb) or result["title"]
                       or str(nb.metadata.get("title") or "") or name)
    result["language"] = result["language"] or "nb"
    return result


_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def report_heading(nb: Any) -> str:
    """The report's own first-level heading, from a markdown cell or a markdown output."""
    for cell in nb.cells:
        texts = [_text(cell.source)] if cell.cell_type == "markdown" else [
            _text(output.get("data", {}).get("text/markdown", ""))
            for output in cell.get("outputs", [])]
        for text in texts:
            if match := _HEADING.search(text):
                return match.group(1).strip()
    return ""


def font_face_css(embed: bool = False) -> str:
    """``@font-face`` rules for the shipped family: file URLs for the PDF, or the files
    themselves (base64) for the self-contained HTML edition."""
    rules = []
    for path in font_files():
        stem = path.stem.split("-", 1)[-1].lower()
        weight = "bold" if "bold" in stem else "normal"
        style = "italic" if "italic" in stem else "normal"
        url = (f"data:font/otf;base64,{base64.b64encode(path.read_bytes()).decode()}" if embed
               else path.resolve().as_uri())
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


#: Text never retouched by the typography pass.
_VERBATIM = frozenset({"code", "pre", "script", "style", "svg", "title", "kbd", "samp"})
_HYPHEN_MINUS = re.compile(r"(?<![\w.,/\-\u2212])-(?=\d)")
_SPACE_BEFORE_PERCENT = re.compile(r"(\d)[ \u202f]?%")
_SPACE_BEFORE_UNIT = re.compile(r"(\d) (mill\.|kroner\b)")


def _number_figures(soup: BeautifulSoup) -> None:
    """"Figur N." before every chart's caption; a chart without its own source takes the
    source its section names just before it (the table note the chart is drawn from)."""
    for number, figure in enumerate(soup.find_all("figure", class_="tbu-chart"), start=1):
        caption = figure.find("figcaption")
        if caption is None:
            caption = soup.new_tag("figcaption")
            figure.append(caption)
        if caption.find(class_="tbu-source") is None:
            source = _nearest_source(figure)
            if source:
                span = soup.new_tag("span", attrs={"class": "tbu-source"})
                span.string = source
                caption.append(" ")
                caption.append(span)
        label = soup.new_tag("span", attrs={"class": "tbu-fignum"})
        label.string = f"Figur {number}."
        caption.insert(0, " ")
        caption.insert(0, label)


def _nearest_source(figure: Any) -> str:
    for element in figure.find_all_previous(["p", "h1", "h2", "h3"]):
        if element.name != "p":
            return ""
        text = element.get_text(" ", strip=True)
        if text.startswith("Kilde:"):
            return text
    return ""


_TITLES = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption"})


def _in_main(elements: list) -> list:
    """The elements inside ``main`` (the CSS ``main x``), in document order. The passes find
    their elements with bs4's ``find_all`` rather than CSS selectors: each ``select`` walked
    the whole tree in soupsieve's matcher, a fifth of the HTML passes' time."""
    return [element for element in elements if element.find_parent("main")]


def _typeset(soup: BeautifulSoup) -> None:
    """Norwegian typography in prose as in tables: U+2212 for a minus, a no-break space
    before every per cent sign, between a number and its unit and between the thousands of a
    number (``format_number``'s separator, also where a text from the data wrote a space);
    titles with an en dash between their parts (``title_text``)."""
    for node in soup.find_all(string=True):
        if node.parent is None or node.parent.name in _VERBATIM or any(
                parent.name in _VERBATIM for parent in node.parents):
            continue
        text = str(node)
        fixed = _SPACE_BEFORE_PERCENT.sub("\\1\u00a0%", _HYPHEN_MINUS.sub("\u2212", text))
        fixed = _SPACE_BEFORE_UNIT.sub("\\1\u00a0\\2", fixed)  # a number keeps its unit
        fixed = group_thousands(fixed)
        if any(parent.name in _TITLES for parent in node.parents):
            fixed = title_text(fixed)
        if fixed != text:
            node.replace_with(fixed)


def _contents(soup: BeautifulSoup) -> None:
    """Stable ids on the sections, a table of contents in ``nav`` (HTML edition), and the
    report's own printed contents (``ul.toc``) linked to the headings it names, so print CSS
    can add their page numbers."""
    headings = _in_main(soup.find_all("h2"))
    for number, heading in enumerate(headings, start=1):
        heading["id"] = heading.get("id") or f"del-{number}"
    _link_printed_contents(soup)
    nav = soup.find("nav", class_="tbu-contents")
    if nav is None:
        return
    if not headings or soup.find("ul", class_="toc"):
        nav.decompose()  # one table of contents: the report's own where it prints one
        return
    items = soup.new_tag("ol")
    for heading in headings:
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = heading.get_text(" ", strip=True)
        item = soup.new_tag("li")
        item.append(link)
        items.append(item)
    nav.append(items)


def _link_printed_contents(soup: BeautifulSoup) -> None:
    """Point each entry of a printed contents list (``ul.toc``) at the heading with its text;
    an entry naming no heading is an error, not a dead link."""
    by_text: dict[str, str] = {}
    for heading in _in_main(soup.find_all(["h2", "h3"])):
        if heading.get("id"):
            by_text.setdefault(heading.get_text(" ", strip=True), heading["id"])
    for link in [a for a in soup.find_all("a") if a.find_parent("ul", class_="toc")]:
        text = link.get_text(" ", strip=True)
        if text not in by_text:
            raise InputError("innholdslisten nevner en overskrift rapporten ikke har",
                             key="Innhold", text=text)
        link["href"] = f"#{by_text[text]}"


#: A footnote under a table starts with its mark: one or more stars, or a dagger.
_FOOTNOTE_MARK = re.compile(r"^\s*(\*+|[†‡§])")
_ENDS_A_TABLE_NOTE = frozenset({"table", "figure", "h1", "h2", "h3", "h4", "h5", "h6"})


def _shows_mark(text: str, mark: str) -> bool:
    if mark.startswith("*"):  # "*" is not shown by "**", nor "**" by "*"
        return re.search(rf"(?<!\*){re.escape(mark)}(?!\*)", text) is not None
    return mark in text


def footnote_marks_missing(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(mark, footnote) for every footnote under a table whose mark the table does not show:
    the paragraphs after a table up to the next table, figure or heading."""
    missing = []
    for table in soup.find_all("table"):
        shown = table.get_text(" ")
        for sibling in table.find_next_siblings():
            if sibling.name in _ENDS_A_TABLE_NOTE:
                break
            if sibling.name != "p":
                continue
            note = sibling.get_text(" ", strip=True)
            if (found := _FOOTNOTE_MARK.match(note)) and not _shows_mark(shown, found.group(1)):
                missing.append((found.group(1), note))
    return missing


def _check_footnote_marks(soup: BeautifulSoup) -> None:
    """Every footnote mark under a table exists in that table."""
    if missing := footnote_marks_missing(soup):
        mark, note = missing[0]
        raise InputError(f"fotnotemerket {mark} står ikke i tabellen over fotnoten",
                         key="fotnote", text=note[:200])


def _list_starts(soup: BeautifulSoup) -> None:
    """WeasyPrint ignores ``<ol start>``, so a list continued after a heading (the questions to
    NHN, grouped by what the answer can move) would start again at 1: say it as a counter."""
    for listing in soup.find_all("ol", start=True):
        start = str(listing["start"])
        if start.lstrip("-").isdigit():
            listing["style"] = f"counter-reset: list-item {int(start) - 1}"


def _postprocess(soup: BeautifulSoup) -> BeautifulSoup:
    _list_starts(soup)
    _number_figures(soup)
    _typeset(soup)
    _contents(soup)
    _check_footnote_marks(soup)
    return soup


def _postprocess_html(html: str) -> str:
    return str(_postprocess(BeautifulSoup(html, features="html.parser")))


# One font configuration and one cache for every document rendered in this process.
_FONT_CONFIG: Any = None
_CACHE: dict = {}
_QUIET = "Using fontTools instead of HarfBuzz-Subset"


class _DropSubsetNotice(logging.Filter):
    """WeasyPrint says, once per font and document, that it falls back to fontTools when the
    system lacks libharfbuzz-subset; the PDF is fine, so users need not read it every run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_QUIET)


@contextmanager
def _font_timestamp(epoch: int) -> Iterator[None]:
    """fontTools stamps subset fonts with ``SOURCE_DATE_EPOCH`` or else the clock: pin it."""
    previous = os.environ.get(provenance.SOURCE_DATE_EPOCH)
    if previous is None:
        os.environ[provenance.SOURCE_DATE_EPOCH] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(provenance.SOURCE_DATE_EPOCH, None)


def _drop_font_config() -> None:
    """Remove the font folder of the process's font configuration, as its ``__del__`` would:
    the documents' caches keep it alive until the interpreter's teardown, too late."""
    global _FONT_CONFIG
    folder = getattr(_FONT_CONFIG, "_folder", None)  # WeasyPrint's own (pinned in uv.lock)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        _FONT_CONFIG._folder = None
    _FONT_CONFIG = None


def _html_to_pdf(html: str, base_url: str | None, epoch: int) -> bytes:
    global _FONT_CONFIG
    import weasyprint  # lazy: listing nbconvert exporters must stay fast

    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration  # lazy with weasyprint above

        weasyprint.LOGGER.addFilter(_DropSubsetNotice())
        _FONT_CONFIG = FontConfiguration()
        # At exit (a PDF worker's or the main process's), while the modules the clean-up
        # needs still live; left to the interpreter's teardown, it failed there and left its
        # font folder (about 1 MB) in the temporary directory after every process.
        multiprocessing.util.Finalize(None, _drop_font_config, exitpriority=0)
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data", "file"})
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    with _font_timestamp(epoch):
        return document.write_pdf(font_config=_FONT_CONFIG, cache=_CACHE, pdf_tags=True,
                                  pdf_variant=PDF_VARIANT)


def html_edition(html: str) -> str:
    """The screen edition: the same document, the shipped fonts embedded (no file URLs), and
    each table and chart in a box of its own that scrolls sideways on a narrow screen (a
    named, focusable region, so a keyboard can scroll it too)."""
    html = html.replace(font_face_css(embed=False), font_face_css(embed=True))
    return str(_edition(BeautifulSoup(html, "html.parser")))


def _edition(soup: BeautifulSoup) -> BeautifulSoup:
    """:func:`html_edition` on the print document's tree (changed in place; the fonts are
    embedded by the caller, in the text). The tree is first made what parsing its text would
    give (:func:`_as_parsed`), so the edition has the same bytes either way."""
    _as_parsed(soup)
    items = [item for item in _in_main(soup.find_all(["table", "figure"]))
             if item.name == "table" or "tbu-chart" in item.get("class", ())]
    for number, item in enumerate(items, start=1):
        caption = item.find(["caption", "figcaption"])
        name = caption.get_text(" ", strip=True) if caption else ""
        box = soup.new_tag("div", attrs={
            "class": "tbu-scroll", "tabindex": "0", "role": "region",
            "aria-label": name or f"{'Tabell' if item.name == 'table' else 'Figur'} {number}"})
        item.wrap(box)
    style = soup.new_tag("style")
    style.string = NARROW_CSS.read_text(encoding="utf-8")
    soup.head.append(style)
    return soup


_ASCII_SPACES = frozenset(" \n\t\f\r")


def _as_parsed(soup: BeautifulSoup) -> None:
    """The tree as the parser gives it back from its own text: strings side by side (left by
    a removed or inserted node) joined, and a string of ASCII blanks outside ``pre`` and
    ``textarea`` one newline (if it has one) or one space, as the parser writes it."""
    soup.smooth()
    for node in soup.find_all(string=True):
        if type(node) is not NavigableString or not node or any(
                c not in _ASCII_SPACES for c in node):
            continue
        if any(parent.name in ("pre", "textarea") for parent in node.parents):
            continue
        blank = "\n" if "\n" in node else " "
        if node != blank:
            node.replace_with(blank)


#: Rules for a narrow screen, which only the HTML edition carries (WeasyPrint would warn on
#: a media feature).
NARROW_CSS = Path(__file__).parent / "templates" / "tbu_pdf" / "static" / "tbu-narrow.css"


def _base_url(resources: Mapping) -> str:
    base = resources.get("metadata", {}).get("path") or os.getcwd()
    return Path(base).resolve().as_uri() + "/"


class TbuPdfExporter(HTMLExporter):
    """nbconvert exporter ``tbupdf``: a printable A4 PDF in Norwegian report style.

    ``jupyter nbconvert --to tbupdf report.ipynb`` once the entry point is installed.
    """

    export_from_notebook = "TBU PDF"
    output_mimetype = "application/pdf"

    created = Unicode(
        "",
        help="Creation date for the PDF (ISO 8601). Default: SOURCE_DATE_EPOCH, else 1980-01-01.",
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATES_DIR)]

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        # the notebook checked once after the preprocessors, not after each of them (14
        # schema validations per notebook, a tenth of the HTML's time)
        return True

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self) -> bool:
        return True

    @default("language_code")
    def _language_code_default(self) -> str:
        return "nb"

    @property
    def default_config(self) -> Config:
        config = super().default_config
        config.merge(
            Config(
                {
                    "NbConvertBase": {"display_data_priority": list(DISPLAY_PRIORITY)},
                    "TagRemovePreprocessor": {
                        "enabled": True,
                        "remove_cell_tags": set(REMOVE_CELL_TAGS),
                        "remove_all_outputs_tags": set(REMOVE_OUTPUT_TAGS),
                    },
                }
            )
        )
        return config

    def _init_preprocessors(self) -> None:
        super()._init_preprocessors()
        self.register_preprocessor(StripNoisePreprocessor(parent=self), enabled=True)
        self.register_preprocessor(NormalizeIdsPreprocessor(parent=self), enabled=True)

    def default_filters(self):  # noqa: ANN201 - generator of (name, filter)
        yield from super().default_filters()
        yield ("css_string", css_string)

    def to_html(
        self, nb: Any, resources: dict | None = None, *, created: Any = None, **kw: Any
    ) -> tuple[str, dict]:
        """The print HTML that WeasyPrint lays out (also handy for debugging the CSS)."""
        soup, resources = self.to_soup(nb, resources, created=created, **kw)
        return str(soup), resources

    def to_soup(
        self, nb: Any, resources: dict | None = None, *, created: Any = None, **kw: Any
    ) -> tuple[BeautifulSoup, dict]:
        """:meth:`to_html` as a parsed tree: the document is parsed once, for nbconvert's
        own passes and ours (each pass parsing the text the one before wrote cost more than
        nbconvert's templates)."""
        resources = dict(resources or {})
        name = resources.get("metadata", {}).get("name", "")
        tbu = report_metadata(nb, name)
        moment = created_datetime(created if created is not None else self.created)
        tbu["created"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        tbu["epoch"] = str(int(moment.timestamp()))
        tbu["generator"] = _generator()
        tbu["font_css"] = font_face_css(embed=False)
        resources["tbu"] = tbu
        soup, resources = self._html_exporter_soup(nb, resources, **kw)
        return _postprocess(soup), resources

    def _html_exporter_soup(self, nb: Any, resources: dict, **kw: Any
                            ) -> tuple[BeautifulSoup, dict]:
        """``HTMLExporter.from_notebook_node`` (nbconvert 7) up to its last step, which writes
        its tree out as text: the tree itself (parsing that text again costs 0,13 s for the
        main report). test_rendering pins the copied method's source and checks the HTML is the
        same as through nbconvert's own."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        soup = BeautifulSoup(html, features="html.parser")
        missing_alt = 0
        for elem in soup.find_all("img"):  # ``img:not([alt])``
            if not elem.has_attr("alt"):
                elem.attrs["alt"] = "No description has been provided for this image"
                missing_alt += 1
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        for wrapper in ("jp-Cell-inputWrapper", "jp-OutputArea-output"):
            for elem in soup.find_all("div", class_=wrapper):  # ``.jp-Notebook div.<wrapper>``
                if elem.find_parent(class_="jp-Notebook"):
                    elem.attrs["tabindex"] = "0"
        return soup, resources

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict | None = None, **kw: Any
    ) -> tuple[bytes, dict]:
        html, resources = self.to_html(nb, resources, **kw)
        pdf = _html_to_pdf(html, _base_url(resources), int(resources["tbu"]["epoch"]))
        return pdf, resources


def _generator() -> str:
    try:
        return f"tbu-analysis {version('tbu-analysis')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "tbu-analysis"


def _load(notebook: str | Path | Any) -> tuple[Any, dict]:
    if isinstance(notebook, str | Path):
        path = Path(notebook)
        if not path.is_file():
            raise InputError("notatboken finnes ikke", path=path)
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as error:  # nbformat raises several kinds for a broken file
            raise InputError(f"kan ikke lese notatboken ({error})", path=path) from None
        resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())}}
        return nb, resources
    return notebook, {"metadata": {"name": "", "path": os.getcwd()}}


_EXPORTER: TbuPdfExporter | None = None


def _exporter() -> TbuPdfExporter:
    """One exporter per process: its Jinja environment and template are built once."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = TbuPdfExporter()
    return _EXPORTER


def render_html(
    notebook: str | Path | Any, html_path: str | Path | None = None, *, created: Any = None
) -> str:
    """The print HTML for ``notebook`` (path or node); written atomically if ``html_path``."""
    nb, resources = _load(notebook)
    html, _ = _exporter().to_html(nb, resources, created=created)
    if html_path is not None:
        with atomic_path(html_path) as tmp:
            tmp.write_text(html, encoding="utf-8")
    return html


def render_pdf(
    notebook: str | Path | Any, pdf_path: str | Path, *, created: Any = None
) -> Path:
    """Render ``notebook`` (path or node) to ``pdf_path`` atomically; return the path."""
    return render_editions(notebook, pdf_path, html_path=False, created=created)[0]


def render_editions(
    notebook: str | Path | Any, pdf_path: str | Path, html_path: str | Path | None | bool = None,
    *, created: Any = None,
) -> tuple[Path, Path | None]:
    """Write the tagged PDF and the HTML edition (default: beside the PDF, ``.html``) from
    one export; each written atomically. ``html_path=False`` writes the PDF only."""
    nb, resources = _load(notebook)
    soup, resources = _exporter().to_soup(nb, resources, created=created)
    html = str(soup)
    pdf = _html_to_pdf(html, _base_url(resources), int(resources["tbu"]["epoch"]))
    pdf_path = Path(pdf_path)
    with atomic_path(pdf_path) as tmp:
        tmp.write_bytes(pdf)
    if html_path is False:
        return pdf_path, None
    html_path = pdf_path.with_suffix(".html") if html_path in (None, True) else Path(html_path)
    edition = str(_edition(soup)).replace(font_face_css(embed=False), font_face_css(embed=True))
    with atomic_path(html_path) as tmp:
        tmp.write_text(edition, encoding="utf-8")
    return pdf_path, html_path


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def round_index_html(title: str, reports: list[Path], language: str = "nb") -> str:
    """An index page linking each report's HTML edition and PDF, titled as the reports are."""
    items = []
    for pdf in reports:
        page = pdf.with_suffix(".html")
        found = _TITLE.search(page.read_text(encoding="utf-8")) if page.is_file() else None
        name = html_lib.unescape(found.group(1)) if found else pdf.stem
        links = (f'<a href="{html_lib.escape(page.name)}">{html_lib.escape(name)}</a>'
                 if page.is_file() else html_lib.escape(name))
        items.append(f'<li>{links} (<a href="{html_lib.escape(pdf.name)}">PDF-utgave'
                     f'<span class="tbu-hidden">: {html_lib.escape(name)}</span></a>)</li>')
    css = (TEMPLATES_DIR / TEMPLATE_NAME / "static" / "tbu.css").read_text(encoding="utf-8")
    return (f'<!DOCTYPE html>\n<html lang="{html_lib.escape(language)}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{html_lib.escape(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<style>\n{font_face_css(embed=True)}\n{css}</style>\n</head>\n<body>\n"
            f'<main class="tbu-report">\n<h1>{html_lib.escape(title)}</h1>\n'
            f"<ul class=\"tbu-index\">\n{chr(10).join(items)}\n</ul>\n</main>\n</body>\n</html>\n")


def write_round_index(index_path: str | Path, title: str, reports: list[Path]) -> Path:
    """Write the round's index page (atomically) linking ``reports`` in the given order."""
    index_path = Path(index_path)
    with atomic_path(index_path) as tmp:
        tmp.write_text(round_index_html(title, [Path(r) for r in reports]), encoding="utf-8")
    return index_path
