"""Nothing lost, nothing silent (issue 22): interrupts keep the last good set, write errors stay
one message, inputs are checked against what they say of themselves, scenarios neither lose
nor invent money, make tells the truth, and messages stay short and point at the right place.

Each family breaks one thing the way a user or the system would (a signal, a full disk,
another filesystem, a file edited to contradict itself) and checks the promise the README
makes: one message, the right exit code, and the earlier outputs byte for byte as they were.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.cli import INTERRUPTED, main
from tbu_analysis.common.atomic import WriteError, write_bytes
from tbu_analysis.common.errors import InputError
from tbu_analysis.config import RoundPaths
from tbu_analysis.scenarios.files import load_scenario
from tbu_analysis.scenarios.keys import Override, YearSpan
from tbu_analysis.scenarios.labels import UNALLOCATED
from tbu_analysis.scenarios.projection import BILL_GROUPS, compute

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2024-host"
PYTHON = sys.executable
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yml"))


def one_error(argv: list[str], capsys) -> str:
    """The CLI's bad-input promise: exit 2, nothing on stdout, one line on stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("feil: "), err
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def replace_once(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text[:at].count("\n") + 1


@pytest.fixture
def cleaned(cleaned_round: RoundPaths) -> RoundPaths:
    """The copied round, cleaned once with good input; cwd is its repo."""
    return cleaned_round


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "1m"):
    """A small tmpfs mounted at ``folder`` (another filesystem, and one that fills up), or the
    test is skipped with the reason the machine gives."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs root and mount(8); not available here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> None:
    """Fill the filesystem under ``folder`` to the last byte."""
    with contextlib.suppress(OSError), (folder / ".fyll").open("wb") as handle:
        while True:  # until ENOSPC (raised by a write, or by the close after the last one)
            handle.write(b"\0" * 4096)
            handle.flush()


# --- 1. interrupts keep the last good set ------------------------------------------------------

#: The test seam (tests/seams/sitecustomize.py): a function that, called first in the run,
#: says so in a file and waits, so the signal lands at that point however fast the machine.
SEAMS = Path(__file__).resolve().parent / "seams"


def paused_env(at: str, ready: Path, argv: str | None = None) -> dict[str, str]:
    """The environment that pauses the run at ``at`` (``module:name``), in a process whose
    command line holds ``argv`` (when given), after creating ``ready``."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SEAMS), env.get("PYTHONPATH")]))
    env.update(TBU_PAUSE_AT=at, TBU_PAUSE_READY=str(ready))
    if argv is not None:
        env["TBU_PAUSE_ARGV"] = argv
    return env


def signal_when_paused(process: subprocess.Popen, ready: Path, send: Callable[[], None],
                       limit: float = 300) -> tuple[str, str]:
    """Wait until the run reaches its pause (the ready file), then ``send`` the signal; the
    process's output. Fails, rather than hangs, if the run ends or never gets there."""
    try:
        deadline = time.monotonic() + limit
        while not ready.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run never reached its pause point"
            time.sleep(0.05)
        send()
        return process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


@pytest.fixture(scope="module")
def built_repo(tmp_path_factory) -> Path:
    """A copy of the repository with `make analysis` run once (test_make's copy)."""
    from test_make import copy_repo, make

    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    done = make(repo, "analysis", f"ROUND={ROUND}")
    assert done.returncode == 0, done.stderr
    return repo


