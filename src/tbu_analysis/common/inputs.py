"""The one way every input file is read and checked: text → YAML or CSV rows → pydantic model.

Each input kind (manifest, corrections, claims, findings, cost-sharing keys, scenario files,
names.csv, index.csv, billing_units.csv) declares a pydantic model with ``extra="forbid"``
(:class:`InputModel`), enums or ``Literal`` for every field with a fixed set of values, and
bounds for every number. This module turns what goes wrong into the project's one message:
file, line, key, text, and exit 2 from the CLI.

- :func:`read_text` refuses bytes that are not UTF-8 and drops a byte-order mark.
- :func:`load_yaml_model` reads YAML (keys remember their lines; aliases are refused) and
  validates it against a model.
- :func:`load_csv_models` reads a CSV file row by row into models, each row with its line.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import LineDict, parse_yaml

Model = TypeVar("Model", bound=BaseModel)


class InputModel(BaseModel):
    """Base of every input model: unknown keys are refused, and parsed inputs are frozen.

    Each model remembers the line its entry starts on in the input file (``input_line``), so
    checks that need other files can still point at the entry.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    _input_line: int | None = PrivateAttr(default=None)
    _key_lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_lines(cls, data: Any, handler: Any) -> Any:
        model = handler(data)
        if isinstance(model, InputModel) and isinstance(data, LineDict):
            model._input_line = data.line
            model._key_lines = dict(data.key_lines)
        return model

    @property
    def input_line(self) -> int | None:
        """The line in the input file where this entry starts, when known."""
        return self._input_line

    def line_of(self, key: str) -> int | None:
        """The line of one of this entry's keys in the input file (else the entry's)."""
        return self._key_lines.get(key, self._input_line)


