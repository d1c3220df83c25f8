"""Reading and saving scenario files (``scenarios/*.yml``), and finding a round's inputs.

The file schema is described at the top of ``scenarios/baseline.yml``. A file is checked
when it is read (keys, types, ranges, years after the horizon); what needs the data (units,
years before the data) is checked by ``projection``. Both raise :class:`InputError` naming
file, line and key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.atomic import write_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import line_of, load_yaml
from tbu_analysis.config import project_root
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.scenarios.keys import Origin, load_key_set, parse_overrides, parse_share_amount
from tbu_analysis.scenarios.model import (
    CURRENT,
    FIXED,
    Addition,
    Deflator,
    Investment,
    Rate,
    Scenario,
    check_horizon,
)

KEY_SET_DIR = Path("data") / "raw" / "cost_sharing"

_TOP = {"name", "description", "sharing", "index", "price_basis", "price_year", "horizon",
        "horizon_source", "growth", "deflator"}
_SHARING = {"key_set", "extend_last_year", "overrides"}
_INDEX = {"rates", "source"}
_GROWTH = {"efficiency_pct", "volume_pct", "source", "investments", "additions"}
_INVESTMENTS = {"share_pct", "share_source", "lag_years", "items"}
_INVESTMENT = {"unit", "year", "mnok", "source", "price_year"}
_ADDITION = {"unit", "from_year", "mnok", "source", "label", "price_year"}
_DEFLATOR = {"base_year", "rates", "source"}


class _Reader:
    """Walks a scenario file, checking keys and types and remembering each key's line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, int] = {}

    def origin(self, mapping: Any, key: Any = None) -> Origin:
        return Origin(self.path, line_of(mapping, key))

    def table(self, mapping: Any, allowed: set[str] | None, keypath: str) -> dict:
        if mapping is None:
            return {}
        if not isinstance(mapping, dict):
            raise self.origin(mapping).error("må være en tabell (nøkkel: verdi)", keypath,
                                             mapping)
        for key in mapping:
            path = f"{keypath}.{key}" if keypath else str(key)
            line = line_of(mapping, key)
            if line is not None:
                self.lines[path] = line
            if allowed is not None and key not in allowed:
                raise self.origin(mapping, key).error(
                    f"ukjent nøkkel (tillatt: {', '.join(sorted(allowed))})", path, key
                )
        return mapping

    def number(self, mapping: dict, key: Any, keypath: str) -> float:
        value = mapping[key]
        origin = self.origin(mapping, key)
        if isinstance(value, bool) or value is None:
            raise origin.error("må være et tall", keypath, value)
        if isinstance(value, int | float):
            number = float(value)
        else:
            try:
                parsed = parse_number(str(value))
            except InputError:
                raise origin.error("må være et tall", keypath, value) from None
            if parsed.value is None:
                raise origin.error("må være et tall", keypath, value)
            number = float(parsed.value)
        if not math.isfinite(number):
            raise origin.error("må være et endelig tall", keypath, value)
        return number

    def percent(self, mapping: dict, key: Any, keypath: str, low: float, high: float) -> float:
        value = self.number(mapping, key, keypath)
        if not low <= value <= high:
            raise self.origin(mapping, key).error(
                f"må ligge mellom {low:g} og {high:g} %", keypath, mapping[key]
            )
        return value

    def year(self, mapping: dict, key: Any, keypath: str) -> int:
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.origin(mapping, key).error("må være et årstall", keypath, value)
        text = str(value).strip()
        if not (text.isdigit() and len(text) == 4):
            raise self.origin(mapping, key).error("må være et årstall", keypath, value)
        return int(text)

    def year_key(self, mapping: dict, key: Any, keypath: str) -> int:
        text = str(key).strip()
        if isinstance(key, bool) or not (text.isdigit() and len(text) == 4):
            raise self.origin(mapping, key).error("nøkkelen må være et årstall", keypath, key)
        return int(text)

    def rates(self, mapping: Any, keypath: str, low: float, high: float) -> dict[int, float]:
        table = self.table(mapping, None, keypath)
        return {
            self.year_key(table, key, f"{keypath}.{key}"): self.percent(
                table, key, f"{keypath}.{key}", low, high
            )
            for key in table
        }

    def rate(self, mapping: dict, key: str, keypath: str, low: float, high: float) -> Rate:
        """One percent for every projected year, or ``{year: percent}``."""
        if key not in mapping:
            return 0.0
        if isinstance(mapping[key], dict):
            return self.rates(mapping[key], keypath, low, high)
        return self.percent(mapping, key, keypath, low, high)

    def text(self, mapping: dict, key: str) -> str:
        value = mapping.get(key)
        return "" if value is None else str(value).strip()

    def unit(self, mapping: dict, keypath: str) -> str:
        value = mapping.get("unit")
        if not isinstance(value, str) or not value.strip():
            raise self.origin(mapping).error("mangler enhet (løsning)", keypath)
        return value.strip()


