"""What the committee should ask NHN, ranked by the mill. kroner at stake.

The substantive questions come from the whole source and the analysis, not from arithmetic:

- contradictions: two statements of the source about the same quantity that disagree, found by
  reading every sentence (``reading``) — today the change of a year's forecast («ingen endring
  i årsprognosen» in one place, «Prognose for 2024 er redusert med 5 mill. kroner» in another);
- moves: amounts that leave one item and enter another within a solution and driver (netted,
  so they are asked once, and only for the part the source does not say where it went);
- large changes the source leaves (partly) unexplained, by what is left after every part the
  source gives is summed (``explanations.account``);
- the committee's own outstanding requests to NHN and what the figures answer (the findings
  register's ``requests``);
- the analysts' questions (``questions`` in the findings register) and the reconciliation's
  findings about content. Findings about rounding or typesetting go to an annex list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from tbu_analysis.analysis import reading, tolerance, words
from tbu_analysis.analysis.explanations import (
    THRESHOLD_MNOK,
    DriverNote,
    Explanation,
    numbers_in,
)
from tbu_analysis.analysis.reading import Sentence
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import (
    format_number,
    places_needed,
)
from tbu_analysis.common.prose import mid_sentence
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS, NameMap
from tbu_analysis.vocab import DRIVER_LABELS

# Kinds of questions, in the order a tie in the amount at stake is broken.
CONTRADICTION = "motsigelse"
MOVE = "flytting"
UNEXPLAINED = "uforklart"
REQUEST = "bestilling"
OPEN = "åpent"
FINDING = "avvik"
ROUNDING = "avrunding"
KIND_ORDER = (CONTRADICTION, MOVE, UNEXPLAINED, OPEN, FINDING, REQUEST, ROUNDING)
# What the answer can move, in the order the committee needs the questions: what the sector
# pays first, then the split between solutions or items, then the rest.
TOTAL, DISTRIBUTION, OTHER = "totalen", "fordelingen", ""
AFFECTS_ORDER = (TOTAL, DISTRIBUTION, OTHER)
# A kind's class where nothing else says: two amounts for one quantity change the total; a
# move between items changes only the split.
KIND_AFFECTS = {CONTRADICTION: TOTAL, MOVE: DISTRIBUTION}

_NUMBER = r"(\d+(?:,\d+)?)"
_YEAR = re.compile(r"\b(19|20)\d\d\b")
# Statements of how a year's forecast («prognose», «årsprognose») changes, as NHN writes them.
_FORECAST = (
    (re.compile(r"ingen endring i (?:års)?prognosen? for (\d{4})", re.I), None),
    (re.compile(r"(?:års)?prognosen? (?:for|på) [^.]*?\ber (?:nå )?(?:imidlertid )?"
                r"(redusert|økt) med (?:ca\. )?" + _NUMBER, re.I), "verb"),
    (re.compile(r"(?:års)?prognosen? (?:for|på) [^.]*?\ber (?:på [\d ,]+ mill\. kroner, )?"
                + _NUMBER + r" mill(?:\.|ioner) kroner (lavere|høyere)", re.I), "comparative"),
)


@dataclass(frozen=True)
class ForecastStatement:
    """What one sentence says about the change of a year's forecast for one subject."""

    subject: str
    solution: str
    year: int
    change: float
    sentence: Sentence


def _year(sentence: Sentence, match: re.Match) -> int | None:
    for text in (match[0], sentence.text, sentence.heading, sentence.chapter):
        found = _YEAR.search(text)
        if found:
            return int(found[0])
    return None


def forecast_statements(sentences: list[Sentence]) -> list[ForecastStatement]:
    """Every sentence that states how a year's forecast changes, with subject and amount."""
    out = []
    for sentence in sentences:
        if not sentence.subject:
            continue
        for pattern, form in _FORECAST:
            match = pattern.search(sentence.text)
            if not match:
                continue
            if form is None:
                change = 0.0
            elif form == "verb":
                change = float(match[2].replace(",", ".")) * (-1 if match[1].lower()
                                                              == "redusert" else 1)
            else:
                change = float(match[1].replace(",", ".")) * (-1 if match[2].lower()
                                                              == "lavere" else 1)
            year = _year(sentence, match)
            if year is not None:
                out.append(ForecastStatement(sentence.subject, sentence.solution, year, change,
                                             sentence))
            break
    return out


