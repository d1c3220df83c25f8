"""Charts: the bars say the right numbers, the labels are Norwegian, the SVG is stable."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.textpath import TextToPath

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_number
from tbu_analysis.presentation import charts as plotting
from tbu_analysis.presentation.charts import (
    DOWN_COLOUR,
    LEVEL_COLOUR,
    UP_COLOUR,
    figure_to_svg,
    levels_chart,
    waterfall,
    waterfall_bars,
)

NB = "\u00a0"
MINUS = "\u2212"
STEPS = [
    ("Nivå 2025", 1038.0, "level"),
    ("Prisjustering", 85.5, "change"),
    ("Avvikling av gamle løsninger", -11.5, "change"),
    ("Nye tjenester", 26.0, "change"),
    ("Nytt nivå 2026", 1138.0, "level"),
    ("Finansieringsbehov", 100.0, "level"),
]


def _levels() -> pd.DataFrame:
    solutions = ["Kjernejournal", "e-resept", "Helsenorge"]
    return pd.DataFrame(
        {
            "solution": solutions * 2,
            "year": [2024] * 3 + [2025] * 3,
            "value_mnok": [300.0, 150.0, 420.0, 320.0, 160.0, 450.0],
        }
    )


def test_waterfall_bars_run_to_the_right_total():
    bars = waterfall_bars(STEPS)
    assert [b.total for b in bars] == [1038.0, 1123.5, 1112.0, 1138.0, 1138.0, 100.0]
    assert (bars[1].bottom, bars[1].top) == (1038.0, 1123.5)
    assert (bars[2].bottom, bars[2].top) == (1112.0, 1123.5)  # a decrease hangs down
    assert (bars[4].bottom, bars[4].top) == (0.0, 1138.0)  # a level stands on zero


def test_waterfall_figure_bars_match_the_data():
    fig = waterfall(STEPS, title="Fra nivå 2025 til nivå 2026")
    ax = fig.axes[0]
    rects = ax.patches
    assert len(rects) == len(STEPS)
    spans = [(r.get_x(), r.get_x() + r.get_width()) for r in rects]
    assert spans[0] == pytest.approx((0, 1038.0))
    assert spans[1] == pytest.approx((1038.0, 1123.5))
    assert spans[2] == pytest.approx((1112.0, 1123.5))
    assert spans[3] == pytest.approx((1112.0, 1138.0))
    assert spans[3][1] == pytest.approx(spans[4][1])  # the changes end at the new level
    colours = [to_hex(r.get_facecolor()).upper() for r in rects]
    assert colours[:3] == [LEVEL_COLOUR.upper(), UP_COLOUR.upper(), DOWN_COLOUR.upper()]


def test_waterfall_labels_are_norwegian():
    fig = waterfall(STEPS, title="Fra nivå 2025 til nivå 2026")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels == [
        f"1{NB}038,0", "+85,5", f"{MINUS}11,5", "+26,0", f"1{NB}138,0", "100,0"
    ]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert f"1{NB}000" in ticks
    assert ax.get_xlabel() == "mill. kroner"  # one unit style, never "MNOK"
    # The title is the figure's caption (under it, numbered), not drawn in the chart.
    assert ax.get_title(loc="left") == ""
    assert plotting.describe(fig).caption == "Fra nivå 2025 til nivå 2026"
    # Every label reads horizontally, one step per line.
    assert [t.get_text() for t in ax.get_yticklabels()] == [s[0] for s in STEPS]
    assert {t.get_rotation() for t in ax.get_yticklabels() + ax.get_xticklabels()} == {0.0}


def test_waterfall_alt_names_start_every_step_and_end():
    fig = waterfall(STEPS, title="Fra nivå 2025 til nivå 2026")
    alt = plotting.describe(fig).alt
    assert alt.startswith("Fossefallsdiagram: Fra nivå 2025 til nivå 2026.")
    assert f"Starter med Nivå 2025: 1{NB}038,0 mill. kroner." in alt
    assert (f"Deretter Prisjustering +85,5; Avvikling av gamle løsninger {MINUS}11,5; "
            f"Nye tjenester +26,0; Nytt nivå 2026 1{NB}138,0.") in alt
    assert alt.endswith("Ender med Finansieringsbehov: 100,0 mill. kroner.")
    svg = figure_to_svg(fig)
    assert 'role="img"' in svg and f"aria-label=\"{alt}\"" in svg
    assert f"<title>{alt}</title>" in svg


def test_small_steps_get_a_broken_axis_clearly_marked():
    steps = [("Nivå 2024", 1038.0, "level"), ("Investeringer", 12.4, "change"),
             ("Effektivisering", -4.0, "change"), ("Nivå 2025", 1046.4, "level")]
    fig = waterfall(steps, title="Små steg")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert 1000 <= low <= 1034  # zoomed in on the steps, not from zero
    # A step of 4 takes a visible share of the axis (on 0–1 100 it would be 0,4 %).
    assert 4.0 / (high - low) > 0.05
    assert ax.get_xlabel() == "mill. kroner (brutt akse)"
    assert plotting.describe(fig).alt.endswith(
        f"Verdiaksen er brutt og starter på {format_number(low, 0)}.")
    # Large steps keep the axis from zero.
    assert plotting.waterfall_break(waterfall_bars(STEPS)) is None
    assert waterfall(STEPS).axes[0].get_xlim()[0] == 0


def test_empty_categories_are_left_out():
    steps = [("Nivå 2024", 100.0, "level"), ("Investeringer", 5.0, "change"),
             ("Volum", 0.0, "change"), ("Nivå 2025", 105.0, "level")]
    ax = waterfall(steps).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Nivå 2024", "Investeringer",
                                                             "Nivå 2025"]
    levels = _levels()
    levels.loc[len(levels)] = ["Helsenettet", 2024, float("nan")]
    chart = levels_chart(levels)
    assert "Helsenettet" not in [t.get_text() for t in chart.axes[0].get_xticklabels()]
    # A group whose every bar is zero (the scenario's "Ikke fordelt" 0,0) is no category.
    levels = _levels()
    levels.loc[len(levels)] = ["Ikke fordelt", 2024, 0.0]
    levels.loc[len(levels)] = ["Ikke fordelt", 2025, 0.0]
    labels = [t.get_text() for t in levels_chart(levels).axes[0].get_xticklabels()]
    assert "Ikke fordelt" not in labels and len(labels) == _levels()["solution"].nunique()


def test_levels_chart_alt_gives_every_value():
    alt = plotting.describe(levels_chart(_levels(), title="Nivå per løsning")).alt
    assert alt == ("Søylediagram: Nivå per løsning (mill. kroner). "
                   "Kjernejournal: 2024 300,0, 2025 320,0; e-resept: 2024 150,0, 2025 160,0; "
                   "Helsenorge: 2024 420,0, 2025 450,0.")


def test_charts_use_the_shipped_font():
    from matplotlib import font_manager

    from tbu_analysis.presentation.fonts import FONT_FAMILY, FONTS_DIR

    with plotting.style():
        found = font_manager.findfont(FONT_FAMILY, fallback_to_default=False)
    assert Path(found).parent == FONTS_DIR
    assert (FONTS_DIR / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_waterfall_rejects_bad_steps():
    with pytest.raises(InputError, match="starte med et nivå"):
        waterfall_bars([("Endring", 5, "change")])
    with pytest.raises(InputError, match="ukjent type"):
        waterfall_bars([("Nivå", 5, "level"), ("X", 1, "delta")])
    with pytest.raises(InputError):
        waterfall([])


def test_svg_is_byte_identical_between_calls():
    first = figure_to_svg(waterfall(STEPS, title="Fossefall"))
    second = figure_to_svg(waterfall(STEPS, title="Fossefall"))
    assert first == second
    assert "<dc:date>" not in first
    assert "font-family: 'Inter'" in first or 'font-family="Inter"' in first or "Inter" in first
    assert "+85,5" in first  # text stays text (svg.fonttype none)
    chart = figure_to_svg(levels_chart(_levels(), title="Nivå"))
    assert chart == figure_to_svg(levels_chart(_levels(), title="Nivå"))


def test_each_text_is_measured_once_per_process_and_the_svg_is_the_same(monkeypatch):
    """The SVG renderer's text sizes are kept across renderers and figures: a chart drawn
    again measures no text again, and its bytes are those of a chart measured afresh."""
    def draw() -> str:
        return figure_to_svg(waterfall(STEPS, title="Fossefall", point="Veksten er 16,0."))

    monkeypatch.setattr(plotting, "_TEXT_SIZES", {})
    with monkeypatch.context() as fresh:
        fresh.setattr(plotting, "_measured_once", contextlib.nullcontext)
        measured_afresh = draw()
    measured: list[str] = []
    measure = TextToPath.get_text_width_height_descent
    monkeypatch.setattr(TextToPath, "get_text_width_height_descent",
                        lambda self, s, prop, ismath: measured.append(s)
                        or measure(self, s, prop, ismath))
    first = draw()
    texts = len(measured)
    assert texts and "Veksten er 16,0" in measured  # the point title, measured once
    assert draw() == first == measured_afresh
    assert len(measured) == texts  # the second chart measured nothing


def test_levels_chart_bars():
    fig = levels_chart(_levels(), title="Kostnader per løsning")
    ax = fig.axes[0]
    heights = sorted(r.get_height() for r in ax.patches)
    assert heights == sorted(_levels()["value_mnok"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2024", "2025"]
    assert ax.get_legend().get_title().get_text() == "År"
    solutions = [t.get_text() for t in ax.get_xticklabels()]
    assert solutions == ["Kjernejournal", "e-resept", "Helsenorge"]


def test_levels_chart_lines():
    fig = levels_chart(_levels(), kind="line")
    ax = fig.axes[0]
    assert len(ax.lines) == 3 + 1  # one per solution, plus the zero line
    assert ax.get_xlabel() == "År"
    assert list(ax.lines[0].get_ydata()) == [300.0, 320.0]


def test_levels_chart_needs_its_columns():
    with pytest.raises(InputError, match="value_mnok"):
        levels_chart(_levels().drop(columns="value_mnok"))
    with pytest.raises(ValueError):
        levels_chart(_levels(), kind="pie")


def test_show_displays_svg_and_closes_pyplot_figures(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = plt.figure()
    fig.add_subplot().plot([1, 2], [3, 4])
    plotting.show(fig, source="NHN Tallgrunnlag, Tabell 3")
    assert fig.number not in plt.get_fignums()
    assert shown and shown[0].data.startswith('<figure class="tbu-chart"><svg')
    assert "<figcaption>" in shown[0].data
    assert "Kilde: NHN Tallgrunnlag, Tabell 3." in shown[0].data