@pytest.mark.make
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses process groups")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("stage", ["clean", "analyse"])
def test_an_interrupted_make_deletes_no_good_output(built_repo, tmp_path, stage, how):
    """Ctrl-C (SIGINT to the whole group) or SIGTERM while `tbu clean` or `tbu analyse` runs
    under make, with its whole set staged and about to be published: make deletes none of the
    grouped rule's outputs ("Deleting file …"), the CLI says one line and no traceback, and
    every output keeps its bytes."""
    repo = built_repo
    processed = repo / "data" / "processed" / ROUND
    before = snapshot(processed)
    assert {"figures.csv", "growth.csv", "run.json", f"tbu-{ROUND}.xlsx"} <= set(before)
    # A new raw file: the round's stamp changes, so make reruns clean, then analyse.
    note = repo / "data" / "raw" / ROUND / f"notat-{stage}-{how.name}.txt"
    note.write_text("et nytt notat\n", encoding="utf-8")
    ready = tmp_path / "paused"
    process = subprocess.Popen(
        ["make", "--no-print-directory", f"VENV={ROOT / '.venv'}",
         f"STAMP={repo / '.installed'}", "analysis", f"ROUND={ROUND}"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        env=paused_env("tbu_analysis.common.store:OutputSet.publish", ready, argv=stage))
    try:
        out, err = signal_when_paused(process, ready, lambda: os.killpg(process.pid, how))
    finally:
        note.unlink()
    assert process.returncode != 0, out + err
    assert "Deleting file" not in err and "Sletter fil" not in err, err
    assert "Traceback" not in err, err
    assert err.count(INTERRUPTED) == 1, err
    assert snapshot(processed) == before
    assert not list(processed.parent.glob(".*staging*")), "a staged set was left behind"


@pytest.mark.notebook
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses process groups")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_report_prints_one_line_and_keeps_the_reports(tmp_round, tmp_path, how):
    """Stopped while a notebook runs in the kernel (it is loading the round's context): exit
    130 (SIGINT, to the whole group as Ctrl-C sends it) or 143 (SIGTERM, to the CLI alone), the
    one line, no traceback (not from the kernel or the PDF workers either), the earlier report
    set untouched and nothing staged left behind."""
    root = tmp_round.root
    # copied, not linked: a notebook finds its project from the folder it runs in
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    for command in ("clean", "analyse"):
        subprocess.run([PYTHON, "-m", "tbu_analysis.cli", command, "--round", ROUND],
                       cwd=root, check=True, capture_output=True, env=env)
    reports = root / "reports" / ROUND
    reports.mkdir(parents=True)
    (reports / f"tbu-{ROUND}.pdf").write_bytes(b"%PDF forrige gode sett")
    before = snapshot(reports)  # (the kernel's log beside it is no output)
    ready = tmp_path / "paused"
    process = subprocess.Popen(
        [PYTHON, "-m", "tbu_analysis.cli", "report", "--round", ROUND, "--data-ready",
         "--quiet"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env=paused_env("tbu_analysis.reports.context:load", ready))

    def send() -> None:
        if how == signal.SIGINT:
            os.killpg(process.pid, how)  # Ctrl-C reaches the whole group
        else:
            process.send_signal(how)

    out, err = signal_when_paused(process, ready, send)
    assert process.returncode == 128 + how, err
    assert err.strip().splitlines()[-1] == INTERRUPTED, err
    assert err.count(INTERRUPTED) == 1 and "Traceback" not in err, err
    assert snapshot(reports) == before
    assert not list(reports.parent.glob(".*staging*")), "a staged set was left behind"


def test_clean_over_every_round_publishes_none_when_one_is_broken(tmp_round, monkeypatch,
                                                                  capsys):
    """A broken second round stops `tbu clean` before the first round is published."""
    root = tmp_round.root
    monkeypatch.chdir(root)
    second = root / "data" / "raw" / "2099-host"
    shutil.copytree(tmp_round.raw, second)
    replace_once(second / "manifest.yaml", f"round: {ROUND}", "round: 2099-host")
    table = second / "tables" / "tallgrunnlag-tabell-03.tsv"
    table.write_text(table.read_text(encoding="utf-8").replace("1054", "tusen", 1),
                     encoding="utf-8")
    message = one_error(["clean"], capsys)
    assert "2099-host" in message
    assert not tmp_round.figures.exists()  # the good first round was not published alone
    assert not (root / "data" / "processed" / "2099-host").exists()


def test_a_base_year_after_its_year_is_refused_before_clean_publishes(cleaned, capsys):
    """Clean and analyse publish together or not at all: a driver column whose base year lies
    after its year (an analysis error) stops `tbu clean` too."""
    before = cleaned.figures.read_bytes()
    line = replace_once(cleaned.manifest, "year: 2025, base_year: 2024, role: driver",
                        "year: 2025, base_year: 2026, role: driver")
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message
    assert "base_year må ligge før" in message and "'2026'" in message
    assert cleaned.figures.read_bytes() == before


# --- 2. write errors stay one message ----------------------------------------------------------

def test_write_and_input_errors_pickle_whole():
    write = WriteError("reports/x/tbu.pdf", OSError(28, "No space left on device"))
    same = pickle.loads(pickle.dumps(write))
    assert isinstance(same, WriteError) and str(same) == str(write)
    assert same.path == write.path and same.reason == "No space left on device"
    bad = InputError("ukjent enhet", path="a.csv", line=3, column="unit", text="X")
    again = pickle.loads(pickle.dumps(bad))
    assert str(again) == str(bad) and (again.line, again.column, again.text) == (3, "unit", "X")


def test_a_write_error_in_a_pdf_worker_reaches_the_caller_as_itself(tmp_path):
    """What the PDF pool does with a full disk: the worker's WriteError arrives intact (it
    was ``BrokenProcessPool`` because WriteError could not be unpickled)."""
    from concurrent.futures import ProcessPoolExecutor

    from tbu_analysis.reports.execute import _stop_workers

    folder = tmp_path / "skrivebeskyttet"
    folder.mkdir()
    folder.chmod(0o500)
    target = Path("/proc/self/ikke-her/tbu.pdf") if os.geteuid() == 0 else folder / "tbu.pdf"
    pool = ProcessPoolExecutor(max_workers=1)
    try:
        future = pool.submit(write_bytes, target, b"%PDF")
        with pytest.raises(WriteError) as info:
            future.result(timeout=60)
        assert str(target) in str(info.value)
    finally:
        pool.shutdown()
        _stop_workers(pool)  # after shutdown too: idempotent (raised AttributeError)
        _stop_workers(pool)


def test_a_staged_set_publishes_into_another_filesystem(tmp_path):
    """`reports/<round>` on another filesystem: the move from the staging folder beside it
    falls back to copy-and-rename (was EXDEV: one WriteError, nothing published)."""
    from tbu_analysis.common.store import OutputSet

    with tmpfs(tmp_path / "reports" / ROUND) as folder:
        (folder / "a.csv").write_bytes(b"1\n")
        with OutputSet(folder) as outputs:
            outputs.add_bytes("a.csv", b"2\n")
            outputs.add_bytes("executed/b.ipynb", b"{}\n")
            outputs.publish()
        assert (folder / "a.csv").read_bytes() == b"2\n"
        assert (folder / "executed" / "b.ipynb").read_bytes() == b"{}\n"
        assert sorted(p.name for p in folder.rglob("*")) == ["a.csv", "b.ipynb", "executed"]

        # The same filesystem full: one WriteError naming the file, the earlier file whole,
        # no temporary file left behind.
        fill(folder)
        with pytest.raises(WriteError) as info, OutputSet(folder) as outputs:
            outputs.add_bytes("a.csv", b"3\n" * 300_000)
            outputs.publish()
        assert str(folder / "a.csv") in str(info.value)
        assert (folder / "a.csv").read_bytes() == b"2\n"
        assert not [p for p in folder.rglob("*.tmp")]


class _Killed(BaseException):
    """The process dying between two moves (nothing after it runs)."""


def _publish_over(folder: Path, monkeypatch, fail_at: int, failure: BaseException,
                  roll_back: bool = True) -> None:
    """Publish a set of four changed files (one new, one in a subfolder) and one unchanged,
    with the ``fail_at``-th move into ``folder`` raising ``failure``."""
    from tbu_analysis.common import store

    real, calls = store._move, []

    def move(staged: Path, target: Path) -> None:
        calls.append(target.name)
        if len(calls) == fail_at:
            raise failure
        real(staged, target)

    monkeypatch.setattr(store, "_move", move)
    if not roll_back:  # a kill: no roll-back, and the staging folder stays where it is
        monkeypatch.setattr(store, "_roll_back", lambda *args: None)
        monkeypatch.setattr(store.OutputSet, "__exit__",
                            lambda self, *exc: self._lock.__exit__(*exc))
    try:
        with store.OutputSet(folder) as outputs:
            for name in ("a.csv", "b.csv", "executed/c.ipynb", "d.csv"):
                outputs.add_bytes(name, f"ny {name}\n".encode())
            outputs.add_bytes("u.csv", b"uendret\n")
            outputs.publish()
    finally:
        monkeypatch.undo()


def _earlier_set(folder: Path) -> dict[str, bytes]:
    for name in ("a.csv", "b.csv", "executed/c.ipynb", "u.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(f"gammel {name}\n".encode() if name != "u.csv"
                                    else b"uendret\n")
    return snapshot(folder)


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"),
                                     KeyboardInterrupt()], ids=["ENOSPC", "SIGINT"])
