"""`make bench`: a whole round against WeasyPrint's own command line, measured in one run.

The round: `tbu report` from clean (no ``data/processed`` or ``reports``) in a copy of the
repository: cleaning, analysis, every notebook, six tagged PDFs with their HTML editions.
The yardstick: WeasyPrint's command line typesetting the same six HTML editions (the ones the
round just wrote) into PDF/UA-1, two at a time, as this 2-core machine allows. The two are
run in turn, ``--repeats`` times each, so both see the same machine; the medians are compared.
Target (issue 18.8): the round within 2× the yardstick. Also: `make report` with nothing
changed (issue 13.7: under 0,5 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0  # the round within this many times the yardstick
BIN = Path(sys.executable).parent
PDF_VARIANT = "pdf/ua-1"  # as the reports are written (reports.render.PDF_VARIANT)
AT_A_TIME = 2  # the yardstick's concurrency: the machine's two cores


def children_cpu() -> float:
    """CPU seconds (user and system) of every finished child process and its own children
    (the kernel, the PDF workers): what a side costs whatever else the machine runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"feil i {' '.join(command)}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def repository_copy(target: Path) -> Path:
    """What `tbu report` reads: the raw data, the notebooks, the scenarios, pyproject.toml."""
    for name in ("data/raw", "notebooks", "scenarios"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def whole_round(repo: Path, round_id: str) -> float:
    """`tbu report --round` from clean: every output of the round removed first."""
    for folder in (repo / "data" / "processed", repo / "reports"):
        shutil.rmtree(folder, ignore_errors=True)
    return run([sys.executable, "-m", "tbu_analysis.cli", "report", "--round", round_id,
                "--quiet"], repo)


def editions(repo: Path, round_id: str) -> list[Path]:
    """The round's HTML editions (one per PDF; the round's index page is no edition)."""
    folder = repo / "reports" / round_id
    found = sorted(p for p in folder.glob("*.html") if p.with_suffix(".pdf").is_file())
    if len(found) != 6:
        sys.exit(f"feil: fant {len(found)} HTML-utgaver i {folder}, ventet 6")
    return found


def yardstick(htmls: list[Path], work: Path) -> float:
    """WeasyPrint's command line on every edition into PDF/UA-1, two processes at a time."""
    def typeset(html: Path) -> float:
        return run([str(BIN / "weasyprint"), "--pdf-variant", PDF_VARIANT, str(html),
                    str(work / f"{html.stem}.pdf")], work)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=AT_A_TIME) as pool:
        list(pool.map(typeset, htmls))
    return time.perf_counter() - start


def no_change(round_id: str) -> float:
    """`make report` in the repository with nothing changed (its outputs made first)."""
    make = ["make", "--no-print-directory", "report", f"ROUND={round_id}"]
    subprocess.run(make, cwd=ROOT, check=True, capture_output=True)
    return min(run(make, ROOT) for _ in range(5))


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", default="2024-host")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-make", action="store_true",
                        help="skip `make report` with nothing changed")
    args = parser.parse_args()

    rounds: list[float] = []
    sticks: list[float] = []
    round_cpu: list[float] = []
    stick_cpu: list[float] = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tbu-bench-") as tmp:
        repo = repository_copy(Path(tmp) / "repo")
        work = Path(tmp) / "weasyprint"
        work.mkdir()
        for number in range(1, args.repeats + 1):
            cpu = children_cpu()
            rounds.append(whole_round(repo, args.round))
            round_cpu.append(children_cpu() - cpu)
            cpu = children_cpu()
            sticks.append(yardstick(editions(repo, args.round), work))
            stick_cpu.append(children_cpu() - cpu)
            print(f"  kjøring {number}: hele runden {seconds(rounds[-1])} "
                  f"(CPU {seconds(round_cpu[-1])}), WeasyPrint {seconds(sticks[-1])} "
                  f"(CPU {seconds(stick_cpu[-1])})", flush=True)

    round_median, stick_median = statistics.median(rounds), statistics.median(sticks)
    ratio = round_median / stick_median
    print(f"\nHele runden (tbu report fra rent, 6 PDF-er med HTML-utgaver), median av "
          f"{args.repeats}: {seconds(round_median)}")
    print(f"WeasyPrints kommandolinje, de samme 6 HTML-utgavene til {PDF_VARIANT.upper()}, "
          f"{AT_A_TIME} om gangen, median av {args.repeats}: {seconds(stick_median)}")
    verdict = "OK" if ratio <= TARGET else "IKKE NÅDD"
    print(f"Forhold: {ratio:.2f}".replace(".", ",")
          + f" × (mål ≤ {TARGET:g} ×) — {verdict}; last ved start {load:.1f}, ved slutt "
          f"{os.getloadavg()[0]:.1f}".replace(".", ","))
    # Under load (other work on the machine) the two sides do not stretch alike in wall
    # time; their CPU time does not stretch: the ratio of CPU medians, said beside it.
    cpu_ratio = statistics.median(round_cpu) / statistics.median(stick_cpu)
    print(f"CPU-tid: hele runden {seconds(statistics.median(round_cpu))}, WeasyPrint "
          f"{seconds(statistics.median(stick_cpu))}, forhold {cpu_ratio:.2f}".replace(".", ",")
          + " × (sammenlign denne når maskinen har annen last)")
    if not args.no_make:
        noop = no_change(args.round)
        print(f"`make report` uten endringer: {noop:.3f} s".replace(".", ",")
              + f"; mål < 0,5 s — {'OK' if noop < 0.5 else 'IKKE NÅDD'}")


if __name__ == "__main__":
    main()
