"""What the report notebooks show, computed in one place so tests reach every number."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from tbu_analysis.analysis import comparison as comparison_module
from tbu_analysis.analysis import explanations as explanations_module
from tbu_analysis.analysis import growth as growth_module
from tbu_analysis.analysis import tolerance
from tbu_analysis.analysis.analyse import AnalysisResult
from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.analysis.tolerance import DISCREPANCY, UNLIKELY, round_half_up
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import (
    collapse,
    format_number,
    places_needed,
)
from tbu_analysis.common.provenance import collect_provenance, provenance_table, source_date
from tbu_analysis.config import RoundPaths, project_root, round_paths, slug
from tbu_analysis.presentation.fonts import font_files
from tbu_analysis.presentation.tables import format_table
from tbu_analysis.reports import committee, key_messages, narrative, views
from tbu_analysis.reports import text as wording
from tbu_analysis.reports.committee import printed_elsewhere
from tbu_analysis.reports.model import ReportModel, load_report_model
from tbu_analysis.reports.notes import NoteRegistry
from tbu_analysis.rounds.manifest import Manifest, load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS, NameMap
from tbu_analysis.vocab import (
    PARAMETER_LABELS,
    SOURCE_GAP_LABEL,
    CheckType,
    ColumnRole,
    DriverCategory,
    Measure,
    RowKind,
    Series,
    Status,
    TableRole,
)


@dataclass
class ReportContext:
    """The report model with the sentences around it: renders, computes nothing heavy (the
    model, built once per round by ``reports.model``, holds every derived figure)."""

    paths: RoundPaths
    model: ReportModel
    #: per report (``ALL_SOLUTIONS`` for the main report, else the solution): where each note
    #: is said in full, and every note-carrying block as shown, all rendered once in document
    #: order (``_document``) when the report's first such block is asked for
    _reports: dict[str, tuple[NoteRegistry, dict[tuple, object]]] = field(
        default_factory=dict, repr=False)
    _levels: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _quantities: dict[tuple, pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def result(self) -> AnalysisResult:
        return self.model.result

    @property
    def corrections(self) -> pd.DataFrame:
        return self.model.corrections

    @property
    def figures(self) -> pd.DataFrame:
        return self.result.figures

    @property
    def manifest(self) -> Manifest:
        return self.result.manifest

    @property
    def reconciliation(self) -> pd.DataFrame:
        """The checks, with the analysts' corrected computations where a finding gives one."""
        return self.model.reconciliation

    @property
    def solutions(self) -> tuple[str, ...]:
        return self.model.solutions

    @property
    def years(self) -> list[int]:
        return list(self.model.years)

    @property
    def explanations(self) -> list[explanations_module.Explanation]:
        return list(self.model.explanations)

    @property
    def conditions(self) -> list[explanations_module.Condition]:
        return list(self.model.conditions)

    @property
    def previous_round(self) -> comparison_module.PreviousRound | None:
        return self.model.previous_round

    @property
    def estimates(self) -> pd.DataFrame:
        return self.model.estimates

    # --- what a committee acts on ----------------------------------------------------------
    def driver_notes(self, solution: str = ALL_SOLUTIONS) -> list[explanations_module.DriverNote]:
        """Every driver the report's driver tables show, with its explanations."""
        return [note for table_id in views.growth_table_ids(self.manifest)
                for note in self.model.driver_notes[(solution, table_id)]]

    def headline_markdown(self) -> str:
        """Short answers to the committee's first questions, each pointing to its section."""
        return narrative.as_markdown(committee.headline_points(
            self.result.growth, self.driver_notes(), self.previous_round, self.estimates,
            self.conditions, self.questions_text(), self.result.underlying))

    def conditions_markdown(self, solution: str | None = None) -> str:
        return committee.conditions_markdown(
            explanations_module.conditions_for(self.conditions, solution), solution)

    @property
    def round_comparison(self) -> pd.DataFrame | None:
        """This round against the previous one, where the previous round's tables exist."""
        return self.model.round_comparison

    def since_previous_markdown(self, solution: str | None = None) -> str:
        text = committee.previous_round_markdown(self.previous_round, self.round_comparison,
                                                 levels=self.result.levels,
                                                 solution=solution)
        detail = committee.since_last_round_markdown(self.result.comparison, solution)
        return f"{text}\n\n{detail}" if detail else text

    def since_previous_tables(self, solution: str | None = None) -> list:
        """The table comparison with the previous round, when there is one to show."""
        comparison = self.round_comparison
        if comparison is not None and solution is not None:
            comparison = comparison[comparison["solution"] == solution]
        if comparison is None or comparison.empty:
            return []
        return [format_table(committee.comparison_view(comparison),
                             text_columns=["År"], caption="Mill. kroner")]

    @property
    def estimates_at_printed_precision(self) -> pd.DataFrame:
        """The estimates with the report's one value of each forskrift, the deviation taken
        at the precision both are printed (the model's)."""
        return self.model.estimates_printed

    def estimates_view(self, solution: str | None = None) -> pd.DataFrame:
        return committee.estimates_view(self.estimates_at_printed_precision, solution)

    def estimates_markdown(self) -> str:
        return committee.estimates_markdown(self.estimates)

    @property
    def asks(self) -> list:
        """Every question to NHN, ranked by the mill. kroner at stake (the model's): the main
        report's carry every solution report's large unexplained changes too."""
        return list(self.model.asks)

    @property
    def moves(self) -> list:
        """Amounts moved between items within a solution and driver (netted)."""
        return list(self.model.moves)

    def questions_markdown(self, solution: str | None = None, annex: bool = False) -> str:
        """The questions to NHN, ranked; ``annex`` gives the rounding and typesetting list.
        A finding said in full earlier in the report is pointed to."""
        return self._shown(solution, *self._block("questions", solution, annex))

    def _questions_markdown(self, solution: str | None, annex: bool) -> str:
        return self._once(self.questions_text(solution, annex),
                          place=f"questions:{solution}:{annex}", report=solution)

    def questions_text(self, solution: str | None = None, annex: bool = False) -> str:
        """The questions as words, without the pointers to notes (the summary counts them)."""
        return committee.questions_markdown(self.asks, solution, annex=annex)

    def explanations_markdown(self) -> str:
        """The annex's list of the analysts' explanations, pointing to those said before."""
        return self._shown(None, *self._block("explanations"))

    def _explanations_markdown(self) -> str:
        registry = self.notes(None)
        return self._once(views.explanations_markdown(
            self.reconciliation,
            lambda text: registry.place(text) not in {None, "explanations"}),
            place="explanations")

    @property
    def register_questions(self) -> list:
        """What the source's own words leave open, from the findings register."""
        return list(self.model.register_questions)

    def questions_lead(self, solution: str) -> str:
        return committee.questions_rule(solution)

    def explanation_quotes_markdown(self, solution: str = ALL_SOLUTIONS) -> str:
        """The source's words behind «Hvorfor tallene endres», for the annex."""
        return committee.explanation_quotes_markdown(
            self.driver_notes(solution), solution == ALL_SOLUTIONS, self.moves) \
            or wording.note("no_large_change_explained")

    def cover_markdown(self, solution: str | None = None) -> str:
        """The cover page: title, source and its date, status, date and version."""
        when, _ = source_date(self.paths.root)
        return wording.render(
            "cover.md.j2",
            title=f"{self.manifest.title} – {solution}" if solution else self.manifest.title,
            round_label=self.manifest.label, first_year=min(self.years),
            last_year=max(self.years), date=f"{when:%d.%m.%Y}", version=package_version(),
            source=collapse(self.manifest.source.get("description", "")),
            source_date=str(self.manifest.source.get("date", "")))

    @staticmethod
    def contents_markdown(headings: list[str] | None = None) -> str:
        """A printed table of contents: the main report's chapters (``sections.yaml``), each
        linked to its heading (the id nbconvert gives it), so print CSS can add the page
        number (``target-counter``)."""
        chapters = headings if headings is not None else wording.sections()["main"]
        return wording.render("contents.md.j2",
                           chapters=[(wording.heading_anchor(h), h) for h in chapters])

    # --- headings and prose ----------------------------------------------------------------
    def findings(self) -> list[str]:
        return narrative.key_findings(self.result.growth, self.result.drivers,
                                      self.result.levels, self.reconciliation, self.result.index)

    def terms_markdown(self, short: bool = False) -> str:
        """The terms a reader needs, with this round's own numbers (deductions, index rates,
        which tables are the detail tables)."""
        drivers = self.result.drivers
        deductions = drivers[(drivers["category"] == DriverCategory.TILBAKEFORING)
                             & (drivers["row_kind"] == RowKind.TOTAL)
                             & (drivers["solution"] == ALL_SOLUTIONS)]
        later = [y for y in self.years if deductions.empty or y > deductions["to_year"].max()]
        levels = self.result.levels
        raised = levels[levels["nominal_year"] < levels["price_year"]].drop_duplicates(
            ["nominal_year", "price_year"])
        stated = levels[levels["nominal_year"] > levels["price_year"]]["price_basis"]
        return wording.render(
            "terms.md.j2", short=short,
            deductions=[{"year": int(r.to_year), "amount": -r.value_mnok}
                        for r in deductions.itertuples()],
            undeducted=later[0] if later else None,
            raised=[{"nominal_year": int(r.nominal_year), "price_year": int(r.price_year),
                     "rates": [self.result.index.rate(y)
                               for y in range(int(r.nominal_year), int(r.price_year))]}
                    for r in raised.itertuples()],
            stated=stated.iloc[0] if len(stated) else "",
            details=[t.number for t in self.manifest.tables if t.role == TableRole.DETALJ])

    @property
    def marked_cells(self) -> Mapping[int, str]:
        """Printed figures a discrepancy is about, marked wherever a table shows them."""
        return self.model.marked_cells

    @property
    def other_printings(self) -> Mapping[int, str]:
        """Printed figures the source prints with another value in another table."""
        return self.model.other_printings

    # --- notes said once -------------------------------------------------------------------
    def notes(self, solution: str | None = None) -> NoteRegistry:
        """Where each note of the report is said in full, filled as the report's
        note-carrying blocks render, once each, in document order (``_document``)."""
        return self._report(solution)[0]

    def _report(self, solution: str | None) -> tuple[NoteRegistry, dict[tuple, object]]:
        """The report's note registry and its note-carrying blocks as shown: the first
        block asked for renders them all, once each, in the order the report shows them,
        so a note's place does not depend on the order in which the notebook asks."""
        key = _report_key(solution)
        if key not in self._reports:
            registry, shown = NoteRegistry(), {}
            self._reports[key] = (registry, shown)
            for block, render in self._document(solution):
                shown[block] = render()
            registry.close()
        return self._reports[key]

    def _document(self, solution: str | None) -> list[tuple[tuple, Callable[[], object]]]:
        """The report's blocks that carry notes, in document order (as notebooks 10_report
        and 11_solution show them): each block's key (the method and its arguments, as
        the notebook calls it) and its renderer."""
        block = self._block
        if _report_key(solution) != ALL_SOLUTIONS:
            return [block("levels", self.solution_levels(solution), Series.FINANSIERINGSBEHOV,
                          solution),
                    block("estimates", solution), block("drivers", solution),
                    block("items", solution), block("questions", solution, False)]
        growth = [block("levels", table, self.growth_series(heading), None)
                  for heading, table in self.growth_sections()]
        return [block("overview"), *growth, block("drivers", ALL_SOLUTIONS),
                block("estimates", None), block("prognosis"), block("questions", None, False),
                block("questions", None, True), block("explanations")]

    def _block(self, kind: str, *args) -> tuple[tuple, Callable[[], object]]:
        """A note-carrying block, declared once for ``_document`` and for the public method
        that shows it: its key (its kind and arguments as the notebook passes them; a table
        by its content) and its renderer."""
        render = {"overview": self._overview_note, "levels": self._levels_note,
                  "estimates": self._estimates_note, "drivers": self._driver_sections,
                  "prognosis": self._prognosis_sections, "items": self._item_tables,
                  "questions": self._questions_markdown,
                  "explanations": self._explanations_markdown}[kind]
        key = _levels_key(*args) if kind == "levels" else (kind, *args)
        return key, lambda: render(*args)

    def _shown(self, solution: str | None, block: tuple, render: Callable[[], object]):
        """A note-carrying block as the report shows it: its output from the report's one
        rendering in document order; a block the document does not hold (another table,
        another report's arguments) is rendered now, pointing to where the document says
        its notes."""
        shown = self._report(solution)[1]
        return shown[block] if block in shown else render()

    @staticmethod
    def growth_series(heading: str) -> Series:
        """The series a growth table of section 2 shows, from its heading."""
        return Series.KOSTNADSNIVA if heading.startswith(Series.KOSTNADSNIVA.label) \
            else Series.FINANSIERINGSBEHOV

    def _once(self, block: str, texts=None, *, place: str, report: str | None = None) -> str:
        """``block`` as shown at ``place`` in the report: a note said in full at an earlier
        place (the analysts' explanation of a discrepancy, by default) is replaced by a short
        pointer to it; at its own place it is said in full, with an anchor."""
        if texts is None:
            findings = self.reconciliation["explanation"].fillna("")
            texts = {*self.marked_cells.values(), *self.other_printings.values(),
                     *(collapse(t) for t in findings if t)}
        registry = self.notes(report)
        # Longest first (one note may hold another), then by its words: the same order, and
        # so the same anchors, in every process (a set's order is not).
        for text in sorted((t for t in texts if t and t in block), key=lambda t: (-len(t), t)):
            anchor = registry.said(text, place)
            # the pointer is a sentence; in place of a text without its full stop it leaves
            # the stop (or the «;» of a list of notes) to the block: never «..» or «.;»
            pointer = back_reference(anchor) if anchor else ""
            pointer = pointer if text.endswith(".") else pointer.removesuffix(".")
            if registry.place(text) == place:
                head, _, tail = block.partition(text)
                block = f'{head}<span id="{anchor}"></span>{text}{tail.replace(text, pointer)}'
            elif anchor:
                block = block.replace(text, pointer)
        return block

    def _marked(self, frame: pd.DataFrame, spec, by: str = "table", **options):
        """A table formatted for display with its discrepant cells marked, and the footnote:
        the marks, and the cells the source prints with another value elsewhere."""
        marks = committee.table_marks(frame, self.figures, self.marked_cells, spec, by)
        others = committee.table_marks(frame, self.figures, self.other_printings, spec, by)
        notes = "\n\n".join(n for n in (committee.marks_note(frame, marks),
                                        committee.other_values_note(frame, others)) if n)
        return committee.marked_table(frame, marks, **options), notes

    def _figure_note(self, table_number: str, solution: str, measure: str, year: int) -> str:
        """What the marks or other printings say about one solution-level figure."""
        figures = self.figures
        rows = figures[(figures["table_number"] == table_number)
                       & (figures["solution"] == solution) & (figures["item"] == "")
                       & (figures["measure"] == measure) & (figures["year"] == year)]
        for index in rows.index:
            note = self.marked_cells.get(int(index)) or self.other_printings.get(int(index))
            if note:
                return note
        return ""

    def estimates_note(self, solution: str | None = None) -> str:
        """Under the estimates table: a forskrift the source prints otherwise elsewhere."""
        return self._shown(solution, *self._block("estimates", solution))

    def _estimates_note(self, solution: str | None) -> str:
        rows = self.estimates if solution is None \
            else self.estimates[self.estimates["solution"] == solution]
        notes = []
        for r in rows.itertuples():
            note = self._figure_note(r.forskrift_table, r.solution, Measure.FORSKRIFT, r.year)
            if note:
                notes.append(wording.say(
                    "estimates.md.j2", "forskrift_elsewhere", solution=r.solution, year=r.year,
                    forskrift=r.forskrift, table=self.manifest.table(r.forskrift_table_id).label,
                    note=note))
        if solution is None:  # the solution reports say it under their levels
            notes += self._whole_millions_notes()
        # The table reproduces NHN's printed precision (325 beside 343,6): the note says so.
        said = self._once("\n\n".join(dict.fromkeys(notes)), place=f"estimates:{solution}",
                          report=solution)
        return "\n\n".join(filter(None, [wording.note("as_printed"), said]))

    def levels_note(self, frame: pd.DataFrame, series: str,
                    solution: str | None = None) -> str:
        """Under a table of levels (the growth tables, a solution's levels by year): where a
        level shown is printed with another value in another table, which and how."""
        return self._shown(solution, *self._block("levels", frame, series, solution))

    def _levels_note(self, frame: pd.DataFrame, series: str, solution: str | None) -> str:
        levels = self.model.series[series]
        levels = levels[levels["item"] == ""]
        names = {solution} if solution else set(frame.iloc[:, 0]) - {"Sum"}
        years = [int(c) for c in frame.columns if str(c).isdigit()]
        notes = []
        registry = self.notes(solution)
        # A table is its place: two growth tables of the same years (fixed and nominal kroner)
        # are two places.
        place = f"levels:{series}:{solution}:{_frame_digest(frame)}"
        said_here: set[str] = set()
        for row in levels[levels["solution"].isin(names) & levels["year"].isin(years)] \
                .itertuples():
            note = self._other_tables_note(row)
            if note:
                shown = {"solution": row.solution, "year": row.year, "value": row.value_mnok,
                         "decimals": int(row.decimals), "table": row.table_number}
                anchor = registry.said(note, place)
                if registry.place(note) == place and note not in said_here:
                    said_here.add(note)  # its place: in full, with an anchor to point back to
                    why = self._why_printed_otherwise(row)
                    notes.append(self._once(
                        wording.say("levels.md.j2", "same_figure", anchor=anchor,
                                    elsewhere=note, why=why, **shown),
                        [why], place=place, report=solution))
                else:
                    # «Se forklaringen over» leads to the explanation itself where there is
                    # one (the †-note), not to the first «Samme tall» note that points to it.
                    why = self._why_printed_otherwise(row)
                    if why and registry.place(why) is not None:
                        anchor = registry.said(why, place)  # said already: only its anchor
                    notes.append(wording.say("levels.md.j2", "same_figure_again",
                                             anchor=anchor, **shown))
        if series == Series.FINANSIERINGSBEHOV:
            notes += self._undeducted_notes(names, years)
        notes += self._from_parts_notes(levels, names, years)
        if solution and "Serie" in frame.columns:  # a solution's levels by year
            notes += self._cost_level_gaps(frame, solution)
            notes += self._carried_over_notes(solution)
        if solution is None:
            notes += self._sum_notes(frame, levels)
        return "\n\n".join(dict.fromkeys(notes))

    def _printings(self, solution: str, measure: str, year: int) -> pd.DataFrame:
        """Every printing of one solution-level quantity (no item, no category) in the order
        of the figures: looked up, not filtered from all figures for each level a note reads
        (the main report's levels notes ask about 60 times)."""
        if self._quantities is None:
            figures = self.figures
            whole = figures[(figures["item"] == "") & (figures["category"] == "")]
            self._quantities = dict(iter(whole.groupby(["solution", "measure", "year"],
                                                       sort=False)))
        return self._quantities.get((solution, measure, year), self.figures.iloc[:0])

    def _why_printed_otherwise(self, level) -> str:
        """The analysts' explanation of why another table prints ``level`` otherwise, where a
        discrepancy marks that table's cell (said once, with the other printing)."""
        same = self._printings(level.solution, level.measure, level.year)
        same = same[same["table_number"] != level.table_number]
        return next((self.marked_cells[i] for i in same.index if i in self.marked_cells), "")

    def _undeducted_notes(self, names: set[str], years: list[int]) -> list[str]:
        """Where the funding need shown is the cost level (nothing deducted) and the source
        prints the funding need rounded (Helsenettet 2025: 299,9 here, 300 in the overview)."""
        levels = self.model.undeducted
        notes = []
        for row in levels[(levels["item"] == "") & levels["solution"].isin(names)
                          & levels["year"].isin(years)].itertuples():
            printed = self._printings(row.solution, Measure.FINANSIERINGSBEHOV, row.year)
            printed = printed[printed["value_mnok"].notna()]
            others: dict[str, list[str]] = {}
            for _, other in printed.iterrows():
                value = format_number(float(other["value_mnok"]), int(other["decimals"]))
                others.setdefault(value, []).append(self.manifest.table(other["table"]).label)
            notes.append(wording.say(
                "levels.md.j2", "undeducted", solution=row.solution, year=row.year,
                value=row.value_mnok, decimals=int(row.decimals),
                table=self.manifest.table(row.table).label, elsewhere=printed_elsewhere(others)))
        return notes

    @property
    def computed_levels(self) -> pd.DataFrame:
        """The levels computed from the source's parts, from the report model."""
        return self.model.from_parts

    def _from_parts_notes(self, levels: pd.DataFrame, names: set[str],
                          years: list[int]) -> list[str]:
        """Where a level shown is computed from the source's parts and the source prints it
        rounded to whole millions (E-resept 2026: 180,6 here, 181 in the source)."""
        computed = self.computed_levels
        shown = []
        for row in computed[computed["solution"].isin(names)
                            & computed["year"].isin(years)].itertuples():
            if self._is_from_parts(levels, row.solution, row.year, row.value_mnok):
                shown.append({
                    "solution": row.solution, "year": row.year, "value": row.value_mnok,
                    "start_year": row.start_year, "start": row.start, "change": row.change,
                    "deduction": row.measure == Measure.FINANSIERINGSBEHOV,
                    "table": self.manifest.table(row.table).label, "printed": row.printed,
                    "printed_decimals": row.printed_decimals})
        return [wording.say("levels.md.j2", "from_parts", levels=shown)] if shown else []

    def _cost_level_gaps(self, frame: pd.DataFrame, solution: str) -> list[str]:
        """Under a solution's levels by year: the years its cost level shows «–», and the
        forskrift the growth in cost level starts from instead (the series' own value)."""
        costs = self.model.series[Series.KOSTNADSNIVA]
        costs = costs[(costs["solution"] == solution) & (costs["item"] == "")]
        row = frame[frame["Serie"] == Series.KOSTNADSNIVA.label]
        if row.empty:
            return []
        gaps = []
        for level in costs.itertuples():
            shown = row[str(level.year)].iloc[0] if str(level.year) in row.columns else None
            if level.measure != Measure.KOSTNADSNIVA and (shown is None or pd.isna(shown)):
                gaps.append({"year": int(level.year), "value": float(level.value_mnok),
                             "decimals": int(level.decimals)})
        return [wording.say("levels.md.j2", "cost_level_is_forskrift", levels=gaps)] \
            if gaps else []

    def _is_from_parts(self, levels: pd.DataFrame, solution: str, year: int,
                       value: float) -> bool:
        """Whether ``levels`` (a series) shows a level computed from the source's parts for
        (solution, year): the other series may show another quantity that year."""
        computed = self.computed_levels
        computed = computed[(computed["solution"] == solution) & (computed["year"] == year)
                            & ((computed["value_mnok"] - float(value)).abs() < 1e-9)]
        shown = levels[(levels["solution"] == solution) & (levels["item"] == "")
                       & (levels["year"] == year)]
        return bool(len(computed)) and bool(
            ((shown["measure"].isin(computed["measure"]))
             & ((shown["value_mnok"].astype(float) - float(value)).abs() < 1e-9)).any())

    def _sum_notes(self, frame: pd.DataFrame, levels: pd.DataFrame) -> list[str]:
        """Under a growth table: the Sum row is the source's printed total; where the rows
        above add to something else, say what they add to (and the change they give)."""
        year_columns = [c for c in frame.columns if str(c).isdigit()]
        body = frame[frame.iloc[:, 0] != "Sum"]
        total = frame[frame.iloc[:, 0] == "Sum"]
        if total.empty or len(year_columns) != 2:
            return []
        sums = {c: round_half_up(float(body[c].sum()), 1) for c in year_columns}
        printed = {c: float(total[c].iloc[0]) for c in year_columns}
        if all(abs(sums[c] - printed[c]) < 1e-6 for c in year_columns):
            return []
        source = levels[(levels["solution"] == ALL_SOLUTIONS)
                        & levels["year"].isin([int(c) for c in year_columns])]
        if sorted(source["value_mnok"].astype(float)) != sorted(printed.values()):
            return []  # a sum recomputed in other kroner, not the source's printed one
        first, last = year_columns
        by_table: dict[str, list[dict]] = {}
        for column in year_columns:
            level = levels[(levels["solution"] == ALL_SOLUTIONS)
                           & (levels["year"] == int(column))]
            if len(level):
                label = self.manifest.table(level["table"].iloc[0]).label
                by_table.setdefault(label, []).append(
                    {"value": printed[column], "decimals": int(level["decimals"].iloc[0])})
        decimals = views.growth_decimals(frame, levels)  # as the table shows its columns
        return [wording.say(
            "levels.md.j2", "printed_sum",
            printed=[{"table": label, "values": values} for label, values in by_table.items()],
            first=first, last=last, sums=[sums[first], sums[last]],
            decimals=[decimals[first], decimals[last], decimals[views.CHANGE_COLUMN]],
            change=sums[last] - sums[first], printed_change=printed[last] - printed[first])]

    def _other_tables_note(self, level) -> str:
        """A level taken from one table where another table the report shows prints it
        otherwise beyond rounding (e.g. 303,6 in Tabell 9 against 303 in the overview)."""
        same = self._printings(level.solution, level.measure, level.year)
        same = same[same["table_number"] != level.table_number]
        others: dict[str, list[str]] = {}
        for _, other in same.iterrows():
            places = min(int(other["decimals"]), int(level.decimals))
            if abs(float(other["value_mnok"]) - float(level.value_mnok)) \
                    > tolerance.half_unit(places) + 1e-9:
                value = format_number(float(other["value_mnok"]), int(other["decimals"]))
                others.setdefault(value, []).append(self.manifest.table(other["table"]).label)
        return printed_elsewhere(others)

    def overview_table(self):
        frame = views.overview(self.figures, self.manifest)
        styled, _ = self._marked(frame, self.manifest.primary, decimals=0,
                                 caption="Mill. kroner")
        return styled

    def overview_note(self) -> str:
        """Under the overview table: its source, the source's footnotes, the notes of the
        tables' note rows, the nominal sums, and the marks."""
        return self._shown(None, *self._block("overview"))

    def _overview_note(self) -> str:
        spec = self.manifest.primary
        notes = [wording.say("notes.md.j2", "table_source", spec.document, spec.number,
                             precision=spec.precision or "")]
        notes += views.source_footnotes(spec, self.figures)
        for table in self.manifest.tables:
            for row in table.note_rows:
                notes.append(committee.note_row_sentence(table.label, row,
                                                         views.note_row_cells(table, row)))
        indexed = self.result.levels[
            (self.result.levels["nominal_year"] < self.result.levels["price_year"])
            & (self.result.levels["solution"] == ALL_SOLUTIONS)
            & (self.result.levels["series"] == Series.FINANSIERINGSBEHOV)]
        for row in indexed.itertuples(index=False):
            rate = self.result.index.rate(int(row.nominal_year))
            notes.append(wording.say("levels.md.j2", "nominal_sum", rate=rate,
                                     year=row.nominal_year, value=row.nominal))
        frame = views.overview(self.figures, self.manifest)
        _, marks = self._marked(frame, spec, decimals=0)
        return self._once("\n\n".join([*(f"*{n}*" for n in notes), *([marks] if marks else [])]),
                          place="overview")

    def levels_for_chart(self) -> pd.DataFrame:
        series = self.model.series[Series.FINANSIERINGSBEHOV]
        series = series[(series["item"] == "") & series["solution"].isin(self.solutions)]
        order = {s: i for i, s in enumerate(self.solutions)}
        series = series.sort_values(["solution", "year"], key=lambda c: c.map(order)
                                    if c.name == "solution" else c, kind="stable")
        return series[["solution", "year", "value_mnok"]]

    def levels_chart_caption(self) -> str:
        """The caption of ``levels_for_chart``'s chart: which years are the forskrift, which
        the proposed one and which an estimate, and a year shown in later kroner."""
        series = self.model.series[Series.FINANSIERINGSBEHOV]
        years = series[series["item"] == ""].drop_duplicates("year").sort_values("year")
        groups: list[tuple[str, list[int]]] = []
        for row in years.itertuples():
            if groups and groups[-1][0] == row.measure:
                groups[-1][1].append(int(row.year))
            else:
                groups.append((str(row.measure), [int(row.year)]))
        rebased = [(int(r.year), int(r.price_year)) for r in years.itertuples()
                   if int(r.year) < int(r.price_year)]
        return wording.say("levels.md.j2", "levels_chart_caption", groups, rebased)

    def growth_words(self, heading: str) -> str:
        """Under a funding-need growth table: what the one-off deduction does to it."""
        for start, end in zip(self.years, self.years[1:], strict=False):
            if heading.startswith("Forskriftsbeløp") and f"{start}–{end}" in heading \
                    and "," not in heading:
                growth = self.result.growth
                pair = growth[(growth["from_year"] == start) & (growth["to_year"] == end)
                              & (growth["item"] == "")
                              & (growth["price_basis"] == growth_module.PRICE_AS_PRINTED)]
                drivers = self.result.drivers
                deductions = drivers[(drivers["category"] == DriverCategory.TILBAKEFORING)
                                     & (drivers["item"] == "")
                                     & drivers["row_kind"].isin([RowKind.ITEM, RowKind.TOTAL])]
                deductions = deductions.drop_duplicates(["solution", "to_year"])
                return committee.deduction_markdown(
                    pair[pair["series"] == Series.FINANSIERINGSBEHOV].drop_duplicates("solution"),
                    pair[pair["series"] == Series.KOSTNADSNIVA].drop_duplicates("solution"),
                    deductions, self.explanations)
        return ""

    def growth_sections(self) -> list[tuple[str, pd.DataFrame]]:
        out = []
        growth = self.result.growth
        for start, end in zip(self.years, self.years[1:], strict=False):
            for series, label in ((s, s.label) for s in (Series.FINANSIERINGSBEHOV,
                                                         Series.KOSTNADSNIVA)):
                rows = growth[(growth["series"] == series) & (growth["from_year"] == start)
                              & (growth["to_year"] == end)]
                for basis in dict.fromkeys(rows["price_basis"]):
                    table = views.growth_view(growth, series, start, end, self.solutions,
                                              price_basis=basis)
                    if any(table.equals(shown) for _, shown in out):
                        continue  # the cost level is the forskrift where nothing is deducted
                    suffix = "" if basis == growth_module.PRICE_AS_PRINTED else f", {basis}"
                    out.append((f"{label} {start}–{end}{suffix}", table))
        return out

    def growth_decimals(self, heading: str, table: pd.DataFrame) -> dict[str, int]:
        """The decimals of a growth table's columns: a level at the precision the source
        prints it (a column of printed whole millions is not shown with ,0)."""
        return views.growth_decimals(table, self.model.series[self.growth_series(heading)])

    def driver_sections(self, solution: str = ALL_SOLUTIONS) -> list[tuple]:
        """Per growth table: heading, the table ready to display (discrepant cells marked),
        waterfall steps, the notes under the table, and in words the largest drivers with the
        source's reasons."""
        return list(self._shown(solution, *self._block("drivers", solution)))

    def _driver_sections(self, solution: str) -> list[tuple]:
        out = []
        drivers = self.result.drivers
        for table_id in views.growth_table_ids(self.manifest):
            spec = self.manifest.table(table_id)
            base_column = spec.columns[spec.base_column]
            start, end = base_column.year, max(c.year for c in spec.columns.values())
            detail = None
            if solution == ALL_SOLUTIONS:
                table = views.drivers_view(drivers, table_id, figures=self.figures)
            elif (detail := self._detail_table(solution, start)) is not None:
                table = views.drivers_view(drivers, detail, by="item", figures=self.figures)
            else:
                base = self.figures[(self.figures["table"] == table_id)
                                    & (self.figures["solution"] == solution)
                                    & (self.figures["row_kind"] == "item")
                                    & (self.figures["column_role"] == ColumnRole.BASE)]
                table = views.drivers_view(drivers, table_id, solution=solution,
                                           base_mnok=float(base["value_mnok"].sum()),
                                           figures=self.figures)
            steps = list(self.model.waterfalls[(solution, start)][0])
            heading = wording.say("drivers.md.j2", "heading", start=start, end=end,
                                  solution=None if solution == ALL_SOLUTIONS else solution)
            used = self.manifest.table(detail) if solution != ALL_SOLUTIONS and detail else spec
            stated = end > base_column.price_basis.price_year
            label = spec.columns[max(spec.columns)].price_basis.label
            notes = [wording.say("notes.md.j2", "table_source", used.document, used.number,
                                 basis=label if stated else "", precision=used.precision)]
            notes += views.source_footnotes(used, self.figures, shown=list(table.columns))
            driver_notes = list(self.model.driver_notes[(solution, table_id)])
            words = committee.driver_explanations_markdown(
                driver_notes, show_solution=solution == ALL_SOLUTIONS, moves=self.moves)
            if detail is not None:  # the solution's own drivers, their parts summed
                whole = list(self.model.whole_driver_notes[(solution, table_id)])
                words = "\n\n".join(filter(None, [words, committee.driver_explanations_markdown(
                    whole, show_solution=True, moves=self.moves,
                    lead=wording.say("drivers.md.j2", "whole_solution", solution))]))
            shown = self.manifest.table(detail) if detail else spec
            by = "item" if detail else "solution"
            # each amount as the source prints it (``drivers_view`` with figures), so the
            # table is marked as one whose figures keep their own precision
            styled, marks = self._marked(table, shown, by, decimals=views.decimals_needed(table),
                                         as_printed=True)
            notes_text = "\n\n".join([*(f"*{n}*" for n in notes),
                                       *self._percent_notes(shown.id, solution,
                                                            list(table.columns)),
                                       *self._waterfall_notes(steps, solution, start),
                                       *([marks] if marks else [])])
            out.append((heading, styled, steps,
                        self._once(notes_text, place=f"drivers:{solution}:{heading}",
                                   report=solution), words))
        return out

    def _percent_notes(self, table_id: str, solution: str, shown: list[str]) -> list[str]:
        """Where the share the table computes differs from the percentage NHN printed, for
        the columns the table shows (a level's growth, «vekst i % for «2025»», is not one)."""
        rows = self.reconciliation[(self.reconciliation["check_type"] == CheckType.PROSENT)
                                   & (self.reconciliation["table"] == table_id)
                                   & (self.reconciliation["status"] != Status.OK)]
        if solution != ALL_SOLUTIONS:
            rows = rows[rows["solution"] == solution]
        return [wording.say("drivers.md.j2", "percent_row", check=r.check.replace("*", ""),
                            printed=r.printed, decimals=places_needed(r.printed, 0, 1),
                            computed=r.computed)
                for r in rows.itertuples()
                if r.check.startswith("«") and r.check[1:].split("»")[0] in shown]

    def _waterfall_notes(self, steps: list, solution: str, from_year: int) -> list[str]:
        """Under a waterfall: where the source's rows give another level than the one the
        report uses for that quantity, and what each «Avrunding/avvik i kilden» step carries
        (the driver amounts lead elsewhere than the next printed level)."""
        notes = []
        levels = list(self.model.waterfalls[(solution, from_year)][1])
        differ = [lv for lv in levels
                  if abs(lv["table_value"] - lv["value"]) > 1e-6]
        for lv in differ:
            notes.append(wording.say(
                "drivers.md.j2", "other_level", table=lv["table_number"], rows=lv["table_rows"],
                shown=lv["table_value"],
                shown_decimals=1 if lv["table_rows"] > 1 else lv["table_decimals"],
                label=lv["label"], value=lv["value"], decimals=lv["decimals"],
                source=self.manifest.table(lv["table"]).label,
                computed=self._is_from_parts(self.model.series[lv["series"]], solution,
                                             lv["year"], lv["value"])))
        running, previous = 0.0, None
        for label, value, kind in steps:
            if kind == "level":
                running, previous = value, (label, value)
                continue
            if label == SOURCE_GAP_LABEL and previous is not None:
                level = next((lv for lv in levels if abs(lv["value"] - (running + value))
                              < 1e-6), None)
                notes.append(wording.say(
                    "drivers.md.j2", "gap", name=SOURCE_GAP_LABEL, step=value,
                    from_label=previous[0], start=previous[1], reached=running,
                    printed=running + value, decimals=level["decimals"] if level else 1,
                    table=self.manifest.table(level["table"]).label if level else None,
                    end=running + value))
            running += value
        return notes

    def prognosis_sections(self) -> list[tuple]:
        """Per prognosis table: heading, the table as printed (cells marked), its notes."""
        return list(self._shown(None, *self._block("prognosis")))

    def _prognosis_sections(self) -> list[tuple]:
        out = []
        for spec in self.manifest.tables:
            if spec.role not in {TableRole.PROGNOSE, TableRole.OVERFORTE_MIDLER}:
                continue
            frame = views.table_view(self.figures, spec, as_printed=True)
            styled, marks = self._marked(frame, spec, as_printed=True)
            notes = [f"*{n}*" for n in [*views.source_footnotes(spec, self.figures),
                                        *views.table_notes(spec, self.model.table_notes)]]
            out.append((f"{spec.title} ({spec.document}, {spec.number})", styled,
                        self._once("\n\n".join([*notes, *([marks] if marks else [])]),
                                   place=f"prognosis:{spec.id}")))
        return out

    def provenance_table(self, parameters: Mapping) -> pd.DataFrame:
        return provenance_frame(self.paths.round_id, parameters, manifest=self.manifest)

    # --- per solution --------------------------------------------------------------------
    def _detail_table(self, solution: str, from_year: int) -> str | None:
        return self.model.detail_tables[(solution, from_year)]

    def solution_levels(self, solution: str) -> pd.DataFrame:
        """The solution's levels by year, each series named for what it is: the billed amount
        (forskrift, then the proposed funding need), the cost level only where the source
        prints one, and the outcomes (påløpt, prognose) of past and current years. Built once
        per report (its table, its notes and the document order all show it); a copy each."""
        if solution not in self._levels:
            self._levels[solution] = self._solution_levels(solution)
        return self._levels[solution].copy()

    def _solution_levels(self, solution: str) -> pd.DataFrame:
        rows = []
        for series in (Series.FINANSIERINGSBEHOV, Series.KOSTNADSNIVA):
            label = series.label
            data = self.model.series[series]
            data = data[(data["solution"] == solution) & (data["item"] == "")]
            if series == Series.KOSTNADSNIVA:
                data = data[data["measure"] == Measure.KOSTNADSNIVA]
            rows.append({"Serie": label,
                         **{str(r.year): r.value_mnok for r in data.itertuples()}})
        outcomes = self.estimates[self.estimates["solution"] == solution]
        for measure, label in ((Measure.PALOPT, "Påløpte kostnader"),
                               (Measure.PROGNOSE, "Prognose")):
            data = outcomes[outcomes["measure"] == measure]
            if len(data):
                rows.append({"Serie": label,
                             **{str(r.year): r.outcome for r in data.itertuples()}})
        frame = pd.DataFrame(rows)
        years = sorted(c for c in frame.columns if c != "Serie")
        return frame[["Serie", *years]]

    def _carried_over_notes(self, solution: str) -> list[str]:
        """Under a solution's levels: money from earlier regulations it uses in a year on top of
        that year's forskrift (the source's table of carried-over funds), with the table's
        footnote on the solution's row and the analysts' note to the table (reader7 Q11). The
        levels do not hold it, so a reader of the solution's report would not see it."""
        figures = self.figures
        rows = figures[(figures["solution"] == solution)
                       & (figures["measure"] == Measure.OVERFORTE_MIDLER)]
        out = []
        for row in rows.itertuples():
            spec = self.manifest.table(row.table)
            mark = str(row.footnote or "")
            footnotes = views.marked_footnotes(spec, mark) if mark else []
            out.append(wording.say(
                "levels.md.j2", "carried_over", solution=solution, year=int(row.year),
                value=float(row.value_mnok), decimals=int(row.decimals), table=spec.number,
                title=spec.title, footnotes=footnotes,
                notes=[collapse(n.statement) for n in self.model.table_notes
                       if n.table == spec.id]))
        return out

    def solution_levels_view(self, solution: str) -> pd.DataFrame:
        """``solution_levels`` as printed: each level and outcome (påløpt, prognose) with the
        precision the source prints it (325 and 344, not 325,0 and 344,0; 343,6)."""
        frame = self.solution_levels(solution)
        series = {s.label: self.model.series[s] for s in (Series.FINANSIERINGSBEHOV,
                                                          Series.KOSTNADSNIVA)}
        out = frame.astype(object)
        for column in frame.columns[1:]:
            out[column] = [
                "–" if pd.isna(v) else format_number(
                    v, views.level_decimals(series[label], solution, int(column), v)
                    if label in series else places_needed(v, 0, 1))
                for v, label in zip(frame[column], frame["Serie"], strict=True)]
        return out

    def _coarser_outcomes(self) -> list[tuple]:
        """The estimates whose outcome is printed coarser than their forskrift, each with the
        forskrift rounded to the outcome's precision (130,1 → 130 against 115)."""
        return [(r, round_half_up(r.forskrift, places_needed(r.outcome, 0, 1)))
                for r in self.estimates_at_printed_precision.itertuples()
                if places_needed(r.outcome, 0, 1) < places_needed(r.forskrift, 0, 1)]

    def _whole_millions_notes(self) -> list[str]:
        """The main report's estimates: per measure and year, each forskrift compared rounded
        to the whole millions its outcome is printed in."""
        rows: dict[tuple[str, int], list[dict]] = {}
        for r, rounded in self._coarser_outcomes():
            if r.solution in self.solutions:
                rows.setdefault((str(r.measure), int(r.year)), []).append({
                    "solution": r.solution, "forskrift": r.forskrift, "rounded": rounded})
        return [wording.say("estimates.md.j2", "whole_millions_all", measure, year, found)
                for (measure, year), found in rows.items()]

    def outcomes_note(self, solution: str) -> str:
        """Under a solution's levels: an outcome printed in whole millions beside a finer
        forskrift is compared at the precision both are printed."""
        return "\n\n".join(wording.say(
            "estimates.md.j2", "whole_millions", measure=str(r.measure), year=r.year,
            outcome=r.outcome, forskrift=r.forskrift, rounded=rounded,
            difference=r.difference, decimals=places_needed(r.difference))
            for r, rounded in self._coarser_outcomes() if r.solution == solution)

    def solution_summary(self, solution: str) -> str:
        growth = self.result.growth
        points = []
        for start, end in zip(self.years, self.years[1:], strict=False):
            shown: set[tuple[float, float]] = set()
            for series in (Series.FINANSIERINGSBEHOV, Series.KOSTNADSNIVA):
                rows = growth[(growth["series"] == series) & (growth["solution"] == solution)
                              & (growth["item"] == "") & (growth["from_year"] == start)
                              & (growth["to_year"] == end)]
                if len(rows) and (rows.iloc[0]["from_value"], rows.iloc[0]["to_value"]) \
                        not in shown:
                    shown.add((rows.iloc[0]["from_value"], rows.iloc[0]["to_value"]))
                    points.append(narrative.change_sentence(rows.iloc[0], wording.say(
                        "series.md.j2", "subject", str(series)),
                        narrative.estimated_years(self.result.levels)))
        notes = self.driver_notes(solution)
        for pair in dict.fromkeys((n.from_year, n.to_year) for n in notes):
            largest = next((n for n in notes if (n.from_year, n.to_year) == pair
                            and not committee.in_net_zero_move(n, self.moves)), None)
            if largest is not None:
                points.append(committee._say(
                    "largest_change", pair=pair, sentence=committee.driver_sentence(
                        largest, show_solution=False, moves=self.moves)))
        top = self._largest_uncertainty(solution)
        if top is not None:
            points.append(wording.say("solution_summary.md.j2", "uncertainty", top,
                                      next((h for h in wording.sections()["solution"]
                                            if "usikkerhet" in h), None)))
        points += self._spread_points(solution)
        problems = self.reconciliation_for(solution)
        points.append(wording.say("solution_summary.md.j2", "discrepancies",
                                  int((problems["status"] == DISCREPANCY).sum()), solution))
        return narrative.as_markdown(points)

    def _spread_points(self, solution: str) -> list[str]:
        """An amount of the solution's own figure that the source will spread onto other
        solutions (``Condition.onto``) while the figure still holds it: its level once spread,
        computed here (reader7 Q12: Helsenettet's 2026 still holds the 57,5)."""
        data = self.model.series[Series.FINANSIERINGSBEHOV]
        out = []
        for c in self.conditions:
            if c.solution != solution or not c.onto or c.stake_mnok is None or c.year is None:
                continue
            level = data[(data["solution"] == solution) & (data["item"] == "")
                         & (data["year"] == c.year)]
            if len(level):
                value = float(level["value_mnok"].iloc[0])
                out.append(wording.say("solution_summary.md.j2", "spread", c, value,
                                       value - c.stake_mnok))
        return out

    def _largest_uncertainty(self, solution: str) -> explanations_module.Condition | None:
        """The solution's own condition with the most mill. kroner that can move the total,
        of the years the committee settles on (as the main report's key message picks it),
        so the summary does not state as settled what the source makes conditional."""
        settle = key_messages.to_settle(self.result.levels, self.result.drivers)
        start = settle.year if settle else min(self.years)
        return explanations_module.largest_total_condition(
            [c for c in self.conditions if c.solution == solution], start)

    def item_tables(self, solution: str) -> list[tuple]:
        """Each detail table of the solution as printed: heading, table, marks footnote."""
        return list(self._shown(solution, *self._block("items", solution)))

    def _item_tables(self, solution: str) -> list[tuple]:
        out = []
        for spec in self.manifest.tables:
            if spec.role != TableRole.DETALJ or spec.solution != solution:
                continue
            frame = views.table_view(self.figures, spec, as_printed=True)
            styled, marks = self._marked(frame, spec, as_printed=True)
            notes = "\n\n".join(n for n in (wording.note("as_printed"), marks,
                                              self._printed_percent_note(spec.id),
                                              self._corrected_note(spec)) if n)
            out.append((f"{spec.title} ({spec.number})", styled,
                        self._once(notes, place=f"items:{spec.id}", report=solution)))
        return out

    def _corrected_note(self, spec) -> str:
        """Under a source table printed as is: the figures and labels the report moved to the
        row the source's text gives them (the corrections register), said where they stand."""
        fixes = self.corrections
        if fixes.empty:
            return ""
        fixes = fixes[fixes["table"] == spec.id]
        values = [str(f.as_printed) for f in fixes.itertuples()
                  if int(f.column) != 0 and str(f.as_printed)]
        labels = int(((fixes["column"].astype(int) == 0)
                      & (fixes["corrected"].astype(str) != "")).sum())
        if not values and not labels:
            return ""
        return wording.say("activities.md.j2", "corrected", values, labels, spec.number)

    def _printed_percent_note(self, table_id: str) -> str:
        """Under a source table printed as is: where its percent row, printed with fewer
        decimals, reads otherwise than the one-decimal percentages the report computes."""
        rows = self.reconciliation[(self.reconciliation["check_type"] == CheckType.PROSENT)
                                   & (self.reconciliation["table"] == table_id)]
        parts = [{"check": r.check.replace("*", ""), "computed": r.computed,
                  "printed": r.printed, "decimals": places_needed(r.printed, 0, 1)}
                 for r in rows.itertuples()
                 if abs(round(float(r.computed), 1) - float(r.printed)) > 1e-9
                 and r.status != DISCREPANCY]  # a discrepancy's † note says it already
        return wording.say("activities.md.j2", "one_decimal", parts) if parts else ""

    def reconciliation_for(self, solution: str) -> pd.DataFrame:
        return self.reconciliation[self.reconciliation["solution"] == solution]

    def solution_reconciliation_note(self, solution: str) -> str:
        rows = self.reconciliation_for(solution)
        counts = rows["status"].value_counts()
        rounding, unlikely = counts.get(Status.ROUNDING, 0), counts.get(UNLIKELY, 0)
        # a table's avvik is explained under its table (†); one only in the text here, where
        # its explanation is about this solution alone (the note's 3.2.3 names all four)
        found = self.reconciliation[self.reconciliation["status"] == DISCREPANCY]
        elsewhere = set(found.loc[(found["solution"] != solution)
                                  | (found["check_type"] != CheckType.PASTAND), "explanation"])
        said = rows[(rows["status"] == DISCREPANCY) & (rows["check_type"] == CheckType.PASTAND)
                    & ~rows["explanation"].isin(elsewhere)]
        return wording.note("solution_reconciliation", solution, len(rows),
                            counts.get(Status.OK, 0), rounding, unlikely,
                            counts.get(DISCREPANCY, 0),
                            [e for e in dict.fromkeys(said["explanation"])
                             if isinstance(e, str) and e])


