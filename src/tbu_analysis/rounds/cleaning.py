"""Turn a round's raw tables into tidy figures: one row per number printed in the source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.corrections import (
    AppliedFix,
    Correction,
    apply_corrections,
    load_corrections,
)
from tbu_analysis.rounds.manifest import (
    Manifest,
    TableSpec,
    check_source,
    disagrees_with_header,
    load_manifest,
)
from tbu_analysis.rounds.names import ALL_SOLUTIONS, NameMap
from tbu_analysis.rounds.numbers import parse_number, plain_text, strip_markup
from tbu_analysis.rounds.raw_tables import RawTable, read_raw_table
from tbu_analysis.rounds.schema import FIGURE_COLUMNS, validate_figures
from tbu_analysis.vocab import Measure, RowKind


@dataclass(frozen=True)
class CleanResult:
    figures: pd.DataFrame
    corrections: pd.DataFrame
    log: pd.DataFrame  # one row per table: what was read
    manifest: Manifest | None = None


def _check_columns(spec: TableSpec, raw: RawTable, manifest: Path) -> None:
    for index, column in spec.columns.items():
        if not 1 <= index < raw.width:
            raise InputError(
                f"tabell {spec.id}: kolonne {index} finnes ikke ({raw.path.name} har kolonne "
                f"0–{raw.width - 1})",
                path=manifest, line=column.line, text=column.header,
            )
        printed = collapse(raw.header_text(index)).casefold()
        if collapse(column.header).casefold() not in printed:
            raise InputError(
                f"tabell {spec.id}: kolonne {index} heter ikke «{column.header}» i "
                f"{raw.path.name} (trykt: «{raw.header_text(index)}»)",
                path=manifest, line=column.line, text=column.header,
            )
        wrong = disagrees_with_header(column.measure, column.year, raw.header_text(index))
        if wrong:
            raise InputError(f"tabell {spec.id}: kolonne {index} «{raw.header_text(index)}»: "
                             f"{wrong}", path=manifest, line=column.line,
                             text=f"year: {column.year}, measure: {column.measure}")


def _row_names(spec: TableSpec, labels: dict[int, str], raw: RawTable, names: NameMap,
               manifest: Path) -> dict[int, tuple[str, str, str, str]]:
    """Per raw line: (solution, item, parent, row_kind)."""
    known = set(labels.values())
    for total in spec.totals:
        for row in (total.row, *(total.parts or ())):
            if row not in known:
                raise InputError(f"tabell {spec.id}: raden «{row}» finnes ikke i "
                                 f"{raw.path.name}", path=manifest, line=total.line, text=row)
    for row in (*spec.note_rows, *([spec.percent_row] if spec.percent_row else [])):
        if row not in known:
            raise InputError(f"tabell {spec.id}: raden «{row}» finnes ikke i {raw.path.name}",
                             path=manifest, line=spec.line, text=row)

    scope = spec.solution if spec.rows_are == "items" else ""
    parent_of: dict[str, str] = {}
    for total in spec.totals:
        for part in total.parts or ():
            parent_of[part] = total.row

    def canonical(line: int, label: str):
        name = names.lookup(label, scope)
        if name is None:
            what = "aktivitet" if scope else "løsning"
            raise InputError(
                f"ukjent {what}{f' under {scope}' if scope else ''} (legg navnet inn i "
                f"{names.path.name})",
                path=raw.path, line=line, column=0, text=label,
            )
        return name

    result: dict[int, tuple[str, str, str, str]] = {}
    grand_totals = {t.row for t in spec.totals if t.parts is None}
    for line, label in labels.items():
        if label in spec.note_rows:
            continue
        if label in grand_totals or label == spec.percent_row:
            solution = spec.solution or ALL_SOLUTIONS
            kind = RowKind.PERCENT.value if label == spec.percent_row else RowKind.TOTAL.value
            result[line] = (solution, spec.parent, "", kind)
            continue
        name = canonical(line, label)
        kind = RowKind.SUBTOTAL.value if label in spec.total_rows else RowKind.ITEM.value
        parent_label = parent_of.get(label)
        parent = ""
        if parent_label is not None:
            parent = canonical(next(n for n, lab in labels.items() if lab == parent_label),
                               parent_label).item
        elif spec.parent:
            parent = spec.parent
        result[line] = (name.solution, name.item, parent, kind)
    _refuse_two_rows_for_one_name(spec, labels, result, raw, names)
    return result


def _refuse_two_rows_for_one_name(spec: TableSpec, labels: dict[int, str],
                                  roles: dict[int, tuple[str, str, str, str]], raw: RawTable,
                                  names: NameMap) -> None:
    """Two printed rows of one table must not become the same solution and item (two
    spellings in names.csv mapped to one name would add the rows up as one quantity)."""
    seen: dict[tuple[str, str], int] = {}
    for line, (solution, item, _parent, kind) in roles.items():
        if kind not in {RowKind.ITEM, RowKind.SUBTOTAL}:
            continue
        key = (solution, item)
        if key in seen:
            raise InputError(
                f"tabell {spec.id}: radene «{labels[seen[key]]}» (linje {seen[key]}) og "
                f"«{labels[line]}» blir begge «{' / '.join(p for p in key if p)}» i "
                f"{names.path.name}; hver rad må ha sitt eget navn",
                path=raw.path, line=line, column=0, text=labels[line],
            )
        seen[key] = line


def clean_table(spec: TableSpec, names: NameMap, corrections: tuple[Correction, ...],
                round_id: str, manifest: Path, root: Path,
                applied: list[AppliedFix] | None = None) -> tuple[list[dict], RawTable]:
    """The table's figures; the corrections applied to it are added to ``applied``."""
    raw = read_raw_table(spec.file, spec.header_rows)
    _check_columns(spec, raw, manifest)
    fixes = tuple(c for c in corrections if c.table == spec.id)
    headers = {index: column.header for index, column in spec.columns.items()}
    table, touched, done = apply_corrections(raw, fixes, manifest.parent / "corrections.yaml",
                                             headers)
    if applied is not None:
        applied.extend(done)
    labels = {row.line: plain_text(row.cells[0]) for row in table.rows}
    seen: dict[str, int] = {}
    for line, label in labels.items():
        if label in seen:
            raise InputError(f"tabell {spec.id}: to rader har samme etikett (også linje "
                             f"{seen[label]}); rett etiketten i corrections.yaml",
                             path=spec.file, line=line, column=0, text=label)
        seen[label] = line
    roles = _row_names(spec, labels, table, names, manifest)
    annotations = {(a.row, a.column): a for a in spec.annotations}
    source_file = spec.file.relative_to(root).as_posix()
    records: list[dict] = []
    for row in table.rows:
        label = labels[row.line]
        if label in spec.note_rows:
            continue
        solution, item, parent, kind = roles[row.line]
        for index, column in spec.columns.items():
            text = row.cells[index]
            note = ""
            annotation = annotations.get((label, index))
            if annotation is not None:
                plain = strip_markup(text)
                if not plain.rstrip().endswith(annotation.text):
                    raise InputError(
                        f"tabell {spec.id}: merknaden i manifestet står ikke i cellen",
                        path=spec.file, line=row.line, column=index, text=text,
                    )
                text, note = plain[: plain.rstrip().rfind(annotation.text)], annotation.text
            parsed = parse_number(text, path=spec.file, line=row.line, column=index)
            if parsed.value is None:
                continue
            is_percent_row = kind == RowKind.PERCENT
            if parsed.is_percent != is_percent_row:
                message = ("prosentraden må ha prosenttall" if is_percent_row
                           else "prosenttegn i en rad med beløp")
                raise InputError(f"tabell {spec.id}: {message}", path=spec.file, line=row.line,
                                 column=index, text=row.cells[index])
            value = float(parsed.value)
            correction_ids = touched.get(row.line, [])
            records.append({
                "round": round_id,
                "table": spec.id,
                "table_number": spec.number,
                "table_role": spec.role,
                "table_primary": spec.primary,
                "solution": solution,
                "item": item,
                "parent": parent,
                "measure": Measure.VEKST_PROSENT.value if is_percent_row else column.measure,
                "category": column.category or (column.measure if is_percent_row else ""),
                "year": column.year,
                "base_year": column.base_year,
                "value_mnok": None if is_percent_row else value,
                "value_pct": value if is_percent_row else None,
                "decimals": min(parsed.decimals, spec.percent_decimals)
                if is_percent_row and spec.percent_decimals is not None else parsed.decimals,
                "is_total": kind in {RowKind.TOTAL, RowKind.SUBTOTAL, RowKind.PERCENT},
                "row_kind": kind,
                "column_role": column.role,
                "price_basis": column.price_basis.label,
                "price_year": column.price_basis.price_year,
                "nominal_year": column.price_basis.nominal_year,
                "row_label": label,
                "label_as_printed": strip_markup(raw_label(raw, row.line)),
                "text_as_printed": raw_cell(raw, row.line, index),
                "footnote": parsed.footnote,
                "note": note,
                "source_file": source_file,
                "source_row": row.line,
                "source_col": index,
                "corrected": bool(correction_ids),
                "correction_ids": ";".join(correction_ids),
            })
    return records, raw