@dataclass(frozen=True)
class Contradiction:
    """Two statements of the source about one quantity that give different amounts."""

    quantity: str
    solution: str
    first: Sentence
    second: Sentence
    first_value: float
    second_value: float
    # further amounts the findings register reads out of the source for the same quantity
    # (``findings.Reading``)
    readings: tuple = ()

    @property
    def values(self) -> list[float]:
        return [self.first_value, self.second_value,
                *(r.value for r in self.readings if r.value is not None)]

    @property
    def stake(self) -> float:
        return max(self.values) - min(self.values)


def with_readings(found: list[Contradiction], readings: Sequence) -> list[Contradiction]:
    """Each contradiction with the register's further readings of its quantity."""
    return [replace(c, readings=tuple(r for r in readings if (r.solution, r.quantity) == (
        c.solution, c.quantity))) for c in found]


def contradictions(statements: list[ForecastStatement]) -> list[Contradiction]:
    """For each subject and year, the first statement against the first one that differs."""
    out = []
    groups: dict[tuple[str, int], list[ForecastStatement]] = {}
    for s in statements:
        groups.setdefault((s.subject, s.year), []).append(s)
    for (subject, year), group in groups.items():
        first = group[0]
        other = next((s for s in group[1:] if abs(s.change - first.change) > 1e-9), None)
        if other is not None:
            out.append(Contradiction(_say("forecast_of", year, subject), first.solution,
                                     first.sentence, other.sentence, first.change,
                                     other.change))
    return out


@dataclass(frozen=True)
class Move:
    """Amounts that leave some items and enter others in one table, solution and driver:
    ``amount`` is what moves (the smaller of what leaves and what enters)."""

    table: str
    solution: str
    category: str
    from_year: int
    to_year: int
    into: tuple[tuple[str, float], ...]
    out_of: tuple[tuple[str, float], ...]
    explained: tuple[Explanation, ...] = field(default=())
    traced: tuple[TracedMove, ...] = field(default=())

    @property
    def amount(self) -> float:
        return min(sum(v for _, v in self.into), -sum(v for _, v in self.out_of))

    @property
    def unexplained(self) -> float:
        """The part of the move the source does not account for: the amount less what its
        explanations give for the items on either side (the larger side counts)."""
        def said(side):
            items = {i for i, _ in side}
            return sum(abs(e.signed_range[0]) for e in self.explained if e.item in items)
        traced = sum(t.amount for t in self.traced)
        return round(max(0.0, self.amount - max(said(self.into) + traced, said(self.out_of))),
                     6)

    def involves(self, solution: str, item: str, category: str, to_year: int) -> bool:
        items = {i for i, _ in self.into + self.out_of}
        return (solution, category, to_year) == (self.solution, self.category,
                                                 self.to_year) and item in items


@dataclass(frozen=True)
class TracedMove:
    """An amount the source's tables show moving from one item to another (a ``flytting`` of
    the scope register, backed by table figures): the source says where that money went."""

    solution: str
    year: int
    from_item: str
    item: str
    amount: float
    quote: str = ""  # the source's words the register stands on, and their section
    section: str = ""


def moves(drivers: pd.DataFrame, explanations: list[Explanation],
          traced: list[TracedMove] | tuple[TracedMove, ...] = ()) -> list[Move]:
    """Per growth table, solution and driver: items going up and items going down by at least
    ``THRESHOLD_MNOK`` each way, which the table shows as one amount moved between them.
    ``traced``: moves the tables themselves trace, which need no question."""
    rows = drivers[(drivers["row_kind"] == "item") & (drivers["category"] != "sum_endring")]
    out = []
    for (table, solution, category, from_year, to_year), group in rows.groupby(
            ["table", "solution", "category", "from_year", "to_year"], sort=False):
        into = tuple((r.item, float(r.value_mnok)) for r in group.itertuples()
                     if r.value_mnok > 0)
        out_of = tuple((r.item, float(r.value_mnok)) for r in group.itertuples()
                       if r.value_mnok < 0)
        moved = min(sum(v for _, v in into), -sum(v for _, v in out_of)) if into and out_of \
            else 0.0
        if moved < THRESHOLD_MNOK:
            continue
        said = tuple(e for e in explanations if (e.solution, e.driver, e.year)
                     == (solution, category, int(to_year)) and e.item)
        entering = {i for i, _ in into}
        shown = tuple(t for t in traced if (t.solution, t.year) == (solution, int(to_year))
                      and t.item in entering)
        out.append(Move(table, solution, category, int(from_year), int(to_year), into,
                        out_of, said, shown))
    return out