def test_a_publish_that_fails_at_any_move_leaves_the_earlier_set(tmp_path, monkeypatch,
                                                                 fail_at, failure):
    """A publish of several files that fails at its n-th move (a refused rename, a full
    disk on another filesystem, Ctrl-C) puts back the files already moved: the reader sees the
    earlier set, byte for byte, and no new file; the next publish works."""
    from tbu_analysis.common.store import OutputSet, staging_dir

    folder = tmp_path / "out"
    before = _earlier_set(folder)
    with pytest.raises((WriteError, KeyboardInterrupt)):
        _publish_over(folder, monkeypatch, fail_at, failure)
    assert snapshot(folder) == before
    assert not staging_dir(folder).exists()
    with OutputSet(folder) as outputs:  # and the next run publishes whole
        outputs.add_bytes("a.csv", b"ny\n")
        outputs.publish()
    assert (folder / "a.csv").read_bytes() == b"ny\n"
    assert snapshot(folder) == {**before, "a.csv": b"ny\n"}


@pytest.mark.parametrize("killed_at", [1, 2, 3, 4])
def test_a_publish_killed_between_moves_is_finished_whole_by_the_next_run(tmp_path, monkeypatch,
                                                                          killed_at):
    """Killed (nothing runs after) between two moves: the next run moves the rest in, so
    the set is the new one whole, never a mix."""
    from tbu_analysis.common.store import OutputSet, staging_dir

    folder = tmp_path / "out"
    _earlier_set(folder)
    with pytest.raises(_Killed):
        _publish_over(folder, monkeypatch, killed_at, _Killed(), roll_back=False)
    with OutputSet(folder):
        pass
    assert snapshot(folder) == {"a.csv": b"ny a.csv\n", "b.csv": b"ny b.csv\n",
                                "executed/c.ipynb": b"ny executed/c.ipynb\n",
                                "d.csv": b"ny d.csv\n", "u.csv": b"uendret\n"}
    assert not staging_dir(folder).exists()


