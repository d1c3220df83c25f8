"""The project's one Jinja2 environment: every Norwegian sentence a report prints is a template.

Reports and scenarios both render prose through :func:`environment`, so a figure in a sentence
is formatted by the same Babel filters (``common/formatting``) as the figure in a table, an
unknown name in a template is an error (``StrictUndefined``) rather than an empty gap, and an
economist edits a sentence in a template file, not in Python.

Templates live in a package folder (``reports/templates/prose``); ``override`` puts another
folder first, so a test (or a reader trying a wording) can replace one template without touching
the package. Autoescape is on for ``.html``/``.html.j2`` templates and off for Markdown
(``.md.j2``), which the notebooks display and nbconvert escapes itself.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2

from tbu_analysis.common.formatting import (
    MISSING,
    NBSP,
    format_change,
    format_change_percent,
    format_number,
    format_percent,
    group_thousands,
    places_needed,
    title_text,
)

#: The unit every amount in running text carries.
UNIT = "mill. kroner"
#: A folder named here is searched before the package's templates (a reader's trial wording).
OVERRIDE_VARIABLE = "TBU_TEMPLATES"


def _places(value: Any, decimals: int | None, least: int = 0, most: int = 1) -> int:
    """``decimals`` if given, else the fewest (0 or 1) that show the value exactly."""
    if decimals is not None:
        return decimals
    return places_needed(value, least, most)


def number(value: Any, decimals: int | None = None) -> str:
    """``1038.5`` → ``1 038,5``; without ``decimals`` a whole million prints as ``1 054``."""
    return format_number(value, _places(value, decimals))


def mnok(value: Any, decimals: int | None = None) -> str:
    """An amount with its unit: ``1 038,5 mill. kroner`` (no-break space before the unit)."""
    text = number(value, decimals)
    return text if text == MISSING else f"{text}{NBSP}{UNIT}"


def change(value: Any, decimals: int | None = None) -> str:
    """A change with its sign: ``+16``, ``−11,4``; ``0`` has none."""
    return format_change(value, _places(value, decimals))


def change_mnok(value: Any, decimals: int | None = None) -> str:
    """A signed change with its unit: ``−11,4 mill. kroner``."""
    text = change(value, decimals)
    return text if text == MISSING else f"{text}{NBSP}{UNIT}"


def percent(value: Any, decimals: int = 1) -> str:
    """``4.9`` (already in percent) → ``4,9 %``."""
    return format_percent(value, decimals)


def change_percent(value: Any, decimals: int = 1) -> str:
    """``4.9`` → ``+4,9 %``."""
    return format_change_percent(value, decimals)


def magnitude(value: Any) -> Any:
    """The size of a change without its sign, for sentences that say «falt med 11,4»."""
    return abs(value) if value is not None else value


def join_words(items: Iterable[Any], last: str = "og") -> str:
    """``a, b og c``: a Norwegian list, no serial comma."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def capital(text: Any) -> str:
    """A sentence's first letter as a capital, the rest as written (Jinja's ``capitalize``
    would lower «NHN» and «SFM»)."""
    text = str(text)
    return text[:1].upper() + text[1:]


_NAMED = re.compile(r"\([A-ZÆØÅ]{2,}\)")


def mid_sentence(label: Any, names: Iterable[str] = ()) -> str:
    """A label as it reads inside a sentence: «Resten av …» → «resten av …». A name keeps
    its capital: a label that starts with an abbreviation («APT støtteverktøy»), that carries
    one («Sentral forskrivningsmodul (SFM)»), or that starts with one of ``names`` (the
    solutions: «Helsenorges testing»)."""
    text = str(label)
    first = text.split(" ", 1)[0]
    if sum(c.isupper() for c in first) > 1 or _NAMED.search(text) \
            or any(text.startswith(n) for n in names if n):
        return text
    return text[:1].lower() + text[1:]


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number,
    "mnok": mnok,
    "change": change,
    "change_mnok": change_mnok,
    "percent": percent,
    "change_percent": change_percent,
    "magnitude": magnitude,
    "join_words": join_words,
    "thousands": group_thousands,
    "title": title_text,
    "capital": capital,
    "mid_sentence": mid_sentence,
}


def _autoescape(name: str | None) -> bool:
    return bool(name) and name.endswith((".html", ".html.j2", ".htm", ".xml"))


@functools.lru_cache(maxsize=16)
def _environment(package: str, folder: str, override: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override:
        loaders.append(jinja2.FileSystemLoader(override))
    loaders.append(jinja2.PackageLoader(package, folder))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    env.globals["UNIT"] = UNIT
    return env


def environment(package: str, folder: str = "templates",
                override: str | Path | None = None) -> jinja2.Environment:
    """The Jinja environment for the templates in ``package``'s ``folder``.

    ``override`` (or the ``TBU_TEMPLATES`` environment variable) names a folder searched first.
    Environments are cached, so a notebook that renders many sections compiles each template
    once.
    """
    chosen = override if override is not None else os.environ.get(OVERRIDE_VARIABLE) or None
    return _environment(package, folder, str(Path(chosen).resolve()) if chosen else None)


def render(env: jinja2.Environment, name: str, /, **context: Any) -> str:
    """Render template ``name`` and strip the blank edges a block leaves."""
    return env.get_template(name).render(**context).strip()


def say(env: jinja2.Environment, template: str, name: str, /, *args: Any,
        **kwargs: Any) -> str:
    """Macro ``name`` of ``template``: one sentence or phrase, its blank edges stripped."""
    module = env.get_template(template).module
    return str(getattr(module, name)(*args, **kwargs)).strip()


def words(env: jinja2.Environment, template: str, name: str, /) -> Any:
    """A set of words ``template`` defines (``{% set labels = {...} %}``)."""
    return getattr(env.get_template(template).module, name)
