"""Recompute every printed figure from its parts and say where the source does not add up.

Row identities (start + drivers = level; level + tilbakeføring = funding need), column
identities (items add up to subtotals and totals), every printed percentage, and every
quantity printed in more than one table. Each check gets ok / rounding / discrepancy with a
tolerance that follows the printed precision (see tolerance.py). Claims in the prose are
checked by claims.py and joined here, and the findings register (findings.py) explains the
discrepancies.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pandas as pd

from tbu_analysis.analysis import tolerance as tol
from tbu_analysis.analysis import words
from tbu_analysis.analysis.findings import FindingsFile, attach_explanations
from tbu_analysis.analysis.series import KEY, amounts, levels_from_parts
from tbu_analysis.common.formatting import collapse, format_number, format_percent
from tbu_analysis.rounds.manifest import Manifest, TableSpec
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import DRIVER_LABELS, STATUS_PHRASES, ColumnRole, Measure, RowKind


def _name(solution: str, item: str) -> str:
    return item or solution


def _message(what: str, computed: float, printed: float, decimals: int, status: str,
             corrected: bool, percent: bool = False) -> str:
    fmt = format_percent if percent else format_number
    shown = max(decimals, 1)
    text = (f"{what}: trykt {fmt(printed, decimals)}, beregnet {fmt(computed, shown)}"
            f" ({STATUS_PHRASES[status]}")
    if status != tol.OK:
        text += f", forskjell {format_number(printed - computed, shown)}"
    text += ")."
    if corrected:
        text += " Kontrollert etter rettelse av tekstuttrekket."
    return text


def _row(check_id: str, check_type: str, spec: TableSpec | None, table: str, solution: str,
         item: str, check: str, computed: float, printed: float, decimals: int,
         tolerance: float, corrected: bool, percent: bool = False,
         spread: float | None = None) -> dict:
    status = tol.classify(computed, printed, decimals, tolerance)
    if spread is not None:
        status = tol.refine(status, printed - computed, spread)
    return {
        "check_id": check_id, "check_type": check_type, "table": table,
        "table_number": spec.label if spec else table, "solution": solution, "item": item,
        "check": check, "computed": computed, "printed": printed,
        "difference": printed - computed, "tolerance": tolerance, "status": status,
        "involves_correction": corrected,
        "message": _message(f"{spec.label if spec else table}, {_name(solution, item)}: "
                            f"{check}", computed, printed, decimals, status, corrected, percent),
        "section": spec.section if spec else "", "quote": "",
        "spread": spread if spread is not None else float("nan"),
    }


def check_id(spec: TableSpec, check_type: str, row_label: str, column: int) -> str:
    """A check's id names its cell by table, row label and column header, never by line, so
    a row inserted in a copied round leaves the findings register's ids valid."""
    return f"{spec.id}:{check_type}:{row_label}:{spec.columns[column].header}"


def _cells(figures: pd.DataFrame, table: str) -> dict[tuple[int, int], pd.Series]:
    rows = figures[figures["table"] == table]
    return {(int(r.source_row), int(r.source_col)): r for _, r in rows.iterrows()}


def row_checks(figures: pd.DataFrame, spec: TableSpec) -> list[dict]:
    cells = _cells(amounts(figures), spec.id)
    lines = sorted({line for line, _ in cells})
    out = []
    for identity in spec.identities:
        result_header = spec.columns[identity.result].header
        for line in lines:
            result = cells.get((line, identity.result))
            if result is None:
                continue
            parts = [(abs(c), 1 if c > 0 else -1) for c in identity.parts]
            present = [(cells[(line, c)], sign) for c, sign in parts if (line, c) in cells]
            computed = sum(sign * float(cell["value_mnok"]) for cell, sign in present)
            tolerance = tol.sum_tolerance([int(cell["decimals"]) for cell, _ in present],
                                          int(result["decimals"]))
            spread = tol.sum_spread([int(cell["decimals"]) for cell, _ in present],
                                    int(result["decimals"]))
            corrected = bool(result["corrected"]) or any(bool(c["corrected"]) for c, _ in present)
            out.append(_row(
                check_id(spec, "rad", result["row_label"], identity.result), "rad", spec, spec.id,
                result["solution"], result["item"],
                identity.text or words.say("checks.md.j2", "row_gives", result_header),
                computed, float(result["value_mnok"]), int(result["decimals"]), tolerance,
                corrected, spread=spread))
    return out


