"""Why the figures move, and what they depend on: the source's prose kept as data.

Two registers sit beside a round's claims: ``explanations.yaml`` (a driver amount, the amount
the prose gives for it, the reason and the quote) and ``conditions.yaml`` (conditions, risks,
uncertainty and intervals, quoted). Both are read through ``common.inputs``; every quote must
stand in the round's shipped source text and every amount must be printed in its quote, so a
register entry cannot say more than the source does. An explanation's amount is compared with
the driver it names, with the tolerance of the printed precision: it equals the driver, is a
part of it, or disagrees with it. Drivers of ``THRESHOLD_MNOK`` or more with no explanation are
listed so the report can say «kilden forklarer ikke».
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from tbu_analysis.analysis import tolerance
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, load_yaml_model, read_text
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS, NameMap
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.vocab import Cause, ConditionKind, RowKind, codes

# A driver this large needs a reason a committee can read (issue: «5 MNOK or more»).
THRESHOLD_MNOK = 5.0
EXPLANATIONS_FILE = "explanations.yaml"
CONDITIONS_FILE = "conditions.yaml"

MATCHES, PART_OF, DISAGREES = "stemmer", "del av", "avviker"
_RANGE = re.compile(r"^\s*([0-9][0-9 ]*(?:,[0-9]+)?)\s*[-–]\s*([0-9][0-9 ]*(?:,[0-9]+)?)\s*$")


_NUMBER_IN_TEXT = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> set[Decimal]:
    """Every number ``text`` prints, unsigned (its sign is in words: «reduksjon på 11,5»), in
    both readings where the source is loose: «1.25» is 1,25; «1 038» is 1038. Compared as
    numbers, so «8,6» in a register finds «8,6» in a quote whichever way either is written."""
    found: set[Decimal] = set()
    for match in _NUMBER_IN_TEXT.finditer(text):
        digits = re.sub(r"[ \u00a0]", "", match.group())
        found.add(Decimal(digits.replace(",", ".")))
        if "." in digits:
            found.add(Decimal(digits.replace(".", "")))
    return found


def number_of(text: str) -> Decimal:
    """A register's unsigned number as written («8,6», «−11,4»), to look up in ``numbers_in``."""
    value = parse_number(text.lstrip("+-−")).value
    return abs(value) if value is not None else Decimal("NaN")


class Change(StrEnum):
    INCREASE = "økning"
    DECREASE = "reduksjon"


class Amount(InputModel):
    """An amount as printed in a quote: one number ("8,6") or an interval ("8-10")."""

    low: Decimal
    high: Decimal
    decimals: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Amount:
        match = _RANGE.match(text)
        parts = [match[1], match[2]] if match else [text]
        numbers = [parse_number(p) for p in parts]
        if any(n.value is None or n.value < 0 for n in numbers):
            raise ValueError(f"beløpet «{text}» må være et tall eller et intervall (8-10)")
        return cls(low=numbers[0].value, high=numbers[-1].value,
                   decimals=max(n.decimals for n in numbers), text=text)

    @property
    def is_interval(self) -> bool:
        return self.low != self.high


#: The editor's mark after a word a quote keeps as the source writes it, though it reads as an
#: error («HelseDirektoratets [sic]»): printed with the quote, not part of it. The source is
#: text extracted from PDF, so the register cannot tell the PDF's typing from the extraction's;
#: it quotes the text as it stands and says so, never mending the words.
SIC = re.compile(r" \[sic\]")


def as_quoted(quote: str) -> str:
    """A register's quote as it must stand in the (collapsed) source: without ``SIC`` marks."""
    return collapse(SIC.sub("", quote))


class Quoted(InputModel):
    """A quote from the source with its section; the quote must stand in the source text
    (apart from ``SIC`` marks)."""

    quote: str = Field(min_length=1)
    section: str = Field(min_length=1)

    @field_validator("quote")
    @classmethod
    def _in_source(cls, quote: str, info: ValidationInfo) -> str:
        source = (info.context or {}).get("source")
        if source is not None and as_quoted(quote) not in source:
            raise ValueError("sitatet finnes ikke i kilden")
        return quote


