"""Charts for the reports: Norwegian labels, accessible colours, byte-identical SVG.

Figures are built with :class:`matplotlib.figure.Figure`, not pyplot: no global state, no
interactive backend and no automatic display, so a notebook shows exactly what
:func:`show` puts in it (an SVG) and every rerun gives the same bytes. Each figure gets an
Agg canvas of its own, whatever backend the kernel chose, without switching the global one.

Every chart carries its own words (:class:`ChartText`): a caption and a text alternative
written from its data, which :func:`show` puts in the SVG's ``<title>`` and ``aria-label``
(a tagged PDF's ``/Alt``, a screen reader's text) and in a ``<figcaption>`` the report numbers.
Text is set in the report's shipped font (Inter, ``presentation/fonts``), never a system font.
The words themselves (text alternatives, default captions, axis titles, the source line) are
macros in ``presentation/templates/charts.md.j2``, rendered by the project's one environment
(``common/prose``): this module decides what a chart says and with which figures.
"""

from __future__ import annotations

import html
import io
import math
import re
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib
import pandas as pd
from IPython import display as ipython
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from tbu_analysis.common import prose
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_change, format_number
from tbu_analysis.presentation.fonts import FONT_FAMILY, font_files

#: Okabe–Ito colours: told apart with the common colour-vision deficiencies.
LEVEL_COLOUR = "#0B3C5D"  # dark blue: start level, new level, funding need
UP_COLOUR = "#009E73"  # bluish green: an increase
DOWN_COLOUR = "#D55E00"  # vermillion: a decrease
CONNECTOR_COLOUR = "#8C8C8C"
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")

#: The unit every amount is given in, in words a reader knows (the prose's own).
UNIT = prose.UNIT
#: A waterfall whose steps span less than this share of its largest level gets a broken
#: value axis, so a step of a few million is not a hairline beside a level of a thousand.
BREAK_BELOW_SHARE = 0.35

#: A4 with the report's margins leaves 170 mm; charts are drawn at that width, 1:1.
PAGE_WIDTH_IN = 170 / 25.4
FIGSIZE = (PAGE_WIDTH_IN, 3.6)

RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#4D4D4D",
    "axes.axisbelow": True,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#D9D9D9",
    "grid.linewidth": 0.6,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    "svg.hashsalt": "tbu-analysis",
    # Text stays text: searchable and selectable in the PDF, and smaller files.
    "svg.fonttype": "none",
    "axes.unicode_minus": True,
}

@cache
def _register_fonts() -> None:
    """Teach matplotlib the shipped font from its files (once per process)."""
    for path in font_files():
        font_manager.fontManager.addfont(str(path))


@contextmanager
def style() -> Iterator[None]:
    """The project's chart style, applied while a figure is built and saved."""
    _register_fonts()
    with matplotlib.rc_context(RC):
        yield


#: Each text's size in the SVG renderer, by (text, font properties, math): measured once per
#: process (``_measured_once``).
_TEXT_SIZES: dict[tuple, tuple[float, float, float]] = {}


@contextmanager
def _measured_once() -> Iterator[None]:
    """While a figure is saved as SVG: each text measured once per process, not once per
    renderer. ``savefig`` makes two SVG renderers per figure (one for the constrained
    layout, one to write), matplotlib keeps text sizes per renderer, and each measurement
    loads the glyphs of the shipped OpenType font (0,5–2 ms a text): about two thirds of a
    waterfall's drawing time. The size depends only on the text, its font properties and
    whether it is math (the fonts are registered once, ``_register_fonts``), so the kept
    size is the one measured: the SVG bytes are the same."""
    measure = TextToPath.get_text_width_height_descent

    def kept(self, s, prop, ismath):
        key = (s, prop.copy(), ismath)  # a copy: font properties are mutable
        size = _TEXT_SIZES.get(key)
        if size is None:
            size = _TEXT_SIZES[key] = measure(self, s, prop, ismath)
        return size

    TextToPath.get_text_width_height_descent = kept
    try:
        yield
    finally:
        TextToPath.get_text_width_height_descent = measure


def say(name: str, /, *args: Any, **kwargs: Any) -> str:
    """Macro ``name`` of ``presentation/templates/charts.md.j2``: the charts' words."""
    return prose.say(prose.environment(__package__), "charts.md.j2", name, *args, **kwargs)