def read_text(path: str | Path, what: str = "filen") -> str:
    """The file's text as UTF-8, without a byte-order mark; anything else is an InputError."""
    path = Path(path)
    if leaves_the_repository(path):
        raise InputError(f"{what} er en lenke som peker ut av prosjektet; den leses ikke",
                         path=path)
    if not path.is_file():
        raise InputError(f"{what} finnes ikke", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{what} kan ikke leses ({exc.strerror})", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 4]
        raise InputError(
            "filen er ikke UTF-8 (lagre den som UTF-8)",
            path=path, line=line, column=column, text=bad.hex(" "),
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("filen inneholder nullbyte (er den en tekstfil?)", path=path, line=line)
    return text.removeprefix("\ufeff")


def leaves_the_repository(path: Path) -> bool:
    """Whether ``path`` lies in a repository (a folder above it holds ``data/raw`` and
    ``pyproject.toml``) but is, or passes through, a symbolic link to somewhere outside it:
    such a file is refused by its own name, never read, and where it points is never shown."""
    absolute = Path(os.path.abspath(path))
    for folder in absolute.parents:
        if (folder / "data" / "raw").is_dir() and (folder / "pyproject.toml").is_file():
            return not absolute.resolve().is_relative_to(folder.resolve())
    return False


# --- YAML -------------------------------------------------------------------------------------


def load_yaml_data(path: str | Path) -> Any:
    """Parsed YAML whose mappings remember their keys' lines (see ``yamlio``)."""
    path = Path(path)
    return parse_yaml(read_text(path), path)


def load_yaml_model(path: str | Path, model: type[Model], *,
                    context: Mapping[str, Any] | None = None) -> Model:
    """Read ``path`` and validate it against ``model``; the first problem is an InputError."""
    path = Path(path)
    data = load_yaml_data(path)
    return validate(model, data, path, context=context)


def validate(model: type[Model], data: Any, path: str | Path, *,
             context: Mapping[str, Any] | None = None, line: int | None = None) -> Model:
    """``model.model_validate(data)`` with errors as the project's one message."""
    try:
        return model.model_validate(data, context=dict(context or {}, path=Path(path)))
    except ValidationError as exc:
        raise as_input_error(exc, model, data, path, line=line) from None


def as_input_error(exc: ValidationError, model: type[BaseModel], data: Any, path: str | Path, *,
                   line: int | None = None) -> InputError:
    """The first of pydantic's errors, located by the line of the deepest key it names."""
    errors = exc.errors(include_url=False)
    error = errors[0]
    if error["type"] == "missing":  # a misspelt key is both missing and unknown: say unknown
        error = next((e for e in errors if e["type"] == "extra_forbidden"), error)
    loc = tuple(error.get("loc", ()))
    found_line = _line_at(data, loc)
    key = _keypath(data, loc)
    text = error.get("input")
    if error["type"] == "missing" or isinstance(text, Mapping | list):
        text = None
    return InputError(
        _message(error, _allowed_keys(model, loc)),
        path=path,
        line=found_line if found_line is not None else line,
        key=key or None,
        text=None if text is None else str(text),
    )


def _line_at(data: Any, loc: Sequence[Any]) -> int | None:
    """The line of the deepest part of ``loc`` that the data remembers."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict):
            if part in node:
                line = node.line_of(part) or line
                node = node[part]
                continue
            line = node.line if line is None else line
            break
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
            continue
        break
    return line


def _keypath(data: Any, loc: Sequence[Any]) -> str:
    """``tables[3].columns.2.year``: list entries counted from 1, as people count them."""
    parts: list[str] = []
    node = data
    for part in loc:
        if str(part).startswith(("function-", "union[", "tagged-union[", "literal[")) or \
                part in {"str", "int", "float", "bool"}:
            continue  # pydantic's names for the branch it tried, not a key in the file
        if isinstance(node, list) and isinstance(part, int):
            parts.append(f"[{part + 1}]")
            node = node[part] if 0 <= part < len(node) else None
        else:
            parts.append(("." if parts else "") + str(part))
            node = node.get(part) if isinstance(node, Mapping) else None
    return "".join(parts)


def _allowed_keys(model: type[BaseModel], loc: Sequence[Any]) -> tuple[str, ...]:
    """The keys the model allows where an unknown key was found, for the message."""
    current: Any = model
    for part in loc[:-1]:
        current = _nested_model(current, part)
        if current is None:
            return ()
    if isinstance(current, type) and issubclass(current, BaseModel):
        return tuple(info.alias or name for name, info in current.model_fields.items())
    return ()


def _nested_model(annotation: Any, part: Any) -> Any:
    """Follow one step of a location through fields, lists, dicts and optionals."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {info.alias or name: info for name, info in annotation.model_fields.items()}
        return _unwrap(fields[part].annotation) if part in fields else None
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (list, tuple, Sequence) and args:
        return _unwrap(args[0])
    if origin in (dict, Mapping) and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` → ``X`` (the first model among union members)."""
    while True:
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin is Annotated:
            annotation = args[0]
            continue
        if origin in (Union, UnionType):
            members = [a for a in args if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = (models or members)[0]
            continue
        return annotation


def _message(error: Mapping[str, Any], allowed: Iterable[str]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "mangler"
    if kind == "extra_forbidden":
        allowed = tuple(allowed)
        return "ukjent nøkkel" + (f" (tillatt: {', '.join(allowed)})" if allowed else "")
    if kind in {"enum", "literal_error"}:
        expected = ctx.get("expected", "")
        return f"ugyldig verdi (tillatt: {expected.replace(' or ', ', ')})"
    if kind.startswith("int_") or kind == "int_from_float":
        return "må være et heltall"
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return "må være et tall"
    if kind.startswith("bool_"):
        return "må være true eller false"
    if kind.startswith("string_") and kind not in {"string_too_short", "string_too_long",
                                                    "string_pattern_mismatch"}:
        return "må være tekst"
    if kind == "string_too_short":
        return "kan ikke være tom"
    if kind == "string_too_long":
        return f"er for lang (høyst {ctx.get('max_length')} tegn)"
    if kind == "string_pattern_mismatch":
        return f"har ugyldig form (må passe {ctx.get('pattern')})"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "må være en tabell (nøkkel: verdi)"
    if kind in {"list_type", "tuple_type", "set_type"}:
        return "må være en liste"
    if kind == "too_short":
        return f"må ha minst {ctx.get('min_length')} element"
    if kind == "too_long":
        return f"kan ha høyst {ctx.get('max_length')} element"
    bounds = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<",
              "less_than_equal": "≤"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        if isinstance(limit, int | float) and not isinstance(limit, bool):
            limit = f"{limit:g}".replace(".", ",")  # 2000 and -50 as written, 0,5 not 0.5
        return f"må være {bounds[kind]} {limit}"
    if kind == "finite_number":
        return "må være et endelig tall"
    if kind in {"value_error", "assertion_error"}:
        return str(error.get("msg", "")).removeprefix("Value error, ").removeprefix(
            "Assertion failed, ")
    return str(error.get("msg", kind))


def enum_values(enum: type[Enum]) -> str:
    """The allowed values of an enum, for schema notes and messages."""
    return ", ".join(str(member.value) for member in enum)


# --- CSV --------------------------------------------------------------------------------------


def load_csv_models(path: str | Path, model: type[Model], *, what: str = "filen",
                    context: Mapping[str, Any] | None = None) -> list[tuple[int, Model]]:
    """Each data row of a CSV file as ``(line, model)``; the header must name the model's
    required fields and no unknown ones, and every row must have the header's width."""
    path = Path(path)
    text = read_text(path, what)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{what} er tom", path=path) from None
    header = [name.strip() for name in header]
    fields = model.model_fields
    required = [name for name, info in fields.items() if info.is_required()]
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(f"{what} mangler kolonnene {', '.join(missing)} i overskriften",
                         path=path, line=1, text=",".join(header))
    unknown = [name for name in header if name not in fields]
    if unknown:
        raise InputError(f"ukjent kolonne (tillatt: {', '.join(fields)})", path=path, line=1,
                         text=unknown[0])
    rows: list[tuple[int, Model]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise InputError(f"raden har {len(cells)} celler, overskriften {len(header)}",
                                 path=path, line=line, text=",".join(cells))
            data = LineDict(zip(header, cells, strict=True))
            data.line, data.key_lines = line, {}
            try:
                rows.append((line, validate(model, data, path, context=context, line=line)))
            except InputError as exc:  # a CSV names columns, not keys
                raise InputError(exc.message, path=path, line=line, column=exc.key,
                                 text=exc.text) from None
    except csv.Error as exc:
        raise InputError(f"ugyldig CSV: {exc}", path=path, line=reader.line_num) from None
    return rows