def printed_in_quote(value: str, info: ValidationInfo) -> str:
    """A register's amount as its own quote prints it (a field validator's body): a number, and
    one of the quote's numbers, so the amount cannot drift from the words it stands on."""
    if parse_number(value).value is None:
        raise ValueError(f"«{value}» er ikke et tall")
    quote = info.data.get("quote", "")
    if quote and number_of(value) not in numbers_in(quote):
        raise ValueError(f"tallet {value} står ikke i sitatet")
    return value


class Level(Quoted):
    """A level the amount is derived from where the source gives the two levels, not the
    change (FM: 12,4 in 2025, «6 mill. kroner … også i 2026»): ``value`` stands in the quote."""

    value: str = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _value(cls, value: str, info: ValidationInfo) -> str:
        return printed_in_quote(value, info)


class Explanation(Quoted):
    solution: str = Field(min_length=1)
    item: str = ""
    driver: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    # Where the source gives the levels instead of the change: the earlier level, quoted;
    # the later one stands in ``quote`` and ``amount`` must be their difference.
    from_level: Level | None = None
    amount: str = Field(min_length=1)
    change: Change
    reason: str = Field(min_length=1)
    cause: Cause | None = None
    # what the source leaves open about the cause, said after it («kilden sier ikke …»)
    cause_note: str = ""
    # the quote gives the item's whole amount of this driver (its only sentence on it, and
    # the claims register equates the two): an amount the table prints otherwise then
    # disagrees with it instead of being a part of it (Økosystem's 1,2 against the table's 1,4)
    whole: bool = False

    @field_validator("amount")
    @classmethod
    def _amount(cls, amount: str, info: ValidationInfo) -> str:
        parsed = Amount.parse(amount)
        quote = info.data.get("quote", "")
        printed = numbers_in(quote)
        start = info.data.get("from_level")
        if start is not None:
            earlier = parse_number(start.value).value
            if not any(abs(earlier - n) == parsed.low for n in printed):
                raise ValueError(f"beløpet {amount} er ikke forskjellen mellom "
                                 f"{start.value} og et tall i sitatet")
            return amount
        missing = [str(v).replace(".", ",") for v in sorted({parsed.low, parsed.high})
                   if v not in printed]
        if quote and missing:
            raise ValueError(f"beløpet {missing[0]} står ikke i sitatet")
        return amount

    @property
    def parsed(self) -> Amount:
        return Amount.parse(self.amount)

    @property
    def signed_range(self) -> tuple[float, float]:
        sign = -1 if self.change is Change.DECREASE else 1
        a, b = sign * float(self.parsed.low), sign * float(self.parsed.high)
        return (min(a, b), max(a, b))


class InWords(Quoted):
    """A reason the source gives in words for an item's change, without an amount («ressurs-
    pådraget er noe redusert»): it says why the rest moves, never how much of it."""

    solution: str = Field(min_length=1)
    item: str = Field(min_length=1)
    driver: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    reason: str = Field(min_length=1)


class TableNote(Quoted):
    """What a reader must know to read one of the source's tables right, said once under it
    (the 38,7 in «Bruk av tidligere års midler» are not the 34,5 deducted the year after):
    every number of the statement stands in its quotes."""

    table: str = Field(min_length=1)  # the manifest's table id
    statement: str = Field(min_length=1)
    also: list[Quoted] = Field(default_factory=list)

    @model_validator(mode="after")
    def _numbers_quoted(self) -> TableNote:
        quoted = numbers_in(" ".join([self.quote, *(a.quote for a in self.also)]))
        unquoted = sorted(numbers_in(self.statement) - quoted)
        if unquoted:
            raise ValueError(f"tallet {str(unquoted[0]).replace('.', ',')} i statement står "
                             "ikke i sitatene")
        return self


def _known_solution(name: str, info: ValidationInfo) -> str:
    """A solution of the round's names file (``names``: the :class:`NameMap` in the context;
    without one, as in the register-by-register pass, it is checked when the register is
    loaded for the analysis)."""
    names = (info.context or {}).get("names")
    if names is not None and name not in names.solutions:
        raise ValueError("løsningen står ikke i navnefilen (names.csv)")
    return name


def _named_in(solution: str, text: str, names: NameMap) -> bool:
    """Whether ``text`` names the solution: by one of its names in the names file, or by one
    of its canonical items («HelseID» names Grunndata og HelseID)."""
    spellings = {solution} | {printed for (scope, printed), name in names.entries.items()
                              if name.solution == solution and not scope and not name.item}
    spellings |= {name.item for name in names.entries.values()
                  if name.solution == solution and name.item}
    return any(re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text) for s in spellings)