def in_move(note: DriverNote, found: list[Move]) -> Move | None:
    """The move a driver is part of, if any."""
    return next((m for m in found if m.involves(note.solution, note.item, note.category,
                                                note.to_year)), None)


@dataclass(frozen=True)
class Ask:
    """One question to NHN: its kind, the solution, the mill. kroner at stake (None where
    the source gives no amount), the question, what it rests on, and whether it belongs in
    the annex (rounding and typesetting)."""

    kind: str
    solution: str
    stake: float | None
    question: str
    text: str
    annex: bool = False
    affects: str = OTHER
    # about a year whose forskrift is fixed already: the answer explains the level the
    # estimates build on, but changes nothing the committee decides now (asked last)
    settled: bool = False

    @property
    def moves(self) -> str:
        """What the answer can move: the register's or the finding's word, else the kind's."""
        return self.affects or KIND_AFFECTS.get(self.kind, OTHER)


def ranked(asks: list[Ask]) -> list[Ask]:
    """By decision relevance: questions whose answer can move the total first, then those
    about the split between solutions or items, then the rest; within each, the largest
    amount at stake first and questions without an amount after, by kind."""
    return sorted(asks, key=lambda a: (AFFECTS_ORDER.index(a.moves), a.settled,
                                       a.stake is None, -(a.stake or 0.0),
                                       KIND_ORDER.index(a.kind)))


# --- the questions in words -------------------------------------------------------------------


def _say(name: str, /, *args, **kwargs) -> str:
    """Macro ``name`` of ``templates/questions.md.j2``: a question's title or text."""
    return words.say("questions.md.j2", name, *args, **kwargs)


def contradiction_ask(c: Contradiction) -> Ask:
    return Ask(CONTRADICTION, c.solution or ALL_SOLUTIONS, c.stake,
               _say("contradiction_question", c), _say("contradiction_text", c))


def move_ask(m: Move) -> Ask | None:
    if m.unexplained < THRESHOLD_MNOK:
        return None
    net = sum(v for _, v in m.into + m.out_of)
    label = DRIVER_LABELS.get(m.category, m.category).lower()
    return Ask(MOVE, m.solution, m.unexplained, _say("move_question", m),
               _say("move_text", m, label, net))


def unexplained_asks(notes: list[DriverNote], found: list[Move]) -> list[Ask]:
    """A large change the source does not explain, or explains with a large part left;
    a change that is part of a move is asked with the move."""
    out, seen = [], set()
    for note in notes:
        key = (note.solution, note.item, note.category, note.from_year, note.to_year)
        if key in seen or abs(note.value_mnok) < THRESHOLD_MNOK or in_move(note, found):
            continue
        seen.add(key)
        who = note.item if note.item.startswith(note.solution) else \
            f"{note.solution}, {note.item}" if note.item else note.solution
        label = DRIVER_LABELS.get(note.category, note.category).lower()
        head = _say("unexplained_head", who, label, note)
        if not note.explained:
            out.append(Ask(UNEXPLAINED, note.solution, abs(note.value_mnok),
                           _say("cause_question"), _say("cause_text", head)))
            continue
        if any(s != "avviker" for _, s in note.explanations):
            account = note.account
            left = max(abs(account.left[0]), abs(account.left[1]))
            if not account.full and left >= THRESHOLD_MNOK:
                out.append(Ask(UNEXPLAINED, note.solution, left, _say("rest_question"),
                               _say("rest_text", head, account.explained[0], left)))
    return out


def _given(value: float, said: set[Decimal]) -> bool:
    """Whether a text that prints the numbers ``said`` gives ``value``: exactly, or rounded
    to the decimals the text prints it with (34,64 is given by «34,6»; a whole number in the
    text gives only itself)."""
    target = Decimal(str(abs(float(value))))
    return any(target == n or (n.as_tuple().exponent < 0
                               and target.quantize(n, rounding=ROUND_HALF_UP) == n)
               for n in said)


