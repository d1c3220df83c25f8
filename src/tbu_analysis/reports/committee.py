"""What a committee needs beside the numbers, in words: why the figures move, what they depend
on, what changed since the previous round, how close past estimates were, and what to ask NHN.

Every function returns Markdown (or a table) built from the registers the analysis checked
against the source; nothing here knows a year, a round or a table number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from tbu_analysis.analysis import questions as questions_module
from tbu_analysis.analysis import tolerance
from tbu_analysis.analysis.abbreviations import Abbreviation
from tbu_analysis.analysis.comparison import PreviousRound
from tbu_analysis.analysis.explanations import (
    DISAGREES,
    MATCHES,
    THRESHOLD_MNOK,
    Condition,
    DriverNote,
    compare,
)
from tbu_analysis.analysis.growth import DRIVER_LABELS
from tbu_analysis.analysis.questions import Ask
from tbu_analysis.common.formatting import (
    MISSING,
    format_change,
    format_change_percent,
    format_number,
    places_needed,
)
from tbu_analysis.presentation.tables import format_table
from tbu_analysis.reports import text as wording
from tbu_analysis.reports.views import column_label, figure_by_figure
from tbu_analysis.rounds.manifest import Manifest, TableSpec
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.vocab import (
    CONDITION_KIND_LABELS,
    MEASURE_IN_SENTENCE,
    MEASURE_LABELS,
)

KIND_LABELS = CONDITION_KIND_LABELS  # the name the notebooks and tests know

def _say(what: str, **context) -> str:
    """One of the committee chapters' fixed sentences (``committee_words.md.j2``)."""
    return wording.render("committee_words.md.j2", what=what, **context)


def _amount(value: float) -> str:
    return format_change(value, places_needed(value, 0, 1))


def _label(category: str) -> str:
    return DRIVER_LABELS.get(category, category).lower()


def _driver_name(note: DriverNote, show_solution: bool) -> str:
    """The driver's row as a reader names it: the item, with its solution where the table
    mixes solutions, unless the item already names it («Helsenettet felles tjenester»)."""
    who = note.item or note.solution
    if show_solution and note.item and not note.item.startswith(note.solution):
        who = f"{note.solution}, {note.item}"
    return who


_SECTION_NUMBER = re.compile(r"^(\S+ \d+(?:\.\d+)*)\b")


def short_section(section: str) -> str:
    """A source reference as short as a reader needs it: the document and section number
    («Tallgrunnlag 5.3 E-resept, Sentral forskrivningsmodul» → «Tallgrunnlag 5.3»)."""
    match = _SECTION_NUMBER.match(section)
    return match[1] if match else section


def _signed(entry, text: str | None = None) -> str:
    """A driver amount with its sign; a range signs both ends («−8 til −10»: «−8–10» reads
    as minus eight minus ten)."""
    sign = "−" if entry.change.value == "reduksjon" else "+"
    low, _, high = (text or entry.amount).partition("-")
    return f"{sign}{low} til {sign}{high}" if high else f"{sign}{low}"


def _sign_corrected(note: DriverNote) -> float | None:
    """The driver's amount as the source's prose establishes it where the table prints it
    with the wrong sign (every explanation disagrees, and one gives the same amount with the
    other sign, as the reconciliation's column sum does): else None."""
    if not note.explanations or any(s != DISAGREES for _, s in note.explanations):
        return None
    for entry, _ in note.explanations:
        low, high = entry.signed_range
        if low == high and abs(low + note.value_mnok) < 1e-9:
            return low
    return None


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def _part_label(item: str, reason: str) -> str:
    """How a part is named beside its amount: its abbreviation where it has one («FM»),
    nothing where the reason already names it, else the item («Plattform»)."""
    short = re.findall(r"\(([A-ZÆØÅ]{2,})\)", item)
    if short:
        return f"{short[0]} "
    name = re.sub(r"\s*\([^)]*\)", "", item).strip().lower()
    return "" if not item or (name and name in reason.lower()) else f"{item} "


def _range(low: float, high: float) -> str:
    """An amount or an interval the source gives, without sign («9–12», «5,4»)."""
    a, b = sorted((abs(low), abs(high)))
    one = format_number(a, places_needed(a, 0, 1))
    return one if a == b else f"{one}–{format_number(b, places_needed(b, 0, 1))}"


