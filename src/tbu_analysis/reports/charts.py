"""Charts for the reports: Norwegian labels, accessible colours, byte-identical SVG.

Figures are built with :class:`matplotlib.figure.Figure`, not pyplot: no global state, no
interactive backend and no automatic display, so a notebook shows exactly what
:func:`show` puts in it (an SVG) and every rerun gives the same bytes. Each figure gets an
Agg canvas of its own, whatever backend the kernel chose, without switching the global one.
"""

from __future__ import annotations

import io
import math
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_change, format_number

if TYPE_CHECKING:
    import pandas as pd

#: Okabe–Ito colours: told apart with the common colour-vision deficiencies.
LEVEL_COLOUR = "#0B3C5D"  # dark blue: start level, new level, funding need
UP_COLOUR = "#009E73"  # bluish green: an increase
DOWN_COLOUR = "#D55E00"  # vermillion: a decrease
CONNECTOR_COLOUR = "#8C8C8C"
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")

#: A4 with the report's margins leaves 170 mm; charts are drawn at that width, 1:1.
PAGE_WIDTH_IN = 170 / 25.4
FIGSIZE = (PAGE_WIDTH_IN, 3.6)

RC = {
    "font.family": "DejaVu Sans",
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

@contextmanager
def style() -> Iterator[None]:
    """The project's chart style, applied while a figure is built and saved."""
    with matplotlib.rc_context(RC):
        yield


def _new_figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _axis_formatter(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: format_number(value, decimals))


def _tick_decimals(ticks: Sequence[float]) -> int:
    """As few decimals as the tick step needs (0 for 200, 1 for 2,5)."""
    for decimals in range(3):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-9 for t in ticks):
            return decimals
    return 2


def _category_labels(ax: Any, labels: Sequence[str], fig_width_in: float) -> None:
    """Wrap category labels to their slot, shrinking the font if a word is longer than that.

    Norwegian compounds ("Finansieringsbehov") do not break, so the font gives way instead.
    """
    slot_pt = fig_width_in * 72 * 0.85 / max(len(labels), 1)
    char_pt = 0.6  # DejaVu Sans: average advance per point of font size
    longest = max((len(word) for label in labels for word in str(label).split()), default=1)
    if slot_pt < char_pt * 7.5 * longest:  # too crowded to wrap legibly: slant the labels
        wrapped = ["\n".join(textwrap.wrap(str(label), width=22)) for label in labels]
        ax.set_xticks(range(len(labels)), wrapped, fontsize=7.5, rotation=30,
                      ha="right", rotation_mode="anchor")
        ax.tick_params(axis="x", length=0)
        return
    size = max(6.5, min(9.0, slot_pt / (char_pt * longest)))
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


def waterfall(
    steps: Iterable[tuple[str, float, str]],
    *,
    title: str | None = None,
    unit: str | None = "MNOK",
    decimals: int = 1,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """A waterfall from a start level through changes to a new level (or funding need).

    ``steps`` are ``(label, value, kind)`` with ``kind`` "level" (a bar from zero) or
    "change" (a bar from the running total, green up and vermillion down). Bars carry their
    value in Norwegian format; changes have an explicit sign.
    """
    bars = waterfall_bars(steps)
    if not bars:
        raise InputError("fossefallet har ingen steg")
    with style():
        fig = _new_figure(figsize)
        ax = fig.add_subplot()
        positions = range(len(bars))
        colours = [
            LEVEL_COLOUR if b.kind == "level" else UP_COLOUR if b.value >= 0 else DOWN_COLOUR
            for b in bars
        ]
        ax.bar(
            list(positions),
            [b.top - b.bottom for b in bars],
            bottom=[b.bottom for b in bars],
            color=colours,
            width=0.62,
            zorder=2,
            gid="waterfall",
        )
        for pos, bar in zip(positions, bars, strict=True):
            following = bars[pos + 1] if pos + 1 < len(bars) else None
            if following and (
                following.kind == "change" or math.isclose(following.top, bar.total, abs_tol=0.05)
            ):
                ax.plot(
                    [pos + 0.31, pos + 1 - 0.31], [bar.total, bar.total],
                    color=CONNECTOR_COLOUR, linewidth=0.8, linestyle=(0, (2, 2)), zorder=1,
                )
            text = (
                format_number(bar.value, decimals)
                if bar.kind == "level"
                else format_change(bar.value, decimals)
            )
            below = bar.kind == "change" and bar.value < 0
            ax.annotate(
                text,
                (pos, bar.bottom if below else bar.top),
                xytext=(0, -3 if below else 3),
                textcoords="offset points",
                ha="center",
                va="top" if below else "bottom",
                fontsize=8.5,
                fontweight="bold" if bar.kind == "level" else "normal",
                color="#1A1A1A",
            )
        _category_labels(ax, [b.label for b in bars], figsize[0])
        low = min(0.0, *(b.bottom for b in bars))
        high = max(0.0, *(b.top for b in bars))
        pad = (high - low) * 0.08 or 1.0
        ax.set_ylim(low - (pad if low < 0 else 0), high + pad)
        ax.axhline(0, color="#4D4D4D", linewidth=0.8, zorder=3)
        _norwegian_y_axis(ax, unit)
        if title:
            ax.set_title(title)
    return fig


def levels_chart(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    unit: str | None = "MNOK",
    kind: str = "bar",
    figsize: tuple[float, float] = FIGSIZE,
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
    table = df.pivot_table(
        index="solution", columns="year", values="value_mnok", aggfunc="sum", sort=False
    )
    table = table.reindex(columns=sorted(table.columns))
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
            legend_title = "År"
        else:
            years = [int(y) if float(y).is_integer() else y for y in table.columns]
            for i, solution in enumerate(table.index):
                ax.plot(
                    years, table.loc[solution].tolist(), marker="o", markersize=4,
                    color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=str(solution),
                    linewidth=1.6,
                )
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_xlabel("År")
            legend_title = "Løsning"
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.axhline(0, color="#4D4D4D", linewidth=0.8, zorder=3)
        _norwegian_y_axis(ax, unit)
        ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if title:
            ax.set_title(title)
    return fig


def figure_to_svg(fig: Figure) -> str:
    """The figure as SVG text, identical bytes for identical figures (no date, fixed ids)."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def show(fig: Figure) -> None:
    """Display ``fig`` in a notebook as SVG and release it.

    A figure made with pyplot is closed too, so the inline backend does not show it a
    second time as a PNG.
    """
    from IPython.display import SVG, display

    display(SVG(data=figure_to_svg(fig)))
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close(fig)