class Pointer(Quoted):
    """What the source says with amounts about growth between two years no driver table
    covers, without splitting it on the solutions it names (NUIT 4/22: Program digital
    samhandling's running costs of 30 in 2023 and 55 in 2024, spread on four solutions): the
    question about a solution's growth in those years gives it. Every number of the statement
    stands in its quotes; every solution it concerns is one of the names file's and is named
    in them. A pointer no question uses is refused (``questions.check_pointers``)."""

    solutions: list[Annotated[str, Field(min_length=1), AfterValidator(_known_solution)]] = \
        Field(min_length=1)
    from_year: int = Field(ge=1990, le=2100)
    to_year: int = Field(ge=1990, le=2100)
    statement: str = Field(min_length=1)
    also: list[Quoted] = Field(default_factory=list)

    @field_validator("to_year")
    @classmethod
    def _after_from_year(cls, to_year: int, info: ValidationInfo) -> int:
        from_year = info.data.get("from_year")
        if from_year is not None and to_year <= from_year:
            raise ValueError(f"to_year må være etter from_year ({from_year})")
        return to_year

    @model_validator(mode="after")
    def _quoted(self, info: ValidationInfo) -> Pointer:
        quotes = " ".join([self.quote, *(a.quote for a in self.also)])
        unquoted = sorted(numbers_in(self.statement) - numbers_in(quotes))
        if unquoted:
            raise ValueError(f"tallet {str(unquoted[0]).replace('.', ',')} i statement står "
                             "ikke i sitatene")
        names = (info.context or {}).get("names")
        missing = [s for s in self.solutions
                   if names is not None and not _named_in(s, quotes, names)]
        if missing:
            raise ValueError(f"løsningen {missing[0]} står ikke i sitatene")
        return self


class ExplanationsFile(InputModel):
    explanations: list[Explanation] = Field(min_length=1)
    in_words: list[InWords] = Field(default_factory=list)
    table_notes: list[TableNote] = Field(default_factory=list)
    pointers: list[Pointer] = Field(default_factory=list)


class Condition(Quoted):
    solution: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1990, le=2100)
    kind: str = Field(pattern=rf"^({'|'.join(codes(ConditionKind))})$")
    statement: str = Field(min_length=1)
    interval: str | None = None
    # the mill. kroner the condition concerns, as printed in the statement or the quote: what
    # ranks the uncertainties (the report's key messages name the largest)
    stake: str | None = None
    # what the uncertainty can move: «totalen» (what the sector pays) or «fordelingen» (the
    # split between solutions or items; the total stays); none for a general caveat
    effect: Literal["totalen", "fordelingen"] | None = None
    # which way the total goes if the condition fails or the estimate turns out otherwise:
    # «ned», «opp» or «begge»; none where the source gives no direction
    direction: Literal["ned", "opp", "begge"] | None = None
    # quotes where the source says otherwise about the condition itself (VKP «hjemles i
    # forskrift», yet already in last year's regulation): the report keeps such a condition
    # out of its year's sum, says the sum with it, and the committee asks NHN
    doubt: list[Quoted] = []
    # a short name the report calls the condition by where the statement is too long («VKP»)
    name: str | None = None
    # the solutions a distribution puts the amount onto (Helsenettet's shared services spread
    # on the others): their own figure can rise, so their reports list it too; each is named
    # in the quote
    onto: list[str] = []

    @field_validator("onto")
    @classmethod
    def _onto_is_quoted(cls, onto: list[str], info: ValidationInfo) -> list[str]:
        quote = info.data.get("quote", "")
        missing = [name for name in onto if name not in quote]
        if missing:
            raise ValueError(f"løsningen {missing[0]} står ikke i sitatet")
        return onto

    @field_validator("stake")
    @classmethod
    def _stake_is_printed(cls, stake: str | None, info: ValidationInfo) -> str | None:
        if stake is None:
            return None
        parsed = Amount.parse(stake)
        words = f"{info.data.get('statement', '')} {info.data.get('quote', '')}"
        if parsed.high not in numbers_in(words):
            raise ValueError(f"beløpet {stake} står verken i utsagnet eller i sitatet")
        return stake

    @property
    def stake_mnok(self) -> float | None:
        return None if self.stake is None else float(Amount.parse(self.stake).high)

    @field_validator("interval")
    @classmethod
    def _interval(cls, interval: str | None, info: ValidationInfo) -> str | None:
        if interval is None:
            return None
        parsed = Amount.parse(interval)
        if not parsed.is_interval:
            raise ValueError("et intervall må ha to tall (5-10)")
        quote = info.data.get("quote", "")
        numbers = numbers_in(quote)
        if quote and not {parsed.low, parsed.high} <= numbers:
            raise ValueError("intervallets tall står ikke i sitatet")
        return interval


