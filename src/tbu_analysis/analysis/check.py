"""One check of every input of a round, first: every problem listed at once, grouped by file.

`tbu check` (``make check``), `tbu clean` and `tbu report` start here, so no register error
surfaces first inside a notebook and nothing is written while any input is wrong:

- every ``quote`` of every register (claims, explanations, conditions, findings' questions,
  previous-round statements and mandate, correction evidence, and any register added later)
  must stand in the round's shipped source text;
- every register entry is validated on its own against its model, so ten bad entries give
  ten lines, not one per run;
- the round's names, index rates and billing units are read, and every price basis that says
  by how much it raised a year («justert med 4,121 %») is checked against the round's rates;
- then the round is cleaned and analysed in memory (``pipeline.prepare_round``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tbu_analysis.analysis.abbreviations import AbbreviationsFile
from tbu_analysis.analysis.assessment import AssessmentFile
from tbu_analysis.analysis.claims import ClaimsFile
from tbu_analysis.analysis.comparison import PreviousRoundFile, load_previous_round
from tbu_analysis.analysis.explanations import ConditionsFile, ExplanationsFile, as_quoted
from tbu_analysis.analysis.findings import FindingsFile
from tbu_analysis.analysis.indexing import PriceIndex, check_price_bases
from tbu_analysis.analysis.scope import ScopeFile
from tbu_analysis.analysis.series import load_billing_units
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, as_input_error, load_yaml_data, read_text
from tbu_analysis.common.yamlio import LineDict
from tbu_analysis.config import RoundPaths
from tbu_analysis.rounds.corrections import CorrectionsFile
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import NameMap

#: Longest offending text a message shows (a stale quote can be a paragraph).
MAX_TEXT = 200


def _registers() -> dict[str, type[InputModel]]:
    """Each register file of a round and the model of the whole file."""
    return {"corrections.yaml": CorrectionsFile, "claims.yaml": ClaimsFile,
            "findings.yaml": FindingsFile, "explanations.yaml": ExplanationsFile,
            "conditions.yaml": ConditionsFile, "previous_round.yaml": PreviousRoundFile,
            "scope.yaml": ScopeFile, "assessment.yaml": AssessmentFile,
            "abbreviations.yaml": AbbreviationsFile}


class CheckFailed(InputError):
    """Every problem found in a round's inputs; printed grouped by file."""

    def __init__(self, round_id: str, problems: list[InputError], root: Path | None = None):
        self.round_id = round_id
        self.problems = problems
        self.root = root
        super().__init__(f"{len(problems)} feil i inndataene til runden {round_id}")
        first = problems[0] if len(problems) == 1 else None  # as the one error, for callers
        self.path, self.line = (first.path, first.line) if first else (None, None)
        self.column, self.key = (first.column, first.key) if first else (None, None)
        self.text = first.text if first else None
        self.message = first.message if first else self.message

    def __str__(self) -> str:
        if len(self.problems) == 1:  # one problem: the project's usual one-line message
            return str(self.problems[0])
        return format_problems(self.round_id, self.problems, self.root)