def driver_sentence(note: DriverNote, show_solution: bool = True,
                    moves: Sequence = ()) -> str:
    """One driver in plain words (``driver.md.j2``): the amount, the source's reasons summed
    over every section that gives a part (parts with the same reason said once), what share
    that explains and what is left, and the causes a committee asks about by name; a short
    reference ends it (the quotes are in the annex, ``explanation_quotes_markdown``)."""
    corrected = _sign_corrected(note)
    value = note.value_mnok if corrected is None else corrected
    row = {"name": _driver_name(note, show_solution), "label": _label(note.category),
           "value": value}
    if corrected is not None:
        entry = next(e for e, _ in note.explanations if e.signed_range[0] == corrected)
        return wording.render("driver.md.j2", case="corrected", printed=note.value_mnok,
                           reason=entry.reason, sources=short_section(entry.section), **row)
    move = questions_module.in_move(note, moves)
    if move is not None and (not note.explained or note.item not in {
            e.item for e in move.explained}):
        return wording.render("driver.md.j2", case="move", move=move_words(move), **row)
    if not note.explained:
        return wording.render("driver.md.j2", case="words", words=list(note.in_words),
                           sources=", ".join(dict.fromkeys(
                               short_section(w.section) for w in note.in_words)), **row)
    account = note.account
    by_reason: dict[str, list] = {}
    for entry in account.entries:
        by_reason.setdefault(entry.reason, []).append(entry)
    def printed(entry) -> tuple[float | None, int]:  # the table's amount where it differs
        return next(((v, p) for e, v, p in note.otherwise if e == entry), (None, 0))

    parts = [{"reason": reason,
              "amounts": [wording.note("part_amount",
                                      _part_label(e.item, reason) if e.item != note.item else "",
                                      _signed(e), *printed(e))
                          for e in entries]}
             for reason, entries in by_reason.items()]
    used = {e.item for e in account.entries}
    # a cause behind a part only, and not one part's own amount said again beside its reason
    causes = [{"amount": _range(low, high), "cause": cause,
               "notes": list(dict.fromkeys(e.cause_note for e, _ in note.explanations
                                           if e.cause == cause and e.cause_note))}
              for cause, low, high in account.causes
              if (abs(low - value) > 1e-6 or len(account.causes) > 1)
              and [e.signed_range for e in account.entries if e.cause == cause] != [(low, high)]]
    return wording.render(
        "driver.md.j2", case="explained", parts=parts,
        whole=len(account.entries) == 1 and account.full, full=account.full,
        several=len(account.entries) > 1, explained=_range(*account.explained),
        whole_amount=_range(value, value), left=_range(*account.left),
        words=[w for w in note.in_words if w.item not in used], causes=causes,
        printed={item: (value, places) for item, value, places in note.words_printed},
        disagrees=any(s == DISAGREES and e in account.entries for e, s in note.explanations),
        sources=", ".join(dict.fromkeys(short_section(e.section) for e in account.entries)),
        **row)


def in_net_zero_move(note: DriverNote, moves: Sequence) -> bool:
    """Whether the driver is one side of a move between items that nets to zero and that the
    source accounts for in full: money moved, not a change in the level."""
    return _nets_to_zero(questions_module.in_move(note, list(moves)))


def _nets_to_zero(move) -> bool:
    """A move the source accounts for in full and that nets to zero (``in_net_zero_move``)."""
    return move is not None and move.unexplained < 1e-6 and abs(
        sum(v for _, v in move.into + move.out_of)) < 1e-6


def move_parts(move) -> list[dict]:
    """The parts of a move the source accounts for, each with its own amount: the moves the
    tables trace (scope register), then the text's explanations of items no trace covers."""
    parts = [{"amount": _range(t.amount, t.amount), "from_item": t.from_item, "item": t.item}
             for t in move.traced]
    traced = {t.item for t in move.traced}
    parts += [{"amount": _range(*e.signed_range), "item": e.item, "reason": e.reason}
              for e in move.explained if e.item not in traced]
    return parts


def move_words(move) -> str:
    """A move between items in words: what moves, its net, each part the source accounts
    for with its amount, and the remainder (and its question) only where there is one."""
    net = sum(v for _, v in move.into + move.out_of)
    left = move.unexplained
    return _say("move", amount=_range(move.amount, move.amount), solution=move.solution,
                net=_amount(net), parts=move_parts(move),
                left=_range(left, left) if left > 1e-6 else None,
                asked=questions_module.move_ask(move) is not None)


