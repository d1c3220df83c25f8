"""README «Adding a round», followed: scaffold a round from a changed copy of the source (figures,
a removed row, reworded words, the index at 3,5 %), fix what the review list names, build both
rounds, and the old round's outputs are byte for byte what they were."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tbu_analysis.cli import main
from tbu_analysis.config import discover_rounds, round_paths
from tbu_analysis.rounds.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
OLD = "2024-host"
NEW = "2025-var"


def changed_source(target: Path) -> Path:
    """The autumn source with what a next round changes: an added paragraph (every line after
    it moves), a figure of the note's Tabell 1, a row of Tabell 10 gone, a sentence reworded
    with a new number, and the index at 3,5 % wherever it is printed."""
    text = (ROOT / "data/raw/2024-host/source/000_0a93e98d5add182d.txt").read_text("utf-8")
    edits = [
        ("## 1 Oppsummering\n", "## 1 Oppsummering\n\nEt nytt avsnitt i vårens notat.\n"),
        ("Helsenorge\t325\t344\t351\t374", "Helsenorge\t325\t344\t351\t380"),
        ("Kryptotjenesten\t7,5\t\t\t\t\t\t\t7,5\t\t7,5\n", ""),
        ("økte sms-kostnader tilsvarende 0,5 mill. kroner",
         "økte sms-kostnader tilsvarende 0,7 mill. kroner"),
    ]
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    assert text.count("4,121") == 3
    text = text.replace("4,121", "3,5")
    path = target / "tallgrunnlag-var-2025.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    # The round the test starts from and the shared inputs; other rounds a user has added (say
    # a real spring 2025 round) stay out, so the new round's name is free whatever is present.
    others = set(discover_rounds(ROOT)) - {OLD}
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw",
                    ignore=lambda folder, names: [n for n in names if Path(folder) ==
                                                  ROOT / "data" / "raw" and n in others])
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    for name in ("pyproject.toml", "Makefile", "uv.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "src").mkdir()
    (tmp_path / ".installed").touch()  # the set-up stamp, newer than pyproject and uv.lock
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_stamp(repo: Path, round_id: str) -> bytes:
    """The old round's ``.make/<round>.inputs`` as make writes it when it reads the Makefile
    (``make -n``: nothing runs): what decides whether its outputs are rebuilt."""
    done = subprocess.run(["make", "-n", "--no-print-directory", f"VENV={ROOT / '.venv'}",
                           f"STAMP={repo / '.installed'}", "data", f"ROUND={round_id}"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return (repo / ".make" / f"{round_id}.inputs").read_bytes()


def outputs(repo: Path, round_id: str) -> dict[str, bytes]:
    folder = repo / "data" / "processed" / round_id
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.make
def test_a_changed_round_from_the_scaffold(repo, capsys):
    # The old round, built before the new one exists.
    assert main(["clean", "--round", OLD]) == 0 and main(["analyse", "--round", OLD]) == 0
    before = outputs(repo, OLD)
    stamp = make_stamp(repo, OLD)
    source = changed_source(repo)

    # 1. Scaffold: no line number or checksum typed by hand.
    assert main(["new-round", "--new", NEW, "--from", OLD, "--source", str(source)]) == 0
    out = capsys.readouterr().out
    assert "12 av 12 tabeller funnet igjen" in out and "1 endret" in out
    folder = repo / "data" / "raw" / NEW
    review = (folder / "GJENNOMGANG.md").read_text("utf-8")
    assert "linje 946–956 → 948–957; -1 linjer" in review  # Tabell 10 lost a row
    assert "linje 73–81 → 75–83; 1 rader har nye tall eller ord" in review
    assert "- før: «økte sms-kostnader tilsvarende 0,5 mill. kroner»" in review
    assert "- nå:  «økte sms-kostnader tilsvarende 0,7 mill. kroner»" in review
    assert "4,121 % → **3,5 %**" in review
    assert "`document: NHN Tallgrunnlag høst 2024` (11 tabeller) er forrige rundes" in review
    index = (folder / "index.csv").read_text("utf-8")
    assert '2023,2024,"3,5"' in index and "«2023- tallene er justert med 3,5 %»" in index
    assert "4,121" not in (folder / "manifest.yaml").read_text("utf-8")
    assert "previous_round: 2024-host" in (folder / "manifest.yaml").read_text("utf-8")
    carried = repo / "data" / "raw" / OLD / "abbreviations.yaml"  # a register like the others
    assert (folder / "abbreviations.yaml").read_bytes() == carried.read_bytes()

    # 2. One check names everything left to do, at once, and writes nothing.
    assert main(["check", "--round", NEW]) == 2
    err = capsys.readouterr().err
    assert "3 feil i inndataene til runden 2025-var" in err
    assert "nøkkel season: mangler" in err and "nøkkel title: mangler" in err
    assert "explanations[2].quote: sitatet finnes ikke i kilden" in err
    assert not (repo / "data" / "processed" / NEW).exists()

    # 3. Fix what the review list names, as the analyst would.
    manifest = folder / "manifest.yaml"
    text = manifest.read_text("utf-8").splitlines()
    text = [("title: Teknisk beregningsutvalg våren 2025" if line.startswith("title:") else
             "label: våren 2025" if line.startswith("label:") else
             "season: vår" if line.startswith("season:") else line) for line in text]
    text = [line.replace("NHN Tallgrunnlag høst 2024", "NHN Tallgrunnlag vår 2025")
            for line in text]  # the review list: «document … er forrige rundes dokument»
    manifest.write_text("\n".join(text) + "\n", encoding="utf-8")
    explanations = folder / "explanations.yaml"
    explanations.write_text(explanations.read_text("utf-8").replace(
        'amount: "0,5", change: økning, reason: "økte sms-kostnader"',
        'amount: "0,7", change: økning, reason: "økte sms-kostnader"').replace(
        "tilsvarende 0,5 mill. kroner", "tilsvarende 0,7 mill. kroner"), encoding="utf-8")
    assert main(["check", "--round", NEW]) == 0

    # 4. Both rounds built; the old round's outputs are byte for byte what they were.
    for round_id in (NEW, OLD):
        assert main(["clean", "--round", round_id]) == 0
        assert main(["analyse", "--round", round_id]) == 0
    assert outputs(repo, OLD) == before
    # make sees the old round's inputs unchanged, so `make report` rebuilds none of its files.
    assert make_stamp(repo, OLD) == stamp
    assert b"data/raw/2024-host/" in make_stamp(repo, NEW)  # the round it compares with
    new_manifest = load_manifest(round_paths(NEW, repo).manifest)
    assert new_manifest.previous_round == OLD
    levels = (repo / "data/processed" / NEW / "levels.csv").read_text("utf-8")
    assert "2023-tallene er justert med 3,5 %" in levels  # its own rate, not the autumn's

    # 5. Scenarios per round: the baseline's growth from the new round's own summary table,
    # with its source named; a source of the autumn round's document is warned about.
    from tbu_analysis.scenarios.files import load_scenario, other_rounds_sources

    scenario = load_scenario("scenarios/baseline.yml", round_id=NEW)
    assert (scenario.efficiency_pct, scenario.volume_pct) == (2.4, 1.1)
    assert scenario.growth_source == "NHN Tallgrunnlag vår 2025, Tabell 11 (vekst 2025–2026 i %)"
    warnings = other_rounds_sources("scenarios/baseline.yml", NEW)
    assert {w.key for w in warnings} >= {"horizon_source"}
    assert all("kilden er fra runden 2024-host («NHN Tallgrunnlag høst 2024»)" in str(w)
               for w in warnings)
    assert other_rounds_sources("scenarios/baseline.yml", OLD) == []