def package_version() -> str:
    """The analysis package's version, which the cover page prints."""
    try:
        return version("tbu-analysis")
    except PackageNotFoundError:
        return "ukjent"


def provenance_frame(round_id: str, parameters: Mapping, extra_files=(),
                     manifest: Manifest | None = None) -> pd.DataFrame:
    """The provenance page: commit, checksums of every raw input, parameters, versions, time.

    Parameters are shown in words: the round by its name ("høsten 2024"), the solution, and
    the index rates the round's figures were raised with ("4,121 % (2023→2024)", from
    ``index.csv`` or the run's ``index_rates``), never a parameter name or an empty value."""
    paths = round_paths(round_id)
    raw = sorted(p for p in paths.raw.rglob("*") if p.is_file())
    # The shipped report fonts shape every page, so their checksums are provenance too.
    inputs = [*raw, *font_files(), *(Path(f) for f in extra_files)]  # names, index: in raw
    manifest = manifest or load_manifest(paths.raw / "manifest.yaml")  # a report has it read
    prov = collect_provenance(round_id, raw_paths=inputs,
                              parameters=_parameters_in_words(parameters, manifest, paths),
                              repo_root=paths.root)
    return provenance_table(prov, round_label=manifest.label)


def _parameters_in_words(parameters: Mapping, manifest: Manifest,
                         paths: RoundPaths) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in parameters.items():
        if key == "round_id":
            continue  # the round is the page's first row, by its name
        if key == "index_rates":
            index = PriceIndex.from_csv(paths.index).with_rates(
                {int(y): float(r) for y, r in (value or {}).items()})
            years = sorted({(c.price_basis.nominal_year, c.price_basis.price_year)
                            for t in manifest.tables for c in t.columns.values()
                            if c.price_basis.nominal_year < c.price_basis.price_year})
            raised = dict.fromkeys(y for start, end in years for y in range(start, end))
            shown[PARAMETER_LABELS[key]] = wording.say(
                "provenance.md.j2", "index_rates",
                [{"rate": index.rate(y), "year": y} for y in raised], bool(value))
        elif key == "scenario_path":  # a file of the project, by its path in it
            path = Path(str(value))
            inside = path.resolve().is_relative_to(paths.root.resolve())
            shown[PARAMETER_LABELS[key]] = (path.resolve().relative_to(paths.root.resolve())
                                            .as_posix() if inside else path.name)
        else:
            shown[PARAMETER_LABELS.get(key, key)] = value
    return shown


