"""The round workflow through the command line: which round is the latest, round ids, runs
with another index, every input checked before anything is written, refused writes, outputs
published whole, and the PDF workers dying with their parent."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tbu_analysis import cli
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.store import OutputSet, staging_dir
from tbu_analysis.config import latest_round, validate_round_id

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"


def _manifest(root: Path, round_id: str, label: str, season: str) -> None:
    folder = root / "data" / "raw" / round_id
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(
        f"round: {round_id}\ntitle: Teknisk beregningsutvalg {label}\nlabel: {label}\n"
        f"season: {season}\n", encoding="utf-8")


def test_the_latest_round_goes_by_the_manifests_year_and_season(tmp_path):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    _manifest(tmp_path, "2024-host", "høsten 2024", "høst")
    _manifest(tmp_path, "2025-vår", "våren 2025", "vår")
    assert latest_round(tmp_path) == "2025-vår"
    # "runde-b" sorts after "2025-vår" by name, but is older by its manifest.
    _manifest(tmp_path, "runde-b", "våren 2023", "vår")
    assert latest_round(tmp_path) == "2025-vår"
    _manifest(tmp_path, "a-host", "høsten 2025", "høst")  # autumn comes after spring
    assert latest_round(tmp_path) == "a-host"


def test_round_ids_may_hold_norwegian_letters_but_no_path_tricks():
    assert validate_round_id("2025-vår") == "2025-vår"
    assert validate_round_id("2025-va\u030ar") == "2025-vår"  # decomposed å, as macOS types it
    for bad in ("", "..", "../etc", "a/b", "2025 vår", ".skjult"):
        with pytest.raises(InputError, match="ugyldig runde-id"):
            validate_round_id(bad)


def test_an_empty_round_is_an_error_not_every_round(tmp_path, monkeypatch, capsys, round_copier):
    round_copier(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["clean", "--round", ""]) == 2
    assert "ugyldig runde-id" in capsys.readouterr().err
    assert not (tmp_path / "data" / "processed").exists()


def edit_table_and_source(paths, name: str, old: str, new: str) -> None:
    """A valid change of a printed figure: the raw table, the line of the shipped source text
    it is checked against, and the manifest's checksum of that source all change together."""
    import hashlib

    from tbu_analysis.rounds.manifest import load_manifest

    manifest = load_manifest(paths.manifest)
    (spec,) = [t for t in manifest.tables if t.file.name == name]
    lines = spec.file.read_text(encoding="utf-8").split("\n")
    (at,) = [n for n, line in enumerate(lines) if old in line]
    lines[at] = lines[at].replace(old, new)
    spec.file.write_text("\n".join(lines), encoding="utf-8")
    source = paths.root / manifest.source["file"]
    text = source.read_bytes().split(b"\n")
    number = spec.lines[0] - 1 + at
    text[number] = text[number].replace(old.encode(), new.encode())
    source.write_bytes(b"\n".join(text))
    checksum = manifest.source["sha256"]
    updated = hashlib.sha256(source.read_bytes()).hexdigest()
    paths.manifest.write_text(paths.manifest.read_text(encoding="utf-8").replace(
        checksum, updated), encoding="utf-8")


@pytest.fixture
def cleaned(cleaned_round):
    """A copy of the round, cleaned with `tbu clean`, the cwd in its repository."""
    return cleaned_round


@pytest.mark.slow  # the whole pipeline more than once (10 s or more)
def test_another_index_gets_its_own_folder_and_every_output_records_its_rates(cleaned):
    paths = cleaned
    assert cli.main(["analyse", "--round", ROUND]) == 0
    default = {p.name: p.read_bytes() for p in paths.processed.iterdir() if p.is_file()}

    assert cli.main(["analyse", "--round", ROUND, "--index", "2023=5"]) == 0

    assert {p.name: p.read_bytes() for p in paths.processed.iterdir() if p.is_file()} == default
    other = paths.processed / "indeks-2023-5"
    assert json.loads((other / "run.json").read_text(encoding="utf-8"))["index_rates"] == \
        {"2023": 5.0}
    assert json.loads(default["run.json"])["index_rates"] == {"2023": 4.121}
    # The 2023 Helsenorge forskrift (325 printed, raised 4,121 %) is 312.1 nominal; at 5 %
    # the fixed 2024 figure becomes 312.1 × 1.05 = 327.7 instead of 325.
    workbook = load_workbook(other / f"tbu-{ROUND}.xlsx", read_only=True)
    index = [row for row in workbook["Indeks"].iter_rows(values_only=True)]
    assert index[1][:3] == (2023, 2024, 5.0) and "--index" in index[1][3]
    levels = (other / "levels.csv").read_text(encoding="utf-8")
    assert levels != (paths.processed / "levels.csv").read_text(encoding="utf-8")