class ConditionsFile(InputModel):
    conditions: list[Condition] = Field(min_length=1)


def source_text(paths: RoundPaths) -> str | None:
    """The round's shipped source text, whitespace collapsed (None when the round has none)."""
    name = load_manifest(paths.manifest).source.get("file")
    path = paths.root / name if name else None
    return collapse(read_text(path, "kildeteksten")) if path and path.is_file() else None


def _register(paths: RoundPaths) -> ExplanationsFile | None:
    """The explanations register read and checked against the source, or None without one."""
    path = paths.raw / EXPLANATIONS_FILE
    if not path.is_file():
        return None
    return load_yaml_model(path, ExplanationsFile, context={
        "source": source_text(paths), "names": NameMap.from_csv(paths.names)})


def load_explanations(paths: RoundPaths) -> list[Explanation]:
    register = _register(paths)
    return register.explanations if register else []


def load_in_words(paths: RoundPaths) -> list[InWords]:
    """The register's reasons without an amount (``in_words``)."""
    register = _register(paths)
    return register.in_words if register else []


def load_pointers(paths: RoundPaths) -> list[Pointer]:
    """The register's amounts for growth no driver table covers (``pointers``)."""
    register = _register(paths)
    return register.pointers if register else []


def load_table_notes(paths: RoundPaths) -> list[TableNote]:
    """The register's notes to the source's tables (``table_notes``), each naming a table of
    the round's manifest."""
    register = _register(paths)
    notes = register.table_notes if register else []
    known = {t.id for t in load_manifest(paths.manifest).tables}
    for note in notes:
        if note.table not in known:
            raise InputError(f"tabellen «{note.table}» står ikke i manifestet",
                             path=paths.raw / EXPLANATIONS_FILE, line=note.line_of("table"),
                             key="table", text=note.table)
    return notes


def load_conditions(paths: RoundPaths) -> list[Condition]:
    path = paths.raw / CONDITIONS_FILE
    if not path.is_file():
        return []
    return load_yaml_model(path, ConditionsFile,
                           context={"source": source_text(paths)}).conditions


# --- explanations against the drivers ---------------------------------------------------------


@dataclass(frozen=True)
class DriverNote:
    """One driver as the report shows it: amount, and what the source says about it."""

    solution: str
    item: str
    category: str
    from_year: int
    to_year: int
    value_mnok: float
    decimals: int
    explanations: tuple[tuple[Explanation, str], ...]  # (explanation, status)
    in_words: tuple[InWords, ...] = ()  # reasons for its items the source gives without amount
    # parts whose own item the table prints with another amount than the text gives: the
    # explanation, the table's amount and its decimals (the report says both)
    otherwise: tuple[tuple[Explanation, float, int], ...] = ()
    # the table's amount for each item the source explains only in words (``in_words``): the
    # item, its printed amount and decimals, so the report gives the figures with the words
    words_printed: tuple[tuple[str, float, int], ...] = ()

    @property
    def explained(self) -> bool:
        return bool(self.explanations)

    @property
    def parts(self) -> tuple[Explanation, ...]:
        """The explanations of the row's parts (its items), where the row is a solution's and
        the source explains it item by item."""
        return tuple(e for e, _ in self.explanations if e.item != self.item)

    @property
    def fully_explained(self) -> bool:
        """Whether the source explains the whole amount: one explanation equals it, or the
        explanations of its parts add up to it within their printed precision
        (Kjernejournal's −17 = −11 − 4,5 − 1,5)."""
        if any(status == MATCHES for _, status in self.explanations):
            return True
        return len(self.adding_up) > 0

    @property
    def adding_up(self) -> tuple[Explanation, ...]:
        """Two or more explanations on one level (the row's own, or its items') whose amounts
        add up to the row's within their printed precision; empty when none do."""
        own = tuple(e for e, _ in self.explanations if e.item == self.item)
        for group in (own, self.parts):
            if len(group) < 2:
                continue
            low = sum(e.signed_range[0] for e in group)
            high = sum(e.signed_range[1] for e in group)
            slack = tolerance.half_unit(self.decimals) + sum(
                tolerance.half_unit(e.parsed.decimals) for e in group)
            if low - slack <= self.value_mnok <= high + slack:
                return group
        return ()


    @property
    def account(self) -> Account:
        """How much of the amount the source explains, read from every explanation found
        (``Account``)."""
        return account(self)


