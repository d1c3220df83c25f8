"""Key messages first, and nominal beside underlying growth: what a committee member reads
before anything else.

The main report opens (after the cover) with a few key messages, each one sentence with its
figure: what the committee is asked to settle, the underlying growth, the biggest driver, the
biggest uncertainty and the most important question; the committee's own assessment is quoted
where it speaks. Its first section gives nominal and underlying growth side by side for every
pair of consecutive years and says which solution drives each; a solution report does the same
for its solution. Waterfalls get a title that says the point, drawn from the same split; their
caption and text alternative stay neutral.

Everything is computed from the analysis (``underlying.csv``, the scope register, the levels,
drivers, conditions and questions); the words are templates under
``reports/templates/prose`` rendered by the project's one Jinja environment. Nothing here
knows a year, a round or a table number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tbu_analysis.analysis.assessment import Assessment
from tbu_analysis.analysis.explanations import (
    DISTRIBUTION,
    THRESHOLD_MNOK,
    Condition,
    YearAtStake,
    largest_total_condition,
    total_at_stake,
)
from tbu_analysis.analysis.scope import Listing, ScopeEntry, load_listing
from tbu_analysis.common import prose
from tbu_analysis.reports import text as wording
from tbu_analysis.rounds.manifest import Manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.vocab import DRIVER_LABELS, DriverCategory, Measure, ScopeKind, Series

#: A change this close to zero is «uendret» in words (half a unit of the last decimal shown).
STILL = 0.05
#: A chart title says the direction would turn only by at least half a million: the precision
#: of the totals the source prints.
TURN = 0.5
_NOT_DRIVERS = {DriverCategory.SUM_ENDRING.value, DriverCategory.TILBAKEFORING.value}


def _env():
    return prose.environment("tbu_analysis.reports", "templates/prose")


@dataclass(frozen=True)
class Change:
    """One scope change of a pair, as it moves this row's level."""

    entry: ScopeEntry
    effect: float

    @property
    def kind(self) -> str:
        return ScopeKind(self.entry.kind).value


@dataclass(frozen=True)
class Pair:
    """One row of the growth split (``underlying.csv``) with the changes behind it."""

    solution: str
    from_year: int
    to_year: int
    from_value: float
    to_value: float
    nominal: float
    nominal_pct: float
    index: float
    scope: float
    underlying: float
    underlying_pct: float
    changes: tuple[Change, ...]
    others: tuple[ScopeEntry, ...]  # announced, unquantified or moves inside: shown only
    up: tuple[str, float] | None = None  # the solution adding most underlying growth
    down: tuple[str, float] | None = None  # the solution taking most away

    @property
    def printed(self) -> float:
        return self.to_value - self.from_value

    @property
    def biggest(self) -> Change | None:
        return max(self.changes, key=lambda c: abs(c.effect), default=None)


def pairs(underlying: pd.DataFrame, entries: list[ScopeEntry],
          solution: str = ALL_SOLUTIONS) -> list[Pair]:
    """The growth split of ``solution`` pair by pair; for the total, with the solutions that
    add and take away most underlying growth."""
    by_id = {e.id: e for e in entries}
    rows = underlying[underlying["solution"] == solution].sort_values("from_year")
    out = []
    for row in rows.itertuples(index=False):
        changes = tuple(sorted(
            (Change(by_id[i], by_id[i].effect(solution)) for i in row.scope_ids.split()),
            key=lambda c: -abs(c.effect)))
        others = tuple(by_id[i] for i in row.other_ids.split())
        up = down = None
        if solution == ALL_SOLUTIONS:
            same = underlying[(underlying["from_year"] == row.from_year)
                              & (underlying["to_year"] == row.to_year)
                              & (underlying["solution"] != ALL_SOLUTIONS)]
            high = same.loc[same["underlying_mnok"].idxmax()] if len(same) else None
            low = same.loc[same["underlying_mnok"].idxmin()] if len(same) else None
            if high is not None and high["underlying_mnok"] >= STILL:
                up = (str(high["solution"]), float(high["underlying_mnok"]))
            if low is not None and low["underlying_mnok"] <= -STILL:
                down = (str(low["solution"]), float(low["underlying_mnok"]))
        out.append(Pair(solution, int(row.from_year), int(row.to_year), float(row.from_value),
                        float(row.to_value), float(row.nominal_mnok), float(row.nominal_pct),
                        float(row.index_mnok), float(row.scope_mnok), float(row.underlying_mnok),
                        float(row.underlying_pct), changes, others, up, down))
    return out


