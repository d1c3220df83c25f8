"""Read YAML keeping line numbers, so messages about data files can point at the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class LineDict(dict):
    """A mapping that remembers the source line of each key (1-based)."""

    key_lines: dict[Any, int]
    line: int

    def line_of(self, key: Any) -> int | None:
        return self.key_lines.get(key, getattr(self, "line", None))


class LineList(list):
    line: int


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.key_lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise InputError(
                "nøkkelen står to ganger",
                path=getattr(loader, "path", None),
                line=key_node.start_mark.line + 1,
                text=str(key),
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file; mappings are ``LineDict`` and lists ``LineList``."""
    path = Path(path)
    if not path.is_file():
        raise InputError("filen finnes ikke", path=path)
    text = path.read_text(encoding="utf-8")
    loader = _LineLoader(text)
    loader.path = path  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(
            f"ugyldig YAML: {exc.problem}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    finally:
        loader.dispose()


def line_of(mapping: Any, key: Any = None) -> int | None:
    """The line of ``key`` in ``mapping`` (or of the mapping itself), when known."""
    if isinstance(mapping, LineDict):
        return mapping.line_of(key) if key is not None else mapping.line
    return getattr(mapping, "line", None)
