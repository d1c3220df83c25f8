"""Read YAML keeping line numbers, so messages about data files can point at the line."""

from __future__ import annotations

import copy
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

from tbu_analysis.common.errors import InputError


class LineDict(dict):
    """A mapping that remembers the source line of each key (1-based)."""

    key_lines: dict[Any, int]
    line: int

    def line_of(self, key: Any) -> int | None:
        return self.key_lines.get(key, getattr(self, "line", None))


class LineList(list):
    line: int


MAX_NODES = 100_000


class _LineLoader(yaml.SafeLoader):
    """Aliases (``*name``) may reuse anchored values, but the document they expand to is capped
    at ``MAX_NODES`` values (a "billion laughs" file is refused before it is built)."""

    def compose_document(self) -> Any:
        return _capped(self, super().compose_document())


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`_LineLoader` on libyaml's parser (the same nodes and marks, about ten times
    faster). Only for documents it reads without a problem: a problem is reported by the
    pure-Python loader, so the message is the same either way (see :func:`_parse_yaml`)."""

    def get_single_node(self) -> Any:
        return _capped(self, super().get_single_node())


def _capped(loader: Any, node: yaml.Node | None) -> Any:
    """``node``, unless its aliases expand it beyond ``MAX_NODES`` values or into itself."""
    if node is None:
        return node
    sizes: dict[int, int] = {}
    try:
        size = _expanded_size(node, sizes, set())
    except InputError as exc:
        raise InputError(exc.message, path=getattr(loader, "path", None), line=exc.line) from None
    if size > MAX_NODES:
        raise InputError(
            f"YAML-aliasene utvider dokumentet til over {MAX_NODES} verdier",
            path=getattr(loader, "path", None),
        )
    return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values the node stands for once every alias is written out."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise InputError("YAML-aliaset peker på seg selv", line=node.start_mark.line + 1)
    open_nodes.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes, open_nodes) + _expanded_size(v, sizes, open_nodes)
                    for k, v in node.value)
    open_nodes.discard(key)
    sizes[key] = min(size, MAX_NODES + 1)
    return sizes[key]


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


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


#: Parsed documents by their text, so the notebooks of a run, which share one kernel, parse
#: each data file once (the pure-Python parser keeping line numbers is slow), and a copy of a
#: round (the tests' throwaway repos) is not parsed again. Keyed by the text itself: an edited
#: file is parsed again. The path only names the file in an error, and errors are not kept.
#: Callers get a copy they may change.
_PARSED: OrderedDict[str, Any] = OrderedDict()
_PARSED_MAX = 32


def parse_yaml(text: str, path: str | Path | None = None) -> Any:
    """Parse YAML text; aliases are capped (see ``_LineLoader``)."""
    key = text
    if key in _PARSED:
        _PARSED.move_to_end(key)
    else:
        _PARSED[key] = _parse_yaml(text, path)
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return copy.deepcopy(_PARSED[key])


def _parse_yaml(text: str, path: str | Path | None) -> Any:
    """libyaml's parser when it reads the text without a problem; else the pure-Python
    loader, whose message (and line and column) the user gets."""
    loader = _FastLineLoader(text)
    loader.path = path  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except (yaml.YAMLError, InputError):
        pass  # said below, as the pure-Python parser says it
    finally:
        loader.dispose()
    return _parse_yaml_slowly(text, path)


def _parse_yaml_slowly(text: str, path: str | Path | None) -> Any:
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
    except yaml.YAMLError as exc:
        raise InputError(f"ugyldig YAML: {exc}", path=path) from None
    finally:
        loader.dispose()


def line_of(mapping: Any, key: Any = None) -> int | None:
    """The line of ``key`` in ``mapping`` (or of the mapping itself), when known."""
    if isinstance(mapping, LineDict):
        return mapping.line_of(key) if key is not None else mapping.line
    return getattr(mapping, "line", None)
