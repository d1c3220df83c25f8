"""Reading and saving scenario files (``scenarios/*.yml``), and finding a round's inputs.

A file is read through :mod:`tbu_analysis.common.inputs` with :class:`ScenarioFile` (unknown
keys refused, bounds on every number, year and horizon), then checked against its key set
(shares must add up to 100 %) and its horizon. What needs the round's data (units, years
before the data) is checked by ``projection``. Every problem is an :class:`InputError`
naming file, line and key. The schema notes at the top of ``scenarios/baseline.yml`` are
checked against these models by a test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import BeforeValidator, Field, model_validator

from tbu_analysis.analysis import series
from tbu_analysis.analysis.growth import summary_rates
from tbu_analysis.analysis.indexing import IndexRate, PriceIndex
from tbu_analysis.common.atomic import write_text
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import collapse
from tbu_analysis.common.inputs import InputModel, load_yaml_data, validate
from tbu_analysis.common.yamlio import LineDict, line_of, parse_yaml
from tbu_analysis.config import (
    discover_rounds,
    latest_round,
    project_paths,
    project_root,
    round_paths,
)
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import ALL_SOLUTIONS
from tbu_analysis.rounds.schema import read_figures
from tbu_analysis.scenarios.keys import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_MNOK,
    AmountField,
    OverridesField,
    allocation_for,
    load_key_set,
    overrides_from,
    parse_amount,
)
from tbu_analysis.scenarios.model import (
    CURRENT,
    FIXED,
    Addition,
    BaselineGrowth,
    Deflator,
    Investment,
    Rate,
    Scenario,
    check_horizon,
)
from tbu_analysis.scenarios.text import explorer_text

#: The longest projection a file may ask for, counted from its first named year: a typo such
#: as ``horizon: 9999`` is refused at once instead of running for ever.
MAX_HORIZON_YEARS = 30

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, strict=False)]
Percent = Annotated[float, BeforeValidator(parse_amount), Field(ge=0, le=100,
                                                                allow_inf_nan=False)]
VolumePercent = Annotated[float, BeforeValidator(parse_amount), Field(ge=-100, le=100,
                                                                      allow_inf_nan=False)]
SignedAmount = Annotated[float, BeforeValidator(parse_amount),
                         Field(ge=-MAX_MNOK, le=MAX_MNOK, allow_inf_nan=False)]
KeySetId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=100)]


class SharingModel(InputModel):
    """``sharing``: the key set, whether its last year carries on, and changed shares."""

    key_set: KeySetId
    compare_with: KeySetId | None = None
    extend_last_year: bool = False
    overrides: OverridesField = Field(default_factory=dict)


class IndexModel(InputModel):
    """``index``: rates by year (year → year + 1) replacing the round's ``index.csv``."""

    rates: dict[Year, IndexRate] = Field(default_factory=dict)
    source: str = ""
    placeholder: bool = False


class InvestmentModel(InputModel):
    unit: str = Field(min_length=1)
    year: Year
    mnok: AmountField
    source: str = ""
    price_year: Year | None = None