def driver_explanations_markdown(notes: list[DriverNote], show_solution: bool = True,
                                 moves: Sequence = (), lead: str | None = None) -> str:
    """The drivers of ``THRESHOLD_MNOK`` or more, largest first, each in one sentence with the
    source's reason and amount, or «Kilden forklarer ikke»."""
    shown = [n for n in notes if abs(n.value_mnok) >= THRESHOLD_MNOK]
    if not shown:
        return ""
    lines = [lead or _say("drivers_lead", threshold=THRESHOLD_MNOK), ""]
    said: set[int] = set()
    joint = _joint_moves(shown, moves)
    for note, move in zip(shown, joint, strict=True):
        if move is None:
            lines.append(f"- {driver_sentence(note, show_solution, list(moves))}")
        elif id(move) not in said:  # both sides of one move in one bullet
            said.add(id(move))
            sides = [n for n, m in zip(shown, joint, strict=True) if m is move]
            lines.append("- " + _say(
                "joint_move", solution=move.solution, label=_label(note.category),
                sides=[{"name": _driver_name(n, show_solution), "value": n.value_mnok}
                       for n in sides],
                parts=move_parts(move), sources=", ".join(dict.fromkeys(
                    short_section(t.section) for t in move.traced if t.section))))
    return "\n".join(lines)


def _joint_moves(shown: Sequence[DriverNote], moves: Sequence) -> list:
    """Per shown driver, the move it is one side of, where the source accounts for all of
    it, it nets to zero and another shown driver is its other side (said once, for both);
    else None. Each driver's move is looked up once."""
    moves = list(moves)
    found = [questions_module.in_move(note, moves) for note in shown]
    return [move if _nets_to_zero(move) and any(
                other is not note and theirs is move
                for other, theirs in zip(shown, found, strict=True)) else None
            for note, move in zip(shown, found, strict=True)]


def _move_quotes(shown: list[DriverNote], moves: Sequence) -> list[str]:
    """The annex lines for the moves the shown drivers' bullets join: the source's words the
    scope register traces each part with."""
    lines = []
    for note, move in zip(shown, _joint_moves(shown, moves), strict=True):
        if move is None or not any(t.quote for t in move.traced):
            continue
        lines.append("- " + _say("move_quotes", solution=move.solution,
                                 label=_label(note.category), from_year=note.from_year,
                                 to_year=note.to_year,
                                 traced=[t for t in move.traced if t.quote]))
    return lines


def explanation_quotes_markdown(notes: list[DriverNote], show_solution: bool = True,
                                moves: Sequence = ()) -> str:
    """The annex to «Hvorfor tallene endres»: per driver of ``THRESHOLD_MNOK`` or more, the
    source's words in full, with the section they stand in; a move between items once, with
    the words the scope register traces it with."""
    shown = [n for n in notes if abs(n.value_mnok) >= THRESHOLD_MNOK]
    lines = _move_quotes(shown, moves)
    for note in notes:
        if abs(note.value_mnok) < THRESHOLD_MNOK or not note.explained:
            continue
        corrected = _sign_corrected(note)
        value = note.value_mnok if corrected is None else corrected
        quotes = "; ".join([f"«{entry.quote}» ({entry.section})"
                            for entry, _ in note.explanations]
                           + [f"«{w.quote}» ({w.section})" for w in note.in_words])
        lines.append(f"- **{_driver_name(note, show_solution)}, {_label(note.category)} "
                     f"{note.from_year}–{note.to_year}, {_amount(value)} mill. kroner:** "
                     f"{quotes}")
    return "\n".join(dict.fromkeys(lines))


def conditions_markdown(conditions: list[Condition], solution: str | None = None) -> str:
    """The uncertainties in three groups: what can move the total (summed per year and
    direction, ``explanations.total_at_stake``), what moves only the split between solutions
    or items, and general caveats; each with its quote. Intervals stay intervals. In a
    solution's report (``solution``), what can move the total for all solutions is summed
    apart from the solution's own."""
    if not conditions:
        return _say("no_conditions")
    from tbu_analysis.analysis import explanations as explanations_module

    own = solution not in (None, ALL_SOLUTIONS)
    mine = [c for c in conditions if not own or c.solution != ALL_SOLUTIONS]
    return wording.render(
        "uncertainties.md.j2", total=explanations_module.total_at_stake(mine),
        shared=explanations_module.total_at_stake(
            [c for c in conditions if own and c.solution == ALL_SOLUTIONS]),
        solution=solution if own else None,
        distribution=[c for c in conditions if c.effect == explanations_module.DISTRIBUTION],
        general=[c for c in conditions if c.effect is None],
        labels=KIND_LABELS, all_label=ALL_SOLUTIONS)