@dataclass(frozen=True)
class Account:
    """How much of a driver the source explains: the explanations used (the parts that add
    up, else the one that gives the whole amount, else those pointing the same way), their
    sum as a signed range (an interval stays one), what is left, and the amounts of the
    causes a committee asks about by name (``Cause``)."""

    value: float
    entries: tuple[Explanation, ...]
    explained: tuple[float, float]
    full: bool
    causes: tuple[tuple[Cause, float, float], ...]

    @property
    def left(self) -> tuple[float, float]:
        """The amount the source leaves unexplained (0 when it explains all of it)."""
        if self.full:
            return (0.0, 0.0)
        a, b = self.value - self.explained[1], self.value - self.explained[0]
        return (round(min(a, b), 6), round(max(a, b), 6))


def _sum(group) -> tuple[float, float]:
    return (round(sum(e.signed_range[0] for e in group), 6),
            round(sum(e.signed_range[1] for e in group), 6))


def _adds_up(group, value: float, decimals: int) -> bool:
    if not group:
        return False
    low, high = _sum(group)
    slack = tolerance.half_unit(decimals) + sum(tolerance.half_unit(e.parsed.decimals)
                                                for e in group)
    return low - slack <= value <= high + slack


def account(note: DriverNote) -> Account:
    """The source's explanations of ``note`` summed over every sentence and section that
    gives a part: the parts of its items when they add up to it (Helsenorge's volume growth:
    ID-porten, sms, antivirus and NHN's own capacity), else one explanation of the whole,
    else the row's own explanations when they add up, else what points the same way."""
    own = [e for e, s in note.explanations if e.item == note.item and s != DISAGREES]
    parts = [e for e, s in note.explanations if e.item != note.item]
    whole = [e for e, s in note.explanations if s == MATCHES and e.item == note.item]
    named = []  # where one explanation gives the whole, its parts may still name a cause
    if _adds_up(parts, note.value_mnok, note.decimals):
        chosen, full = parts, True
    elif whole:
        chosen, full, named = whole[:1], True, parts
    elif len(own) > 1 and _adds_up(own, note.value_mnok, note.decimals):
        chosen, full = own, True
    else:
        same_way = [e for e in own + parts if e.signed_range[0] * note.value_mnok > 0]
        by_level = [[e for e in same_way if e.item == note.item],
                    [e for e in same_way if e.item != note.item]]
        chosen = max(by_level, key=lambda g: abs(sum(e.signed_range[0] for e in g)))
        full = False
    causes: dict[Cause, list[float]] = {}
    for entry in chosen + named:
        if entry.cause is not None:  # at the table's amount where the text contradicts it
            low, high = next(((v, v) for e, v, _ in note.otherwise if e == entry),
                             entry.signed_range)
            total = causes.setdefault(entry.cause, [0.0, 0.0])
            total[0], total[1] = total[0] + low, total[1] + high
    return Account(note.value_mnok, tuple(chosen), _sum(chosen), full,
                   tuple((c, round(a, 6), round(b, 6)) for c, (a, b) in causes.items()))


def compare(explanation: Explanation, value: float, decimals: int) -> str:
    """The explanation's amount against the driver: equal within the printed precision, a part
    of it (same direction, smaller), or disagreeing."""
    low, high = explanation.signed_range
    slack = tolerance.half_unit(decimals) + tolerance.half_unit(explanation.parsed.decimals)
    if low - slack <= value <= high + slack:
        return MATCHES
    if not explanation.whole and value * low > 0 and abs(
            low if value > 0 else high) <= abs(value) + slack:
        return PART_OF
    return DISAGREES