def column_checks(figures: pd.DataFrame, spec: TableSpec) -> list[dict]:
    data = figures[(figures["table"] == spec.id) & (figures["row_kind"] != RowKind.PERCENT)]
    line_of = dict(zip(data["row_label"], data["source_row"], strict=False))
    all_lines = sorted(set(data["source_row"]))
    in_subtotal = {part for t in spec.totals for part in (t.parts or ())}
    cells = _cells(amounts(figures), spec.id)
    out = []
    for total in spec.totals:
        if total.row not in line_of:
            continue  # a total with no printed number has nothing to check
        total_line = int(line_of[total.row])
        if total.parts is None:  # the grand total: every row not inside a subtotal
            members = [line for line in all_lines if line != total_line
                       and data.loc[data["source_row"] == line, "row_label"].iloc[0]
                       not in in_subtotal]
        else:  # parts whose cells are all blank add nothing
            members = [int(line_of[part]) for part in total.parts if part in line_of]
        for column, column_spec in spec.columns.items():
            total_cell = cells.get((total_line, column))
            if total_cell is None:
                continue
            parts = [cells[(line, column)] for line in members if (line, column) in cells]
            computed = sum(float(p["value_mnok"]) for p in parts)
            tolerance = tol.sum_tolerance([int(p["decimals"]) for p in parts],
                                          int(total_cell["decimals"]))
            spread = tol.sum_spread([int(p["decimals"]) for p in parts],
                                    int(total_cell["decimals"]))
            corrected = bool(total_cell["corrected"]) or any(bool(p["corrected"]) for p in parts)
            out.append(_row(
                check_id(spec, "kolonne", total.row, column), "kolonne", spec, spec.id,
                total_cell["solution"], total_cell["item"],
                words.say("checks.md.j2", "column_sums",
                          None if total.parts is None else total.row, _heading(column_spec)),
                computed, float(total_cell["value_mnok"]), int(total_cell["decimals"]),
                tolerance, corrected, spread=spread))
    return out


def _heading(column) -> str:
    """A column's header for readers: without the source's footnote stars, and a driver
    column by its label (the source prints «grunnnet»)."""
    if column.measure == Measure.ENDRING and column.category in DRIVER_LABELS:
        return DRIVER_LABELS[column.category]
    return collapse(column.header.replace("*", " "))


def percent_checks(figures: pd.DataFrame, spec: TableSpec,
                   from_parts: pd.DataFrame | None = None) -> list[dict]:
    """Every printed percentage against the share computed from the table's sums; a level the
    source prints rounded where its own parts give it with decimals (``from_parts``: 93 for
    118,6 − 25,9 = 92,7) is taken as the report uses it, so the note under the table does not
    call NHN's −28,7 % wrong while the report prints −28,7 % itself."""
    if not spec.percent_row or spec.base_column is None:
        return []
    exact = {} if from_parts is None else {
        (r.solution, int(r.year), r.measure): float(r.value_mnok)
        for r in from_parts.itertuples(index=False)}
    data = figures[figures["table"] == spec.id]
    percents = data[data["row_kind"] == RowKind.PERCENT]
    totals = data[data["row_kind"] == RowKind.TOTAL]
    cells = {int(r.source_col): r for _, r in totals.iterrows()}
    base = cells.get(spec.base_column)
    if base is None:
        return []
    base_value, base_error = float(base["value_mnok"]), tol.half_unit(int(base["decimals"]))
    out = []
    for _, pct in percents.iterrows():
        column = int(pct["source_col"])
        role = spec.columns[column].role
        cell = cells.get(column)
        value = float(cell["value_mnok"]) if cell is not None else 0.0
        error = tol.half_unit(int(cell["decimals"])) if cell is not None else 0.0
        if role in {ColumnRole.LEVEL, ColumnRole.FUNDING}:
            if cell is not None:
                value = exact.get((cell["solution"], int(cell["year"]), cell["measure"]), value)
            numerator, numerator_error = value - base_value, error + base_error
            what = words.say("checks.md.j2", "growth_percent",
                             _heading(spec.columns[column]))
        else:
            numerator, numerator_error = value, error
            what = words.say("checks.md.j2", "share_percent", _heading(spec.columns[column]),
                             _heading(spec.columns[spec.base_column]))
        computed = 100 * numerator / base_value
        tolerance = tol.ratio_tolerance(numerator, numerator_error, base_value, base_error,
                                        int(pct["decimals"]))
        # Uniform rounding errors: a half-unit h has standard deviation h / √3.
        spread = tol.ratio_spread(numerator, numerator_error / 3**0.5, base_value,
                                  base_error / 3**0.5, int(pct["decimals"]))
        corrected = bool(cell["corrected"]) if cell is not None else False
        out.append(_row(check_id(spec, "prosent", pct["row_label"], column), "prosent", spec,
                        spec.id, pct["solution"], pct["item"], what, computed,
                        float(pct["value_pct"]), int(pct["decimals"]), tolerance, corrected,
                        percent=True, spread=spread))
    return out