def previous_round_markdown(previous: PreviousRound | None, comparison: pd.DataFrame | None,
                            label: str = "", solution: str | None = None,
                            levels: pd.DataFrame | None = None) -> str:
    """The mandate, what this round's text says about the previous round (arithmetic checked),
    and the table comparison where the previous round's figures exist. With ``solution``, the
    statements about it (its own, and those for all solutions whose quote names it). With
    ``levels``, the spring figure the ceiling implies (the source does not print it)."""
    if previous is None:
        return _say("no_previous")
    if solution is not None:
        own = tuple(s for s in previous.statements if s.solution == solution
                    or (s.solution == ALL_SOLUTIONS and solution in s.quote))
        if comparison is not None and len(comparison):
            comparison = comparison[comparison["solution"] == solution]
        if not own and (comparison is None or comparison.empty):
            return _previous_words(solution=solution, nothing=True)
        previous = PreviousRound(previous.round, previous.mandate, own)
    compared = comparison is not None and len(comparison)
    head = ("free" if compared and not comparison["ceiling"].any() else
            "ceiling" if compared else "statements" if previous.statements else "none")
    above = list(comparison[comparison["above_ceiling"]].itertuples()) if head == "ceiling" \
        else []
    statements = []
    for s in previous.statements:
        check = tables = None
        if s.total is not None:  # a «Kontroll» only where the text gives a total to check
            parts = s.parts[0] + "".join(
                f" − {p[1:]}" if p.startswith("-") else f" + {p.lstrip('+')}"
                for p in s.parts[1:])
            check = {"parts": parts, "ok": s.status == tolerance.OK,
                     "result": format_number(float(s.parts_sum),
                                             places_needed(float(s.parts_sum), 0, 1)),
                     "rounding": _rounding_verdict(s) if s.status == tolerance.ROUNDING
                     else ""}
        against = s.against_tables(comparison)
        if against is not None:  # the previous round's tables are in the project
            before, after, status = against
            tables = {"before": format_number(before, places_needed(before, 0, 1)),
                      "after": format_number(after, places_needed(after, 0, 1)),
                      "change": after - before, "ok": status == tolerance.OK,
                      "rounding": status == tolerance.ROUNDING}
        statements.append({"statement": s.statement, "quote": s.quote, "section": s.section,
                           "total": s.total, "check": check, "tables": tables,
                           "shared": s.solution == ALL_SOLUTIONS})
    return _previous_words(solution=solution, nothing=False, mandate=previous.mandate,
                           head=head, above=above, statements=statements,
                           ceiling=previous.ceiling if solution is None else None,
                           spring=None if levels is None or previous.ceiling is None
                           else previous.ceiling.spring_level(levels))


def _previous_words(**context) -> str:
    defaults = {"mandate": None, "head": "none", "above": [], "statements": [], "ceiling": None,
                "spring": None}
    return wording.render("previous_round.md.j2", **(defaults | context))


def _rounding_verdict(statement) -> str:
    """«mot 18,5 i teksten: …»: how far a text's sum is from its parts, and whether that is at
    the edge of what rounding one figure can give."""
    places = [parse_number(p.lstrip("+-−")).decimals for p in statement.parts]
    total = parse_number(statement.total.lstrip("+-−"))
    halves = [0.5 * 10 ** -d for d in places]
    return wording.render(
        "rounding_check.md.j2", total=statement.total,
        difference=float(statement.parts_sum) - float(total.value), half=max(halves),
        worst=sum(halves), count=len(halves))


def _level(value: float) -> str:
    return format_number(value, places_needed(value, 0, 1))


def _what(row) -> str:
    """«Helsenettet, Melding, forskrift 2024» / «…, endret finansieringskilde 2024→2025»."""
    parts = [row.solution] + ([row.item] if row.item else [])
    if row.category:
        return f"{', '.join(parts)}, {_label(row.category)} {int(row.base_year)}→{row.year}"
    return f"{', '.join(parts)}, {MEASURE_LABELS.get(row.measure, row.measure).lower()} " \
        f"{row.year}"


