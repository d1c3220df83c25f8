"""One check of every input of a round, first: `tbu check` (and `tbu clean`, the first step of
`make report`) lists every stale quote of every register and every bad rate at once, grouped by
file, exits 2 and writes nothing."""

from __future__ import annotations

import pytest

from tbu_analysis.cli import main

ROUND_ID = "2024-host"

# One quote made stale in each register (the source says the first, the register the second).
STALE = [
    ("claims.yaml", "tilsvarer en økning på 4,8 %", "tilsvarer en økning på 4,7 %"),
    ("explanations.yaml", "økte sms-kostnader tilsvarende 0,5 mill. kroner",
     "økte sms-kostnader tilsvarende 0,5 millioner kroner"),
    ("conditions.yaml", "Estimat for 2026 forutsetter at tilstrekkelig",
     "Estimat for 2027 forutsetter at tilstrekkelig"),
    ("findings.yaml", "quote: \"", "quote: \"Ikke i kilden. "),
    ("previous_round.yaml", "Fra og med 2023 skal prognosene",
     "Fra og med 2024 skal prognosene"),
    ("corrections.yaml", "Det antas en reduksjon på 4 mill. kroner.",
     "Det antas en reduksjon på 5 mill. kroner."),
]


def _stale_copy(paths) -> dict[str, int]:
    """Make one quote stale per register; the line each now stands on."""
    lines = {}
    for name, old, new in STALE:
        path = paths.raw / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        at = text.index(old)
        path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
        lines[name] = text[:at].count("\n") + 1
    return lines


def test_every_stale_quote_of_every_register_in_one_run(tmp_round, capsys, monkeypatch):
    monkeypatch.chdir(tmp_round.root)
    lines = _stale_copy(tmp_round)
    index = tmp_round.index
    index.write_text(index.read_text(encoding="utf-8").replace('"4,121"', '"3,5"'),
                     encoding="utf-8")
    assert main(["check", "--round", ROUND_ID]) == 2
    err = capsys.readouterr().err
    assert err.startswith("feil: 7 feil i inndataene til runden 2024-host")
    for name, line in lines.items():
        block = err.split(f"data/raw/{ROUND_ID}/{name}\n", 1)[1].split("\n  data/", 1)[0]
        assert f"linje {line}" in block and "sitatet finnes ikke i kilden" in block, name
    # The manifest's «justert med 4,121 %» against the round's own (now 3,5 %) rate.
    assert "prisgrunnlaget sier 4,121 %, men rundens index.csv gir 3,5 %" in err
    # `tbu clean` (make report's first step) says the same, and nothing is written.
    assert main(["clean", "--round", ROUND_ID]) == 2
    assert capsys.readouterr().err == err
    assert not (tmp_round.root / "data" / "processed").exists()


def test_each_bad_entry_is_listed_not_only_the_first(tmp_round, capsys, monkeypatch):
    monkeypatch.chdir(tmp_round.root)
    path = tmp_round.raw / "explanations.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("change: økning") > 3
    path.write_text(text.replace("change: økning", "change: oppgang"), encoding="utf-8")
    assert main(["check", "--round", ROUND_ID]) == 2
    err = capsys.readouterr().err
    assert err.count("nøkkel explanations[") == text.count("change: økning")
    assert err.count(".change: ugyldig verdi") == text.count("change: økning")


#: Each case checks the whole round (about 2 s); test-fast sees the second, which passes only
#: when the rest of the shipped round does too.
@pytest.mark.parametrize("rate", [pytest.param("4,121", marks=pytest.mark.slow), "4,1214"])
def test_the_shipped_round_passes(tmp_round, capsys, monkeypatch, rate):
    """4,1214 rounds to the printed 4,121: the same rate within the printed digits."""
    monkeypatch.chdir(tmp_round.root)
    index = tmp_round.index
    index.write_text(index.read_text(encoding="utf-8").replace('"4,121"', f'"{rate}"'),
                     encoding="utf-8")
    assert main(["check", "--round", ROUND_ID]) == 0
    assert "alle inndata er i orden" in capsys.readouterr().out


def test_a_reason_in_words_without_its_quote_in_the_source_is_refused(tmp_round, capsys,
                                                                      monkeypatch):
    """explanations.yaml's ``in_words`` (reasons without an amount) are checked like every
    quote: «ressurspådraget noe redusert» is in the source, «kraftig redusert» is not."""
    monkeypatch.chdir(tmp_round.root)
    path = tmp_round.raw / "explanations.yaml"
    text = path.read_text(encoding="utf-8")
    old = "Som følge av dette er ressurspådraget noe redusert."
    assert text.count(old) == 1 and text.index("in_words:") < text.index(old)
    path.write_text(text.replace(old, "Som følge av dette er ressurspådraget kraftig redusert."),
                    encoding="utf-8")
    assert main(["check", "--round", ROUND_ID]) == 2
    err = capsys.readouterr().err
    line = text[:text.index(old)].count("\n") + 1
    assert f"explanations.yaml, linje {line}" in err and "sitatet finnes ikke i kilden" in err
