"""A new round from a new source text: `tbu new-round` (``make round NEW= FROM= SOURCE=``).

The previous round's folder is the template. The new round gets:

- the source copied in verbatim, with its SHA-256 in the manifest;
- each table of the previous manifest found again in the new source by its caption and header
  lines (exactly, else the most similar block), its ``lines:`` range and raw ``.tsv`` file
  written from the new source (a table not found is reported, and keeps its old range so
  `tbu check` stops on it);
- every register carried over, each quote re-anchored in the new source: unchanged, moved
  (another section), changed (same place, new words or numbers: old and new shown) or gone;
- the index rates found again by the words the previous source printed them with («justert
  med 4,121 %» → «justert med 3,5 %»); a rate not found is left out, never carried over;
- ``previous_round:`` set, and a review list (``GJENNOMGANG.md``) of every entry the analyst
  must look at, grouped by register. Nothing is guessed: title, label and season are emptied
  for the analyst to fill in from the new source.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tbu_analysis.common.atomic import write_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import load_yaml_data, read_text
from tbu_analysis.config import round_paths, validate_round_id

REVIEW_FILE = "GJENNOMGANG.md"
REGISTERS = ("corrections.yaml", "claims.yaml", "explanations.yaml", "conditions.yaml",
             "findings.yaml", "previous_round.yaml", "scope.yaml", "abbreviations.yaml")
CARRIED = ("names.csv", "billing_units.csv")
#: How alike a block or a passage must be to count as the same place with new words.
SIMILAR = 0.6
_HEADING = re.compile(r"^#+\s+(.*)$")
_NUMBER = re.compile(r"\d+(?:[ \u00a0]\d{3})*(?:,\d+)?")


@dataclass
class Review:
    """What the analyst must look at, per register (file name → Markdown lines)."""

    sections: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, group: str, line: str, status: str = "") -> None:
        self.sections.setdefault(group, []).append(line)
        if status:
            self.counts[status] = self.counts.get(status, 0) + 1

    def markdown(self, new_id: str, previous: str) -> str:
        lines = [f"# Gjennomgang av runden {new_id} (laget fra {previous})", "",
                 "Alt under er overført fra forrige runde eller funnet igjen i den nye kilden. "
                 "Se på hver linje, rett filen den nevner, og kjør `make check ROUND="
                 f"{new_id}` til den sier at alle inndata er i orden.", ""]
        if self.counts:
            lines += ["Sitater: " + ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
                      + ".", ""]
        for group, entries in self.sections.items():
            lines += [f"## {group}", "", *entries, ""]
        return "\n".join(lines)


# --- the source -----------------------------------------------------------------------------


def sections_of(lines: list[str]) -> list[str]:
    """The heading each line stands under (the nearest Markdown heading above it)."""
    current, found = "", []
    for line in lines:
        match = _HEADING.match(line)
        if match:
            current = match[1].strip()
        found.append(current)
    return found


def line_map(old: list[str], new: list[str]) -> dict[int, int]:
    """Each old line index → the new line at the same place (difflib's alignment)."""
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        for offset, index in enumerate(range(a0, a1)):
            if tag == "equal":
                mapping[index] = b0 + offset
            elif b1 > b0:
                mapping[index] = min(b0 + offset, b1 - 1)
    return mapping


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundTable:
    id: str
    old: tuple[int, int]
    new: tuple[int, int] | None
    how: str  # "samme", "endret overskrift", "ikke funnet"
    changed_lines: tuple[tuple[str, str], ...] = ()


def _block_end(lines: list[str], start: int) -> int:
    """The last line of the table starting at ``start`` (0-based): rows run on while the next
    line has text, or is blank with another tab-separated row after it."""
    end = start
    while end + 1 < len(lines):
        if lines[end + 1].strip():
            end += 1
        elif end + 2 < len(lines) and "\t" in lines[end + 2]:
            end += 2
        else:
            break
    return end


def find_tables(tables: list[dict], old: list[str], new: list[str]) -> list[FoundTable]:
    """Each table's caption and header lines found again in the new source, in order: the
    k-th exact occurrence for the k-th old one, else the most alike block start."""
    starts = [i for i, line in enumerate(new)
              if "\t" in line and (i == 0 or not new[i - 1].strip())]
    found = []
    taken: set[int] = set()
    for table in tables:
        first, last = table["lines"]
        head = old[first - 1: first - 1 + int(table["header_rows"])]
        same_before = sum(1 for t in tables if t is not table and t["lines"][0] < first
                          and old[t["lines"][0] - 1: t["lines"][0] - 1 + len(head)] == head)
        exact = [i for i in starts if new[i: i + len(head)] == head]
        if len(exact) > same_before and exact[same_before] not in taken:
            start, how, changed = exact[same_before], "samme", ()
        else:
            def likeness(i: int, head: list[str] = head) -> float:
                return difflib.SequenceMatcher(None, "\n".join(head),
                                               "\n".join(new[i: i + len(head)])).ratio()
            candidates = sorted((i for i in starts if i not in taken), key=likeness,
                                reverse=True)
            if not candidates or likeness(candidates[0]) < SIMILAR:
                found.append(FoundTable(table["id"], (first, last), None, "ikke funnet"))
                continue
            start, how = candidates[0], "endret overskrift"
            changed = tuple((a, b) for a, b in zip(head, new[start: start + len(head)],
                                                   strict=False) if a != b)
        taken.add(start)
        end = _block_end(new, start)
        found.append(FoundTable(table["id"], (first, last), (start + 1, end + 1), how, changed))
    return found


# --- quotes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchored:
    status: str  # uendret, flyttet, endret, borte
    old_section: str = ""
    new_section: str = ""
    new_text: str = ""


def _line_of(quote: str, lines: list[str]) -> int | None:
    target = collapse(quote)
    for index, line in enumerate(lines):
        if target in collapse(line):
            return index
    return None


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", collapse(text)) if s]


def _closest_passage(quote: str, line: str) -> tuple[str, float]:
    """The run of sentences in ``line`` most like ``quote`` (as many as the quote has)."""
    sentences = _sentences(line)
    size = max(1, len(_sentences(quote)))
    best, score = "", 0.0
    for start in range(max(1, len(sentences) - size + 1)):
        passage = " ".join(sentences[start: start + size])
        # A quote may be part of a sentence: compare with the passage's most alike stretch.
        matcher = difflib.SequenceMatcher(None, collapse(quote), passage, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if blocks:
            begin = max(0, blocks[0].b - blocks[0].a)
            stretch = passage[begin: begin + len(collapse(quote)) + 20]
            stretch = _trim_to(stretch, collapse(quote))
            if collapse(quote)[-1:].isalnum():
                stretch = stretch.rstrip(".,;:")
            ratio = difflib.SequenceMatcher(None, collapse(quote), stretch).ratio()
            if ratio > score:
                best, score = stretch, ratio
    return best, score


def _trim_to(stretch: str, quote: str) -> str:
    """Cut ``stretch`` after the word the quote ends with, when the quote ends a sentence
    or a word, so the new text shown is as long as the old."""
    words, target = stretch.split(" "), len(quote.split(" "))
    return " ".join(words[:max(target, 1)])


def anchor(quote: str, old: list[str], new: list[str], new_text: str, mapping: dict[int, int],
           old_sections: list[str], new_sections: list[str]) -> Anchored:
    """Where the quote stands in the new source, compared with where it stood in the old."""
    at_old = _line_of(quote, old)
    old_section = old_sections[at_old] if at_old is not None else ""
    if collapse(quote) in new_text:
        at_new = _line_of(quote, new)
        new_section = new_sections[at_new] if at_new is not None else ""
        if at_old is not None and at_new is not None and old_section != new_section:
            return Anchored("flyttet", old_section, new_section)
        return Anchored("uendret", old_section, new_section)
    if at_old is not None and at_old in mapping:
        candidates = [mapping[at_old] + d for d in (0, -1, 1, -2, 2)
                      if 0 <= mapping[at_old] + d < len(new) and new[mapping[at_old] + d].strip()]
        best = max((_closest_passage(quote, new[i]) + (i,) for i in candidates),
                   key=lambda found: found[1], default=("", 0.0, None))
        if best[1] >= SIMILAR:
            return Anchored("endret", old_section, new_sections[best[2]], best[0])
    return Anchored("borte", old_section)


def _quotes(data, path: str = ""):
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "quote" and isinstance(value, str):
                yield where, data.line_of(key) if hasattr(data, "line_of") else None, value
            else:
                yield from _quotes(value, where)
    elif isinstance(data, list):
        for number, value in enumerate(data, start=1):
            yield from _quotes(value, f"{path}[{number}]")


# --- index rates ----------------------------------------------------------------------------


def _pattern(quote: str) -> re.Pattern:
    """The quote with each number a wildcard and whitespace free."""
    parts = []
    for piece in re.split(f"({_NUMBER.pattern})", collapse(quote)):
        if _NUMBER.fullmatch(piece):
            parts.append(f"({_NUMBER.pattern})")
        else:
            parts.append(r"\s*".join(re.escape(word) for word in piece.split(" ")))
    return re.compile(r"\s*".join(p for p in parts if p))


def rerate(index_text: str, old_text: str, new_text: str, review: Review
           ) -> tuple[str, dict[str, str]]:
    """index.csv for the new round: each rate found again by the quote its ``source`` gives
    («…»), with the new number and quote; a rate not found is left out."""
    rows = list(csv.reader(io.StringIO(index_text)))
    header, kept, renamed = rows[0], [rows[0]], {}
    at = {name: header.index(name) for name in header}
    for row in rows[1:]:
        if not row:
            continue
        source = row[at["source"]]
        rate = row[at["rate_pct"]]
        quotes = re.findall(r"«([^»]+)»", source)
        quote = next((q for q in quotes if rate in q and collapse(q) in collapse(old_text)), None)
        match = None
        if quote is not None:  # the same rate wherever the words stand (Tabell 1 and 3)
            matches = list(_pattern(quote).finditer(new_text))
            position = _NUMBER.findall(collapse(quote)).index(rate) + 1
            rates = {m.group(position) for m in matches}
            match = matches[0] if len(rates) == 1 else None
        year = f"{row[at['from_year']]}→{row[at['to_year']]}"
        if match is None:
            review.add("index.csv", f"- {year}: satsen {rate} % fant ikke igjen i den nye "
                       "kilden (raden er tatt ut: skriv inn satsen kilden oppgir, med sitat)")
            continue
        numbers = _NUMBER.findall(collapse(quote))
        position = numbers.index(rate)
        new_rate = match.group(position + 1)
        new_quote = collapse(match.group(0))
        row[at["rate_pct"]] = new_rate
        row[at["source"]] = source.replace(f"«{quote}»", f"«{new_quote}»")
        if new_rate != rate:
            renamed[rate] = new_rate
        review.add("index.csv", f"- {year}: {rate} % → **{new_rate} %** («{new_quote}»); "
                   "se over dokumentnavnene i `source`")
        kept.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    return out.getvalue(), renamed


# --- the round ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaffolded:
    folder: Path
    review: Path
    tables: list[FoundTable]
    counts: dict[str, int]


def _set_line(text_lines: list[str], number: int, pattern: str, replacement: str) -> None:
    line = text_lines[number - 1]
    text_lines[number - 1] = re.sub(pattern, replacement, line, count=1)


def new_round(root: Path, new_id: str, previous: str, source: Path) -> Scaffolded:
    """Create ``data/raw/<new_id>/`` from ``previous`` and the new source text."""
    new_id = validate_round_id(new_id)
    old_paths = round_paths(previous, root)
    folder = old_paths.project.raw / new_id
    if folder.exists():
        raise InputError("runden finnes allerede (slett mappen først om den skal lages på nytt)",
                         path=folder)
    new_text = read_text(source, "den nye kildeteksten")
    manifest_path = old_paths.manifest
    manifest = load_yaml_data(manifest_path)
    old_source = root / manifest["source"]["file"]
    old_text = read_text(old_source, "forrige rundes kildetekst")
    old, new = old_text.split("\n"), new_text.split("\n")
    review = Review()

    staging = folder.with_name(f".{new_id}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "source").mkdir(parents=True)
    (staging / "tables").mkdir()
    target_source = staging / "source" / source.name
    shutil.copyfile(source, target_source)
    digest = hashlib.sha256(target_source.read_bytes()).hexdigest()
    relative_source = (folder / "source" / source.name).relative_to(root).as_posix()

    # Tables: found again, their lines and raw files from the new source.
    text_lines = read_text(manifest_path).split("\n")
    found = find_tables(list(manifest["tables"]), old, new)
    for table, where in zip(manifest["tables"], found, strict=True):
        file = staging / table["file"]
        file.parent.mkdir(parents=True, exist_ok=True)
        label = f"- `{table['id']}` ({table['number']}, {table['title']})"
        if where.new is None:
            review.add("Tabeller (manifest.yaml)", f"{label}: **ikke funnet** i den nye kilden; "
                       f"før inn `lines:` og tabellfilen for hånd, eller ta tabellen ut")
            shutil.copyfile(old_paths.raw / table["file"], file)
            continue
        first, last = where.new
        write_text(file, "\n".join(new[first - 1: last]) + "\n")
        _set_line(text_lines, table.line_of("lines"), r"\[\s*\d+\s*,\s*\d+\s*\]",
                  f"[{first}, {last}]")
        rows_old, rows_new = where.old[1] - where.old[0] + 1, last - first + 1
        notes = []
        if where.how != "samme":
            notes.append("overskriften er endret: " + "; ".join(
                f"«{collapse(a)}» → «{collapse(b)}»" for a, b in where.changed_lines)
                + " (se over `title`, `columns`' `header` og år)")
        if rows_new != rows_old:
            notes.append(f"{rows_new - rows_old:+d} linjer ({rows_old} → {rows_new}): se over "
                         "`totals`, rettelser og navn")
        old_rows = set(old[where.old[0] - 1: where.old[1]])
        changed_rows = sum(1 for line in new[first - 1: last] if line not in old_rows)
        if changed_rows and not notes:
            notes.append(f"{changed_rows} rader har nye tall eller ord")
        status = "; ".join(notes) if notes else "uendret"
        review.add("Tabeller (manifest.yaml)",
                   f"{label}: linje {where.old[0]}–{where.old[1]} → {first}–{last}; {status}")

    documents = sorted({t["document"] for t in manifest["tables"] if t.get("document")})
    for document in documents:
        count = sum(1 for t in manifest["tables"] if t.get("document") == document)
        review.add("Tabeller (manifest.yaml)", f"- `document: {document}` ({count} tabeller) "
                   "er forrige rundes dokument: skriv den nye kildens navn")
    for table in manifest["tables"]:
        if collapse(str(table["title"]).rstrip("*")) not in collapse(new_text):
            review.add("Tabeller (manifest.yaml)", f"- `{table['id']}`: tittelen "
                       f"«{table['title']}» står ikke i den nye kilden")

    # The manifest's round, source, previous round; what the new source must tell.
    replacements = {"round": new_id, "previous_round": previous}
    for key, value in replacements.items():
        if key in manifest:
            _set_line(text_lines, manifest.line_of(key), rf"^(\s*{key}:\s*)\S+(.*)$",
                      rf"\g<1>{value}")
    if "previous_round" not in manifest:
        at = manifest.line_of("round")
        text_lines.insert(at, f"previous_round: {previous}")
    manifest = load_yaml_data(manifest_path)  # (line numbers below are before the insert)
    shift = 0 if "previous_round" in manifest else 1
    source_entry = manifest["source"]
    _set_line(text_lines, source_entry.line_of("file") + shift, r"(file:\s*)\S+",
              rf"\g<1>{relative_source}")
    _set_line(text_lines, source_entry.line_of("sha256") + shift, r"(sha256:\s*)[0-9a-f]{64}",
              rf"\g<1>{digest}")
    for key in ("title", "label", "season"):
        if key in manifest:
            _set_line(text_lines, manifest.line_of(key) + shift, rf"^({key}:\s*).*$",
                      rf'\g<1>""  # FYLL INN fra den nye kilden (var: {manifest[key]})'
                      if key != "season" else r"\g<1>  # FYLL INN: vår eller høst")
    review.add("Runden (manifest.yaml)", "- `title`, `label` og `season`: fyll inn fra den nye "
               "kilden (forrige rundes verdier er tatt ut, ikke overført)")
    review.add("Runden (manifest.yaml)", "- `source.description`: forrige rundes beskrivelse "
               "av dokumentet; skriv den nye")
    review.add("Runden (manifest.yaml)", f"- `previous_round: {previous}`; `source.sha256` "
               f"er {digest}")

    # Index rates, and the price bases and footnotes that print them.
    index_text, renamed = rerate(read_text(old_paths.index), old_text, new_text, review)
    old_relative = old_source.relative_to(root).as_posix()
    index_text = index_text.replace(old_relative, relative_source)  # the copy it quotes
    write_text(staging / "index.csv", index_text)
    manifest_text = "\n".join(text_lines)
    for old_rate, new_rate in renamed.items():
        count = manifest_text.count(f"{old_rate} %") + manifest_text.count(f"{old_rate}%")
        manifest_text = re.sub(rf"{re.escape(old_rate)}(\s*%)", rf"{new_rate}\g<1>", manifest_text)
        review.add("Runden (manifest.yaml)", f"- prisgrunnlag og fotnoter: «{old_rate} %» → "
                   f"«{new_rate} %» ({count} steder); se over årene i `price_bases`")
    write_text(staging / "manifest.yaml", manifest_text)

    for name in CARRIED:
        if (old_paths.raw / name).is_file():
            shutil.copyfile(old_paths.raw / name, staging / name)
    names = read_text(old_paths.names)
    missing = [row[1] for row in csv.reader(io.StringIO(names))][1:]
    missing = [n for n in missing if n and collapse(n) not in collapse(new_text)]
    for name in missing:
        review.add("names.csv", f"- «{name}» står ikke lenger i den nye kilden (trengs navnet?)")

    # Registers: carried over, each quote re-anchored.
    mapping = line_map(old, new)
    old_sections, new_sections = sections_of(old), sections_of(new)
    collapsed_new = collapse(new_text)
    for name in REGISTERS:
        path = old_paths.raw / name
        if not path.is_file():
            continue
        shutil.copyfile(path, staging / name)
        data = load_yaml_data(path)
        for key, line, quote in _quotes(data):
            found_at = anchor(quote, old, new, collapsed_new, mapping, old_sections,
                              new_sections)
            where = f"linje {line}, `{key}`"
            if found_at.status == "uendret":
                review.counts["uendret"] = review.counts.get("uendret", 0) + 1
                continue
            if found_at.status == "flyttet":
                text = (f"- {where}: **flyttet** fra «{found_at.old_section}» til "
                        f"«{found_at.new_section}»: se over `section`")
            elif found_at.status == "endret":
                text = (f"- {where}: **endret** (i «{found_at.new_section}»)\n"
                        f"  - før: «{collapse(quote)}»\n  - nå:  «{found_at.new_text}»\n"
                        "  - rett sitatet og tallene som hører til (verdi, beløp, deler)")
            else:
                text = (f"- {where}: **borte** fra den nye kilden: «{collapse(quote)[:160]}»; "
                        "ta oppføringen ut eller finn det nye stedet")
            review.add(name, text, found_at.status)
        if name == "findings.yaml" and data and data.get("findings"):
            review.add(name, f"- {len(data['findings'])} funn viser til kontroller i forrige "
                       "runde: kjør `make analysis ROUND=…` og se over hvert (et funn som ikke "
                       "lenger er et avvik, stopper kjøringen)")
        if name == "previous_round.yaml" and data and data.get("statements"):
            review.add(name, f"- {len(data['statements'])} utsagn handlet om runden før "
                       f"{previous}; det nye forrige runde er {previous}: behold bare det den "
                       "nye kilden sier om den (med `year` og `measure` sjekkes `total` mot "
                       "tabellene)")
        if name == "corrections.yaml" and data and data.get("corrections"):
            for entry in data["corrections"]:
                review.add(name, f"- rettelse `{entry.get('id')}` ({entry.get('table')}): "
                           "gjelder feilen fortsatt i den nye kilden?")
    review_path = staging / REVIEW_FILE
    write_text(review_path, review.markdown(new_id, previous))
    staging.rename(folder)
    return Scaffolded(folder, folder / REVIEW_FILE, found, dict(review.counts))