def since_last_round_markdown(detail: pd.DataFrame | None, solution: str | None = None) -> str:
    """Since the last round at every level (``comparison.csv``, ``since_last_round.md.j2``):
    a changed index rate and the history it restates, then every solution, item and driver
    amount that changed beyond the printed precision, was added, removed or split out of
    another."""
    if detail is None or detail.empty:
        return ""

    def rate(value: float) -> str:
        return format_number(value, 3).rstrip("0").rstrip(",")

    rates = []
    for row in detail[(detail["level"] == "indeks") & detail["changed"]].itertuples():
        if pd.isna(row.previous) or pd.isna(row.current):
            continue
        restated = detail[(detail["level"] == "løsning") & detail["index_effect"].notna()
                          & (detail["solution"] == ALL_SOLUTIONS)
                          & (detail["year"] == row.year)]
        first = next(restated.head(1).itertuples(), None)
        rates.append({"year": row.year, "base_year": row.base_year,
                      "current": rate(row.current), "previous": rate(row.previous),
                      "restated": None if first is None else {
                          "what": _what(first), "previous": first.previous,
                          "effect": first.index_effect}})
    rows = detail[detail["level"] != "indeks"]
    if solution is not None:
        rows = rows[rows["solution"] == solution]
    labels = {"løsning": "Løsninger", "post": "Poster", "driver": "Drivere"}
    levels = []
    for level, label in labels.items():
        part = rows[rows["level"] == level]
        said = [{"what": _what(row), "status": "endret", "previous": row.previous,
                 "current": row.current, "change": row.change,
                 "index_effect": row.index_effect if pd.notna(row.index_effect)
                 and abs(row.index_effect) >= 0.05 else None}
                for row in part[part["changed"]].itertuples()]
        said += [{"what": _what(row), "status": "ny", "current": row.current,
                  "split_from": row.split_from}
                 for row in part[part["status"] == "ny"].itertuples()]
        said += [{"what": _what(row), "status": "fjernet", "previous": row.previous}
                 for row in part[part["status"] == "fjernet"].itertuples()]
        if said:
            levels.append((label, said))
    return wording.render("since_last_round.md.j2", rates=rates, levels=levels)


def comparison_view(comparison: pd.DataFrame) -> pd.DataFrame:
    view = pd.DataFrame({
        "Løsning": comparison["solution"], "År": comparison["year"],
        "Mål": comparison["measure"], "Forrige runde": comparison["previous"],
        "Denne runden": comparison["current"], "Endring": comparison["change"],
        "Over taket": comparison["above_ceiling"].map({True: "ja", False: ""}),
    })
    if "ceiling" in comparison and not comparison["ceiling"].any():
        view = view.drop(columns="Over taket")  # no ceiling in this frame
    return view


def estimates_view(estimates: pd.DataFrame, solution: str | None = None) -> pd.DataFrame:
    """Forskrift against påløpt / prognose, in MNOK and %, one row per solution and outcome."""
    rows = estimates if solution is None else estimates[estimates["solution"] == solution]
    return pd.DataFrame({
        "Løsning": rows["solution"].replace({ALL_SOLUTIONS: "Sum"}),
        "Sammenlignet": [f"Forskrift {y} mot {MEASURE_IN_SENTENCE.get(m, m)} {y}"
                         for y, m in zip(rows["year"], rows["measure"], strict=True)],
        "Forskrift": rows["forskrift"].map(lambda v: format_number(v, places_needed(v, 0, 1))),
        "Utfall": rows["outcome"].map(lambda v: format_number(v, places_needed(v, 0, 1))),
        "Avvik (mill. kroner)": rows["difference"].map(lambda v: _amount(v)),
        "Avvik (%)": rows["difference_pct"].map(lambda v: format_change_percent(v, 1)),
    }).reset_index(drop=True)


def estimates_markdown(estimates: pd.DataFrame) -> str:
    """One sentence per outcome measure for all solutions: how far from the forskrift."""
    total = estimates[estimates["solution"] == ALL_SOLUTIONS]
    spread = estimates[estimates["solution"] != ALL_SOLUTIONS]
    worst = spread.loc[spread["difference_pct"].abs().idxmax()] if len(spread) else None
    return _say("estimates", totals=list(total.itertuples()), worst=worst,
                names=MEASURE_IN_SENTENCE)


def questions_rule(solution: str) -> str:
    """The lead of a solution report's questions: which questions it shows."""
    return _say("questions_rule", solution=solution)


def _concerns(row, solution: str) -> bool:
    if row.solution == solution:
        return True
    return row.solution == ALL_SOLUTIONS and any(
        solution in str(text) for text in (row.explanation, row.message, row.check))


def _plain(message: str) -> str:
    """A check's message without the build's own words (a committee reads the question)."""
    return re.sub(r"\s*Kontrollert etter rettelse av tekstuttrekket\.", "", message)