def driver_notes(drivers: pd.DataFrame, figures: pd.DataFrame, table: str,
                 explanations: list[Explanation], solution: str | None = None,
                 by_item: bool = False, in_words: Sequence[InWords] = (),
                 sums_from: str | None = None) -> list[DriverNote]:
    """The drivers of one growth table, largest first: each with the explanations for its own
    row and, for a solution's row, those for that solution's items in the same driver. With
    ``sums_from`` (the solution's own detail table) a solution's amount is that table's sum
    where it prints the same figure more finely (14,1, not the overview's rounded 14)."""
    rows = drivers[(drivers["table"] == table) & (drivers["row_kind"] == "item")
                   & (drivers["category"] != "sum_endring")]
    if solution is not None:
        rows = rows[rows["solution"] == solution]
    decimals = printed_decimals(figures, table)
    finer = _sums(figures, sums_from) if sums_from else {}
    notes = []
    for row in rows.itertuples(index=False):
        key = (row.solution, row.item, row.category)
        value, places = float(row.value_mnok), decimals.get(key, 1)
        if key in finer and finer[key][1] > places and abs(
                finer[key][0] - value) <= tolerance.half_unit(places) + 1e-9:
            value, places = finer[key]  # the same figure, printed more finely
        own_item = row.item if by_item or row.item else ""
        found = []
        for entry in explanations:
            if (entry.solution, entry.driver, entry.year) != (row.solution, row.category,
                                                              int(row.to_year)):
                continue
            if entry.item == own_item or (not own_item and entry.item):
                status = compare(entry, value, places)
                if entry.item != own_item and status == DISAGREES:
                    status = PART_OF  # an item's change may be offset by the others
                found.append((entry, status))
        words = tuple(w for w in in_words if (w.solution, w.driver, w.year) == (
            row.solution, row.category, int(row.to_year)) and (w.item == own_item or not own_item))
        notes.append(DriverNote(row.solution, row.item, row.category, int(row.from_year),
                                int(row.to_year), value, places, tuple(found), words,
                                _printed_otherwise(figures, [e for e, _ in found
                                                             if e.item != own_item]),
                                _words_printed(figures, words)))
    notes.sort(key=lambda n: -abs(n.value_mnok))
    return notes


def _words_printed(figures: pd.DataFrame,
                   words: Sequence[InWords]) -> tuple[tuple[str, float, int], ...]:
    """Each item a reason in words is about, with the table's amount of its driver."""
    changes = figures[figures["measure"] == "endring"]
    out = []
    for w in words:
        cells = changes[(changes["solution"] == w.solution) & (changes["item"] == w.item)
                        & (changes["category"] == w.driver) & (changes["year"] == w.year)]
        if len(cells) == 1:
            out.append((w.item, float(cells["value_mnok"].iloc[0]),
                        int(cells["decimals"].iloc[0])))
    return tuple(out)


def _printed_otherwise(figures: pd.DataFrame,
                       parts: list[Explanation]) -> tuple[tuple[Explanation, float, int], ...]:
    """The parts whose own item's driver cell the text contradicts, with the cell's amount;
    not a cell printed with the wrong sign (the text's amount is then the right one)."""
    out = []
    changes = figures[figures["measure"] == "endring"]
    for entry in parts:
        cells = changes[(changes["solution"] == entry.solution) & (changes["item"] == entry.item)
                        & (changes["category"] == entry.driver) & (changes["year"] == entry.year)]
        if len(cells) != 1:
            continue
        value, places = float(cells["value_mnok"].iloc[0]), int(cells["decimals"].iloc[0])
        low, high = entry.signed_range
        if compare(entry, value, places) == DISAGREES and not (
                low == high and abs(low + value) < 1e-9):
            out.append((entry, value, places))
    return tuple(out)


def printed_decimals(figures: pd.DataFrame, table: str) -> dict[tuple[str, str, str], int]:
    """The decimals each driver amount of ``table`` is printed with, by (solution, item,
    driver)."""
    rows = figures[(figures["table"] == table) & (figures["measure"] == "endring")]
    return {(r.solution, r.item, r.category): int(r.decimals) for r in rows.itertuples()}