@dataclass(frozen=True)
class ChartText:
    """What a chart says in words: ``caption`` under it, ``alt`` for who cannot see it,
    ``source`` where its numbers come from (empty: the report names it beside the chart)."""

    caption: str
    alt: str
    source: str = ""


def describe(fig: Figure) -> ChartText | None:
    """The words attached to ``fig`` by the function that drew it, if any."""
    return getattr(fig, "tbu_text", None)


def _attach(fig: Figure, text: ChartText) -> Figure:
    fig.tbu_text = text  # type: ignore[attr-defined]
    return fig


def _new_figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


#: The size of a chart's point title (the title that says what it shows).
POINT_SIZE_PT = 10.5

#: The least room between a chart's outermost label and the edge of its image, in points;
#: a renderer whose text comes out a little wider than matplotlib measured (the browser's or
#: the PDF engine's shaping) must not cut off the first letter.
EDGE_ROOM_PT = 6.0


def _room_for_labels(fig: Figure, labels: Iterable[str], size: float) -> None:
    """Pad the layout by a margin that grows with the longest label (6 % of its width, at
    least :data:`EDGE_ROOM_PT`), so a category label never touches the image's edge."""
    longest = max((len(line) for label in labels for line in str(label).split("\n")),
                  default=0)
    room_pt = max(EDGE_ROOM_PT, 0.06 * longest * 0.6 * size)
    fig.get_layout_engine().set(w_pad=room_pt / 72)