def questions_markdown(asks: Sequence[Ask], solution: str | None = None,
                       annex: bool = False) -> str:
    """The questions to put to NHN, by what the answer can move (the total, the split, the
    rest), then the largest amount at stake first (``questions.ranked``); the
    main list has the source's contradictions, moves, large unexplained changes, open points
    and the committee's own requests; ``annex`` gives the list of rounding and typesetting
    questions. With ``solution``, only the questions that concern it."""
    shown = [a for a in asks if a.annex == annex
             and (solution is None or questions_module.concerns(a, solution))]
    lines = []
    group = None
    for number, ask in enumerate(shown, start=1):
        if not annex and ask.moves != group:
            group = ask.moves
            lines += ([""] if lines else []) + [
                wording.render("question_group.md.j2", moves=group), ""]
        stake = "" if ask.stake is None or ask.kind == questions_module.ROUNDING else (
            " " + _say("stake", amount=format_number(ask.stake, places_needed(ask.stake, 0, 1)),
                       finding=ask.kind == questions_module.FINDING))
        who = "" if solution is not None or ask.solution == ALL_SOLUTIONS \
            or ask.solution in ask.text[:90] else f"{ask.solution}: "
        title = ask.question or _say("finding_title", solution=ask.solution,
                                     all_solutions=ALL_SOLUTIONS)
        lines.append(f"{number}. **{title}**{stake} {who}{ask.text}")
    if lines:
        return "\n".join(lines)
    return _say("no_annex_questions" if annex else "no_questions")


def unlikely_view(reconciliation: pd.DataFrame) -> pd.DataFrame:
    """The checks that are possible but unlikely rounding, with how many deviations each is."""
    rows = reconciliation[reconciliation["status"] == tolerance.UNLIKELY]
    return pd.DataFrame({
        "Tabell": rows["table_number"].str.replace(" ", "\u00a0", n=1),
        "Post": rows["item"].where(rows["item"] != "", rows["solution"]),
        "Kontroll": rows["check"],
        "Trykt": figure_by_figure(rows["printed"]),
        "Beregnet": figure_by_figure(rows["computed"]),
        "Største avrunding": rows["tolerance"].map(lambda v: format_number(v, 2)),
        "Standardavvik": [format_number(tolerance.sigmas(d, s), 1)
                          for d, s in zip(rows["difference"], rows["spread"], strict=True)],
    }).reset_index(drop=True)


def unlikely_rule_markdown() -> str:
    return _say("unlikely_rule", sigmas=tolerance.UNLIKELY_SIGMAS)


def abbreviations_markdown(abbreviations: Sequence[Abbreviation], text: str = "") -> str:
    """The round's abbreviations (``abbreviations.yaml``) that ``text`` uses as words, each
    explained once (all of them when ``text`` is empty; nothing when the round has none). A
    whole word only: «FM» is not used by «SFM», and «D&F» is matched by its characters."""
    used = [a for a in abbreviations if not text
            or re.search(rf"(?<!\w){re.escape(a.abbreviation)}(?!\w)", text)]
    return wording.say("abbreviations.md.j2", "abbreviations", used) if used else ""


# --- discrepant cells, marked where they are printed ------------------------------------------

MARK = "†"
_CELL_CHECK_TYPES = ("rad", "kolonne", "prosent")


def discrepant_cells(reconciliation: pd.DataFrame, figures: pd.DataFrame,
                     manifest: Manifest) -> dict[int, str]:
    """The printed figures (by their index in ``figures``) that a discrepancy is about, each
    with what does not add up (the analysts' explanation where there is one)."""
    out: dict[int, str] = {}
    for row in reconciliation[reconciliation["status"] == tolerance.DISCREPANCY].itertuples():
        if row.check_type == "påstand":
            continue  # a figure in the prose, not a table cell
        cells = _cells_of(row, figures, manifest)
        if len(cells) != 1:
            continue  # not one printed cell: leave it to the list of questions
        text = row.explanation or row.message
        out.setdefault(int(cells.index[0]), text)
    return out


def disagreeing_cells(explanations: list, figures: pd.DataFrame) -> dict[int, str]:
    """Printed driver amounts that the source's own prose contradicts (an explanation whose
    amount «avviker»), each with what the text says."""
    changes = figures[figures["measure"] == "endring"]
    out: dict[int, str] = {}
    for entry in explanations:
        rows = changes[(changes["solution"] == entry.solution) & (changes["item"] == entry.item)
                       & (changes["category"] == entry.driver) & (changes["year"] == entry.year)]
        for index, row in rows.iterrows():
            if compare(entry, float(row["value_mnok"]), int(row["decimals"])) == DISAGREES:
                sign = "−" if entry.change.value == "reduksjon" else "+"
                out.setdefault(int(index), _say("text_gives", sign=sign, amount=entry.amount,
                                                quote=entry.quote, section=entry.section))
    return out


