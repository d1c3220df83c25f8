"""Command line: `tbu clean|analyse|report|scenario ...`.

Bad input, or an output the system will not let us write (a read-only folder, a full disk),
ends in one message and exit code 2; nothing is half-written. `clean` and `analyse` are the
producers of ``data/processed/<round>/``; `report` writes ``reports/<round>/``.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
from pathlib import Path

from tbu_analysis.common.errors import INTERRUPTED, InputError

try:  # Ctrl-C while the stages import (seconds, before main): the same one line, no traceback
    from tbu_analysis import pipeline
    from tbu_analysis.analysis.check import CheckFailed
    from tbu_analysis.analysis.findings import apply_corrections, outcome_counts
    from tbu_analysis.analysis.indexing import parse_rates
    from tbu_analysis.common.atomic import WriteError
    from tbu_analysis.common.formatting import format_number
    from tbu_analysis.common.provenance import source_date_epoch
    from tbu_analysis.config import discover_rounds, latest_round, project_root, round_paths
    from tbu_analysis.rounds.scaffold import new_round
    from tbu_analysis.vocab import Status
except KeyboardInterrupt:
    print(INTERRUPTED, file=sys.stderr)
    sys.exit(128 + signal.SIGINT)
# What the imports made lives as long as the process: the garbage collector leaves it be
# (as the kernel and the PDF workers do), so its collections walk only what a run makes.
gc.freeze()


def _rounds(selected: str | None) -> list[str]:
    """The round asked for, or every round when none is given (``--round ""`` is an error,
    not "every round")."""
    return [selected] if selected is not None else discover_rounds()


def _round_paths(round_id: str, root: Path, flag: bool = True):
    """The round's paths; a bad ``--round`` is blamed on the flag."""
    try:
        return round_paths(round_id, root)
    except InputError as error:
        if not flag:
            raise
        raise InputError(f"--round: {error.message}", path=error.path, text=error.text) \
            from None


def _selected(selected: str | None) -> list:
    root = project_root()
    return [_round_paths(round_id, root, flag=selected is not None)
            for round_id in _rounds(selected)]


def cmd_check(args: argparse.Namespace) -> int:
    """Every input of the round(s) checked in one pass; every problem listed, nothing
    written."""
    failures = []
    for paths in _selected(args.round):
        round_id = paths.round_id
        try:
            pipeline.check_round(paths)
        except CheckFailed as failed:
            failures.append(failed)
            continue
        print(f"{round_id}: alle inndata er i orden (register, sitater, satser, tabeller)")
    for failed in failures:
        print(f"feil: {failed}", file=sys.stderr)
    return 2 if failures else 0


def cmd_new_round(args: argparse.Namespace) -> int:
    """A new round's folder from the previous round and the new source text."""
    root = project_root()
    made = new_round(root, args.new, args.previous, Path(args.source))
    found = sum(1 for t in made.tables if t.new is not None)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(made.counts.items())) or "ingen"
    print(f"{made.folder.relative_to(root)}: {found} av {len(made.tables)} tabeller funnet "
          f"igjen; sitater: {counts}")
    print(f"gå gjennom {made.review.relative_to(root)}, så `make check ROUND={args.new}`")
    return 0


def cmd_clean(args: argparse.Namespace) -> None:
    selected = _selected(args.round)
    for paths, result in zip(selected, pipeline.run_clean_rounds(selected), strict=True):
        print(f"{paths.round_id}: {len(result.figures)} tall fra {len(result.log)} tabeller, "
              f"{int(result.figures['corrected'].sum())} rettet → "
              f"{paths.figures.relative_to(paths.root)}")


def _summary(paths, reconciliation, folder: str) -> str:
    """The checks per outcome as the report's Vedlegg A counts them: with the analysts'
    corrections (``findings.yaml``), through the same count."""
    totals = outcome_counts(apply_corrections(reconciliation, paths.findings)).sum()
    outcomes = ", ".join(f"{totals[status.value]} {status.phrase}" for status in Status)
    return f"{paths.round_id}: {len(reconciliation)} kontroller — {outcomes} → {folder}"


def _price_year(value: int | None, paths, rates: dict[int, float]) -> int | None:
    """``--price-year`` must be a year the round's index (with ``--index``) reaches; the error
    names the flag, not index.csv."""
    if value is None:
        return None
    from tbu_analysis.analysis.indexing import PriceIndex

    years = sorted(PriceIndex.from_csv(paths.index).with_rates(rates).rates)
    if not years or not years[0] <= value <= years[-1] + 1:
        covered = f"årene {years[0]}–{years[-1] + 1}" if years else "ingen år"
        raise InputError(f"--price-year: indeksen dekker {covered}", text=str(value))
    return value


def cmd_analyse(args: argparse.Namespace) -> None:
    rates = parse_rates(args.index)
    selected = _selected(args.round)
    for paths in selected:
        _price_year(args.price_year, paths, rates)
    for paths, result in zip(selected, pipeline.run_analyse_rounds(selected, rates,
                                                                   args.price_year),
                             strict=True):
        folder = paths.analysis_dir(rates, args.price_year).relative_to(paths.root)
        print(_summary(paths, result.reconciliation, str(folder)))


