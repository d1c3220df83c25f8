"""Reader-facing tables: the analysis results with Norwegian headings, ready to display."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

import pandas as pd

from tbu_analysis.analysis.explanations import printed_decimals
from tbu_analysis.analysis.findings import outcome_counts
from tbu_analysis.analysis.tolerance import DISCREPANCY
from tbu_analysis.common.formatting import (
    MISSING,
    collapse,
    column_places,
    format_number,
    format_percent,
    places_needed,
    title_text,
)
from tbu_analysis.reports import text as wording
from tbu_analysis.rounds.manifest import Manifest, TableSpec
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.numbers import plain_text, strip_markup
from tbu_analysis.rounds.raw_tables import read_raw_table
from tbu_analysis.vocab import (
    CHECK_TYPE_LABELS,
    DRIVER_LABELS,
    MEASURE_LABELS,
    STATUS_LABELS,
)

#: One unit style in what readers see: "mill. kroner", never "MNOK".
UNIT_COLUMN = "Mill. kroner"
CHANGE_COLUMN = "Endring (mill. kroner)"


def _row_name(row: pd.Series) -> str:
    if row["row_kind"] == "percent":
        return "Vekst i %"
    if row["row_kind"] == "total":  # a sum row reads as one, whatever it sums
        if row["item"]:
            return f"Sum {row['item']}"
        return "Sum" if row["solution"] == ALL_SOLUTIONS else f"Sum {row['solution']}"
    return row["item"] or row["solution"]


def _parts_before_their_subtotal(rows: list, kinds: list[tuple[str, str, str]]) -> list:
    """``rows`` with each subtotal the source prints above its parts moved below the last of
    them, where a subtotal row reads (kinds: row kind, item, parent per row)."""
    order = list(range(len(rows)))
    for index, (kind, item, _parent) in enumerate(kinds):
        if kind != "subtotal":
            continue
        parts = [i for i, (_, _, parent) in enumerate(kinds) if parent == item]
        if parts and min(parts) > index:
            order.remove(index)
            order.insert(order.index(max(parts)) + 1, index)
    return [rows[i] for i in order]


def column_label(column) -> str:
    """A heading for a source column from what it is, not from the wrapped printed text."""
    if column.measure == "endring":
        if column.category == "sum_endring":
            return f"Sum endring {column.base_year}–{column.year}"
        return DRIVER_LABELS.get(column.category, column.category)
    return f"{MEASURE_LABELS.get(column.measure, column.measure)} {column.year}"


def decimals_needed(frame: pd.DataFrame, most: int = 2) -> dict[str, int]:
    """One precision per numeric column of ``frame``: the fewest decimals (at least one) that
    show every number of that column exactly (``format_table``'s per-column ``decimals``)."""
    return {column: column_places(frame[column], 1, most)
            for column in frame.select_dtypes("number").columns}


#: A level computed here (a nominal value, a sum of rows) shows one decimal.
COMPUTED_DECIMALS = 1


def level_decimals(levels: pd.DataFrame, solution: str, year: int, value: float) -> int:
    """The decimals a solution's level is shown with: the source's own where it is a level the
    source prints (a printed 325 is not 325,0, a printed 192,0 not 192), one where the
    report computes it."""
    match = levels[(levels["solution"] == solution) & (levels["item"] == "")
                   & (levels["year"] == year)]
    match = match[(match["value_mnok"].astype(float) - float(value)).abs() < 1e-9]
    return int(match["decimals"].max()) if len(match) else COMPUTED_DECIMALS


def growth_decimals(frame: pd.DataFrame, levels: pd.DataFrame) -> dict[str, int]:
    """``format_table``'s decimals for a growth table (:func:`growth_view`): one precision per
    column, as in every computed table; a year column the finest its levels are printed with,
    the change the finer of its two years, the percentage one decimal."""
    names = frame["Løsning"].replace({"Sum": ALL_SOLUTIONS})
    years = {column: max((level_decimals(levels, name, int(column), value)
                          for name, value in zip(names, frame[column], strict=True)
                          if pd.notna(value)), default=COMPUTED_DECIMALS)
             for column in frame.columns if str(column).isdigit()}
    return {**years, CHANGE_COLUMN: max(years.values(), default=COMPUTED_DECIMALS),
            "Endring (%)": 1}


def table_view(figures: pd.DataFrame, spec: TableSpec, *, with_percent: bool = True,
               as_printed: bool = False) -> pd.DataFrame:
    """A source table rebuilt from the tidy figures, rows and columns in printed order (but a
    subtotal printed above its parts comes after them), with canonical names (after
    corrections). Percentages are in their own row. With
    ``as_printed`` every number is text with the decimals the source printed it with."""
    data = figures[figures["table"] == spec.id]
    if not with_percent:
        data = data[data["row_kind"] != "percent"]
    headers = {index: column_label(column) for index, column in spec.columns.items()}
    rows, kinds, lines = [], [], []
    for _line, group in data.groupby("source_row", sort=True):
        first = group.iloc[0]
        kinds.append((str(first["row_kind"]), str(first["item"]),
                      "" if pd.isna(first["parent"]) else str(first["parent"])))
        lines.append(int(_line))
        name = _row_name(first)
        record: dict[str, object] = {
            "Post": f"Delsum: {name}" if first["row_kind"] == "subtotal" else name}
        for _, cell in group.iterrows():
            percent = cell["row_kind"] == "percent"
            value = cell["value_pct"] if percent else cell["value_mnok"]
            if as_printed and pd.notna(value):
                # The source's own decimals, cell by cell: a printed 93 is not 93,0, and the
                # rounding checks read each figure's precision from how it is printed.
                value = (format_percent(value, int(cell["decimals"])) if percent
                         else format_number(value, int(cell["decimals"])))
            record[headers[int(cell["source_col"])]] = value
        rows.append(record)
    order = _parts_before_their_subtotal(list(range(len(rows))), kinds)
    frame = pd.DataFrame([rows[i] for i in order], columns=["Post", *headers.values()])
    # every cell is text when printed: a column of only gaps is float until cast
    frame = frame.astype(object).fillna(MISSING) if as_printed else frame
    frame.attrs["source_rows"] = [lines[i] for i in order]  # where each row is printed
    return frame


def overview(figures: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """The primary overview table (solution × year) as printed."""
    spec = manifest.primary
    return table_view(figures, spec).rename(columns={"Post": "Løsning"})


def growth_view(growth: pd.DataFrame, series: str, from_year: int, to_year: int,
                solutions: tuple[str, ...], price_basis: str | None = None) -> pd.DataFrame:
    """Change per solution (in ``solutions`` order) and in sum between two years."""
    order = [*solutions, ALL_SOLUTIONS]
    rows = growth[(growth["series"] == series) & (growth["from_year"] == from_year)
                  & (growth["to_year"] == to_year) & (growth["item"] == "")
                  & growth["solution"].isin(order)]
    if price_basis is not None:
        rows = rows[rows["price_basis"] == price_basis]
    rows = rows.drop_duplicates(["solution"], keep="first").set_index("solution")
    rows = rows.reindex([s for s in order if s in rows.index]).reset_index()
    return pd.DataFrame({
        "Løsning": rows["solution"].replace({ALL_SOLUTIONS: "Sum"}),
        str(from_year): rows["from_value"],
        str(to_year): rows["to_value"],
        CHANGE_COLUMN: rows["change_mnok"],
        "Endring (%)": rows["change_pct"],
    })


def drivers_view(drivers: pd.DataFrame, table: str, by: str = "solution",
                 solution: str | None = None, base_mnok: float | None = None,
                 figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (solutions, or items with ``by="item"``) × driver categories in MNOK, with the sum
    and the sum's share of the starting level (the table's total, or ``solution``'s own).
    With ``figures`` each amount the source prints keeps its printed decimals (a printed −5,0
    is not −5,00 beside a 1,25, a printed 14 not 14,0); a computed sum, and every amount
    without ``figures``, gets its column's."""
    rows = drivers[drivers["table"] == table]
    printed = printed_decimals(figures, table) if figures is not None else {}
    rows = rows.assign(_decimals=[printed.get(key, -1) for key in zip(
        rows["solution"], rows["item"], rows["category"], strict=True)])
    items = rows[rows["row_kind"] == "item"]
    if solution is not None:
        items = items[items["solution"] == solution]
    order = [c for c in DRIVER_LABELS if c in set(rows["category"])]
    names = items["item"] if by == "item" else items["solution"].where(items["item"] == "",
                                                                       items["item"])
    wide = items.assign(_name=names).pivot_table(
        index="_name", columns="category", values="value_mnok", aggfunc="sum", sort=False)
    wide = wide.reindex(columns=order)
    cell_places = items.assign(_name=names).pivot_table(
        index="_name", columns="category", values="_decimals", aggfunc="max", sort=False)
    cell_places = cell_places.reindex(index=wide.index, columns=wide.columns)
    if solution is not None or by == "item":
        # A driver no row of this table has is no column: an empty category says nothing.
        wide = wide.dropna(axis=1, how="all")
        cell_places = cell_places.reindex(columns=wide.columns)
    if solution is None:
        total = rows[(rows["row_kind"] == "total") & (rows["item"] == "")]
        wide.loc["Sum"] = total.set_index("category")["value_mnok"].reindex(order)
        cell_places.loc["Sum"] = total.set_index("category")["_decimals"].reindex(
            wide.columns)
        base = float(total["base_mnok"].iloc[0]) if len(total) else float("nan")
    else:
        wide.loc["Sum"] = wide.sum(axis=0, min_count=1)
        base = float("nan")
    if base_mnok is not None:
        base = base_mnok
    # A computed share, shown to one decimal like the source's percentages.
    wide.loc["I % av utgangsnivået"] = (wide.loc["Sum"] / base * 100).round(1) if base \
        else float("nan")
    wide.columns = [DRIVER_LABELS.get(c, c) for c in wide.columns]
    cell_places.columns = [DRIVER_LABELS.get(c, c) for c in cell_places.columns]
    wide.index.name = "Løsning" if by == "solution" else "Aktivitet"
    amounts = wide.iloc[:-1]
    places = decimals_needed(amounts)
    cell_places = cell_places.reindex(index=amounts.index, columns=amounts.columns)
    if "Sum" in cell_places.index:  # a computed sum: the finest its parts are printed with
        finest = cell_places.drop(index="Sum").max(axis=0)
        cell_places.loc["Sum"] = cell_places.loc["Sum"].fillna(finest)
    text = amounts.apply(lambda column: _format_column(
        column, places.get(column.name, 1), cell_places[column.name]))
    text.loc["I % av utgangsnivået"] = [format_percent(v, 1) if pd.notna(v) else MISSING
                                        for v in wide.iloc[-1]]
    if solution is not None and len(wide) == 3:  # one row: its Sum would repeat it
        text = text.drop(index="Sum")
    return text.reset_index()


def _format_column(values: pd.Series, decimals: int,
                   printed: pd.Series | None = None) -> pd.Series:
    """A column's amounts with ``decimals``, or each with its own ``printed`` decimals where
    that is known (not NaN, not negative)."""
    own = printed if printed is not None else pd.Series(float("nan"), index=values.index)
    return pd.Series([MISSING if pd.isna(v) else format_number(
        v, int(p) if pd.notna(p) and p >= 0 else decimals)
        for v, p in zip(values, own.reindex(values.index), strict=True)], index=values.index)


def corrections_view(corrections: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """Each corrected cell named by its table, printed row and column heading."""
    rows = []
    for fix in corrections.itertuples(index=False):
        spec = manifest.table(fix.table)
        index = int(fix.column)
        column = "Radetikett" if index == 0 else column_label(spec.columns[index])
        rows.append({"Tabell": spec.label.replace(" ", "\u00a0"),
                     "Trykt rad": _printed_row(spec, int(fix.line)),
                     "Kolonne": column,
                     "Trykt": fix.as_printed or "(tom)",
                     "Rettet til": fix.corrected or "(tom)"})
    return pd.DataFrame(rows)


def _printed_row(spec: TableSpec, line: int) -> str:
    rows = read_raw_table(spec.file, spec.header_rows).rows
    label = next((r.cells[0] for r in rows if r.line == line), "")
    return plain_text(label) or "(uten etikett)"


def corrections_markdown(corrections: pd.DataFrame, manifest: Manifest) -> str:
    """Why each correction was made, with the source's own words as evidence."""
    parts = []
    for fix in corrections.drop_duplicates("id").itertuples(index=False):
        quotes = [q.strip() for q in str(fix.evidence).split(" | ") if q.strip()]
        parts.append(f"**{manifest.table(fix.table).label}:** {fix.reason}\n\n"
                     + "\n".join(f"- {q}" for q in quotes))
    return "\n\n".join(parts)


def reconciliation_summary(reconciliation: pd.DataFrame) -> pd.DataFrame:
    """Vedlegg A's summary: checks per kind and outcome with a total, counted as the command
    line counts them (``outcome_counts``)."""
    counts = outcome_counts(reconciliation)
    counts.index = [CHECK_TYPE_LABELS[i] for i in counts.index]
    counts.columns = [STATUS_LABELS[c] for c in counts.columns]
    counts.loc["I alt"] = counts.sum()
    counts.index.name = "Kontroll"
    return counts.reset_index()


def problems_view(reconciliation: pd.DataFrame, status: str = DISCREPANCY,
                  claims: bool | None = None) -> pd.DataFrame:
    """Checks with one status; a claim's source is the text (its section), not a table.
    Differences and tolerances get two decimals so that 6,2 against 6,25 does not read 0,0."""
    rows = reconciliation[reconciliation["status"] == status]
    if claims is not None:
        is_claim = rows["check_type"] == "påstand"
        rows = rows[is_claim] if claims else rows[~is_claim]
    where = rows["table_number"].where(rows["check_type"] != "påstand",
                                       "Teksten, " + rows["section"].str.split(" ").str[0])
    return pd.DataFrame({
        "Kilde": where.str.replace(" ", "\u00a0", n=1),
        "Post": rows["item"].where(rows["item"] != "", rows["solution"]),
        "Kontroll": rows["check"],
        "Trykt": figure_by_figure(rows["printed"]),
        "Beregnet": figure_by_figure(rows["computed"]),
        "Forskjell": figure_by_figure(rows["difference"]),
        "Toleranse": rows["tolerance"].map(lambda v: format_number(v, 2)),
    }).reset_index(drop=True)


def figure_by_figure(values: pd.Series) -> pd.Series:
    """In a list of checks each row is another figure: each number with the decimals it needs
    (at most two), so a printed 23 reads 23 as in the source and the questions, not 23,0.
    Shown with ``format_table(..., as_printed=True)``."""
    return values.map(lambda v: MISSING if pd.isna(v) else format_number(v, places_needed(v)))





def clean_log_view(log: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Dokument": log["document"], "Tabell": log["number"], "Tittel": log["title"],
        "Fil": log["file"], "Rader": log["rows"], "Tall": log["figures"],
        "Rettede tall": log["corrected_figures"],
    })


def figures_sample(figures: pd.DataFrame, per_table: int = 2) -> pd.DataFrame:
    sample = figures.groupby("table", sort=False).head(per_table)
    return pd.DataFrame({
        "Tabell": sample["table_number"], "Løsning": sample["solution"], "Post": sample["item"],
        "Mål": sample["measure"], "Kategori": sample["category"], "År": sample["year"],
        UNIT_COLUMN: sample["value_mnok"], "Trykt": sample["text_as_printed"],
        "Kilde (linje, kolonne)": [f"{f.split('/')[-1]} {r}:{c}" for f, r, c in
                                   zip(sample["source_file"], sample["source_row"],
                                       sample["source_col"], strict=True)],
    })


def index_view(levels: pd.DataFrame) -> pd.DataFrame:
    """Solution levels whose printing was raised by the index: printed, nominal, re-indexed."""
    rows = levels[(levels["nominal_year"] < levels["price_year"]) & (levels["item"] == "")
                  & (levels["series"] == "finansieringsbehov")]
    return pd.DataFrame({
        "Løsning": rows["solution"].replace({ALL_SOLUTIONS: "Sum"}),
        "År": rows["nominal_year"],
        "Trykt": rows["value_mnok"],
        "Nominelt": rows["nominal"],
        "Med valgt indeks": rows["fixed"],
    })


def growth_long_view(growth: pd.DataFrame) -> pd.DataFrame:
    rows = growth[growth["item"] == ""]
    return pd.DataFrame({
        "Serie": rows["series_label"], "Løsning": rows["solution"], "Fra": rows["from_year"],
        "Til": rows["to_year"], "Prisgrunnlag": rows["price_basis"],
        "Fra (mill. kroner)": rows["from_value"], "Til (mill. kroner)": rows["to_value"],
        CHANGE_COLUMN: rows["change_mnok"], "Endring (%)": rows["change_pct"],
    })


def growth_table_ids(manifest: Manifest) -> list[str]:
    return [t.id for t in manifest.tables if t.role == "vekst"]


def table_caption(manifest: Manifest, table_id: str) -> str:
    spec = manifest.table(table_id)
    return title_text(f"{spec.title} ({spec.document}, {spec.number})")


def claims_markdown(reconciliation: pd.DataFrame) -> str:
    rows = reconciliation[(reconciliation["check_type"] == "påstand")
                          & (reconciliation["status"] == DISCREPANCY)]
    if rows.empty:
        return wording.note("all_claims_hold")
    return "\n".join(f"- **{r.section}**: «{r.quote}» — {r.message}" for r in rows.itertuples())


def note_row_cells(spec: TableSpec, row: str) -> list[tuple[str, str]]:
    """A text-only row of a source table (e.g. "Nye tjenester i digital samhandling"), column
    by column: (column label, the cell as printed, markup removed)."""
    for raw in read_raw_table(spec.file, spec.header_rows).rows:
        cells = [plain_text(c) for c in raw.cells]
        if cells[0] == row:
            return [(column_label(spec.columns[i]), cells[i])
                    for i in spec.columns if i < len(cells) and cells[i]]
    return []


def note_row_text(spec: TableSpec, row: str) -> str:
    """``note_row_cells`` on one line, as the reader needs it next to the numbers."""
    return "; ".join(f"{label}: {cell}" for label, cell in note_row_cells(spec, row))


def explanations_markdown(reconciliation: pd.DataFrame,
                          said_before: Callable[[str], bool] = lambda text: False) -> str:
    """The analysts' explanations of the discrepancies under their heading, one bullet per
    finding; those ``said_before`` in full (a question gives them) are left out, and with
    them the section when none is left: a bullet that only points back says nothing."""
    rows = reconciliation[(reconciliation["status"] == DISCREPANCY)
                          & (reconciliation["explanation"] != "")]
    if rows.empty:
        return wording.say("notes.md.j2", "explanations_section",
                           wording.note("no_deviation_explained"))
    rows = rows[~rows["explanation"].map(lambda text: said_before(collapse(text)))]
    if rows.empty:
        return ""
    where = rows["table_number"].where(rows["check_type"] != "påstand",
                                       "Teksten " + rows["section"].str.split(" ").str[0])
    named = (where + ", " + rows["item"].where(rows["item"] != "", rows["solution"]))
    groups = named.groupby(rows["explanation"], sort=False).apply(
        lambda names: "; ".join(dict.fromkeys(names)))
    return wording.say("notes.md.j2", "explanations_section", "\n".join(
        f"- **{who}:** {text}" for text, who in groups.items()))


_FOOTNOTE_MARK = re.compile(r"^\s*(\*+)\s*")
_TRAILING_MARK = re.compile(r"(?<!\*)(\*+)\s*$")


def _mark_at_end(text: str) -> str:
    found = _TRAILING_MARK.search(strip_markup(text))
    return found.group(1) if found else ""


def _footnote_anchor(spec: TableSpec, mark: str, figures: pd.DataFrame,
                     shown: Collection[str] | None = None) -> dict | None:
    """Where the source puts ``mark`` in its table: the title, column headers or cells
    (empty where it cannot be told). With ``shown`` (the column labels a table derived from
    the source's shows), only the columns and cells among them; None when none of them is."""
    if _mark_at_end(spec.title) == mark:
        return {"title": True}
    raw = read_raw_table(spec.file, spec.header_rows)
    columns = [index for row in raw.header for index, cell in enumerate(row.cells)
               if index and _mark_at_end(cell) == mark]
    if not columns and any(_mark_at_end(row.cells[0]) == mark for row in raw.header):
        return {"title": True}
    labels = [column_label(spec.columns[i]) for i in dict.fromkeys(columns) if i in spec.columns]
    # the source's own header beside the report's label where they differ («Forskrift 2025»
    # is shown as «Finansieringsbehov 2025»): the footnote is the source's, about its column
    headers = {column_label(spec.columns[i]): collapse(
        _TRAILING_MARK.sub("", strip_markup(spec.columns[i].header)))
        for i in dict.fromkeys(columns) if i in spec.columns}
    cells = figures[(figures["table"] == spec.id) & (figures["footnote"].fillna("") == mark)]
    names = [(_row_name(cell), column_label(spec.columns[int(cell["source_col"])]))
             for _, cell in cells.iterrows() if int(cell["source_col"]) in spec.columns]
    if shown is not None:
        if not labels and not names:
            return None  # what it is about cannot be told, so no table here shows it
        labels = [label for label in labels if label in shown]
        names = [(row, label) for row, label in names if label in shown]
        if not labels and not names:
            return None
    if labels:
        return {"columns": [{"label": label, "source": headers[label] if _names_otherwise(
            headers[label], label) else ""} for label in labels]}
    return {"cells": [{"row": row, "column": label} for row, label in names]}


def _names_otherwise(header: str, label: str) -> bool:
    """Whether the source's header names its column with another word than the report's
    label (the source's «Forskrift 2025», shown as «Finansieringsbehov 2025»); a header that
    is only the year, or uses the label's word, does not."""
    word = label.split()[0].lower()
    return bool(re.search(r"[^\W\d]", header)) and word not in header.lower()


def marked_footnotes(spec: TableSpec, mark: str) -> list[str]:
    """The texts of the source's footnotes to ``spec`` that carry exactly ``mark`` («*» is
    not «**»)."""
    return [note[found.end():].strip() for note in spec.footnotes
            if (found := _FOOTNOTE_MARK.match(note)) and found.group(1) == mark]


def source_footnotes(spec: TableSpec, figures: pd.DataFrame,
                     shown: Collection[str] | None = None) -> list[str]:
    """The source's footnotes to a table, quoted, each naming what it is about instead of
    the source's star: the tables shown here do not print the source's stars, so a star
    under a table would point at nothing (and one star can mark two footnotes in the source).
    With ``shown``, the column labels of a table derived from the source's (a driver table):
    only the footnotes about its title, or a column or cell it shows; a footnote whose place
    cannot be told (no star, or a star that marks two) is left to the source's own table.
    """
    marks = [m.group(1) for n in spec.footnotes if (m := _FOOTNOTE_MARK.match(n))]
    out = []
    for note in spec.footnotes:
        found = _FOOTNOTE_MARK.match(note)
        text = note[found.end():].strip() if found else note.strip()
        anchor: dict | None = {} if shown is None else None
        if found and marks.count(found.group(1)) == 1:
            anchor = _footnote_anchor(spec, found.group(1), figures, shown)
        if anchor is None:
            continue
        out.append(wording.say("footnotes.md.j2", "source_footnote",
                               text.replace("*", "\\*"), **anchor))
    return out


def table_notes(spec: TableSpec, notes: Iterable) -> list[str]:
    """The analysts' notes to the source's table ``spec`` (the register's ``table_notes``),
    each with the sections of the source it stands on."""
    return [wording.say("footnotes.md.j2", "table_note", collapse(n.statement),
                        [n.section, *(a.section for a in n.also)])
            for n in notes if n.table == spec.id]
