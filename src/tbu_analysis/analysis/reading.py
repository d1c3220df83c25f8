"""Reading the whole source: its prose as sentences, each with the section and the solution it
speaks about, so a statement is found wherever it stands (not only at the first match).

The solution of a sentence is the one its section's heading names, kept through unnamed
sub-headings until a chapter (a numbered heading or one of level 1–2) starts; a solution is
recognised by its canonical name or by an abbreviation a canonical item of it carries in
parentheses («Velferdsteknologisk knutepunkt (VKP)» makes «VKP» Helsenettet's). A sentence that
names exactly one solution itself is that solution's wherever it stands. Tables, the tables of
contents and footnote links are not prose and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tbu_analysis.common.formatting import collapse
from tbu_analysis.rounds.names import NameMap

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERED = re.compile(r"^\W*\d+(?:\.\d+)*\.?\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[«\"(]?[A-ZÆØÅ])")
_ABBREVIATION = re.compile(r"\(([A-ZÆØÅ]{2,})\)")
_MARKUP = re.compile(r"<[^>]+>|[*_`]|\\(?=[*_])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source's prose: its text (whitespace collapsed, markup removed),
    the heading of its section, the solution it speaks about ("" when none) and its line."""

    text: str
    heading: str
    solution: str
    line: int
    chapter: str = ""
    subject: str = ""  # the name it speaks about: an abbreviation («VKP») or the solution

    @property
    def where(self) -> str:
        """The section as a reader finds it: the chapter (without its subtitle after a dash)
        and, below it, the heading."""
        chapter = re.split(r"\s+[–-]\s+", self.chapter, maxsplit=1)[0]
        if self.heading in {"", self.chapter}:
            return chapter
        return f"{chapter}, {self.heading}" if chapter else self.heading


def solution_aliases(names: NameMap) -> dict[str, str]:
    """Every word that names a solution in prose: the canonical names and the abbreviations
    in parentheses of its canonical items."""
    aliases = {s: s for s in names.solutions}
    for name in names.entries.values():
        for abbreviation in _ABBREVIATION.findall(name.item):
            aliases.setdefault(abbreviation, name.solution)
    return aliases


def _aliases_in(text: str, aliases: dict[str, str]) -> list[str]:
    """The aliases a text names, in the order they first stand in it."""
    found = []
    for alias in aliases:
        flags = 0 if alias.isupper() else re.IGNORECASE
        match = re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text, flags)
        if match:
            found.append((match.start(), alias))
    return [alias for _, alias in sorted(found)]


def _named(text: str, aliases: dict[str, str]) -> set[str]:
    return {aliases[a] for a in _aliases_in(text, aliases)}


_EXCLUDING = re.compile(r"\b(?:eksklusive|ekskl\.|utenom|uten)\s+([A-ZÆØÅ]{2,})\b")


def _subject(text: str, aliases: dict[str, str], stems: dict[str, str]) -> str:
    """The name a text speaks about: the first alias it names («Helsenettet», «VKP»), with
    what it leaves out («Helsenettet uten VKP»), or an item whose name the text begins like
    («Velferdsteknologi»); else ""."""
    found = _aliases_in(text, aliases)
    if found:
        excluded = _EXCLUDING.search(text)
        if excluded and excluded[1] in aliases and excluded[1] != found[0]:
            return f"{found[0]} uten {excluded[1]}"
        return found[0]
    words = text.split()
    for stem, alias in stems.items():
        if words and len(words[0]) >= 8 and stem.lower().startswith(words[0].lower()):
            return alias
    return ""


def _plain(text: str) -> str:
    return collapse(_MARKUP.sub("", text))


def _is_prose(line: str) -> bool:
    return bool(line.strip()) and "\t" not in line and "....." not in line \
        and not line.lstrip().startswith(("<sup>", "---", "|"))


def item_stems(names: NameMap) -> dict[str, str]:
    """Canonical items that carry an abbreviation, by their name without it («Velferds-
    teknologisk knutepunkt» → «VKP»), so a heading that begins like it speaks about it."""
    stems = {}
    for name in names.entries.values():
        for abbreviation in _ABBREVIATION.findall(name.item):
            stems[_ABBREVIATION.sub("", name.item).strip()] = abbreviation
    return stems


def sentences(text: str, aliases: dict[str, str],
              stems: dict[str, str] | None = None) -> list[Sentence]:
    """The source's prose as sentences, in order, each with its section and solution."""
    stems = stems or {}
    out: list[Sentence] = []
    heading, solution, chapter, subject = "", "", "", ""
    paragraph: list[tuple[int, str]] = []

    def flush():
        if not paragraph:
            return
        line = paragraph[0][0]
        joined = _plain(" ".join(part for _, part in paragraph))
        for piece in _SENTENCE_END.split(joined):
            piece = piece.strip(" -•")
            if len(piece) < 3:
                continue
            own = _named(piece, aliases)
            mine = _subject(piece, aliases, {})
            out.append(Sentence(piece, heading, own.pop() if len(own) == 1 else solution, line,
                                chapter, mine or subject or solution))
        paragraph.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        match = _HEADING.match(raw)
        if match:
            flush()
            heading = _plain(match[2])
            level = len(match[1])
            named = _named(heading, aliases)
            chapters = level <= 2 or _NUMBERED.match(heading)
            if chapters:
                chapter = heading
            if named:
                solution = sorted(named)[0] if len(named) > 1 else named.pop()
                subject = _subject(heading, aliases, stems) or solution
            elif chapters:
                solution, subject = "", ""
            else:
                subject = _subject(heading, aliases, stems) or solution
            continue
        if not _is_prose(raw):
            flush()
            continue
        paragraph.append((number, raw.strip()))
    flush()
    return out


def search(found: Sequence[Sentence], terms: Iterable[str]) -> list[Sentence]:
    """The sentences that contain one of ``terms`` (case-insensitive, as whole words)."""
    patterns = [re.compile(rf"(?<!\w){re.escape(t)}(?!\w)", re.IGNORECASE) for t in terms]
    return [s for s in found if any(p.search(s.text) for p in patterns)]