def cross_checks(figures: pd.DataFrame, manifest: Manifest) -> list[dict]:
    """The same quantity printed in two tables must agree; a summary table that splits a
    solution into items is compared through the items' sum."""
    data = amounts(figures)
    data = data[data["row_kind"] != RowKind.PERCENT].copy()
    derived = _derived_solution_rows(data, manifest)
    pool = pd.concat([data.assign(_derived=False), derived], ignore_index=True)
    # only a quantity printed in two tables or more is compared (the rest, most of the
    # groups, left out at once rather than one group at a time)
    pool = pool[pool.groupby(KEY, sort=False)["table"].transform("nunique") >= 2]
    out = []
    order = {t.id: i for i, t in enumerate(manifest.tables)}
    for key, group in pool.groupby(KEY, sort=False):
        if group["table"].nunique() < 2:
            continue
        group = group.assign(_order=group["table"].map(order)).sort_values("_order")
        for (_, a), (_, b) in combinations(group.iterrows(), 2):
            if a["table"] == b["table"] or (a["_derived"] and b["_derived"]):
                continue
            reference, other = (a, b) if int(a["decimals"]) >= int(b["decimals"]) else (b, a)
            if other["_derived"]:
                reference, other = other, reference
            spec = manifest.table(other["table"])
            ref_spec = manifest.table(reference["table"])
            parts = reference.get("_parts") if reference["_derived"] else None
            ref_errors = parts if isinstance(parts, list) else [int(reference["decimals"])]
            tolerance = tol.sum_tolerance(ref_errors, int(other["decimals"]))
            spread = tol.sum_spread(ref_errors, int(other["decimals"]))
            solution, item, measure, category, year = key[:5]
            what = words.say("checks.md.j2", "across", _measure_text(measure, category), year,
                             ref_spec.label, bool(reference["_derived"]))
            out.append(_row(
                f"kryss:{other['table']}:{reference['table']}:{solution}:{item}:{measure}:"
                f"{category}:{year}", "kryss", spec, f"{other['table']}+{reference['table']}",
                solution, item, what, float(reference["value_mnok"]),
                float(other["value_mnok"]), int(other["decimals"]), tolerance,
                bool(reference["corrected"]) or bool(other["corrected"]), spread=spread))
    return out


def _derived_solution_rows(data: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    rows = []
    for spec in manifest.tables:
        if spec.rows_are != "solutions":
            continue
        table = data[(data["table"] == spec.id) & (data["row_kind"] == "item")]
        split = table[table["item"] != ""]
        whole = set(table.loc[table["item"] == "", "solution"])
        for (solution, _measure, _category, _year), group in split.groupby(
                ["solution", "measure", "category", "year"]):
            if solution in whole:
                continue
            first = group.iloc[0].copy()
            first["item"] = ""
            first["value_mnok"] = float(group["value_mnok"].sum())
            first["decimals"] = int(group["decimals"].max())
            first["_parts"] = [int(d) for d in group["decimals"]]
            first["corrected"] = bool(group["corrected"].any())
            first["_derived"] = True
            rows.append(first)
    return pd.DataFrame(rows)


def _measure_text(measure: str, category: str) -> str:
    if measure == Measure.ENDRING:
        return f"endring «{category.replace('_', ' ')}»"
    return measure


def reconcile(figures: pd.DataFrame, manifest: Manifest,
              claims: pd.DataFrame | None = None,
              findings: Path | None = None,
              register: FindingsFile | None = None) -> pd.DataFrame:
    """Every check of the round; with ``findings`` (and its ``register``, when read already)
    the analysts' explanations joined on."""
    rows: list[dict] = []
    from_parts = levels_from_parts(figures)
    for spec in manifest.tables:
        rows += row_checks(figures, spec)
        rows += column_checks(figures, spec)
        rows += percent_checks(figures, spec, from_parts)
    rows += cross_checks(figures, manifest)
    columns = tol.CHECK_COLUMNS
    frame = pd.DataFrame(rows, columns=columns)
    if claims is not None and len(claims):
        frame = pd.concat([frame, claims[columns]], ignore_index=True)
    frame["solution"] = frame["solution"].replace("", ALL_SOLUTIONS)
    return attach_explanations(frame, findings, register) if findings is not None \
        else frame.assign(explanation="")
