"""Provenance: commit, dirty tree, input checksums, versions and a rerun-stable time."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime

import pytest

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.provenance import (
    FIXED_EPOCH,
    PACKAGES,
    collect_provenance,
    provenance_table,
    source_date,
)

COMMIT_TIME = 1743500000  # 2025-04-01T09:33:20Z


def _git(repo, *args, **env):
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(repo),
            "GIT_CONFIG_NOSYSTEM": "1",
            **env,
        },
    )


@pytest.fixture
def repo(tmp_path, monkeypatch):
    for name in ("SOURCE_DATE_EPOCH", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "kostnader.csv").write_text("løsning;mnok\nKjernejournal;1038,5\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    stamp = f"@{COMMIT_TIME} +0000"
    _git(root, "commit", "-q", "-m", "data", GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    return root


def _collect(root, **kw):
    return collect_provenance(
        "2025-04",
        raw_paths=kw.pop("raw_paths", ["data/raw/kostnader.csv"]),
        parameters=kw.pop("parameters", {"round_id": "2025-04", "rate": 2.5}),
        repo_root=root,
    )


def test_clean_repo(repo):
    prov = _collect(repo)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert prov.commit == head
    assert prov.dirty is False and prov.changes == ()
    digest = hashlib.sha256((repo / "data/raw/kostnader.csv").read_bytes()).hexdigest()
    assert prov.inputs == (("data/raw/kostnader.csv", digest),)
    assert prov.parameters == {"round_id": "2025-04", "rate": 2.5}
    assert prov.timestamp == datetime.fromtimestamp(COMMIT_TIME, tz=UTC)
    assert prov.time_source == "git"
    assert list(prov.versions) == ["python", *PACKAGES]
    assert prov.versions["pandas"] != "ikke installert"


def test_rerun_gives_the_same_provenance(repo):
    assert _collect(repo).as_dict() == _collect(repo).as_dict()


def test_dirty_tree(repo):
    (repo / "data/raw/kostnader.csv").write_text("endret\n")
    (repo / "ny.txt").write_text("ny\n")
    prov = _collect(repo)
    assert prov.dirty is True
    assert prov.changes == (("M", "data/raw/kostnader.csv"), ("??", "ny.txt"))


def test_absolute_input_paths_are_shown_relative(repo):
    prov = _collect(repo, raw_paths=[repo / "data/raw/kostnader.csv"])
    assert prov.inputs[0][0] == "data/raw/kostnader.csv"


def test_source_date_epoch_wins(repo, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    prov = _collect(repo)
    assert prov.timestamp == datetime.fromtimestamp(1700000000, tz=UTC)
    assert prov.time_source == "SOURCE_DATE_EPOCH"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "i morgen")
    with pytest.raises(InputError):
        source_date(repo)


def test_not_a_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "a.csv").write_text("x\n")
    prov = collect_provenance("2025-04", raw_paths=["a.csv"], parameters={}, repo_root=tmp_path)
    assert prov.commit == "ukjent"
    assert prov.dirty is None
    assert prov.timestamp == datetime.fromtimestamp(FIXED_EPOCH, tz=UTC)
    assert prov.time_source == "fixed"


def test_missing_input(repo):
    with pytest.raises(InputError, match="finnes ikke"):
        _collect(repo, raw_paths=["data/raw/mangler.csv"])


def test_provenance_table(repo):
    (repo / "ny.txt").write_text("ny\n")
    table = provenance_table(_collect(repo, parameters={"round_id": "2025-04", "rate": -2.5}))
    assert list(table.columns) == ["Opplysning", "Element", "Verdi"]
    labels = [label for label in table["Opplysning"] if label]
    assert labels == [
        "Beregningsrunde",
        "Git-commit",
        "Lokale endringer",
        "Sjekksum (SHA-256)",
        "Parametre",
        "Versjoner",
        "Tidspunkt",
    ]
    rows = {(e, v) for e, v in zip(table["Element"], table["Verdi"], strict=True)}
    assert ("", "Ja (1 fil)") in rows
    assert ("ny.txt", "ny, ikke i git") in rows  # a changed file, by its path
    assert ("rate", "\u22122,5") in rows
    assert ("", "2025-04-01 09:33:20 UTC (tidspunktet for commit)") in rows
    # Each input under its folder, checksums whole: every row fits one line on the page.
    elements = list(table["Element"])
    folder = elements.index("data/raw/")
    assert table["Verdi"][folder] == ""
    assert elements[folder + 1] == "kostnader.csv" and len(table["Verdi"][folder + 1]) == 64
    assert not any("\u200b" in str(v) for v in [*elements[folder:], *table["Verdi"]])


def test_provenance_names_the_round_and_the_index_rates_in_words():
    from tbu_analysis.reports.context import provenance_frame

    table = provenance_frame("2024-host", {"round_id": "2024-host", "solution": "E-resept",
                                           "index_rates": {}})
    rows = dict(zip(table["Element"], table["Verdi"], strict=True))
    assert table["Verdi"][0] == "høsten 2024 (2024-host)"
    # The source raised 2023 kroner to 2024 kroner by 4,121 % (index.csv, Tabell 1).
    assert rows["Indeksjustering"] == "4,121\u00a0% (2023\u21922024)"
    assert rows["Løsning"] == "E-resept"
    assert not {"round_id", "index_rates", "solution"} & set(rows)
    given = provenance_frame("2024-host", {"round_id": "2024-host", "index_rates": {2023: 5}})
    assert dict(zip(given["Element"], given["Verdi"], strict=True))["Indeksjustering"] == (
        "5,000\u00a0% (2023\u21922024) (satt for denne kjøringen)")