def _paths(round_id: str) -> RoundPaths:
    """The round's paths from the working directory's project, else from the project this
    package is installed from, so notebooks run from any working directory."""
    here = project_root()
    if not (here / "data" / "raw").is_dir():
        here = project_root(Path(__file__))
    return round_paths(round_id, here)


def solution_name(round_id: str, value: str) -> str:
    """A solution's display name from its display name or its report's slug
    (``kjernejournal``); anything else is refused at once, naming the valid values."""
    solutions = NameMap.from_csv(_paths(round_id).names).solutions
    known = {key: s for s in solutions for key in (s.casefold(), slug(s))}
    name = known.get(str(value).strip().casefold())
    if name is None:
        valid = ", ".join(f"{s} ({slug(s)})" for s in solutions)
        raise InputError(f"ukjent løsning (gyldige: {valid})", key="solution", text=str(value))
    return name


def back_reference(anchor: str) -> str:
    """In place of a note said in full earlier in the report: a link to it (the printed
    edition adds its page)."""
    return wording.note("back_reference", anchor)


def load(round_id: str, index_rates: Mapping[int, float] | None = None) -> ReportContext:
    """The round's report: its stored model (``tbu report`` builds it after the analysis)."""
    paths = _paths(round_id)
    return ReportContext(paths=paths, model=load_report_model(paths, index_rates))


def _frame_digest(frame: pd.DataFrame) -> str:
    """A table by its contents: two growth tables of the same years (fixed and nominal
    kroner) are two places, and a notebook's own copy of a table is the same one."""
    return hashlib.sha256(frame.to_csv().encode()).hexdigest()


def _levels_key(frame: pd.DataFrame, series: str, solution: str | None) -> tuple:
    return ("levels", str(series), solution, _frame_digest(frame))


def _report_key(solution: str | None) -> str:
    """The report a block belongs to: a solution's, or the main report (``ALL_SOLUTIONS``)."""
    return ALL_SOLUTIONS if solution in (None, ALL_SOLUTIONS) else str(solution)