@cache
def _bold_advances() -> tuple[dict[int, int], int]:
    """The shipped bold font's advance width of every character it maps, and its units per
    em (read once per process: parsing the font cost more than drawing the chart's title)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(next(p for p in font_files() if p.stem == "Inter-Bold")))
    metrics = font["hmtx"]
    advances = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
    return advances, font["head"].unitsPerEm


def _point_lines(point: str, width_in: float) -> list[str]:
    """The point title in lines that fit inside the chart's edges, measured with the shipped
    bold font's own advance widths (a renderer's shaping must not push it past the edge)."""
    advances, units_per_em = _bold_advances()
    scale = POINT_SIZE_PT / units_per_em

    def width(text: str) -> float:
        return sum(advances.get(ord(c), advances[ord(" ")]) for c in text) * scale

    room = width_in * 72 - 3 * EDGE_ROOM_PT
    lines: list[str] = []
    for word in point.rstrip(".").split():
        if lines and width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _axis_formatter(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: format_number(value, decimals))


def _tick_decimals(ticks: Sequence[float]) -> int:
    """As few decimals as the tick step needs (0 for 200, 1 for 2,5)."""
    for decimals in range(3):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-9 for t in ticks):
            return decimals
    return 2


def _category_labels(ax: Any, labels: Sequence[str], fig_width_in: float) -> None:
    """Horizontal category labels wrapped to their slot; the font gives way to a long word.

    Every chart in a report reads its labels the same way (never slanted); Norwegian
    compounds ("Finansieringsbehov") do not break, so the font shrinks instead.
    """
    slot_pt = fig_width_in * 72 * 0.85 / max(len(labels), 1)
    char_pt = 0.6  # average advance per point of font size
    longest = max((len(word) for label in labels for word in str(label).split()), default=1)
    size = max(6.0, min(9.0, slot_pt / (char_pt * longest)))
    width = max(int(slot_pt / (char_pt * size)), longest)
    wrapped = [
        "\n".join(textwrap.wrap(str(label), width=width, break_long_words=False))
        for label in labels
    ]
    ax.set_xticks(range(len(labels)), wrapped, fontsize=size)
    ax.tick_params(axis="x", length=0)


def _norwegian_y_axis(ax: Any, unit: str | None) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_axis_formatter(_tick_decimals(ax.get_yticks())))
    if unit:
        ax.set_ylabel(unit)


def _norwegian_x_axis(ax: Any, unit: str | None) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_axis_formatter(_tick_decimals(ax.get_xticks())))
    if unit:
        ax.set_xlabel(unit)


@dataclass(frozen=True)
class WaterfallBar:
    """One bar as drawn: it spans ``bottom``..``top``; ``total`` is the running total after it."""

    label: str
    kind: str
    value: float
    bottom: float
    top: float
    total: float


def waterfall_bars(steps: Iterable[tuple[str, float, str]]) -> list[WaterfallBar]:
    """Lay out a waterfall: levels stand on zero, changes float from the running total."""
    bars: list[WaterfallBar] = []
    total = 0.0
    for index, step in enumerate(steps):
        try:
            label, value, kind = step
        except (TypeError, ValueError):
            raise InputError(
                "hvert steg må være (etikett, verdi, type)", text=repr(step)
            ) from None
        value = float(value)
        if kind == "level":
            bars.append(WaterfallBar(str(label), kind, value, 0.0, value, value))
            total = value
        elif kind == "change":
            if index == 0:
                raise InputError("fossefallet må starte med et nivå", text=str(label))
            new_total = total + value
            bars.append(
                WaterfallBar(
                    str(label), kind, value, min(total, new_total), max(total, new_total), new_total
                )
            )
            total = new_total
        else:
            raise InputError(
                "ukjent type steg (bruk 'level' eller 'change')", text=f"{label}: {kind!r}"
            )
    return bars


def _visible(bars: list[WaterfallBar], decimals: int) -> list[WaterfallBar]:
    """Drop changes that print as zero: an empty category is no step for a reader."""
    return [b for b in bars
            if b.kind == "level" or round(abs(b.value), decimals) > 0]


def waterfall_break(bars: Sequence[WaterfallBar]) -> float | None:
    """Where the value axis starts when it is broken, or None for an axis from zero.

    The axis is broken when every level stands high above the steps' range, so the steps
    would be hairlines on an axis from zero; it then starts a little below the lowest point
    any step or level reaches, at a round number.
    """
    if not any(b.kind == "change" for b in bars) or any(b.top <= 0 for b in bars):
        return None
    low = min(min(b.bottom for b in bars if b.kind == "change"),
              min(b.top for b in bars if b.kind == "level"))
    high = max(b.top for b in bars)
    if low <= 0 or (high - low) >= BREAK_BELOW_SHARE * high:
        return None
    span = max(high - low, high * 0.01)
    step = 10 ** math.floor(math.log10(span / 2)) if span > 0 else 1.0
    start = math.floor((low - span * 0.25) / step) * step
    return start if start > 0 else None


def waterfall_alt(bars: Sequence[WaterfallBar], title: str, decimals: int = 1,
                  unit: str = UNIT, axis_start: float | None = None,
                  point: str | None = None) -> str:
    """The chart in words: its start, every step and its end, in Norwegian numbers, and
    last what it shows (``point``, the title drawn above it)."""
    if not bars:
        return title
    return say("waterfall_alt", title, list(bars), decimals, unit, axis_start, point)


def _break_marks(ax: Any, at: float, positions: Sequence[int], bar_height: float) -> None:
    """Mark a broken axis: a white gap with two slanted rules across the value axis and
    across every bar that is cut by it."""
    low, high = ax.get_xlim()
    width = (high - low) * 0.012
    x = at + (high - low) * 0.015
    for pos in [*positions, None]:
        half = bar_height / 2 + 0.06 if pos is not None else 0.25
        y = pos if pos is not None else ax.get_ylim()[0] - 0.25
        corners = [(x - width, y + half), (x, y + half), (x + width, y - half),
                   (x, y - half)]
        ax.add_patch(Polygon(corners, closed=True, facecolor="white", edgecolor="none",
                             zorder=4, clip_on=False))
        for dx in (-width, 0.0):
            ax.plot([x + dx, x + dx + width], [y + half, y - half], color="#4D4D4D",
                    linewidth=0.8, zorder=5, clip_on=False)


def waterfall(
    steps: Iterable[tuple[str, float, str]],
    *,
    title: str | None = None,
    unit: str | None = UNIT,
    decimals: int = 1,
    figsize: tuple[float, float] | None = None,
    source: str = "",
    point: str | None = None,
) -> Figure:
    """A waterfall from a start level through changes to a new level (or funding need).

    ``point`` is a title that says what the chart shows («Uten … ville kostnadsnivået ha økt»),
    drawn above it and said last in the text alternative; ``title`` stays the neutral caption.

    ``steps`` are ``(label, value, kind)`` with ``kind`` "level" (a bar from zero) or
    "change" (a bar from the running total, green up and vermillion down). Bars run across
    the page, one step per line, so every label reads horizontally; each carries its value in
    Norwegian format (changes with an explicit sign). Changes that print as zero are left
    out. When the steps are small beside the levels the value axis is broken, and marked so.
    """
    bars = _visible(waterfall_bars(steps), decimals)
    if not bars:
        raise InputError("fossefallet har ingen steg")
    axis_start = waterfall_break(bars)
    if figsize is None:
        lines = len(_point_lines(point, PAGE_WIDTH_IN)) if point else 0
        figsize = (PAGE_WIDTH_IN, 0.9 + 0.3 * len(bars) + 0.22 * lines)
    with style():
        fig = _new_figure(figsize)
        ax = fig.add_subplot()
        if point:  # across the whole figure, inside its edges: a title is read first
            fig.suptitle("\n".join(_point_lines(point, figsize[0])),
                         x=EDGE_ROOM_PT / 72 / figsize[0], ha="left", fontsize=POINT_SIZE_PT,
                         fontweight="bold")
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        positions = list(range(len(bars)))
        colours = [
            LEVEL_COLOUR if b.kind == "level" else UP_COLOUR if b.value >= 0 else DOWN_COLOUR
            for b in bars
        ]
        height = 0.62
        ax.barh(positions, [b.top - b.bottom for b in bars], left=[b.bottom for b in bars],
                color=colours, height=height, zorder=2)
        for pos, bar in zip(positions, bars, strict=True):
            following = bars[pos + 1] if pos + 1 < len(bars) else None
            if following and (
                following.kind == "change" or math.isclose(following.top, bar.total, abs_tol=0.05)
            ):
                ax.plot([bar.total, bar.total], [pos + height / 2, pos + 1 - height / 2],
                        color=CONNECTOR_COLOUR, linewidth=0.8, linestyle=(0, (2, 2)), zorder=1)
            text = (format_number(bar.value, decimals) if bar.kind == "level"
                    else format_change(bar.value, decimals))
            left = bar.kind == "change" and bar.value < 0
            ax.annotate(text, (bar.bottom if left else bar.top, pos),
                        xytext=(-3 if left else 3, 0), textcoords="offset points",
                        ha="right" if left else "left", va="center", fontsize=8.5,
                        fontweight="bold" if bar.kind == "level" else "normal",
                        color="#1A1A1A")
        ax.set_yticks(positions, [b.label for b in bars], fontsize=8.5)
        _room_for_labels(fig, [b.label for b in bars], 8.5)
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(len(bars) - 0.5, -0.5)  # first step on top
        low = min(0.0, *(b.bottom for b in bars))
        high = max(0.0, *(b.top for b in bars))
        start = axis_start if axis_start is not None else low
        pad = (high - start) * 0.12 or 1.0
        ax.set_xlim(start - (pad * 0.5 if start < 0 else 0), high + pad)
        if axis_start is None:
            ax.axvline(0, color="#4D4D4D", linewidth=0.8, zorder=3)
        _norwegian_x_axis(ax, say("broken_axis", unit) if unit and axis_start is not None
                          else unit)
        ax.spines["left"].set_visible(axis_start is None)
        if axis_start is not None:
            cut = [p for p, b in zip(positions, bars, strict=True) if b.bottom < axis_start]
            _break_marks(ax, axis_start, cut, height)
    caption = title or say("waterfall_caption")
    # the neutral description first, as every chart's; then what it shows (``point``)
    alt = waterfall_alt(bars, caption, decimals, unit or UNIT, axis_start, point)
    return _attach(fig, ChartText(caption, alt, source))


def levels_chart(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    unit: str | None = UNIT,
    kind: str = "bar",
    figsize: tuple[float, float] = FIGSIZE,
    source: str = "",
) -> Figure:
    """Levels per solution across years, from columns ``solution``, ``year``, ``value_mnok``.

    ``kind="bar"``: solutions along the x axis, one bar per year. ``kind="line"``: years along
    the x axis, one line per solution.
    """
    missing = {"solution", "year", "value_mnok"} - set(df.columns)
    if missing:
        raise InputError(f"tabellen mangler kolonne(r) {', '.join(sorted(missing))}")
    if kind not in {"bar", "line"}:
        raise ValueError(f"kind must be 'bar' or 'line', not {kind!r}")
    table = df.dropna(subset=["value_mnok"]).pivot_table(
        index="solution", columns="year", values="value_mnok", aggfunc="sum", sort=False
    )
    table = table.reindex(columns=sorted(table.columns))
    table = table.dropna(how="all").dropna(axis=1, how="all")  # no empty categories
    if kind == "bar":  # a category of zeros only ("Ikke fordelt" 0,0) has no bar to show
        table = table[(table.fillna(0) != 0).any(axis=1)]
    if table.empty:
        raise InputError("diagrammet har ingen verdier")
    with style():
        fig = _new_figure(figsize)
        ax = fig.add_subplot()
        if kind == "bar":
            n_years = len(table.columns)
            width = 0.8 / max(n_years, 1)
            for i, year in enumerate(table.columns):
                offsets = [p - 0.4 + width * (i + 0.5) for p in range(len(table.index))]
                ax.bar(
                    offsets, table[year].tolist(), width=width * 0.92,
                    color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=str(year), zorder=2,
                )
            _category_labels(ax, [str(s) for s in table.index], figsize[0] * 0.85)
            ax.set_xlim(-0.6, len(table.index) - 0.4)
            legend_title = say("years")
        else:
            years = [int(y) if float(y).is_integer() else y for y in table.columns]
            for i, solution in enumerate(table.index):
                ax.plot(
                    years, table.loc[solution].tolist(), marker="o", markersize=4,
                    color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=str(solution),
                    linewidth=1.6,
                )
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_xlabel(say("years"))
            legend_title = say("solutions")
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.axhline(0, color="#4D4D4D", linewidth=0.8, zorder=3)
        _norwegian_y_axis(ax, unit)
        ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _room_for_labels(fig, [str(s) for s in table.index], 9)
    caption = title or say("levels_caption")
    return _attach(fig, ChartText(caption, levels_alt(table, caption, kind, unit or UNIT),
                                  source))


def levels_alt(table: pd.DataFrame, title: str, kind: str = "bar", unit: str = UNIT) -> str:
    """The chart in words: every solution's value for every year, in Norwegian numbers."""
    years = [str(int(y)) if float(y).is_integer() else str(y) for y in table.columns]
    rows = [(solution, [(year, v) for year, v in zip(years, values, strict=True)
                        if not math.isnan(v)])
            for solution, values in table.iterrows()]
    return say("levels_alt", title, kind, unit, rows)