def finding_asks(reconciliation: pd.DataFrame, kinds: dict[str, tuple[str, dict]],
                 effects: dict[str, str] | None = None,
                 titles: dict[str, str] | None = None) -> list[Ask]:
    """The reconciliation's findings, one question per finding: content in the main list,
    rounding and typesetting in the annex; unlikely rounding in the annex too. ``titles``
    (per check id, from the findings register) says what each question is about; a finding
    without one gets its title where the report is written."""
    out = []
    titles = titles or {}
    rows = reconciliation[reconciliation["status"] == tolerance.DISCREPANCY]
    grouped: dict[str, list] = {}
    for row in rows.itertuples():
        grouped.setdefault(row.explanation or row.message, []).append(row)
    for text, group in grouped.items():
        kind = next((kinds[r.check_id][0] for r in group if r.check_id in kinds), "innhold")
        stake = max(abs(float(r.printed) - float(r.computed)) for r in group)
        where = "; ".join(dict.fromkeys(
            (mid_sentence(r.table_number) if r.check_type != "påstand"
             else _say("in_text", r.section.split(" ")[0]))
            + ", " + (r.item or (_say("all_solutions") if r.solution == ALL_SOLUTIONS
                                  else r.solution)) for r in group))
        pairs = [(format_number(r.printed, places_needed(r.printed, 0, 1)),
                  format_number(r.computed, places_needed(r.computed, 0, 2))) for r in group]
        figures = list(dict.fromkeys(_say("printed_computed", p, c) for p, c in pairs))
        # the figures again after the text only where the text does not already give them
        # (a computed figure counts as given at the precision the text rounds it to)
        said = numbers_in(text)
        shown = "" if all(_given(r.printed, said) and _given(r.computed, said)
                          for r in group) else figures
        solutions = {r.solution for r in group} - {ALL_SOLUTIONS}
        solution = solutions.pop() if len(solutions) == 1 else ALL_SOLUTIONS
        affects = next(((effects or {})[r.check_id] for r in group
                        if r.check_id in (effects or {})), OTHER)
        out.append(Ask(FINDING if kind == "innhold" else ROUNDING, solution, stake,
                       titles.get(group[0].check_id, ""),
                       _say("finding_text", where, " ".join(text.split()), shown),
                       annex=kind != "innhold",
                       affects=affects))
    def column(check_id: str) -> tuple[str, str]:
        return check_id.split(":", 1)[0], check_id.rsplit(":", 1)[-1]

    content = {column(r.check_id) for group in grouped.values() for r in group
               if kinds.get(r.check_id, ("innhold",))[0] == "innhold"}
    for row in reconciliation[reconciliation["status"] == tolerance.UNLIKELY].itertuples():
        if column(row.check_id) in content:
            continue  # a content finding on the same column asks it already
        out.append(Ask(
            ROUNDING, row.solution, abs(float(row.printed) - float(row.computed)),
            _say("rounding_question"),
            _say("rounding_text", row,
                 format_number(row.computed, places_needed(row.computed, 0, 2)),
                 format_number(row.printed, places_needed(row.printed, 0, 1)),
                 tolerance.sigmas(row.difference, row.spread)), annex=True))
    return out


def register_asks(asked, requests) -> list[Ask]:
    """The analysts' questions and the committee's own outstanding requests, followed up."""
    out = []
    for q in asked:
        out.append(Ask(OPEN, q.solution, q.stake, q.question,
                       _say("open_text", " ".join(q.statement.split()),
                            (q, *getattr(q, "also", ()))),
                       affects=q.affects or OTHER))
    for r in requests:
        out.append(Ask(REQUEST, r.solution, r.stake, r.question,
                       _say("request_text", " ".join(r.statement.split()), r),
                       affects=r.affects or OTHER))
    return out