def resolve_path(path: str | Path) -> Path:
    """A relative path as given, or else relative to the project root (notebooks run in
    ``notebooks/``, the secretariat runs ``make`` in the root)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return project_root() / path


def load_scenario(path: str | Path, key_set_dir: str | Path | None = None) -> Scenario:
    """Read and check a scenario file; the key set is read from ``key_set_dir`` (default
    ``data/raw/cost_sharing`` in the project)."""
    path = resolve_path(path)
    if not path.is_file():
        raise InputError("scenariofilen finnes ikke", path=path)
    data = load_yaml(path)
    read = _Reader(path)
    top = read.table(data, _TOP, "")
    for required in ("name", "sharing", "horizon"):
        if required not in top:
            raise read.origin(top).error("mangler", required)
    horizon = read.year(top, "horizon", "horizon")

    sharing = read.table(top["sharing"], _SHARING, "sharing")
    if "key_set" not in sharing:
        raise read.origin(sharing).error("mangler", "sharing.key_set")
    directory = (
        Path(key_set_dir) if key_set_dir is not None
        else project_root(path.parent) / KEY_SET_DIR
    )
    key_set_id = str(sharing["key_set"]).strip()
    key_set_file = _key_set_file(directory, key_set_id)
    if key_set_file is None:
        raise read.origin(sharing, "key_set").error(
            f"finner ikke fordelingsnøkkelen i {directory}", "sharing.key_set", key_set_id
        )
    extend = sharing.get("extend_last_year", False)
    if not isinstance(extend, bool):
        raise read.origin(sharing, "extend_last_year").error(
            "må være true eller false", "sharing.extend_last_year", extend
        )
    overrides = parse_overrides(sharing.get("overrides"), Origin(path), "sharing.overrides")

    index = read.table(top.get("index"), _INDEX, "index")
    index_rates = read.rates(index.get("rates"), "index.rates", -50, 100)

    price_basis = read.text(top, "price_basis").lower().replace("ø", "o") or FIXED
    if price_basis not in (FIXED, CURRENT):
        raise read.origin(top, "price_basis").error(
            "må være «fast» eller «løpende»", "price_basis", top["price_basis"]
        )
    price_year = read.year(top, "price_year", "price_year") if "price_year" in top else None

    growth = read.table(top.get("growth"), _GROWTH, "growth")
    efficiency = read.rate(growth, "efficiency_pct", "growth.efficiency_pct", 0, 100)
    volume = read.rate(growth, "volume_pct", "growth.volume_pct", -100, 100)
    investments = read.table(growth.get("investments"), _INVESTMENTS, "growth.investments")
    items = _investments(read, investments.get("items"))
    share = 0.0
    if "share_pct" in investments:
        share = read.percent(investments, "share_pct", "growth.investments.share_pct", 0, 100)
    elif items:
        raise read.origin(investments).error(
            "mangler andel av investeringen som blir årlig D&F", "growth.investments.share_pct"
        )
    lag = 1
    if "lag_years" in investments:
        lag = int(read.percent(investments, "lag_years", "growth.investments.lag_years", 0, 10))
    additions = _additions(read, growth.get("additions"))

    deflator = _deflator(read, top.get("deflator"))
    scenario = Scenario(
        name=read.text(top, "name"),
        description=read.text(top, "description"),
        key_set=load_key_set(key_set_file),
        horizon=horizon,
        horizon_source=read.text(top, "horizon_source"),
        extend_last_year=extend,
        overrides=overrides,
        index_rates=index_rates,
        index_source=read.text(index, "source"),
        price_basis=price_basis,
        price_year=price_year,
        efficiency_pct=efficiency,
        volume_pct=volume,
        growth_source=read.text(growth, "source"),
        investment_share_pct=share,
        investment_share_source=read.text(investments, "share_source"),
        investment_lag_years=lag,
        investments=items,
        additions=additions,
        deflator=deflator,
        path=path,
        key_set_dir=directory,
        lines=read.lines,
    )
    check_horizon(scenario)
    return scenario


def _key_set_file(directory: Path, key_set_id: str) -> Path | None:
    if not key_set_id or "/" in key_set_id or "\\" in key_set_id or ".." in key_set_id:
        return None
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{key_set_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _investments(read: _Reader, items: Any) -> tuple[Investment, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise read.origin(items).error("må være en liste", "growth.investments.items")
    result = []
    for number, item in enumerate(items, start=1):
        keypath = f"growth.investments.items[{number}]"
        item = read.table(item, _INVESTMENT, keypath)
        for required in ("unit", "year", "mnok"):
            if required not in item:
                raise read.origin(item).error("mangler", f"{keypath}.{required}")
        result.append(Investment(
            unit=read.unit(item, keypath),
            year=read.year(item, "year", f"{keypath}.year"),
            mnok=parse_share_amount(item["mnok"], read.origin(item, "mnok"), f"{keypath}.mnok"),
            source=read.text(item, "source"),
            price_year=(read.year(item, "price_year", f"{keypath}.price_year")
                        if "price_year" in item else None),
            keypath=keypath,
            line=line_of(item),
        ))
    return tuple(result)


def _additions(read: _Reader, items: Any) -> tuple[Addition, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise read.origin(items).error("må være en liste", "growth.additions")
    result = []
    for number, item in enumerate(items, start=1):
        keypath = f"growth.additions[{number}]"
        item = read.table(item, _ADDITION, keypath)
        for required in ("unit", "from_year", "mnok", "source"):
            if required not in item:
                raise read.origin(item).error("mangler", f"{keypath}.{required}")
        value = read.number(item, "mnok", f"{keypath}.mnok")
        result.append(Addition(
            unit=read.unit(item, keypath),
            from_year=read.year(item, "from_year", f"{keypath}.from_year"),
            mnok=value,
            source=read.text(item, "source"),
            label=read.text(item, "label"),
            price_year=(read.year(item, "price_year", f"{keypath}.price_year")
                        if "price_year" in item else None),
            keypath=keypath,
            line=line_of(item),
        ))
    return tuple(result)


def _deflator(read: _Reader, mapping: Any) -> Deflator | None:
    if mapping is None:
        return None
    table = read.table(mapping, _DEFLATOR, "deflator")
    for required in ("base_year", "rates"):
        if required not in table:
            raise read.origin(table).error("mangler", f"deflator.{required}")
    return Deflator(
        base_year=read.year(table, "base_year", "deflator.base_year"),
        rates=read.rates(table["rates"], "deflator.rates", -50, 100),
        source=read.text(table, "source"),
    )


# --- writing


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a file would hold it (for «Lagre scenario»)."""
    def rate(value: Rate) -> Any:
        return dict(sorted(value.items())) if isinstance(value, Mapping) else value

    overrides: dict[str, dict[Any, dict[str, Any]]] = {}
    for override in scenario.overrides:
        overrides.setdefault(override.unit, {})[override.span.yaml_key] = dict(override.values)
    sharing: dict[str, Any] = {"key_set": scenario.key_set.id,
                               "extend_last_year": scenario.extend_last_year}
    if overrides:
        sharing["overrides"] = overrides
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    data["sharing"] = sharing
    data["index"] = {"rates": dict(sorted(scenario.index_rates.items())),
                     "source": scenario.index_source}
    data["price_basis"] = scenario.price_basis
    if scenario.price_year is not None:
        data["price_year"] = scenario.price_year
    data["horizon"] = scenario.horizon
    if scenario.horizon_source:
        data["horizon_source"] = scenario.horizon_source
    data["growth"] = {
        "efficiency_pct": rate(scenario.efficiency_pct),
        "volume_pct": rate(scenario.volume_pct),
        "source": scenario.growth_source,
        "investments": {
            "share_pct": scenario.investment_share_pct,
            "share_source": scenario.investment_share_source,
            "lag_years": scenario.investment_lag_years,
            "items": [_drop_empty({"unit": i.unit, "year": i.year, "mnok": i.mnok,
                                   "source": i.source, "price_year": i.price_year})
                      for i in scenario.investments],
        },
        "additions": [_drop_empty({"unit": a.unit, "from_year": a.from_year, "mnok": a.mnok,
                                   "label": a.label, "source": a.source,
                                   "price_year": a.price_year})
                      for a in scenario.additions],
    }
    if scenario.deflator:
        data["deflator"] = {"base_year": scenario.deflator.base_year,
                            "rates": dict(sorted(scenario.deflator.rates.items())),
                            "source": scenario.deflator.source}
    return data


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML, all or nothing; it loads back to the same choices."""
    path = Path(path)
    header = (
        "# Scenario lagret fra scenarioutforskeren (tbu_analysis.scenarios.explorer).\n"
        f"# Fordelingsnøkkel: {scenario.key_set.name}\n"
    )
    body = yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True,
                          width=100)
    write_text(path, header + body)
    return path


# --- finding inputs


def load_index(path: str | Path = Path("data") / "raw" / "index.csv") -> PriceIndex:
    """The shipped price index (project root relative)."""
    return PriceIndex.from_csv(resolve_path(path))


def load_baseline(round_id: str, root: str | Path | None = None) -> pd.DataFrame:
    """NHN's funding need per unit and year for a round, from the cleaned figures."""
    from tbu_analysis.analysis import series
    from tbu_analysis.config import round_paths
    from tbu_analysis.rounds.schema import read_figures

    paths = round_paths(round_id, root if root is not None else project_root())
    return series.funding_by_unit(read_figures(paths.figures))


def scenario_files(directory: str | Path = "scenarios") -> list[Path]:
    """The scenario files in the project's ``scenarios/`` folder, by name."""
    folder = resolve_path(directory)
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def provenance_files(scenario: Scenario) -> list[Path]:
    """The files a scenario was read from, for its provenance page."""
    return [p.resolve() for p in (scenario.path, scenario.key_set.path) if p is not None]
