"""Command line: `tbu clean|analyse|report ...`. Bad input ends in one message, exit 2."""

from __future__ import annotations

import argparse
import sys

from tbu_analysis.common.errors import InputError
from tbu_analysis.config import discover_rounds, project_root, round_paths


def _rounds(selected: str | None) -> list[str]:
    return [selected] if selected else discover_rounds()


def cmd_clean(args: argparse.Namespace) -> None:
    from tbu_analysis.rounds.pipeline import run_clean

    for round_id in _rounds(args.round):
        paths = round_paths(round_id, project_root())
        result = run_clean(paths)
        print(f"{round_id}: {len(result.figures)} tall fra {len(result.log)} tabeller, "
              f"{int(result.figures['corrected'].sum())} rettet → "
              f"{paths.figures.relative_to(paths.root)}")


def _rates(values: list[str] | None) -> dict[int, float]:
    from tbu_analysis.rounds.numbers import parse_number

    rates = {}
    for value in values or []:
        year, _, rate = value.partition("=")
        parsed = parse_number(rate, column="--index")
        if not year.isdigit() or parsed.value is None:
            raise InputError("--index må skrives ÅR=SATS, f.eks. 2023=4,121", text=value)
        rates[int(year)] = float(parsed.value)
    return rates


def cmd_analyse(args: argparse.Namespace) -> None:
    from tbu_analysis.analysis.analyse import analyse, write_analysis

    for round_id in _rounds(args.round):
        paths = round_paths(round_id, project_root())
        result = analyse(paths, _rates(args.index), args.price_year)
        write_analysis(paths, result)
        counts = result.reconciliation["status"].value_counts().to_dict()
        print(f"{round_id}: {len(result.reconciliation)} kontroller — "
              f"{counts.get('ok', 0)} stemmer, {counts.get('rounding', 0)} avrunding, "
              f"{counts.get('discrepancy', 0)} avvik → {paths.processed.relative_to(paths.root)}")


def cmd_report(args: argparse.Namespace) -> int:
    from tbu_analysis.reports.execute import RunLog, run_round

    root = project_root()
    failed = False
    for round_id in _rounds(args.round):
        paths = round_paths(round_id, root)
        log = RunLog()
        pdfs = run_round(paths, root / "notebooks", log, _rates(args.index))
        for label, seconds in log.timings if args.timings else []:
            print(f"  {seconds:6.2f} s  {label}")
        print(f"{round_id}: {len(pdfs)} PDF-er i {paths.reports.relative_to(root)}"
              + (f", {len(log.failures)} notatbøker feilet" if log.failures else ""))
        failed = failed or bool(log.failures)
    return 1 if failed else 0


def cmd_scenario(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tbu_analysis.reports.execute import RunLog, run_scenario
    from tbu_analysis.scenarios.export import write_scenario_workbook
    from tbu_analysis.scenarios.files import check_against_round, latest_round

    root = project_root()
    round_id = args.round if args.round is not None else latest_round(root)
    paths = round_paths(round_id, root)
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
                         help="overstyr indekssatsen for et år, f.eks. 2023=5")
    analyse.add_argument("--price-year", type=int, help="prisnivå for faste kroner")
    analyse.set_defaults(func=cmd_analyse)
    report = sub.add_parser("report", help="kjør notatbøkene og lag PDF-rapportene")
    report.add_argument("--round", help="runde-id (standard: alle)")
    report.add_argument("--index", action="append", metavar="ÅR=SATS")
    report.add_argument("--timings", action="store_true", help="skriv tiden for hvert steg")
    report.set_defaults(func=cmd_report)
    scenario = sub.add_parser("scenario", help="kjør et scenario og lag PDF mot grunnlaget")
    scenario.add_argument("scenario", help="scenariofil, f.eks. scenarios/alternativ-2.yml")
    scenario.add_argument("--round", help="runde-id (standard: den nyeste runden etter "
                          "manifestets år og sesong)")
    scenario.set_defaults(func=cmd_scenario)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as error:
        print(f"feil: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