def all_asks(reconciliation: pd.DataFrame, kinds: dict, notes: list[DriverNote],
             found_moves: list[Move], found_contradictions: list[Contradiction], asked,
             requests, effects: dict[str, str] | None = None,
             underlying: pd.DataFrame | None = None,
             titles: dict[str, str] | None = None, settled: int | None = None,
             pointers: Sequence = ()) -> list[Ask]:
    """Every question to NHN, ranked (``ranked``); ``Ask.annex`` marks the annex's."""
    asks = [contradiction_ask(c) for c in found_contradictions]
    asks += [a for a in (move_ask(m) for m in found_moves) if a is not None]
    asks += unexplained_asks(notes, found_moves)
    asks += register_asks(asked, requests)
    asks += finding_asks(reconciliation, kinds, effects, titles)
    if underlying is not None:
        asks += underlying_asks(underlying, notes, settled, pointers)
    return ranked(asks)


def concerns(ask: Ask, solution: str) -> bool:
    """A question for a solution's report: its own, or one for all that names it."""
    return ask.solution == solution or (ask.solution == ALL_SOLUTIONS
                                        and solution in ask.text)


def underlying_asks(underlying: pd.DataFrame, notes: list[DriverNote],
                    settled: int | None = None, pointers: Sequence = ()) -> list[Ask]:
    """Underlying growth of ``THRESHOLD_MNOK`` or more in a pair of years no driver table
    covers for that solution (so no driver, and no explanation of one, says why): asked,
    with what the source says with amounts about those years (``explanations.Pointer``). A
    pair that ends in a year whose forskrift is ``settled`` is asked last, and says so."""
    out = []
    for row in _unexplained_growth(underlying, {(n.solution, n.from_year, n.to_year)
                                                for n in notes}):
        pair = (str(row.solution), int(row.from_year), int(row.to_year))
        said = [p for p in pointers if pair[0] in p.solutions
                and (p.from_year, p.to_year) == pair[1:]]
        done = settled is not None and pair[2] <= settled
        out.append(Ask(
            UNEXPLAINED, pair[0], abs(float(row.underlying_mnok)),
            _say("underlying_question", *pair),
            _say("underlying_text", *pair, float(row.underlying_mnok),
                 float(row.underlying_pct), pointers=said, settled=done), settled=done))
    return out


def _unexplained_growth(underlying: pd.DataFrame, covered: set[tuple[str, int, int]]) -> list:
    """The solutions' underlying growth of ``THRESHOLD_MNOK`` or more in a pair of years
    (solution, from, to) not ``covered`` by a driver table: what ``underlying_asks`` asks."""
    rows = underlying[underlying["solution"] != ALL_SOLUTIONS]
    return [row for row in rows.itertuples(index=False)
            if (str(row.solution), int(row.from_year), int(row.to_year)) not in covered
            and abs(float(row.underlying_mnok)) >= THRESHOLD_MNOK]


def check_pointers(pointers: Sequence, underlying: pd.DataFrame, drivers: pd.DataFrame,
                   path: Path) -> None:
    """Refuse a pointer (``explanations.Pointer``) that no question about underlying growth
    would carry: none of its solutions grows by ``THRESHOLD_MNOK`` or more in its years
    without a driver table for them, so the report would drop it without a word."""
    items = drivers[(drivers["row_kind"] == "item") & (drivers["category"] != "sum_endring")]
    covered = {(str(r.solution), int(r.from_year), int(r.to_year))
               for r in items.itertuples(index=False)}
    asked = {(str(r.solution), int(r.from_year), int(r.to_year))
             for r in _unexplained_growth(underlying, covered)}
    for pointer in pointers:
        if not any((s, pointer.from_year, pointer.to_year) in asked for s in pointer.solutions):
            raise InputError("ingen spørsmål om underliggende vekst bruker denne pekeren "
                             f"({pointer.from_year}–{pointer.to_year})", path=path,
                             line=pointer.line_of("solutions"), key="solutions",
                             text=", ".join(pointer.solutions))


def source_sentences(paths: RoundPaths) -> list[Sentence]:
    """The round's source prose, sentence by sentence, with section and solution."""
    name = load_manifest(paths.manifest).source.get("file")
    path = paths.root / name if name else None
    if path is None or not path.is_file():
        return []
    names = NameMap.from_csv(paths.names)
    return reading.sentences(path.read_text(encoding="utf-8"),
                             reading.solution_aliases(names), reading.item_stems(names))
