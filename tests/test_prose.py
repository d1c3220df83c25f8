"""The one Jinja environment: Babel filters in sentences, strict names, escaping by kind."""

from __future__ import annotations

import jinja2
import pytest

from tbu_analysis.common import prose

NB = "\u00a0"
MINUS = "\u2212"


@pytest.fixture
def templates(tmp_path):
    (tmp_path / "level.md.j2").write_text(
        "Kostnadene var {{ total | mnok }} i {{ year }}, {{ pct | change_percent }} "
        "({{ delta | change_mnok }}).\n")
    (tmp_path / "cell.html.j2").write_text("<p>{{ text }}</p>\n")
    (tmp_path / "strict.md.j2").write_text("{{ missing_name }}\n")
    return tmp_path


def _env(folder):
    # The package has no templates of its own in tests: override with the folder; the package
    # loader still has to exist, so point it at a real folder of the package.
    return prose.environment("tbu_analysis.reports", "templates", override=folder)


def test_a_sentence_prints_the_sources_total_in_norwegian(templates):
    # The source's 2025 total, 1 054 MNOK; 2024→2025 growth as the analysis gives it.
    text = prose.render(_env(templates), "level.md.j2", total=1054, year=2025, pct=4.94,
                        delta=-11.4)
    assert text == (f"Kostnadene var 1{NB}054{NB}mill. kroner i 2025, +4,9{NB}% "
                    f"({MINUS}11,4{NB}mill. kroner).")


def test_filters_format_as_the_tables_do():
    assert prose.number(1038.5) == f"1{NB}038,5"
    assert prose.number(1054) == f"1{NB}054"
    assert prose.number(130.1, 2) == "130,10"
    assert prose.change(16) == "+16"
    assert prose.change(-11.45) == f"{MINUS}11,5"  # half up, as published tables round
    assert prose.percent(4.9) == f"4,9{NB}%"
    assert prose.mnok(None) == "\u2013"
    assert prose.magnitude(-6.4) == 6.4
    assert prose.join_words(["FM", "SFM", "PLL"]) == "FM, SFM og PLL"
    assert prose.join_words(["FM"]) == "FM"


def test_an_unknown_name_is_an_error_not_a_gap(templates):
    with pytest.raises(jinja2.UndefinedError):
        prose.render(_env(templates), "strict.md.j2")


def test_html_templates_escape_and_markdown_templates_do_not(templates):
    env = _env(templates)
    assert prose.render(env, "cell.html.j2", text="<b>&") == "<p>&lt;b&gt;&amp;</p>"
    md = env.from_string("{{ text }}")
    assert md.render(text="<b>") == "<b>"


def test_the_environment_is_one_per_folder(templates):
    assert _env(templates) is _env(templates)