def _progress(round_id: str):
    """A line per notebook and PDF as it finishes, with its time (Norwegian numbers)."""
    def show(label: str, seconds: float) -> None:
        print(f"  {round_id}: {label} ({format_number(seconds, 1)} s)", flush=True)

    return show


def cmd_report(args: argparse.Namespace) -> int:
    root = project_root()
    rates = parse_rates(args.index)
    selected = _selected(args.round)

    def progress(paths):
        return None if args.quiet else _progress(paths.round_id)

    failed = False
    for paths, pdfs, failures in pipeline.run_reports(selected, rates, progress=progress,
                                                      data_ready=args.data_ready):
        print(f"{paths.round_id}: {len(pdfs)} PDF-er i "
              f"{paths.reports_dir(rates).relative_to(root)}"
              + (f", {len(failures)} notatbøker feilet" if failures else ""))
        failed = failed or bool(failures)
    return 1 if failed else 0


def cmd_scenario(args: argparse.Namespace) -> int:
    root = project_root()
    round_id = args.round if args.round is not None else latest_round(root)
    _round_paths(round_id, root, flag=args.round is not None)
    path = Path(args.scenario)
    if not path.is_file():
        raise InputError("scenariofilen finnes ikke", path=path)
    from tbu_analysis.scenarios.files import other_rounds_sources  # lazy, as pipeline's

    for warning in other_rounds_sources(path, round_id, root):
        print(f"advarsel: {warning}", file=sys.stderr)
    written = pipeline.run_scenario(path, round_id, root)
    if written is None:
        return 1
    pdf, workbook = written
    print(f"{path}: {pdf.relative_to(root)}, {workbook.relative_to(root)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tbu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="kontroller alle inndata til runden på én gang "
                           "(register, sitater, satser, tabeller); skriver ingenting")
    check.add_argument("--round", help="runde-id (standard: alle)")
    check.set_defaults(func=cmd_check)
    new = sub.add_parser("new-round", help="ny runde fra forrige runde og ny kildetekst "
                         "(tabeller funnet igjen, sitater forankret, gjennomgangsliste)")
    new.add_argument("--new", required=True, help="den nye rundens id, f.eks. 2025-var")
    new.add_argument("--from", dest="previous", required=True,
                     help="forrige runde, f.eks. 2024-host")
    new.add_argument("--source", required=True, help="den nye kildeteksten (tekstfil)")
    new.set_defaults(func=cmd_new_round)
    clean = sub.add_parser("clean", help="rens rådata til data/processed/<runde>/figures.csv")
    clean.add_argument("--round", help="runde-id, f.eks. 2024-host (standard: alle)")
    clean.set_defaults(func=cmd_clean)
    analyse = sub.add_parser("analyse", help="indeksjustering, vekst og avstemming")
    analyse.add_argument("--round", help="runde-id (standard: alle)")
    analyse.add_argument("--index", action="append", metavar="ÅR=SATS",
                         help="overstyr indekssatsen for et år, f.eks. 2023=5 (skrives til "
                              "en egen mappe, f.eks. data/processed/<runde>/indeks-2023-5)")
    analyse.add_argument("--price-year", type=int, help="prisnivå for faste kroner")
    analyse.set_defaults(func=cmd_analyse)
    report = sub.add_parser("report", help="kjør notatbøkene og lag PDF-rapportene")
    report.add_argument("--round", help="runde-id (standard: alle)")
    report.add_argument("--index", action="append", metavar="ÅR=SATS",
                        help="overstyr indekssatsen (rapportene får en egen mappe)")
    report.add_argument("--data-ready", action="store_true",
                        help="data/processed er allerede oppdatert (make har kjørt clean og "
                             "analyse); ellers renses og analyseres runden først")
    report.add_argument("--quiet", action="store_true",
                        help="ingen linje per notatbok og PDF underveis")
    report.set_defaults(func=cmd_report)
    scenario = sub.add_parser("scenario", help="kjør et scenario og lag PDF mot grunnlaget")
    scenario.add_argument("scenario", help="scenariofil, f.eks. scenarios/alternativ-2.yml")
    scenario.add_argument("--round", help="runde-id (standard: den nyeste runden etter "
                          "manifestets år og sesong)")
    scenario.set_defaults(func=cmd_scenario)
    return parser


class Interrupted(KeyboardInterrupt):
    """SIGTERM unwinds like Ctrl-C (a ``KeyboardInterrupt``, so every ``finally`` and staged
    set is cleaned up alike: the kernel and the PDF workers are stopped and nothing staged is
    published); it remembers its signal for the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame) -> None:
    # make passes a SIGTERM on to its children as well: a second one must not break the
    # clean-up the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        source_date_epoch()  # a malformed SOURCE_DATE_EPOCH stops the run before anything runs
        return int(args.func(args) or 0)
    except (InputError, WriteError) as error:
        print(f"feil: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file the system refused outside the project's writers
        where = f"{error.filename}: " if error.filename else ""
        print(f"feil: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:  # Ctrl-C or SIGTERM: one line, the staged set discarded
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C cannot cut the line
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(INTERRUPTED, file=sys.stderr)
        return 128 + getattr(error, "signum", signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