def test_a_valid_table_edit_with_a_bad_claim_writes_nothing(cleaned, capsys):
    paths = cleaned
    capsys.readouterr()
    figures = paths.figures.read_bytes()
    edit_table_and_source(paths, "tallgrunnlag-tabell-03.tsv", "325\t344\t351\t374",
                          "325\t344\t351\t375")
    text = paths.claims.read_text(encoding="utf-8")
    paths.claims.write_text(text.replace('value: "16"', 'value: "seksten"', 1),
                            encoding="utf-8")

    assert cli.main(["clean", "--round", ROUND]) == 2
    err = capsys.readouterr().err
    assert "claims.yaml" in err and "seksten" in err
    assert err.count("feil:") == 1 and "Traceback" not in err
    assert paths.figures.read_bytes() == figures

    # The report stops in the same place, before any notebook runs.
    assert cli.main(["report", "--round", ROUND, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("feil:") == 1 and "claims.yaml" in err
    assert paths.figures.read_bytes() == figures
    assert not paths.reports.exists()


def _refuse(error: int):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(".csv"):
            raise OSError(error, os.strerror(error), str(dst))
        return real(src, dst, *args, **kwargs)

    return replace


#: Each case runs `tbu clean` (about 2 s); test-fast runs the first, `make test` all three.
@pytest.mark.parametrize("error", [errno.EACCES,
                                   pytest.param(errno.ENOSPC, marks=pytest.mark.slow),
                                   pytest.param(errno.EROFS, marks=pytest.mark.slow)])
def test_a_refused_write_is_one_message_and_exit_2(cleaned, monkeypatch, capsys, error):
    paths = cleaned
    capsys.readouterr()
    before = paths.figures.read_bytes()
    edit_table_and_source(paths, "tallgrunnlag-tabell-03.tsv", "325\t344\t351\t374",
                          "325\t344\t351\t375")  # so that figures.csv has new bytes to write
    monkeypatch.setattr(os, "replace", _refuse(error))

    assert cli.main(["clean", "--round", ROUND]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "figures.csv" in err and os.strerror(error) in err
    monkeypatch.undo()
    assert paths.figures.read_bytes() == before
    assert not staging_dir(paths.processed).exists()


def test_a_full_disk_while_staging_keeps_the_old_set(cleaned, monkeypatch, capsys):
    paths = cleaned
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in paths.processed.iterdir()}
    real = Path.write_bytes

    def full(self, data):
        if self.name == "clean_log.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert cli.main(["clean", "--round", ROUND]) == 2
    assert "clean_log.csv" in capsys.readouterr().err
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in paths.processed.iterdir()} == before


def test_outputs_are_published_together_or_not_at_all(tmp_path):
    folder = tmp_path / "out"
    with OutputSet(folder) as outputs:
        outputs.add_bytes("a.csv", b"1\n")
        outputs.add_bytes("b.csv", b"1\n")
        outputs.publish()
    inode = (folder / "a.csv").stat().st_ino

    with pytest.raises(RuntimeError), OutputSet(folder) as outputs:
        outputs.add_bytes("a.csv", b"2\n")
        raise RuntimeError("drept midt i kjøringen")
    assert (folder / "a.csv").read_bytes() == b"1\n"
    assert not staging_dir(folder).exists()

    # A run killed between staging and publishing leaves nothing new; one killed while
    # moving files in (its list written) is finished by the next run.
    staging = staging_dir(folder)
    staging.mkdir()
    (staging / "a.csv").write_bytes(b"3\n")
    (staging / "b.csv").write_bytes(b"3\n")
    with OutputSet(folder) as outputs:
        assert (folder / "a.csv").read_bytes() == b"1\n"
        outputs.publish()
    staging.mkdir()
    (staging / "b.csv").write_bytes(b"3\n")
    (staging / ".publish.json").write_text('["a.csv", "b.csv"]')  # a.csv already moved
    with OutputSet(folder) as outputs:
        assert (folder / "b.csv").read_bytes() == b"3\n"
        outputs.add_bytes("a.csv", b"1\n")  # unchanged bytes: not rewritten
        outputs.publish()
    assert (folder / "a.csv").stat().st_ino == inode


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.pdf
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and prctl")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_pdf_workers_die_with_the_report(round_copier, tmp_path, how):
    paths = round_copier(tmp_path)
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    # not --data-ready: the copy holds no cleaned data, and cleaning it gives the workers time
    # to start (with --data-ready the run stopped at once, before or after they started)
    process = subprocess.Popen([sys.executable, "-m", "tbu_analysis.cli", "report", "--round",
                                ROUND, "--quiet"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            # The workers are forked children running the same command line as the parent.
            workers = {pid for pid in _children(process.pid)
                       if b"tbu_analysis.cli" in Path(f"/proc/{pid}/cmdline").read_bytes()}
            time.sleep(0.2)
        assert len(workers) == 2, "the PDF workers did not start"
        os.kill(process.pid, how)
        process.wait(timeout=60)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
        assert not (paths.reports / f"tbu-{ROUND}.pdf").exists()
    finally:
        if process.poll() is None:
            process.kill()


def test_environment_yml_installs_exactly_the_lock():
    """environment.yml adds no pins of its own: it installs requirements.lock, which is
    uv.lock exported (what `make lock` writes)."""
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "-r requirements.lock" in env
    pins = [line.strip() for line in env.splitlines() if re.match(r"\s*- [\w.-]+[=<>]", line)]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert pins == ["- python=3.11"] and "3.11" in requires
    uv = ROOT / ".tools" / "uv" / "bin" / "uv"
    exported = subprocess.run([str(uv), "export", "--frozen", "--no-hashes", "--no-emit-project",
                               "--quiet"], cwd=ROOT, capture_output=True, text=True, check=True)

    def requirements(text: str) -> list[str]:
        return [line for line in text.splitlines() if line and not line.startswith("#")]

    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert requirements(exported.stdout) == requirements(lock)
    locked = tomllib.loads((ROOT / "uv.lock").read_text())["package"]
    versions: dict[str, set[str]] = {}
    for package in locked:
        versions.setdefault(package["name"], set()).add(package["version"])
    for line in requirements(lock):
        if "==" in line:
            name, version = line.split(";")[0].strip().split("==")
            assert version in versions[name], name


def test_no_data_file_points_at_the_shared_folder_outside_the_repository():
    for path in (ROOT / "data").rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".csv", ".md"}:
            assert "../shared" not in path.read_text(encoding="utf-8"), path


def test_readme_adding_a_round_names_every_top_level_manifest_key():
    from tbu_analysis.common.inputs import load_yaml_data

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a round", 1)[1].split("\n## ", 1)[0]
    keys = set(load_yaml_data(ROOT / "data" / "raw" / ROUND / "manifest.yaml"))
    for key in keys:
        assert f"`{key}`" in section, key
    for register in ("claims.yaml", "findings.yaml", "corrections.yaml"):
        assert register in section


#: The tests of the round's workbook run on one xdist worker, which writes it once.
ROUND_WORKBOOK = pytest.mark.xdist_group("round_workbook")


@pytest.fixture(scope="module")
def round_workbook(analysis):
    """The round's workbook as `tbu analyse` writes it (its bytes) and as openpyxl reads it;
    the tests only read it."""
    import io

    from tbu_analysis.analysis.analyse import workbook_sheets
    from tbu_analysis.common.store import excel_bytes

    data = excel_bytes(workbook_sheets(analysis))
    return data, load_workbook(io.BytesIO(data))


@ROUND_WORKBOOK
def test_the_workbook_shows_numbers_as_printed_with_filters(round_workbook):
    _, book = round_workbook
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref, sheet.title
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):  # no 0.6500000000000001, 273.9999999999999
                    assert not re.search(r"0000000|9999999", repr(cell.value)), \
                        (sheet.title, cell.coordinate, cell.value)
    # The long sheet: each figure with its printed decimals (130,1 → one decimal).
    tall = book["Tall"]
    header = [c.value for c in tall[1]]
    # Norwegian headings with their unit, not the CSV's codes (value_mnok, is_total)
    for sheet in book.worksheets:
        codes = [c.value for c in sheet[1] if "_" in str(c.value)]
        assert not codes, (sheet.title, codes)
    assert "Sumrad" in header
    value = header.index("Beløp (mill. kroner)") + 1
    decimals = header.index("Desimaler som trykt") + 1
    formats = {(r[decimals - 1].value, r[value - 1].number_format)
               for r in tall.iter_rows(min_row=2) if r[value - 1].value is not None}
    assert {(0, "#,##0"), (1, "#,##0.0")} <= formats
    assert all(fmt == "#,##0" + ("." + "0" * d if d else "") for d, fmt in formats)
    # Tabell 3 as the source prints it: the row labels, the printed headers, the numbers.
    sheet = book["Tabell 3 (tg-t3)"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Rad", "Forskrift 2023", "Forskrift 2024", "Forskrift 2025**",
                       "Estimat 2026"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["Kjernejournal"] == [121, 130, 93, 136]
    assert by_label["Sum"] == [941, 1038, 1054, 1076]
    sum_row = next(row for row in sheet.iter_rows() if row[0].value == "Sum")
    assert [cell.number_format for cell in sum_row[1:]] == ["#,##0"] * 4


@ROUND_WORKBOOK
def test_the_figures_print_one_page_wide_at_a_readable_size_and_keep_every_column(
        analysis, round_workbook):
    """«Tall» had all 31 columns of figures.csv: one page wide, a printed page was a grey
    blur. Now three sheets share the figure's place in the source (table, line, cell), each
    narrow enough to print at about three quarters of full size, and together they hold
    every column and every row."""
    import io

    import pandas as pd

    from tbu_analysis.vocab import COLUMN_HEADINGS, FIGURE_DETAIL_SHEETS

    data, book = round_workbook
    names = ["Tall", *FIGURE_DETAIL_SHEETS.values()]
    key = [COLUMN_HEADINGS[c] for c in ("table", "source_row", "source_col")]
    frames = [pd.read_excel(io.BytesIO(data), sheet_name=name) for name in names]
    for name, frame in zip(names, frames, strict=True):
        sheet = book[name]
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert sum(widths) <= 215, (name, sum(widths))  # the old «Tall»: 31 columns, 600+
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes.endswith("2")
        assert len(frame) == len(analysis.figures) == 485 and set(key) <= set(frame.columns)
    joined = frames[0]
    for frame in frames[1:]:
        joined = joined.merge(frame, on=key, how="outer", validate="one_to_one")
    assert sorted(joined.columns) == sorted(COLUMN_HEADINGS[c] for c in analysis.figures)
    assert len(joined) == 485
    row = joined[(joined["Tabell-id"] == "notat-t1") & (joined["Linje i kildefilen"] == 8)
                 & (joined["Celle i linjen"] == 3)].iloc[0]
    assert row["Beløp (mill. kroner)"] == 1054 and row["Løsning"] == "Alle løsninger"
    assert "34,5 mill. kr" in row["Merknad i cellen"] and row["Runde"] == "2024-host"


def test_a_run_with_another_index_reports_to_its_own_folder(tmp_round):
    assert tmp_round.reports_dir({2023: 5}) == tmp_round.reports / "indeks-2023-5"
    assert tmp_round.reports_dir() == tmp_round.reports
    assert tmp_round.analysis_dir({2023: 4.5, 2024: 3}) == \
        tmp_round.processed / "indeks-2023-4,5+2024-3"


def test_progress_lines_give_each_step_its_time_in_norwegian_format(capsys):
    cli._progress(ROUND)("PDF kjernejournal.pdf", 12.345)
    assert capsys.readouterr().out == "  2024-host: PDF kjernejournal.pdf (12,3 s)\n"


def test_workbook_cells_are_plain_values_a_spreadsheet_shows_as_printed():
    import io

    import pandas as pd

    from tbu_analysis.common.store import excel_bytes

    frame = pd.DataFrame({"tall": [0.1 + 0.2 + 0.35, 273.9999999999999], "år": [2024, 2025],
                          "rettet": [True, False], "tekst": ["a", None]})
    sheet = load_workbook(io.BytesIO(excel_bytes({"Ark": frame})))["Ark"]
    assert [c.value for c in sheet["A"][1:]] == [0.65, 274.0]
    assert sheet["A2"].number_format == "#,##0.0##" and sheet["B2"].number_format == "0"
    assert [c.value for c in sheet["C"][1:]] == ["ja", "nei"]
    assert sheet["D3"].value is None and sheet.auto_filter.ref == "A1:D3"


def test_no_file_in_git_keeps_a_merge_conflict():
    """A merge resolved in a hurry can leave git's markers in a committed file."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
    for name in filter(None, tracked):
        path = ROOT / name
        if path.suffix in {".lock", ".otf", ".ttf", ".pickle"} or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        assert not marker.search(text), name