def _sums(figures: pd.DataFrame, table: str) -> dict[tuple[str, str, str], tuple[float, int]]:
    """A table's printed sum of each driver by (solution, "", driver), with its decimals."""
    rows = figures[(figures["table"] == table) & (figures["measure"] == "endring")
                   & (figures["row_kind"] == RowKind.TOTAL) & (figures["item"] == "")]
    return {(r.solution, "", r.category): (float(r.value_mnok), int(r.decimals))
            for r in rows.itertuples()}


def unexplained(notes: list[DriverNote]) -> list[DriverNote]:
    """Drivers of ``THRESHOLD_MNOK`` or more the source does not explain."""
    return [n for n in notes if abs(n.value_mnok) >= THRESHOLD_MNOK and not n.explained]


def conditions_for(conditions: list[Condition], solution: str | None = None) -> list[Condition]:
    """A solution's conditions, those for all solutions and those whose amount may be put onto
    it (``Condition.onto``); every one without ``solution``."""
    if solution is None or solution == ALL_SOLUTIONS:
        return list(conditions)
    return [c for c in conditions if c.solution in {solution, ALL_SOLUTIONS}
            or solution in c.onto]


# --- what the uncertainties can move ----------------------------------------------------------

TOTAL, DISTRIBUTION = "totalen", "fordelingen"


def _stake_range(condition: Condition) -> tuple[float, float]:
    parsed = Amount.parse(condition.stake)
    return float(parsed.low), float(parsed.high)


@dataclass(frozen=True)
class YearAtStake:
    """The conditions of one year (None: of no one year) that can move the total, summed per
    direction: what the total can fall by, rise by, or move either way by if they fail.
    Directions are never netted (they need not fail together), and years are never added (an
    amount in one year's level is in the next year's level too)."""

    year: int | None
    conditions: tuple[Condition, ...]

    def _sum(self, direction: str | None, doubted: bool = False) -> tuple[float, float]:
        parts = [_stake_range(c) for c in self.conditions
                 if c.stake is not None and c.direction == direction
                 and (doubted or not c.doubt)]
        return (round(sum(p[0] for p in parts), 6), round(sum(p[1] for p in parts), 6))

    def parts(self, direction: str | None) -> list[str]:
        """The amounts summed, as the register prints them («54», «10-15»); a condition the
        source itself contradicts (``Condition.doubt``) is not summed."""
        return [c.stake for c in self.conditions
                if c.stake is not None and c.direction == direction and not c.doubt]

    @property
    def doubted(self) -> tuple[Condition, ...]:
        """Conditions with an amount that the source itself contradicts: left out of the sum."""
        return tuple(c for c in self.conditions if c.stake is not None and c.doubt)

    def with_doubted(self, direction: str) -> tuple[float, float]:
        """The year's sum in one direction if the contradicted conditions are counted too."""
        return self._sum(direction, doubted=True)

    @property
    def down(self) -> tuple[float, float]:
        return self._sum("ned")

    @property
    def up(self) -> tuple[float, float]:
        return self._sum("opp")

    @property
    def both(self) -> tuple[float, float]:
        return self._sum("begge")

    @property
    def ranges(self) -> tuple[float, float]:
        """Amounts without a direction (an interval the figures already hold, as an expected
        underspend): their sum, and the spread between its ends is the uncertainty."""
        return self._sum(None)

    @property
    def unquantified(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.stake is None)


def total_at_stake(conditions: list[Condition]) -> list[YearAtStake]:
    """The conditions that can move the total (``effect: totalen``), year by year; a
    condition of no one year last."""
    years: dict[int | None, list[Condition]] = {}
    for c in conditions:
        if c.effect == TOTAL:
            years.setdefault(c.year, []).append(c)
    order = sorted(years, key=lambda y: (y is None, y or 0))
    return [YearAtStake(y, tuple(sorted(years[y], key=lambda c: -(c.stake_mnok or 0.0))))
            for y in order]


def largest_total_condition(conditions: list[Condition], from_year: int) -> Condition | None:
    """The condition with the most mill. kroner that can move the total, of the years the
    committee settles (or of no one year)."""
    staked = [c for c in conditions if c.effect == TOTAL and c.stake_mnok is not None
              and (c.year is None or c.year >= from_year)]
    return max(staked, key=lambda c: c.stake_mnok, default=None)