class InvestmentsModel(InputModel):
    """``growth.investments``: the share of an investment that becomes yearly D&F."""

    share_pct: Percent | None = None
    share_source: str = ""
    lag_years: int = Field(default=1, ge=0, le=10)
    items: list[InvestmentModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _share_given(self) -> InvestmentsModel:
        if self.items and self.share_pct is None:
            raise ValueError("mangler share_pct: andelen av investeringen som blir årlig D&F")
        return self


class AdditionModel(InputModel):
    unit: str = Field(min_length=1)
    from_year: Year
    mnok: SignedAmount
    source: str = Field(min_length=1)
    label: str = ""
    price_year: Year | None = None


class GrowthModel(InputModel):
    """``growth``: applies only to the years after NHN's last estimate. ``from_round: true``
    reads the volume and efficiency rates from the round's own summary growth table, with its
    source named, instead of numbers typed for one round."""

    efficiency_pct: Percent | dict[Year, Percent] = 0.0
    volume_pct: VolumePercent | dict[Year, VolumePercent] = 0.0
    source: str = ""
    from_round: bool = False
    investments: InvestmentsModel = Field(default_factory=InvestmentsModel)
    additions: list[AdditionModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rates_from_one_place(self) -> GrowthModel:
        if self.from_round and ({"efficiency_pct", "volume_pct", "source"}
                                & self.model_fields_set):
            raise ValueError("from_round: true leser satsene og kilden fra rundens tabell; ta "
                             "bort efficiency_pct, volume_pct og source")
        return self


class DeflatorModel(InputModel):
    """``deflator``: the municipal deflator, each group's bill against its base year's."""

    base_year: Year
    rates: dict[Year, IndexRate]
    source: str = ""
    placeholder: bool = False


class ScenarioFile(InputModel):
    """A scenario file (``scenarios/*.yml``); amounts in MNOK, rates in percent."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    sharing: SharingModel
    index: IndexModel = Field(default_factory=IndexModel)
    price_basis: Literal["fast", "løpende", "lopende"] = "fast"
    price_year: Year | None = None
    horizon: Year
    horizon_source: str = ""
    growth: GrowthModel = Field(default_factory=GrowthModel)
    deflator: DeflatorModel | None = None


#: Where the explorer saves a user's own scenarios unless told otherwise: outside the
#: repository, so a saved file never dirties git nor joins a report's comparison.
USER_SCENARIO_ENV = "TBU_SCENARIO_DIR"


def user_scenario_dir() -> Path:
    """``$TBU_SCENARIO_DIR``, or ``~/tbu-scenarier``."""
    configured = os.environ.get(USER_SCENARIO_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / "tbu-scenarier"


def resolve_path(path: str | Path) -> Path:
    """A relative path as given, or else relative to the project root (notebooks run in
    ``notebooks/``, the secretariat runs ``make`` in the root)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return project_root() / path


def key_set_dir_for(path: Path) -> Path:
    """The cost-sharing keys of the project the file lies in; a file saved outside any
    project (a user's own folder) uses the project the run started in."""
    for start in (path.parent, None):
        directory = project_paths(project_root(start)).cost_sharing
        if directory.is_dir():
            return directory
    return project_paths().cost_sharing


def _key_lines(data: Any, prefix: str = "") -> dict[str, int]:
    """Every key path of the file with its line (list items counted from 1)."""
    lines: dict[str, int] = {}
    if isinstance(data, LineDict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            line = line_of(data, key)
            if line is not None:
                lines[path] = line
            lines.update(_key_lines(value, path))
    elif isinstance(data, list):
        for number, item in enumerate(data, start=1):
            path = f"{prefix}[{number}]"
            if getattr(item, "line", None) is not None:
                lines[path] = item.line
            lines.update(_key_lines(item, path))
    return lines


def load_scenario(path: str | Path, key_set_dir: str | Path | None = None,
                  round_id: str | None = None) -> Scenario:
    """Read and check a scenario file; the key set is read from ``key_set_dir`` (default
    ``data/raw/cost_sharing`` in the project). ``growth.from_round`` takes the rates from
    ``round_id``'s summary table (default: the latest round)."""
    path = resolve_path(path)
    if not path.is_file():
        raise InputError("scenariofilen finnes ikke", path=path)
    return _scenario_from(load_yaml_data(path), path, key_set_dir, round_id)


def _scenario_from(data: Any, path: Path, key_set_dir: str | Path | None,
                   round_id: str | None = None) -> Scenario:
    """The one check of a scenario file's content, for reading and for saving alike."""
    if not isinstance(data, Mapping):
        found = "en liste" if isinstance(data, list) else "tom" if data is None else "tekst"
        raise InputError(f"scenariofilen må være en tabell (nøkkel: verdi) øverst; fant {found}",
                         path=path, line=line_of(data) or 1)
    _check_horizon_first(data, path)
    model = validate(ScenarioFile, data, path)
    directory = Path(key_set_dir) if key_set_dir is not None else key_set_dir_for(path)
    key_set_file = _key_set_file(directory, model.sharing.key_set)
    if key_set_file is None:
        raise InputError(f"finner ikke fordelingsnøkkelen i {directory}", path=path,
                         line=line_of(data["sharing"], "key_set"), key="sharing.key_set",
                         text=model.sharing.key_set)
    key_set = load_key_set(key_set_file)
    if key_set.template:
        raise InputError("nøkkelen er en mal uten kilde (template: true) og kan ikke brukes før "
                         "andelene og kilden er fylt inn", path=path,
                         line=line_of(data["sharing"], "key_set"), key="sharing.key_set",
                         text=model.sharing.key_set)
    compare_with = None
    if model.sharing.compare_with is not None:
        other_file = _key_set_file(directory, model.sharing.compare_with)
        other = load_key_set(other_file) if other_file is not None else None
        if other is None or other.template:
            why = "finner ikke nøkkelen" if other is None else "nøkkelen er en mal uten kilde"
            raise InputError(f"{why} i {directory}", path=path,
                             line=line_of(data["sharing"], "compare_with"),
                             key="sharing.compare_with", text=model.sharing.compare_with)
        if other.id == key_set.id:
            raise InputError("en nøkkel kan ikke sammenlignes med seg selv (alle forskjeller "
                             "blir 0); velg den andre nøkkelen eller fjern compare_with",
                             path=path, line=line_of(data["sharing"], "compare_with"),
                             key="sharing.compare_with", text=model.sharing.compare_with)
        compare_with = other
    growth, investments = model.growth, model.growth.investments
    try:
        baseline_growth = BaselineGrowth(*round_growth(round_id, path.parent))
    except InputError:
        if growth.from_round:  # the file asks for the round's rates: say why there are none
            raise
        baseline_growth = None  # a round without a summary growth table: the baseline is flat
    if growth.from_round:
        growth = growth.model_copy(update={"efficiency_pct": baseline_growth.efficiency_pct,
                                           "volume_pct": baseline_growth.volume_pct,
                                           "source": baseline_growth.source})
    raw_growth = data.get("growth") or {}
    raw_sharing = data["sharing"]
    scenario = Scenario(
        name=model.name,
        description=model.description,
        key_set=key_set,
        horizon=model.horizon,
        horizon_source=model.horizon_source,
        extend_last_year=model.sharing.extend_last_year,
        compare_with=compare_with,
        overrides=overrides_from(model.sharing.overrides, raw_sharing.get("overrides"), path,
                                 "sharing.overrides"),
        index_rates=dict(model.index.rates),
        index_source=model.index.source,
        index_placeholder=model.index.placeholder,
        price_basis=FIXED if model.price_basis == "fast" else CURRENT,
        price_year=model.price_year,
        efficiency_pct=_rate(growth.efficiency_pct),
        volume_pct=_rate(growth.volume_pct),
        growth_source=growth.source,
        investment_share_pct=investments.share_pct or 0.0,
        investment_share_source=investments.share_source,
        investment_lag_years=investments.lag_years,
        investments=tuple(
            Investment(i.unit, i.year, i.mnok, i.source, i.price_year,
                       keypath=f"growth.investments.items[{n}]",
                       line=line_of(_item(raw_growth, "investments", "items", n)))
            for n, i in enumerate(investments.items, start=1)
        ),
        additions=tuple(
            Addition(a.unit, a.from_year, a.mnok, a.source, a.label, a.price_year,
                     keypath=f"growth.additions[{n}]",
                     line=line_of(_item(raw_growth, "additions", None, n)))
            for n, a in enumerate(growth.additions, start=1)
        ),
        deflator=(Deflator(model.deflator.base_year, dict(model.deflator.rates),
                           model.deflator.source, model.deflator.placeholder)
                  if model.deflator else None),
        baseline_growth=baseline_growth,
        path=path,
        key_set_dir=directory,
        lines=_key_lines(data),
    )
    check_horizon(scenario)
    check_overrides(scenario)
    return scenario


def _check_horizon_first(data: Mapping[str, Any], path: Path) -> None:
    """A horizon far beyond or before every year the file names is the horizon's fault, not
    the fault of the year it meets first; say so before anything else is checked."""
    horizon = data.get("horizon")
    if isinstance(horizon, bool) or not isinstance(horizon, int):
        return
    named = [year for keypath, year in _named_years(data)]
    if not named:
        return
    line = line_of(data, "horizon")
    if horizon < min(named):
        raise InputError(f"horisonten ligger før alle år filen nevner (første: {min(named)})",
                         path=path, line=line, key="horizon", text=str(horizon))
    if horizon > min(named) + MAX_HORIZON_YEARS:
        raise InputError(f"horisonten ligger mer enn {MAX_HORIZON_YEARS} år etter første år "
                         f"filen nevner ({min(named)})", path=path, line=line, key="horizon",
                         text=str(horizon))


def _named_years(data: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Years the file names as rate keys (index and deflator), and the deflator's base year."""
    years = []
    for section in ("index", "deflator"):
        rates = (data.get(section) or {}).get("rates") if isinstance(data.get(section),
                                                                      Mapping) else None
        if isinstance(rates, Mapping):
            years += [(f"{section}.rates.{y}", y) for y in rates
                      if isinstance(y, int) and not isinstance(y, bool)]
    deflator = data.get("deflator")
    if isinstance(deflator, Mapping) and isinstance(deflator.get("base_year"), int):
        years.append(("deflator.base_year", deflator["base_year"]))
    return years


def _item(growth: Any, section: str, sub: str | None, number: int) -> Any:
    node = growth.get(section) if isinstance(growth, Mapping) else None
    if sub is not None:
        node = node.get(sub) if isinstance(node, Mapping) else None
    return node[number - 1] if isinstance(node, list) and len(node) >= number else None


def _rate(value: float | Mapping[int, float]) -> Rate:
    return dict(sorted(value.items())) if isinstance(value, Mapping) else float(value)


def check_overrides(scenario: Scenario) -> None:
    """Shares changed in the file must, with the key's others, add up to 100 % in every year
    they cover (up to the horizon): refused when the file is read, not in the notebook."""
    for override in scenario.overrides:
        first = override.span.first
        last = override.span.last if override.span.last is not None else scenario.horizon
        for year in range(first if first is not None else last, last + 1):
            allocation_for(scenario.key_set, override.unit, year, scenario.overrides,
                           scenario.extend_last_year)


def _key_set_file(directory: Path, key_set_id: str) -> Path | None:
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{key_set_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


# --- writing


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a file would hold it (for «Lagre scenario»)."""
    def rate(value: Rate) -> Any:
        return dict(sorted(value.items())) if isinstance(value, Mapping) else value

    overrides: dict[str, dict[Any, dict[str, Any]]] = {}
    for override in scenario.overrides:
        overrides.setdefault(override.unit, {})[override.span.yaml_key] = dict(override.values)
    sharing: dict[str, Any] = {"key_set": scenario.key_set.id}
    if scenario.compare_with is not None:
        sharing["compare_with"] = scenario.compare_with.id
    sharing["extend_last_year"] = scenario.extend_last_year
    if overrides:
        sharing["overrides"] = overrides
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    data["sharing"] = sharing
    data["index"] = {"rates": dict(sorted(scenario.index_rates.items())),
                     "source": scenario.index_source}
    if scenario.index_placeholder:
        data["index"]["placeholder"] = True
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
        if scenario.deflator.placeholder:
            data["deflator"]["placeholder"] = True
    return data


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML, all or nothing; it loads back to the same choices. The
    text is checked by the reader's own check first (:class:`InputError`, nothing written)."""
    path = Path(path)
    header = explorer_text("saved_header", scenario.key_set.name) + "\n"
    body = yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True,
                          width=100)
    text = header + body
    # What is saved is checked as it will be read: a file saved here always loads.
    _scenario_from(parse_yaml(text, path), path, scenario.key_set_dir)
    write_text(path, text)
    return path


# --- finding inputs


def load_index(round_id: str | None = None, root: str | Path | None = None) -> PriceIndex:
    """A round's price index (``data/raw/<round>/index.csv``; the latest round when none is
    named): the rates its source states."""
    root = root if root is not None else project_root()
    return PriceIndex.from_csv(round_paths(round_id or latest_round(root), root).index)


def round_growth(round_id: str | None, start: Path | None = None) -> tuple[float, float, str]:
    """The round's volume and efficiency rates from its own summary growth table, and their
    source (``analysis.growth.summary_rates``)."""
    root = project_root(start) if start is not None else project_root()
    if not (root / "data" / "raw").is_dir():  # a file saved outside the project
        root = project_root()
    paths = round_paths(round_id or latest_round(root), root)
    return summary_rates(read_figures(paths.figures), load_manifest(paths.manifest))


def load_baseline(round_id: str, root: str | Path | None = None) -> pd.DataFrame:
    """NHN's funding need per unit and year for a round, from the cleaned figures."""
    paths = round_paths(round_id, root if root is not None else project_root())
    return series.funding_by_unit(read_figures(paths.figures),
                                  series.load_billing_units(paths.billing_units))


def printed_totals(round_id: str, root: str | Path | None = None) -> dict[int, float]:
    """NHN's total funding need per year as the round prints it (1 076, where the solutions'
    own figures sum to 1 074,5): the report names NHN's figure beside the units' sum."""
    paths = round_paths(round_id, root if root is not None else project_root())
    levels = series.yearly_series(read_figures(paths.figures), "finansieringsbehov",
                                  as_printed=True)
    total = levels[(levels["solution"] == ALL_SOLUTIONS) & (levels["item"] == "")]
    return {int(y): float(v) for y, v in zip(total["year"], total["value_mnok"], strict=True)}


def report_differences(round_id: str, root: str | Path | None = None
                       ) -> list[tuple[str, int, float, float]]:
    """Where a solution's units (billed each with its own key, as Helsenettet and VKP) sum to
    another figure than the one the main report uses for the solution, per NHN year: (solution,
    year, the units' sum, the main report's figure). One quantity, two printings, said."""
    paths = round_paths(round_id, root if root is not None else project_root())
    figures = read_figures(paths.figures)
    report = series.yearly_series(figures, "finansieringsbehov")
    report = report[(report["item"] == "") & (report["solution"] != ALL_SOLUTIONS)]
    report = report.set_index(["solution", "year"])["value_mnok"]
    units = series.funding_by_unit(figures, series.load_billing_units(paths.billing_units))
    sums = units.groupby(["solution", "year"])["value_mnok"].sum()
    return [(solution, int(year), float(value), float(report[solution, year]))
            for (solution, year), value in sums.items()
            if (solution, year) in report.index and abs(value - report[solution, year]) >= 0.05]


def round_label(round_id: str, root: str | Path | None = None) -> str:
    """How reports name the round («høsten 2024»), from its manifest."""
    paths = round_paths(round_id, root if root is not None else project_root())
    return load_manifest(paths.manifest).label


def scenario_files(directory: str | Path | None = None) -> list[Path]:
    """The scenario files in ``directory`` (default: the project's ``scenarios/``), by name."""
    folder = resolve_path(directory) if directory is not None else project_paths().scenarios
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def all_scenario_files() -> list[Path]:
    """The project's scenario files, then the economist's own saved ones (``$TBU_SCENARIO_DIR``
    or ``~/tbu-scenarier``): what the explorer can load and the side-by-side table shows."""
    own = user_scenario_dir()
    return [*scenario_files(), *(scenario_files(own) if own.is_dir() else [])]


def provenance_files(scenario: Scenario) -> list[Path]:
    """The files a scenario was read from, for its provenance page: the scenario, its key, the
    key it is compared with, and the shipped copies of the keys' source documents."""
    files = [scenario.path]
    for key_set in (scenario.key_set, scenario.compare_with):  # the comparison's key too
        if key_set is not None:
            files += [key_set.path, key_set.source_file]
    return list(dict.fromkeys(p.resolve() for p in files if p is not None))


def _sources(data: Any, path: str = "") -> list[tuple[str, int | None, str]]:
    """Every ``source``-named value of a scenario file: (key path, line, text)."""
    found: list[tuple[str, int | None, str]] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if "source" in str(key) and isinstance(value, str):
                found.append((where, line_of(data, key), value))
            else:
                found += _sources(value, where)
    elif isinstance(data, list):
        for number, value in enumerate(data, start=1):
            found += _sources(value, f"{path}[{number}]")
    return found


def other_rounds_sources(path: str | Path, round_id: str,
                         root: str | Path | None = None) -> list[InputError]:
    """Each source the scenario file states that names a document of another round in
    ``data/raw/`` and not of ``round_id`` («Tallgrunnlag høst 2024» used with a spring 2025
    round): a warning naming the file, line, key and text."""
    root = Path(root) if root is not None else project_root()

    def documents(other: str) -> set[str]:
        manifest = load_manifest(round_paths(other, root).manifest)
        return {collapse(t.document) for t in manifest.tables if t.document}

    own = documents(round_id)
    foreign = {doc: other for other in discover_rounds(root) if other != round_id
               for doc in documents(other) - own}
    data = load_yaml_data(resolve_path(path))
    warnings = []
    for key, line, text in _sources(data):
        for document, other in sorted(foreign.items()):
            if document in collapse(text):
                warnings.append(InputError(
                    f"kilden er fra runden {other} («{document}»), ikke fra {round_id}",
                    path=path, line=line, key=key, text=text))
                break
    return warnings
