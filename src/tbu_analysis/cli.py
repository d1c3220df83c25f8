"""Command line: `tbu clean|analyse|report|scenario ...`.

Bad input, or an output the system will not let us write (a read-only folder, a full disk),
ends in one message and exit code 2; nothing is half-written. `clean` and `analyse` are the
producers of ``data/processed/<round>/``; `report` writes ``reports/<round>/``.
"""

from __future__ import annotations

import argparse
import signal
import sys

from tbu_analysis.common.atomic import WriteError
from tbu_analysis.common.errors import InputError
from tbu_analysis.config import discover_rounds, project_root, round_paths


def _rounds(selected: str | None) -> list[str]:
    """The round asked for, or every round when none is given (``--round ""`` is an error,
    not "every round")."""
    return [selected] if selected is not None else discover_rounds()


def _round_paths(round_id: str, root, flag: bool = True):
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


def cmd_clean(args: argparse.Namespace) -> None:
    from tbu_analysis.rounds.pipeline import prepare_round, write_clean

    # Every round is checked (cleaned and analysed in memory) before any is published, so a
    # broken second round leaves the first as it was, and a round whose analysis would fail
    # (a `base_year` after `year`) is not published by `clean` alone.
    selected = _selected(args.round)
    prepared = [prepare_round(paths) for paths in selected]
    for paths, data in zip(selected, prepared, strict=True):
        write_clean(paths, data.cleaned)
        result = data.cleaned
        print(f"{paths.round_id}: {len(result.figures)} tall fra {len(result.log)} tabeller, "
              f"{int(result.figures['corrected'].sum())} rettet → "
              f"{paths.figures.relative_to(paths.root)}")


def _rates(values: list[str] | None) -> dict[int, float]:
    """``--index ÅR=SATS`` flags: each error names the flag and the value as typed; a year
    given twice is refused (not silently the last)."""
    from tbu_analysis.analysis.indexing import MAX_RATE_PCT, MIN_RATE_PCT
    from tbu_analysis.rounds.numbers import parse_number

    rates: dict[int, float] = {}
    for value in values or []:
        year, sign, rate = value.partition("=")
        try:
            parsed = parse_number(rate, column="--index") if sign else None
        except InputError:
            parsed = None
        if not sign or not year.isascii() or not year.isdigit() or parsed is None \
                or parsed.value is None:
            raise InputError("--index må skrives ÅR=SATS, f.eks. 2023=4,121", text=value)
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise InputError(f"--index: året må ligge mellom {MIN_YEAR} og {MAX_YEAR}",
                             text=value)
        if not MIN_RATE_PCT < float(parsed.value) < MAX_RATE_PCT:
            raise InputError(f"--index: satsen må ligge mellom {MIN_RATE_PCT:g} og "
                             f"{MAX_RATE_PCT:g} prosent", text=value)
        if int(year) in rates:
            raise InputError(f"--index: året {int(year)} er gitt to ganger", text=value)
        rates[int(year)] = float(parsed.value)
    return rates


MIN_YEAR, MAX_YEAR = 2000, 2100  # the index file's bounds (analysis.indexing.IndexYear)


def _price_year(value: int | None, paths, rates: dict[int, float]) -> int | None:
    """``--price-year`` must be a year the round's index (with ``--index``) reaches; the error
    names the flag, not index.csv."""
    if value is None:
        return None
    from tbu_analysis.analysis.indexing import PriceIndex

    index = PriceIndex.from_csv(paths.index).with_rates(rates)
    years = sorted(index.rates)
    low, high = (years[0], years[-1] + 1) if years else (None, None)
    if low is None or not low <= value <= high:
        raise InputError(f"--price-year: indeksen dekker årene {low}–{high}", text=str(value))
    return value


def _summary(round_id: str, reconciliation, folder: str) -> str:
    from tbu_analysis.vocab import Status

    counts = reconciliation["status"].value_counts()
    outcomes = ", ".join(f"{counts.get(status.value, 0)} {status.phrase}" for status in Status)
    return f"{round_id}: {len(reconciliation)} kontroller — {outcomes} → {folder}"


def cmd_analyse(args: argparse.Namespace) -> None:
    from tbu_analysis.analysis.analyse import analyse, write_analysis

    rates = _rates(args.index)
    selected = _selected(args.round)
    years = [_price_year(args.price_year, paths, rates) for paths in selected]
    # every round analysed before any is written
    results = [analyse(paths, rates, year) for paths, year in zip(selected, years, strict=True)]
    for paths, result in zip(selected, results, strict=True):
        write_analysis(paths, result)
        folder = paths.analysis_dir(rates, args.price_year).relative_to(paths.root)
        print(_summary(paths.round_id, result.reconciliation, str(folder)))


def _progress(round_id: str):
    """A line per notebook and PDF as it finishes, with its time (Norwegian numbers)."""
    from tbu_analysis.common.formatting import format_number

    def show(label: str, seconds: float) -> None:
        print(f"  {round_id}: {label} ({format_number(seconds, 1)} s)", flush=True)

    return show


def cmd_report(args: argparse.Namespace) -> int:
    from tbu_analysis.reports.execute import RunLog, run_round
    from tbu_analysis.rounds.pipeline import prepare_round, publish_round_data

    root = project_root()
    rates = _rates(args.index)
    selected = _selected(args.round)

    def prepare() -> None:
        # Every input of every round is checked before anything is written.
        prepared = [prepare_round(paths, rates) for paths in selected]
        for paths, data in zip(selected, prepared, strict=True):
            publish_round_data(paths, data)

    failed = False
    for number, paths in enumerate(selected):
        log = RunLog(on_step=None if args.quiet else _progress(paths.round_id))
        # The first round's kernel and PDF workers boot while the rounds are cleaned.
        before = prepare if number == 0 and not args.data_ready else None
        pdfs = run_round(paths, root / "notebooks", log, rates, before=before)
        print(f"{paths.round_id}: {len(pdfs)} PDF-er i "
              f"{paths.reports_dir(rates).relative_to(root)}"
              + (f", {len(log.failures)} notatbøker feilet" if log.failures else ""))
        failed = failed or bool(log.failures)
    return 1 if failed else 0


def cmd_scenario(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tbu_analysis.config import latest_round
    from tbu_analysis.reports.execute import RunLog, run_scenario
    from tbu_analysis.scenarios.export import write_scenario_workbook
    from tbu_analysis.scenarios.files import check_against_round

    root = project_root()
    round_id = args.round if args.round is not None else latest_round(root)
    paths = _round_paths(round_id, root, flag=args.round is not None)
    path = Path(args.scenario)
    if not path.is_file():
        raise InputError("scenariofilen finnes ikke", path=path)
    scenario = check_against_round(path, paths)
    log = RunLog()
    pdf = run_scenario(path, round_id, root, root / "notebooks", log)
    if pdf is None:
        return 1
    workbook = write_scenario_workbook(scenario, paths, pdf.with_suffix(".xlsx"))
    print(f"{path}: {pdf.relative_to(root)}, {workbook.relative_to(root)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tbu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
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


INTERRUPTED = "avbrutt; forrige resultat er uendret"


class Interrupted(KeyboardInterrupt):
    """SIGTERM unwinds like Ctrl-C (a ``KeyboardInterrupt``, so every ``finally`` and staged
    set is cleaned up alike); it remembers its signal for the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        from tbu_analysis.common.provenance import source_date_epoch

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
        print(INTERRUPTED, file=sys.stderr)
        return 128 + getattr(error, "signum", signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