def _shown(path: Path | None, root: Path | None) -> str:
    if path is None:
        return "(uten fil)"
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path)


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    text = collapse(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def format_problems(round_id: str, problems: list[InputError], root: Path | None = None) -> str:
    """«N feil …» then, per file in the order first met, one line per problem: line, key,
    message and (at most 200 characters of) the text."""
    files: dict[str, list[InputError]] = {}
    for problem in problems:
        files.setdefault(_shown(problem.path, root), []).append(problem)
    lines = [f"{len(problems)} feil i inndataene til runden {round_id} (ingenting er skrevet):"]
    for name, found in files.items():
        lines.append(f"  {name}")
        for problem in sorted(found, key=lambda p: (p.line or 0)):
            where = ", ".join(part for part in (
                f"linje {problem.line}" if problem.line is not None else "",
                f"kolonne {problem.column}" if problem.column is not None else "",
                f"nøkkel {problem.key}" if problem.key else "") if part)
            text = _short(problem.text)
            shown = f": «{text}»" if text is not None else ""
            lines.append(f"    {where + ': ' if where else ''}{problem.message}{shown}")
    return "\n".join(lines)


# --- quotes ------------------------------------------------------------------------------------


def quotes_in(data: Any, path: str = "") -> Iterator[tuple[str, int | None, str]]:
    """Every ``quote`` in a register, wherever it sits: (key path, line, quote)."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "quote" and isinstance(value, str):
                line = data.line_of(key) if isinstance(data, LineDict) else None
                yield where, line, value
            else:
                yield from quotes_in(value, where)
    elif isinstance(data, list):
        for number, value in enumerate(data, start=1):
            yield from quotes_in(value, f"{path}[{number}]")


def stale_quotes(path: Path, data: Any, source: str) -> list[InputError]:
    """Each quote of the register that does not stand in the (collapsed) source text."""
    return [InputError("sitatet finnes ikke i kilden", path=path, line=line, key=key, text=quote)
            for key, line, quote in quotes_in(data) if as_quoted(quote) not in source]


# --- register entries, one by one ----------------------------------------------------------------


def _list_fields(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The model's fields that are lists of models (the register's entries)."""
    found = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        while get_origin(annotation) is not None and get_origin(annotation) is not list:
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if args else None
        if get_origin(annotation) is list:
            (item,) = get_args(annotation)
            item = get_args(item)[0] if get_args(item) and not isinstance(item, type) else item
            if isinstance(item, type) and issubclass(item, BaseModel):
                found[name] = item
    return found


def entry_problems(path: Path, data: Any, model: type[InputModel]) -> list[InputError]:
    """Every entry of every list in the register validated on its own (quotes are checked
    against the source separately), then the file as a whole if its entries are sound."""
    problems: list[InputError] = []
    if isinstance(data, dict):
        for name, item_model in _list_fields(model).items():
            entries = data.get(name)
            if not isinstance(entries, list):
                continue
            for number, entry in enumerate(entries):
                try:
                    item_model.model_validate(entry, context={"path": path})
                except ValidationError as exc:
                    error = as_input_error(exc, item_model, entry, path,
                                           line=getattr(entry, "line", None))
                    key = f"{name}[{number + 1}]" + (f".{error.key}" if error.key else "")
                    problems.append(InputError(error.message, path=path, line=error.line,
                                               key=key, text=error.text))
    if not problems:
        try:
            model.model_validate(data, context={"path": path})
        except ValidationError as exc:
            problems.append(as_input_error(exc, model, data, path))
    return problems


# --- the whole round -----------------------------------------------------------------------------


def _collect(problems: list[InputError], step: Callable[[], Any]) -> Any:
    try:
        return step()
    except CheckFailed as failed:
        problems.extend(failed.problems)
    except InputError as error:
        problems.append(error)
    return None


def _entry_of(key: str | None) -> str | None:
    """``claims[4]`` for ``claims[4].value``: the register entry a key is in."""
    return key.rsplit(".", 1)[0] if key and "." in key else key


def _shipped_source(paths: RoundPaths, manifest: Any) -> Path | None:
    """The round's source text, when the manifest names a file inside the round's folder."""
    name = manifest.source.get("file")
    if not name or Path(name).is_absolute():
        return None
    path = (paths.root / name).resolve()
    inside = path.is_relative_to(paths.raw.resolve())
    return path if inside and path.is_file() else None


def check_inputs(paths: RoundPaths) -> list[InputError]:
    """Every problem the round's files show on their own and against the source text and
    the round's rates (the cheap part of the check; cleaning and analysis come after)."""
    problems: list[InputError] = []
    manifest = _collect(problems, lambda: load_manifest(paths.manifest))
    if manifest is not None:  # what a scaffolded round leaves for the analyst to fill in
        for key, value in (("season", manifest.season), ("title", manifest.title)):
            if not value:
                problems.append(InputError("mangler (fyll inn fra rundens kilde)",
                                           path=paths.manifest, key=key))
    source = None
    shipped = _shipped_source(paths, manifest) if manifest is not None else None
    if shipped is not None:  # a source outside the round is never read (cleaning says so)
        text = _collect(problems, lambda: read_text(shipped, "kildeteksten"))
        source = collapse(text) if text is not None else None
    registers = _registers()
    others = sorted(p.name for p in paths.raw.glob("*.yaml")
                    if p.name not in registers and p.name != paths.manifest.name)
    for name in [*registers, *others]:
        path = paths.raw / name
        if not path.is_file():
            continue
        data = _collect(problems, lambda path=path: load_yaml_data(path))
        if data is None:
            continue
        stale = stale_quotes(path, data, source) if source is not None else []
        problems += stale  # every quote of every register, known or added later
        if name in registers:
            # An entry whose quote is gone is one problem: what it says of its own quote
            # (a value printed in it) follows from that.
            gone = {_entry_of(p.key) for p in stale}
            problems += [p for p in entry_problems(path, data, registers[name])
                         if _entry_of(p.key) not in gone]
    # Names a previous round? Its quotes are read against the source, so only a readable one
    # (a source outside the round is one problem, said by the manifest's check).
    if source is not None and not any(p.path == paths.raw / "previous_round.yaml"
                                      for p in problems):
        _collect(problems, lambda: load_previous_round(paths))
    _collect(problems, lambda: NameMap.from_csv(paths.names))
    _collect(problems, lambda: load_billing_units(paths.billing_units)
             if paths.billing_units.is_file() else None)
    index = _collect(problems, lambda: PriceIndex.from_csv(paths.index))
    if manifest is not None and index is not None:
        problems += check_price_bases(manifest, index)
    return problems


def merge(problems: list[InputError], more: list[InputError]) -> list[InputError]:
    """``problems`` and those of ``more`` not already among them (a quote found stale by the
    register pass and again by the claims loader is one problem, and so is what the loader
    then says of the same entry)."""
    seen = {(str(p.path), p.line) for p in problems}
    entries = {(str(p.path), _entry_of(p.key)) for p in problems if p.key}
    return [*problems, *(p for p in more if (str(p.path), p.line) not in seen
                         and (str(p.path), _entry_of(p.key)) not in entries)]