def test_a_full_disk_under_data_processed_is_one_message(cleaned, capsys):
    """`tbu clean` onto a full disk: exit 2, one line naming the file, the earlier set whole."""
    processed = cleaned.processed
    kept = snapshot(processed)
    with tmpfs(cleaned.root / "data" / "processed") as mount:
        for name, data in kept.items():  # the earlier set, on the small disk; a byte changed
            (mount / ROUND / name).parent.mkdir(parents=True, exist_ok=True)
            (mount / ROUND / name).write_bytes(data + b"\n")
        before = snapshot(processed)
        fill(mount)
        message = one_error(["clean", "--round", ROUND], capsys)
        assert "kunne ikke skrive" in message and ROUND in message
        assert snapshot(processed) == before
        assert not (mount / f".{ROUND}.staging").exists()


@pytest.mark.parametrize("value", ["", "i morgen", "١٧٠٠٠٠٠٠٠٠"])
def test_a_malformed_source_date_epoch_stops_before_anything_runs(cleaned, monkeypatch,
                                                                   capsys, value):
    """Empty (it hung the kernel 60 s in IPython's banner, after data/processed was already
    updated) or not an integer: one message, and data/processed untouched."""
    before = snapshot(cleaned.processed)
    (cleaned.raw / "notat.txt").write_text("nytt\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "SOURCE_DATE_EPOCH" in message
    assert snapshot(cleaned.processed) == before


# --- 3. every input checked against what it says of itself -------------------------------------

@pytest.mark.parametrize(("old", "new", "shown"), [
    # a year the header does not print (the levels gained a «Helsenorge 2027» of 325)
    ("1: {header: Forskrift 2023, measure: forskrift, year: 2023, role: value, price_basis: "
     "*indeksregulert}", "1: {header: Forskrift 2023, measure: forskrift, year: 2027, role: "
     "value, price_basis: {label: 2024-kroner, price_year: 2024, nominal_year: 2027}}",
     "året 2027 står ikke i overskriften (den trykker 2023)"),
    # the same with the price basis left as it was: its own nominal year contradicts it
    ("1: {header: Forskrift 2023, measure: forskrift, year: 2023,",
     "1: {header: Forskrift 2023, measure: forskrift, year: 2027,",
     "prisgrunnlaget gjelder tall for 2023, men kolonnen er for 2027"),
    # a measure the header contradicts
    ("{header: Prognose 2024, measure: prognose,", "{header: Prognose 2024, measure: forskrift,",
     "målet forskrift passer ikke"),
])
def test_a_manifest_column_must_agree_with_its_printed_header(cleaned, capsys, old, new, shown):
    before = cleaned.figures.read_bytes()
    line = replace_once(cleaned.manifest, old, new)
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "manifest.yaml" in message and f"linje {line}" in message and shown in message
    assert cleaned.figures.read_bytes() == before


@pytest.mark.parametrize(("old", "new", "shown"), [
    # the price basis of another year than the column's
    ("3: {header: Forskrift 2025**, measure: finansieringsbehov, year: 2025, role: value, "
     "price_basis: *ikke_indeksregulert_2025}",
     "3: {header: Forskrift 2025**, measure: finansieringsbehov, year: 2025, role: value, "
     "price_basis: *ikke_indeksregulert_2026}", "gjelder tall for 2026"),
    # a price year its own words contradict («2024-kroner»)
    ("label: løpende 2024-kroner\n    price_year: 2024", "label: løpende 2024-kroner\n"
     "    price_year: 2023", "teksten sier «2024-kroner»"),
])
def test_a_price_basis_must_agree_with_its_column_and_its_words(cleaned, capsys, old, new,
                                                                shown):
    before = cleaned.figures.read_bytes()
    replace_once(cleaned.manifest, old, new)
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "manifest.yaml" in message and "linje" in message and shown in message
    assert cleaned.figures.read_bytes() == before


def test_a_claim_value_must_be_a_number_its_quote_prints(cleaned, capsys):
    """«16» beside a quote that says «17 millioner» was reported as «det stemmer»."""
    before = cleaned.figures.read_bytes()
    line = replace_once(cleaned.claims, 'value: "16"', 'value: "17"')
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "claims.yaml" in message and f"linje {line}" in message
    assert "står ikke i sitatet" in message and "'17'" in message
    assert cleaned.figures.read_bytes() == before


def test_a_raw_file_linked_out_of_the_repository_is_refused_by_its_name(cleaned, capsys,
                                                                        tmp_path_factory):
    outside = tmp_path_factory.mktemp("utenfor") / "hemmelig.yaml"
    shutil.copy2(cleaned.claims, outside)
    cleaned.claims.unlink()
    cleaned.claims.symlink_to(outside)
    message = one_error(["clean", "--round", ROUND], capsys)
    assert "claims.yaml" in message and "peker ut av prosjektet" in message
    assert str(outside.parent) not in message and "hemmelig" not in message


# --- 4. scenarios never lose or invent money ---------------------------------------------------

@pytest.fixture(scope="module")
def index() -> PriceIndex:
    return PriceIndex.from_csv(ROOT / "data" / "raw" / ROUND / "index.csv")


@pytest.fixture(scope="module")
def round_totals(figures) -> dict[int, float]:
    """The round's printed funding need for all solutions, per year (Tabell 3's Sum)."""
    from tbu_analysis.analysis.series import funding_by_solution

    rows = funding_by_solution(figures)
    rows = rows[rows["solution"] == "Alle løsninger"]
    return dict(zip(rows["year"].astype(int), rows["value_mnok"].astype(float), strict=True))


def assert_money_kept(result, funding: pd.DataFrame, totals: dict[int, float] | None) -> None:
    """Bills plus «ikke fordelt» are the year's amount; no bill is negative; every unit of
    the round is billed; in NHN's years (unchanged) the amount is the round's printed Sum."""
    bills = result.bills.pivot_table(index="year", columns="group", values="value_mnok",
                                     aggfunc="sum")
    amounts = result.totals.groupby("year")["value_mnok"].sum()
    for year, amount in amounts.items():
        assert bills.loc[year, list(BILL_GROUPS)].sum() == pytest.approx(amount, abs=1e-6)
    assert (result.bills["value_mnok"] >= -1e-9).all(), result.bills.query("value_mnok < 0")
    assert set(funding["unit"]) <= set(result.totals["unit"])
    rounded = _printed_rounding(funding)
    for year, total in (totals or {}).items():
        # the units' amounts are each solution's finest printing (Helsenorge 2024: 343,6 in
        # its own table, 344 in the overview), so the printed Sum holds within the rounding of
        # the Sum and of each part: half a unit of each one's last printed digit, where a part
        # the report computes from the source's parts keeps the rounding of the figure the
        # source prints for it (2026: 1 074,5 against 1 076; E-resept's 180,6 is printed 181)
        rounding = 0.5
        for solution, parts in funding[funding["year"] == year].groupby("solution"):
            rounding += rounded.get((solution, year), sum(
                0.5 if float(v).is_integer() else 0.05 for v in parts["value_mnok"]))
        assert amounts[year] == pytest.approx(total, abs=rounding), year


def _printed_rounding(funding: pd.DataFrame) -> dict[tuple[str, int], float]:
    """Half a unit of the printed figure, per (solution, year) the report computes from the
    source's parts: the rounding of that solution's units together that year."""
    from tbu_analysis.analysis.series import levels_from_parts
    from tbu_analysis.analysis.tolerance import half_unit
    from tbu_analysis.rounds.schema import read_figures

    figures = read_figures(ROOT / "data" / "processed" / ROUND / "figures.csv")
    computed = levels_from_parts(figures)
    return {(r.solution, int(r.year)): half_unit(r.printed_decimals)
            for r in computed.itertuples()}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_bills_the_whole_funding_need(path, baseline_funding, index,
                                                             round_totals):
    result = compute(load_scenario(path), baseline_funding, index)
    assert round_totals[2025] == 1054  # the source's Sum for 2025 (Tabell 3)
    unchanged = {year: total for year, total in round_totals.items()
                 if not any(a.from_year <= year for a in result.scenario.additions)}
    assert_money_kept(result, baseline_funding, unchanged)


@settings(max_examples=min(40, settings.default.max_examples), deadline=None,  # conftest
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(volume=st.floats(-100, 100), efficiency=st.floats(0, 100),
       share=st.one_of(st.floats(0, 100), st.just("ukjent")), pharmacies=st.floats(0, 1),
       unit=st.sampled_from(["Helsenorge", "Kjernejournal", "E-resept"]),
       start=st.integers(2023, 2028))
def test_bills_add_up_for_any_growth_and_shares_within_bounds(baseline_funding, index,
                                                              round_totals, volume,
                                                              efficiency, share, pharmacies,
                                                              unit, start):
    """Shares within bounds: RHF any share (or unknown), the pharmacies a part of what is
    left, the municipalities the rest, the others none."""
    from tbu_analysis.scenarios.model import check_growth

    scenario = load_scenario(SCENARIOS[0])
    apotek = (100 - (share if isinstance(share, float) else 0)) * pharmacies
    changed = replace(scenario, volume_pct=volume, efficiency_pct=efficiency, overrides=(
        Override(unit, YearSpan(start, None),
                 {"rhf": share, "apotek": apotek, "ovrige": 0.0, "kommuner": "rest"}),))
    if volume - efficiency < -100:  # out of bounds: refused, never computed
        with pytest.raises(InputError, match="under −100 %"):
            check_growth(changed)
        return
    check_growth(changed)
    result = compute(changed, baseline_funding, index)
    assert_money_kept(result, baseline_funding, round_totals)
    if share == "ukjent":  # what the pharmacies leave of the unit is not allocated
        unit_amount = result.totals.query(f"unit == '{unit}' and year >= {start}") \
            .set_index("year")["value_mnok"]
        unallocated = result.bills.query(f"group == '{UNALLOCATED}' and year >= {start}") \
            .set_index("year")["value_mnok"]
        for year, amount in unit_amount.items():
            assert unallocated[year] >= amount * (100 - apotek) / 100 - 1e-6, year


def test_a_solution_without_a_billing_unit_is_an_error_naming_the_file(figures, tmp_path):
    """E-resept's row deleted from billing_units.csv: the 2025 sum was 862, not 1 054, with
    the pharmacies' bill gone and «Ikke fordelt» 0,0."""
    from tbu_analysis.analysis.series import funding_by_unit, load_billing_units

    path = tmp_path / "billing_units.csv"
    lines = (ROOT / "data" / "raw" / ROUND / "billing_units.csv").read_text(encoding="utf-8")
    path.write_text("".join(line for line in lines.splitlines(keepends=True)
                            if not line.startswith("E-resept,")), encoding="utf-8")
    with pytest.raises(InputError) as info:
        funding_by_unit(figures, load_billing_units(path))
    assert str(path) in str(info.value) and "'E-resept'" in str(info.value)


def _scenario_file(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "scenarios" / "baseline.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scenario.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_growth_that_would_make_a_bill_negative_is_refused(tmp_path):
    """`volume_pct: -100` with 2,4 % efficiency gave Kommuner −12,7 in 2027."""
    path = _scenario_file(tmp_path, "  from_round: true\n", "  efficiency_pct: 2.4\n"
                          "  volume_pct: -100\n  source: test\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message and "linje" in message and "growth.volume_pct" in message


def test_an_addition_that_takes_more_than_the_amount_is_refused(tmp_path, baseline_funding,
                                                                 index):
    path = _scenario_file(tmp_path, "  additions: []\n", "  additions:\n    - {unit: "
                          "Kjernejournal, from_year: 2027, mnok: -1000, source: test}\n")
    with pytest.raises(InputError) as info:
        compute(load_scenario(path), baseline_funding, index)
    assert "negativt beløp for Kjernejournal i 2027" in str(info.value)
    assert "additions" in str(info.value)


def test_an_addition_in_a_year_nhn_covers_is_labelled_as_a_change(tmp_path, baseline_funding,
                                                                   index):
    path = _scenario_file(tmp_path, "  additions: []\n", "  additions:\n    - {unit: "
                          "Kjernejournal, from_year: 2025, mnok: 13, label: Journaldokumenter,"
                          " source: NUIT 4/23}\n")
    result = compute(load_scenario(path), baseline_funding, index)
    changed = [note for note in result.notes if "NHNs tall er endret" in note]
    assert changed == ["2025–2026: NHNs tall er endret i scenarioet (tillegg: Kjernejournal: "
                       "Journaldokumenter); beløpene for disse årene er ikke NHNs egne."]
    assert_money_kept(result, baseline_funding, {2023: 941, 2024: 1038})



@pytest.mark.parametrize("rate, shown", [(5.0, "5,0\u00a0%"), (4.5, "4,5\u00a0%")])
def test_an_index_rate_that_changes_nhns_years_is_labelled_as_a_change(baseline_funding, index,
                                                                       rate, shown):
    """An index rate for a year NHN's figures are raised over (2023's, 4,121 % in the source)
    changes NHN's 2023 figures (941 at 5 %: about 949): the notes say so, with the rate; the
    money still adds up."""
    base = load_scenario(ROOT / "scenarios" / "baseline.yml")
    result = compute(replace(base, index_rates={**base.index_rates, 2023: rate}),
                     baseline_funding, index)
    changed = [note for note in result.notes if "NHNs tall er endret" in note]
    assert changed == [f"2023: NHNs tall er endret i scenarioet (indekssats 2023: {shown}); "
                       "beløpene for disse årene er ikke NHNs egne."]
    assert not [n for n in compute(base, baseline_funding, index).notes
                if "NHNs tall er endret" in n]  # the shipped rate changes nothing

def test_scenario_output_names_keep_the_norwegian_letters():
    from tbu_analysis.config import slug

    assert slug("øæ") == "øæ"  # was "" → reports/scenarios/.pdf
    assert slug("Økt volum på Åsen") == "økt-volum-på-åsen"
    assert slug("Grunndata og HelseID") == "grunndata-og-helseid"  # shipped names unchanged


# --- 5. make tells the truth -------------------------------------------------------------------

def _fake_python(folder: Path) -> Path:
    """A stand-in for the CLI under make: `report` writes a PDF and an executed notebook."""
    script = folder / "fake-python"
    script.write_text(
        "#!/usr/bin/env bash\nset -eu\n"
        "if [ \"${3:-}\" = report ]; then mkdir -p reports/$5/executed; "
        "echo '%PDF' > reports/$5/tbu-$5.pdf; echo '{}' > reports/$5/executed/10_report.ipynb;"
        " fi\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def _fake_tools(folder: Path, *, harfbuzz: bool) -> dict[str, str]:
    """PATH with an `ldconfig` printing a long list (the library first, so `grep -q` would
    stop reading early) and an `apt-get` that records being called."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    first = "libharfbuzz-subset.so.0 (libc6,x86-64) => /lib/libharfbuzz-subset.so.0" \
        if harfbuzz else "libz.so.1 => /lib/libz.so.1"
    (bin_dir / "ldconfig").write_text(
        f"#!/usr/bin/env bash\necho '{first}'\n"
        "for i in $(seq 1 50000); do echo \"libfoo$i.so => /lib/libfoo$i.so\"; done\n",
        encoding="utf-8")
    (bin_dir / "apt-get").write_text(f"#!/usr/bin/env bash\necho \"$@\" >> {folder}/apt.log\n",
                                     encoding="utf-8")
    for tool in ("ldconfig", "apt-get"):
        (bin_dir / tool).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def _make(repo: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}",
                           f"STAMP={repo / '.installed'}", *args, f"ROUND={ROUND}"],
                          cwd=repo, capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.make
@pytest.mark.parametrize("harfbuzz", [True, False], ids=["har-harfbuzz", "mangler-harfbuzz"])
def test_make_report_never_installs_and_rebuilds_a_deleted_executed_notebook(built_repo,
                                                                             tmp_path,
                                                                             harfbuzz):
    repo = built_repo
    env = _fake_tools(tmp_path, harfbuzz=harfbuzz)
    fake = _fake_python(tmp_path)
    done = _make(repo, "report", f"PY={fake}", env=env)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "apt.log").exists()  # installing is `make setup`'s
    # the font check reads the whole list: deterministic, no SIGPIPE under pipefail
    assert ("libharfbuzz-subset0 mangler" in done.stderr) is not harfbuzz, done.stderr
    assert _make(repo, "--question", "report", f"PY={fake}", env=env).returncode == 0
    executed = repo / "reports" / ROUND / "executed" / "10_report.ipynb"
    executed.unlink()
    assert _make(repo, "--question", "report", f"PY={fake}", env=env).returncode != 0
    assert not (repo / ".make" / f"{ROUND}.report").exists()  # dropped: the report reruns


def test_make_setup_installs_the_font_library_once():
    """`make test` (what .ci/run runs) depends on setup and on the browser target, which
    install what the tests need; `make report` only looks."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    setup = makefile.split("$(STAMP): pyproject.toml uv.lock", 1)[1].split("\n\n", 1)[0]
    assert "$(font_install)" in setup
    assert not [line for line in makefile.splitlines()
                if "grep -q" in line and not line.lstrip().startswith("#")]
    report = makefile.split("$(STAMPS)/$(1).report:", 1)[1].split("endef", 1)[0]
    assert "font_check" in report and "font_install" not in report and "apt-get" not in report
    assert "test: $(STAMP) browser" in makefile


@pytest.mark.make
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to run make as another user (setpriv)")
def test_an_unreadable_input_stops_make_with_the_file_named(tmp_path):
    """As a user who cannot read a raw file: make fails naming it, and leaves no
    `.make/<round>.inputs.new` (make said "Nothing to be done" over stale outputs)."""
    from test_make import copy_repo

    repo = copy_repo(tmp_path / "repo")
    subprocess.run(["chown", "-R", "nobody", str(tmp_path)], check=True)
    tmp_path.chmod(0o755)
    secret = repo / "data" / "raw" / ROUND / "claims.yaml"
    secret.chmod(0o000)
    done = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "make", "-n",
         f"VENV={ROOT / '.venv'}", f"STAMP={repo / '.installed'}", "data", f"ROUND={ROUND}"],
        cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"data/raw/{ROUND}/claims.yaml" in done.stderr and "Permission denied" in done.stderr
    assert not list((repo / ".make").glob("*.new")) if (repo / ".make").exists() else True


# --- 6. messages short and pointing right ------------------------------------------------------

@pytest.mark.parametrize(("relative", "line", "cell"), [
    (f"data/raw/{ROUND}/tables/tallgrunnlag-tabell-03.tsv", 1, "x" * 2_000_000 + "\t"),
    (f"data/raw/{ROUND}/names.csv", 2, "x," * 1_000_000),  # a row of a million cells, one line
])
def test_a_huge_single_line_gives_a_short_message(cleaned, capsys, relative, line, cell):
    """The whole offending line was the message (200 MB for a 200 MB line)."""
    path = cleaned.root / relative
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = cell + lines[line - 1]
    path.write_text("\n".join(lines), encoding="utf-8")
    message = one_error(["clean", "--round", ROUND], capsys)
    assert len(message) < 1000, len(message)
    assert path.name in message


@pytest.mark.parametrize(("argv", "shown"), [
    (["--price-year", "1800"], "--price-year"),  # was blamed on index.csv
    (["--index", "2023=-50"], "--index"),
    (["--index", "2023=5", "--index", "2023=6"], "gitt to ganger"),  # the last was kept
    (["--index", "1800=3"], "--index"),
    (["--index", "2023="], "--index"),
])
def test_each_flag_error_names_the_flag(cleaned, capsys, argv, shown):
    message = one_error(["analyse", "--round", ROUND, *argv], capsys)
    assert shown in message and "index.csv" not in message
    assert not (cleaned.processed / "growth.csv").exists()


@pytest.mark.parametrize("round_id", ["", "2099-var"])
def test_a_bad_round_flag_is_blamed_on_the_flag(cleaned, capsys, round_id):
    message = one_error(["clean", "--round", round_id], capsys)
    assert "--round" in message and repr(round_id) in message
