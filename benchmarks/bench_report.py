"""`make bench`: time each stage of a round and compare it with the toolchain's floor.

The floor is measured in the same run: papermill executing a one-cell notebook, nbconvert
to HTML, and WeasyPrint on that one page, each as its own command. Target (issue 13.7): a
whole round (`tbu report`: cleaning, analysis, every notebook, the tagged PDFs and HTML
editions) within 2× that floor; `make report` with nothing changed under 0,5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0  # a whole round within this many times the toolchain floor
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"feil i {' '.join(command)}:\n{done.stderr}")
    return elapsed, done.stdout


def floor(repeats: int) -> dict[str, float]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    results: dict[str, list[float]] = {"papermill": [], "nbconvert": [], "weasyprint": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        notebook = new_notebook(cells=[new_code_cell("print('Hei')")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}
        nbformat.write(notebook, work / "one.ipynb")
        for _ in range(repeats):
            results["papermill"].append(timed([str(BIN / "papermill"), "one.ipynb", "out.ipynb",
                                               "--no-progress-bar"], work)[0])
            results["nbconvert"].append(timed([str(BIN / "jupyter"), "nbconvert", "--to", "html",
                                               "--no-input", "out.ipynb"], work)[0])
            results["weasyprint"].append(timed([str(BIN / "weasyprint"), "out.html",
                                                "out.pdf"], work)[0])
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--round", default="2024-host")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tbu = [sys.executable, "-m", "tbu_analysis.cli"]

    base = floor(args.repeats)
    floor_total = sum(base.values())
    print("Gulvet (ett verktøy om gangen, median av", args.repeats, "kjøringer):")
    for name, seconds in base.items():
        print(f"  {seconds:6.2f} s  {name}")
    print(f"  {floor_total:6.2f} s  sum\n")

    print("Stegene:")
    clean, _ = timed([*tbu, "clean", "--round", args.round])
    print(f"  {clean:6.2f} s  tbu clean (egen prosess)")
    analysis, _ = timed([*tbu, "analyse", "--round", args.round])
    print(f"  {analysis:6.2f} s  tbu analyse (egen prosess)")
    whole, output = timed([*tbu, "report", "--round", args.round])  # a line per step
    for line in output.splitlines():
        print(f"  {line.strip()}" if line.startswith(" ") else f"  {line}")
    print(f"  {whole:6.2f} s  hele runden (tbu report: rensing, analyse, hovedrapport og "
          "løsningsrapporter, med PDF)\n")

    subprocess.run(["make", "--no-print-directory", "report", f"ROUND={args.round}"], cwd=ROOT,
                   check=True, capture_output=True)
    noop = min(timed(["make", "--no-print-directory", "report", f"ROUND={args.round}"])[0]
               for _ in range(5))

    ratio = whole / floor_total
    print(f"Hele runden: {whole:.2f} s = {ratio:.2f} × gulvet ({floor_total:.2f} s); "
          f"mål ≤ {TARGET:g} × — {'OK' if ratio <= TARGET else 'IKKE NÅDD'}")
    print(f"`make report` uten endringer: {noop:.3f} s; mål < 0,5 s — "
          f"{'OK' if noop < 0.5 else 'IKKE NÅDD'}")


if __name__ == "__main__":
    main()