def _cells_of(check, figures: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """The printed cell a check is about: its id names table, check type, row label and column
    header (see ``reconciliation.check_id``); cross-table ids name the quantity instead."""
    parts = str(check.check_id).split(":")
    if parts[0] == "kryss" and len(parts) == 8:  # kryss:printed:reference:solution:item:…
        _, table, _, solution, item, measure, category, year = parts
        return figures[(figures["table"] == table) & (figures["solution"] == solution)
                       & (figures["item"] == item) & (figures["measure"] == measure)
                       & (figures["category"] == category)
                       & (figures["year"].astype(str) == year)]
    if len(parts) >= 4 and parts[1] in _CELL_CHECK_TYPES:
        table, row_label, header = parts[0], ":".join(parts[2:-1]), parts[-1]
        columns = [index for index, column in manifest.table(table).columns.items()
                   if column.header == header]
        cells = figures[(figures["table"] == table) & (figures["row_label"] == row_label)
                        & figures["source_col"].isin(columns)]
        if len(cells) == 1:
            return cells
    table = str(check.table).split("+")[0]
    value = figures["value_pct"] if check.check_type == "prosent" else figures["value_mnok"]
    return figures[(figures["table"] == table) & (figures["solution"] == check.solution)
                   & (figures["item"] == check.item) & (value == check.printed)]


def table_marks(frame: pd.DataFrame, figures: pd.DataFrame, cells: dict[int, str],
                spec: TableSpec, by: str = "table") -> list[tuple[int, str, str]]:
    """Where in ``frame`` the marked cells of ``spec``'s table are: (row, column, note).

    ``by="table"`` for a source table rebuilt row by row (``views.table_view``); ``"solution"``
    or ``"item"`` for a driver table (``views.drivers_view``)."""
    marked = figures.loc[[i for i in cells if figures.loc[i, "table"] == spec.id]]
    out = []
    if by == "table":
        lines = list(frame.attrs.get("source_rows") or sorted(
            figures.loc[figures["table"] == spec.id, "source_row"].unique()))
        for index, cell in marked.iterrows():
            column = column_label(spec.columns[int(cell["source_col"])])
            if column in frame.columns:
                out.append((lines.index(cell["source_row"]), column, cells[index]))
        return out
    names = frame.iloc[:, 0].tolist()
    for index, cell in marked.iterrows():
        if cell["measure"] != "endring":
            continue
        name = cell["item"] if by == "item" else (cell["item"] or cell["solution"])
        if by == "item" and not name and cell["row_kind"] == "total":
            name = "Sum"  # the solution's own sum row of its detail table
        column = DRIVER_LABELS.get(cell["category"], cell["category"])
        if name in names and column in frame.columns:
            out.append((names.index(name), column, cells[index]))
    return out


def marked_table(frame: pd.DataFrame, marks: list[tuple[int, str, str]], **options):
    """``format_table`` with a mark after every marked cell (its alignment unchanged)."""
    decimals = options.get("decimals", 1)
    styler = format_table(frame, **options)
    for row, column, _ in marks:
        label = frame.index[row]

        def with_mark(value, places=decimals):
            text = value if isinstance(value, str) else (
                MISSING if pd.isna(value) else format_number(value, places))
            return f"{text}\u00a0{MARK}"

        styler = styler.format(with_mark, subset=pd.IndexSlice[[label], [column]])
    return styler


def marks_note(frame: pd.DataFrame, marks: list[tuple[int, str, str]]) -> str:
    """The footnote under a table with marked cells: what does not add up, per cell."""
    if not marks:
        return ""
    # One footnote per text: cells that share it are named together, so the same words are
    # never printed twice under one table.
    cells: dict[str, list[str]] = {}
    for row, column, note in marks:
        where = f"{frame.iloc[row, 0]}, {column}"
        if where not in cells.setdefault(note, []):
            cells[note].append(where)
    return "\n\n".join(f"{MARK} *{'; '.join(names)}:* {note}" for note, names in cells.items())


def note_row_sentence(table: str, row: str, cells: list[tuple[str, str]]) -> str:
    """A source table's text-only row in a sentence: the source's shorthand stays inside
    quotes, column by column."""
    return _say("note_row", table=table, row=row, cells=cells)


def other_values_note(frame: pd.DataFrame, cells: list[tuple[int, str, str]]) -> str:
    """The note under a table whose cells the source prints with another value in another
    table: one quantity, two printings, said where the reader meets it."""
    if not cells:
        return ""
    parts = [f"{frame.iloc[row, 0]}, {column}: {note}" for row, column, note in cells]
    return _say("other_values", parts=list(dict.fromkeys(parts)))


def deduction_markdown(growth_rows: pd.DataFrame, cost_rows: pd.DataFrame,
                       deductions: pd.DataFrame, explanations: list) -> str:
    """Why a funding need jumps where a one-off deduction (tilbakeføring) comes or goes: per
    solution with a deduction in either year, the change with and without it, and the source's
    words about the deduction."""
    if growth_rows.empty or deductions.empty:
        return ""
    start, end = int(growth_rows["from_year"].iloc[0]), int(growth_rows["to_year"].iloc[0])
    rows = []
    for row in growth_rows.itertuples():
        own = deductions[deductions["solution"] == row.solution]
        before = float(own.loc[own["to_year"] == start, "value_mnok"].sum())
        after = float(own.loc[own["to_year"] == end, "value_mnok"].sum())
        if not before and not after:
            continue
        cost = cost_rows[cost_rows["solution"] == row.solution]
        rows.append({"solution": row.solution, "change": row.change_mnok,
                     "change_pct": row.change_pct, "before": before, "after": after,
                     "cost": cost.iloc[0] if len(cost) else None})
    if not rows:
        return ""
    said = [e for e in explanations if e.driver == "tilbakeføring" and e.year == end
            and e.solution == ALL_SOLUTIONS]
    return wording.render("deduction.md.j2", quotes=said, start=start, end=end, rows=rows)


def _underlying_words(which: str, row) -> str:
    from tbu_analysis.reports.key_messages import STILL

    return wording.render("headline_underlying.md.j2", which=which, row=row, STILL=STILL)


def headline_points(growth: pd.DataFrame, notes: list[DriverNote], previous: PreviousRound | None,
                    estimates: pd.DataFrame, conditions: list[Condition],
                    questions: str, underlying: pd.DataFrame | None = None) -> list[str]:
    """The answers a committee member looks for first, each pointing to its section: the
    largest underlying growth before the largest nominal one, which may be scope."""
    points = []
    cost = growth[(growth["series"] == "kostnadsnivå") & (growth["item"] == "")
                  & (growth["solution"] != ALL_SOLUTIONS)
                  & (growth["from_year"] == growth["from_year"].max() - 1)
                  & (growth["to_year"] == growth["from_year"] + 1)]
    cost = cost.drop_duplicates("solution")
    if len(cost):
        top = cost.loc[cost["change_pct"].idxmax()]
        reasons = [n for n in notes if n.solution == top["solution"] and n.explained
                   and int(n.to_year) == int(top["to_year"])]
        cause = None
        if reasons:
            matching = [e for e, status in reasons[0].explanations if status == MATCHES]
            first = (matching or [reasons[0].explanations[0][0]])[0]
            cause = {"label": _label(reasons[0].category), "value": reasons[0].value_mnok,
                     "reason": first.reason}
        split = pd.DataFrame() if underlying is None else underlying[
            (underlying["solution"] != ALL_SOLUTIONS)
            & (underlying["from_year"] == int(top["from_year"]))
            & (underlying["to_year"] == int(top["to_year"]))]
        own = split[split["solution"] == top["solution"]]
        if len(split):
            points.append(_underlying_words(
                "point", split.loc[split["underlying_mnok"].idxmax()]))
        points.append(_say("nominal_point", top=top, cause=cause, underlying=(
            _underlying_words("nominal", own.iloc[0]) if len(own) else "")))
    if previous is not None and previous.statements:
        points.append(_say("previous_point", statement=previous.statements[0].statement))
    total = estimates[(estimates["solution"] == ALL_SOLUTIONS)]
    if len(total):
        points.append(_say("estimates_point", totals=list(total.itertuples()),
                           names=MEASURE_IN_SENTENCE))
    if conditions:
        points.append(_say("uncertain_point", count=len(conditions), first=conditions[0]))
    count = sum(1 for line in questions.splitlines() if re.match(r"^\d+\. ", line))
    first = next((line for line in questions.splitlines() if line.startswith("1. ")), "")
    top = re.match(r"^1\. \*\*(.+?)\*\*(?: \*\((.+?) mill\. kroner\)\*)?", first)
    points.append(_say("questions_point", count=count, top=top))
    return points


def printed_elsewhere(values: dict[str, list[str]]) -> str:
    """«notatets tabell 1, tallgrunnlagets tabell 1 og tabell 3 trykker 303»: the other
    printings of one quantity, tables grouped by the value they print (always mid-sentence)."""
    return _say("printed_elsewhere",
                values=[(value, list(dict.fromkeys(labels))) for value, labels in values.items()])