_SVG_ROOT = re.compile(r"<svg\b([^>]*)>")


def figure_to_svg(fig: Figure, alt: str | None = None) -> str:
    """The figure as SVG text, identical bytes for identical figures (no date, fixed ids).

    With ``alt`` (default: the chart's own text alternative) the SVG is an image with a
    name: ``role="img"``, ``aria-label`` and a ``<title>`` first inside it.
    """
    buffer = io.BytesIO()
    with style(), _measured_once():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]  # no XML prolog or doctype: the SVG goes inline in HTML
    text = describe(fig)
    alt = alt if alt is not None else (text.alt if text else None)
    if alt:
        label = html.escape(alt, quote=True)
        svg = _SVG_ROOT.sub(
            lambda m: f'<svg{m.group(1)} role="img" aria-label="{label}">'
                      f"<title>{html.escape(alt, quote=False)}</title>", svg, count=1)
    return svg


def figure_html(fig: Figure, source: str | None = None) -> str:
    """The chart as a ``<figure>``: inline SVG with its text alternative, and a caption
    with the source under it (the report puts "Figur N" before the caption)."""
    text = describe(fig) or ChartText("", say("unnamed"))
    source = text.source if source is None else source
    caption = html.escape(text.caption.rstrip(". ")) + "." if text.caption else ""
    if source:
        caption += (' <span class="tbu-source">'
                    f'{say("source", html.escape(source.rstrip(". ")))}</span>')
    return (f'<figure class="tbu-chart">{figure_to_svg(fig, text.alt)}'
            f"<figcaption>{caption}</figcaption></figure>")


def show(fig: Figure, *, source: str | None = None) -> None:
    """Display ``fig`` in a notebook as a figure with its caption and text alternative, and
    release it.

    A figure made with pyplot is closed too, so the inline backend does not show it a
    second time as a PNG.
    """
    ipython.display(ipython.HTML(figure_html(fig, source)))
    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported here: charts need no pyplot
    if pyplot is not None:
        pyplot.close(fig)