def growth_view(found: list[Pair]) -> pd.DataFrame:
    """Nominal and underlying growth side by side, a row per pair of years."""
    return pd.DataFrame({
        "Fra–til": [f"{p.from_year}–{p.to_year}" for p in found],
        "Nominell vekst": [p.nominal for p in found],
        "Nominell vekst (%)": [p.nominal_pct for p in found],
        "Prisjustering": [p.index for p in found],
        "Omfangsendringer": [p.scope for p in found],
        "Underliggende vekst": [p.underlying for p in found],
        "Underliggende vekst (%)": [p.underlying_pct for p in found],
    })


GROWTH_VIEW_OPTIONS = {
    "decimals": 1,
    "percent_columns": ["Nominell vekst (%)", "Underliggende vekst (%)"],
    "change_columns": ["Nominell vekst", "Nominell vekst (%)", "Prisjustering",
                       "Omfangsendringer", "Underliggende vekst", "Underliggende vekst (%)"],
    "text_columns": ["Fra–til"],
    "caption": "Mill. kroner",
}


def solutions_view(underlying: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """Underlying growth per solution (rows, in ``order``) and pair of years (columns)."""
    rows = underlying[underlying["solution"] != ALL_SOLUTIONS]
    table = rows.pivot(index="solution", columns=["from_year", "to_year"],
                       values="underlying_mnok")
    table.columns = [f"{a}–{b}" for a, b in table.columns]
    known = list(dict.fromkeys(rows["solution"]))
    order = [s for s in (order or []) if s in known] + [s for s in known
                                                         if s not in (order or [])]
    return table.loc[order].rename_axis("Løsning").reset_index()


def price_labels(levels: pd.DataFrame, solution: str = ALL_SOLUTIONS,
                 series: str = Series.KOSTNADSNIVA.value) -> dict[int, str]:
    """The price basis of each year's level as the source states it («2024-kroner; 2023-tallene
    er justert med 4,121 %», «tall er ikke indeksregulert (2024-prisnivå)»)."""
    rows = levels[(levels["solution"] == solution) & (levels["item"] == "")
                  & (levels["series"] == series)]
    return {int(r.year): str(r.price_basis) for r in rows.itertuples(index=False)}


def underlying_markdown(found: list[Pair], labels: dict[int, str], assessment: list[Assessment],
                        solution: str = ALL_SOLUTIONS, names: tuple[str, ...] = (),
                        new: NewServices | None = None) -> str:
    """The section's words: the definition (once per report), each pair's scope changes and
    what drives it, what the index part is, how the scope counted compares with the source's
    list of new services, and the committee's words on scope. ``names`` (the solutions) keep
    their capital where a label stands mid-sentence."""
    main = solution == ALL_SOLUTIONS
    return prose.render(_env(), "underlying.md.j2", pairs=found, price_labels=labels,
                        main=main, STILL=STILL, names=names, new=new,
                        said=[a for a in assessment if a.topic == "omfang"] if main else [])


def register_markdown(entries: list[ScopeEntry], solution: str = ALL_SOLUTIONS) -> str:
    """The scope register in the source's words, for the annex: year, what, which way, amount,
    whether the figures hold it, quote and section."""
    shown = [e for e in entries if e.concerns(solution)]
    return prose.render(_env(), "scope_register.md.j2", entries=shown,
                        kinds={k.value: k.label for k in ScopeKind})


# --- the key messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Settle:
    """What the committee is asked to settle: the proposed funding need of a year, the cost
    level it comes from and the deduction, and the estimate of the year after."""

    year: int
    funding: float
    level: float | None
    deduction: float | None
    next_year: int | None
    next_level: float | None


def to_settle(levels: pd.DataFrame, drivers: pd.DataFrame) -> Settle | None:
    """The first year whose funding need is proposed (not yet a forskrift)."""
    total = levels[(levels["solution"] == ALL_SOLUTIONS) & (levels["item"] == "")]
    funding = total[total["series"] == Series.FINANSIERINGSBEHOV.value]
    proposed = funding[funding["measure"] == Measure.FINANSIERINGSBEHOV.value]
    if proposed.empty:
        return None
    first = proposed.sort_values("year").iloc[0]
    year = int(first["year"])
    cost = total[(total["series"] == Series.KOSTNADSNIVA.value) & (total["year"] == year)]
    deducted = drivers[(drivers["solution"] == ALL_SOLUTIONS) & (drivers["to_year"] == year)
                       & (drivers["category"] == DriverCategory.TILBAKEFORING.value)]
    later = funding[funding["year"] > year].sort_values("year")
    return Settle(year, float(first["value_mnok"]),
                  float(cost["value_mnok"].iloc[0]) if len(cost) else None,
                  float(deducted["value_mnok"].iloc[0]) if len(deducted) else None,
                  int(later["year"].iloc[0]) if len(later) else None,
                  float(later["value_mnok"].iloc[0]) if len(later) else None)


@dataclass(frozen=True)
class Driver:
    """The largest single change of the pairs the committee settles: a driver of the growth
    tables, told as the scope change it is where the register has it."""

    solution: str
    label: str
    from_year: int
    to_year: int
    value: float
    scope: ScopeEntry | None


def biggest_driver(drivers: pd.DataFrame, found: list[Pair], from_year: int) -> Driver | None:
    rows = drivers[(drivers["solution"] != ALL_SOLUTIONS) & (drivers["item"] == "")
                   & (drivers["row_kind"] == "item") & ~drivers["category"].isin(_NOT_DRIVERS)
                   & (drivers["from_year"] >= from_year)]
    candidates: list[Driver] = []
    for row in rows.itertuples(index=False):
        candidates.append(Driver(row.solution, DRIVER_LABELS.get(row.category, row.category),
                                 int(row.from_year), int(row.to_year), float(row.value_mnok),
                                 None))
    for pair in found:
        if pair.from_year < from_year:
            continue
        for change in pair.changes:
            entry = change.entry
            candidates.append(Driver(entry.solution, entry.service, pair.from_year, pair.to_year,
                                     change.effect, entry))
    if not candidates:
        return None
    top = max(candidates, key=lambda d: (abs(d.value), d.scope is not None))
    if top.scope is None:  # the same amount in the register: say what it is
        for other in candidates:
            if other.scope is not None and other.solution == top.solution \
                    and other.to_year == top.to_year and abs(other.value - top.value) < STILL:
                return Driver(top.solution, top.label, top.from_year, top.to_year, top.value,
                              other.scope)
    return top


def booked_as(driver: Driver, drivers: pd.DataFrame) -> str | None:
    """The driver label the source's tables put a scope change under, if one equals it."""
    if driver.scope is None:
        return None
    rows = drivers[(drivers["solution"] == driver.solution) & (drivers["item"] == "")
                   & (drivers["to_year"] == driver.to_year)
                   & ~drivers["category"].isin(_NOT_DRIVERS)
                   & ((drivers["value_mnok"] - driver.value).abs() < STILL)]
    return DRIVER_LABELS.get(rows["category"].iloc[0]) if len(rows) else None


@dataclass(frozen=True)
class NewServices:
    """What the scope changes of the growth split rest on, pair by pair as the Sammendrag
    counts them: the source's own list of new services (the table it stands in and, per
    year, its marks with a true minus), the counted changes the list does not name
    ((service, effect)), the listed «økt» that the split keeps as underlying growth
    ((service, amount as printed)), and the listed changes the driver tables book under a
    driver (the mark without its sign, the driver's code), which the split still counts as
    scope."""

    table: str
    marks: tuple[tuple[int, tuple[str, ...]], ...]
    extra: tuple[tuple[str, float], ...]
    grown: tuple[tuple[str, str], ...]
    booked: tuple[tuple[str, str], ...]


def _mark(listed: str) -> str:
    """A list mark as printed, its sign a true minus and without a space after it."""
    mark = listed.strip()
    sign = mark[:1] if mark[:1] in "+-−" else ""
    return ("−" if sign in "-−" and sign else sign) + mark[len(sign):].strip()


def new_services(listing: Listing | None, manifest: Manifest, found: list[Pair],
                 drivers: pd.DataFrame, from_year: int) -> NewServices | None:
    """What the key message on underlying growth says about the list it rests on, from the
    same pairs (``underlying.csv`` and the scope register) the Sammendrag prints."""
    if listing is None:
        return None
    spec = manifest.table(listing.table)
    marks, extra, grown, booked = [], [], [], []
    for pair in found:
        if pair.to_year <= from_year:
            continue
        listed = [c.entry for c in pair.changes if c.entry.listed]
        listed += [e for e in pair.others if e.listed]
        if listed:
            marks.append((pair.to_year, tuple(_mark(e.listed) for e in listed)))
        extra += [(c.entry.service, c.effect) for c in pair.changes
                  if not c.entry.listed and abs(c.effect) >= STILL]
        grown += [(e.service, e.amount) for e in pair.others
                  if e.listed and ScopeKind(e.kind) is ScopeKind.OKT and e.amount is not None]
        for change in pair.changes:
            entry = change.entry
            if not entry.listed:
                continue
            rows = drivers[(drivers["solution"] == entry.solution) & (drivers["item"] == "")
                           & (drivers["to_year"] == entry.year)
                           & ~drivers["category"].isin(_NOT_DRIVERS)
                           & ((drivers["value_mnok"] - change.effect).abs() < STILL)]
            if len(rows):
                booked.append((entry.listed.strip().lstrip("+-").strip(),
                               str(rows["category"].iloc[0])))
    return NewServices(spec.label, tuple(marks), tuple(extra), tuple(grown),
                       tuple(dict.fromkeys(booked)))


@dataclass(frozen=True)
class Underspend:
    """An expected underspend of a year before the ones the committee settles, that is to come
    back through lower payment in a year the source does not fix (reader7 Q2): the year, the
    forecast against the regulation as the source prints it (None without one) and the
    source's intervals summed (``YearAtStake.ranges``)."""

    year: int
    printed: float | None
    ranges: tuple[float, float]
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Uncertainty:
    """The biggest uncertainty that can move the total, what all of its year's conditions can
    move the total by, and the largest that only moves the split between solutions."""

    condition: Condition | None
    year: YearAtStake | None
    distribution: Condition | None
    # what may come on top of the total in the distribution's year, with no amount: the
    # sentence that the distribution leaves the total says it
    beside: tuple[Condition, ...] = ()
    # an earlier year's underspend that neither settled year deducts
    underspend: Underspend | None = None


def underspend_before(conditions: list[Condition], from_year: int,
                      estimates: pd.DataFrame | None = None) -> Underspend | None:
    """The latest year before ``from_year`` with intervals of an expected underspend (amounts
    without a direction), where the register also holds a repayment of no one year that lowers
    the total (``effect: totalen``, ``direction: ned``, no amount): its forecast against the
    regulation from ``estimates`` where printed."""
    years = total_at_stake(conditions)
    if not any(y.year is None and any(c.direction == "ned" for c in y.unquantified)
               for y in years):
        return None
    earlier = [y for y in years if y.year is not None and y.year < from_year and y.ranges[1]]
    if not earlier:
        return None
    year = earlier[-1]
    printed = None
    if estimates is not None and len(estimates):
        row = estimates[(estimates["solution"] == ALL_SOLUTIONS) & (estimates["year"] == year.year)
                        & (estimates["measure"] == Measure.PROGNOSE.value)]
        if len(row):
            printed = float(row["difference"].iloc[0])
    return Underspend(int(year.year), printed, year.ranges, tuple(year.parts(None)))


def biggest_uncertainty(conditions: list[Condition], from_year: int,
                        estimates: pd.DataFrame | None = None) -> Uncertainty | None:
    """Of the years the committee settles (or of no one year): the condition with the most
    mill. kroner that can move the total, its year summed, the largest distribution, and an
    earlier year's underspend still to come back (``underspend_before``)."""
    top = largest_total_condition(conditions, from_year)
    year = next((y for y in total_at_stake(conditions) if top and y.year == top.year), None)
    spread = [c for c in conditions if c.effect == DISTRIBUTION and c.stake_mnok is not None
              and (c.year is None or c.year >= from_year)]
    distribution = max(spread, key=lambda c: c.stake_mnok, default=None)
    if top is None and distribution is None:
        return None
    beside = tuple(c for c in conditions if distribution is not None
                   and c.year == distribution.year and c.effect != DISTRIBUTION
                   and c.effect is not None and c.stake_mnok is None and c.direction == "opp")
    return Uncertainty(top, year, distribution, beside,
                       underspend_before(conditions, from_year, estimates))


@dataclass(frozen=True)
class Question:
    """The most important question to NHN, and the mill. kroner it concerns."""

    question: str
    stake: float | None


def top_question(asks: list | None, reconciliation: pd.DataFrame) -> Question | None:
    """The first of the report's ranked questions (``asks``, largest stake first); without a
    ranking, the discrepancy with the most mill. kroner between printed and computed."""
    for ask in asks or []:
        if not getattr(ask, "annex", False):
            return Question(str(ask.question), ask.stake)
    found = reconciliation[(reconciliation["status"] == "discrepancy")
                           & (reconciliation["check_type"] != "prosent")]
    if found.empty:
        return None
    top = found.loc[found["difference"].abs().idxmax()]
    where = ", ".join(part for part in (str(top["table_number"]), str(top["solution"]),
                                        str(top["item"])) if part)
    return Question(wording.note("which_is_right", where, top["printed"], top["computed"]),
                    abs(float(top["difference"])))


@dataclass(frozen=True)
class Grower:
    """A solution whose underlying growth is positive in every pair of years the committee
    settles, with that growth pair by pair ((from, to, mill. kroner), …)."""

    solution: str
    growth: tuple[tuple[int, int, float], ...]


def growing_throughout(underlying: pd.DataFrame, from_year: int) -> list[Grower]:
    """The solutions with underlying growth (at least ``STILL``) in every pair from
    ``from_year`` on; the reader asks which solution drives the growth."""
    rows = underlying[(underlying["solution"] != ALL_SOLUTIONS)
                      & (underlying["from_year"] >= from_year)].sort_values("from_year")
    out = []
    for solution, own in rows.groupby("solution", sort=False):
        if len(own) and (own["underlying_mnok"] >= STILL).all():
            out.append(Grower(str(solution), tuple(
                (int(r.from_year), int(r.to_year), float(r.underlying_mnok))
                for r in own.itertuples(index=False))))
    return out


def key_messages_markdown(settle: Settle | None, found: list[Pair], driver: Driver | None,
                          booked: str | None, uncertainty: Uncertainty | None,
                          question: Question | None, assessment: list[Assessment],
                          questions_heading: str, growers: list[Grower] | None = None,
                          solutions: int = 0, new: NewServices | None = None,
                          names: tuple[str, ...] = ()) -> str:
    """The report's opening: three to five key messages and the committee's own words."""
    from tbu_analysis.reports.text import sections

    start = settle.year if settle else min((p.to_year for p in found), default=0)
    ahead = [p for p in found if p.to_year >= start]
    return prose.render(_env(), "key_messages.md.j2", settle=settle, pairs=ahead,
                        driver=driver, booked=booked, uncertainty=uncertainty,
                        question=question, STILL=STILL, THRESHOLD=THRESHOLD_MNOK,
                        questions_heading=questions_heading,
                        growers=growers or [], solutions=solutions, new=new, names=names,
                        chapters=sections()["main"],
                        said=[a for a in assessment if a.topic in ("tallgrunnlag",
                                                                   "kostnadsnivå")])


# --- titles that say the point ---------------------------------------------------------------


def point_title(pair: Pair | None, names: tuple[str, ...] = (),
                spread: Condition | None = None) -> str | None:
    """A chart title that says what the growth split shows: that the direction turns without
    the largest scope change, or without all of them; else how much of it is scope. With
    ``spread``, an amount the figures still hold that the source spreads onto other solutions
    (reader7 Q12): the title says it is before that."""
    if pair is None:
        return None
    # the driver column a scope change is booked under in the source's table (its terms): the
    # bar the chart labels so (Pasientens prøvesvar is «Økte kostnader grunnet investeringer»)
    booked = {c.entry.id: DRIVER_LABELS[term.category] for c in pair.changes
              for term in c.entry.terms
              if term.measure == Measure.ENDRING and term.category in DRIVER_LABELS}
    title = prose.render(_env(), "point_title.md.j2", pair=pair, STILL=STILL, TURN=TURN,
                         names=names, booked=booked, spread=spread,
                         name="kostnadsnivået" if pair.solution == ALL_SOLUTIONS
                         else f"kostnadsnivået for {pair.solution}")
    return " ".join(line.strip() for line in title.splitlines() if line.strip()) or None


def pair_for(found: list[Pair], from_year: int) -> Pair | None:
    return next((p for p in found if p.from_year == from_year), None)


# --- from a report's context (the notebooks call these) ---------------------------------------


def _pairs(ctx, solution: str = ALL_SOLUTIONS) -> list[Pair]:
    return pairs(ctx.result.underlying, _entries(ctx), solution)


def _entries(ctx) -> list[ScopeEntry]:
    return list(ctx.model.scope)  # read once, in the report model


def _new_services(ctx, found: list[Pair]) -> NewServices | None:
    """The source's list of new services beside the scope the report counts, from the year
    before the one to settle (as the key messages and the summary both say it)."""
    settle = to_settle(ctx.result.levels, ctx.result.drivers)
    start = settle.year - 1 if settle else min((p.from_year for p in found), default=0)
    return new_services(load_listing(ctx.paths), ctx.manifest, found, ctx.result.drivers, start)


def opening(ctx, questions_heading: str) -> str:
    """The main report's key messages (after the cover)."""
    result = ctx.result
    found = _pairs(ctx)
    settle = to_settle(result.levels, result.drivers)
    start = settle.year - 1 if settle else min((p.from_year for p in found), default=0)
    driver = biggest_driver(result.drivers, found, start)
    new = _new_services(ctx, found)
    return key_messages_markdown(
        settle, found, driver, booked_as(driver, result.drivers) if driver else None,
        biggest_uncertainty(ctx.conditions, settle.year if settle else start, ctx.estimates),
        top_question(getattr(ctx, "asks", None), ctx.reconciliation),
        list(ctx.model.assessment), questions_heading,
        growing_throughout(result.underlying, start), len(ctx.solutions), new,
        tuple(ctx.solutions))


def growth_section(ctx, solution: str | None = None) -> list:
    """Nominal and underlying growth side by side: the table of pairs (and for the main report
    the solutions' underlying growth) and the words, ready to display."""
    from IPython.display import Markdown

    from tbu_analysis.presentation.tables import format_table

    name = solution or ALL_SOLUTIONS
    found = _pairs(ctx, name)
    parts = [format_table(growth_view(found), **GROWTH_VIEW_OPTIONS)]
    words = underlying_markdown(found, price_labels(ctx.result.levels, name),
                                list(ctx.model.assessment), name, tuple(ctx.solutions),
                                _new_services(ctx, found) if solution is None else None)
    parts.append(Markdown(words))
    if solution is None:
        # a heading, not a bold paragraph: it is kept on the page of the table under it
        parts.append(Markdown("#### Underliggende vekst per løsning"))
        view = solutions_view(ctx.result.underlying, list(ctx.solutions))
        parts.append(format_table(view, decimals=1, change_columns=list(view.columns[1:]),
                                  text_columns=["Løsning"], caption="Mill. kroner"))
    return parts


def waterfall_points(ctx, solution: str | None = None) -> list[str | None]:
    """A title that says the point for each waterfall of ``driver_sections``, in its order
    (one per growth table, by the year it starts from)."""
    from tbu_analysis.reports import views

    found = _pairs(ctx, solution or ALL_SOLUTIONS)
    points = []
    for table_id in views.growth_table_ids(ctx.manifest):
        spec = ctx.manifest.table(table_id)
        pair = pair_for(found, spec.columns[spec.base_column].year)
        spread = next((c for c in ctx.conditions if solution and pair
                       and c.solution == solution and c.onto and c.stake
                       and c.year == pair.to_year), None)
        points.append(point_title(pair, tuple(ctx.solutions), spread))
    return points


def register_section(ctx, solution: str | None = None) -> str:
    return register_markdown(_entries(ctx), solution or ALL_SOLUTIONS)