def raw_cell(raw: RawTable, line: int, column: int) -> str:
    """The cell as the raw file prints it (before corrections)."""
    return next(r.cells[column] for r in raw.rows if r.line == line)


def raw_label(raw: RawTable, line: int) -> str:
    return raw_cell(raw, line, 0)


def clean_round(paths: RoundPaths) -> CleanResult:
    manifest: Manifest = load_manifest(paths.manifest)
    if manifest.round_id != paths.round_id:
        raise InputError("manifestet gjelder en annen runde", path=paths.manifest,
                         text=manifest.round_id)
    names = NameMap.from_csv(paths.names)
    corrections = load_corrections(paths.corrections)
    table_ids = {t.id for t in manifest.tables}
    for correction in corrections:
        if correction.table not in table_ids:
            raise InputError(f"rettelse {correction.id}: ukjent tabell", path=paths.corrections,
                             line=correction.line, text=correction.table)
    records: list[dict] = []
    log = []
    applied: list[AppliedFix] = []
    for spec in manifest.tables:
        table_records, raw = clean_table(spec, names, corrections, paths.round_id,
                                         paths.manifest, paths.root, applied)
        records.extend(table_records)
        log.append({
            "table": spec.id, "number": spec.number, "document": spec.document,
            "title": spec.title, "file": spec.file.relative_to(paths.root).as_posix(),
            "rows": len(raw.rows), "figures": len(table_records),
            "corrected_figures": sum(r["corrected"] for r in table_records),
        })
    check_source(manifest, paths.root)
    figures = pd.DataFrame.from_records(records, columns=FIGURE_COLUMNS)
    figures = validate_figures(figures)
    where = {(a.correction.id, a.fix): (a.line, a.column) for a in applied}
    correction_rows = [
        {"id": c.id, "table": c.table,
         "table_number": manifest.table(c.table).number,
         "file": manifest.table(c.table).file.relative_to(paths.root).as_posix(),
         "line": where[(c.id, fix)][0], "column": where[(c.id, fix)][1],
         "as_printed": fix.as_printed, "corrected": fix.corrected, "reason": c.reason,
         "evidence": " | ".join(f"{e.section}: «{e.quote}»" for e in c.evidence)}
        for c in corrections for fix in c.cells
    ]
    return CleanResult(figures=figures, corrections=pd.DataFrame(correction_rows),
                       log=pd.DataFrame(log), manifest=manifest)
