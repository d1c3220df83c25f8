"""Every path the project knows, which round ids are safe to use as paths, and which round
is the latest."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import load_yaml_data

# Letters (Norwegian æøå included), digits, - and _: a round id is a folder name and a make
# target, so no "/", "..", spaces or shell characters.
_ROUND_ID = re.compile(r"^[0-9A-Za-zÆØÅæøå][0-9A-Za-zÆØÅæøå_-]*$")
# The seasons a round can be from, in the order they come within a year.
SEASON_ORDER = {"vår": 0, "høst": 1}


class OutputName(StrEnum):
    """The files a stage writes into a round's folder (``RoundPaths.processed``, or the folder
    of another index's run): ``tbu clean`` the first three, ``tbu analyse`` the rest (and the
    workbook, ``RoundPaths.workbook_name``)."""

    FIGURES = "figures.csv"
    CORRECTIONS_APPLIED = "corrections_applied.csv"
    CLEAN_LOG = "clean_log.csv"
    LEVELS = "levels.csv"
    GROWTH = "growth.csv"
    DRIVERS = "drivers.csv"
    RECONCILIATION = "reconciliation.csv"
    UNDERLYING = "underlying.csv"
    COMPARISON = "comparison.csv"
    RUN_RECORD = "run.json"


def project_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder above ``start`` (default: the cwd) holding
    ``data/raw`` and ``pyproject.toml``, else the cwd. Notebooks run in ``notebooks/``."""
    here = Path(start).resolve() if start is not None else Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "data" / "raw").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    return here


def slug(text: str) -> str:
    """A name as a file name: a solution's report (``grunndata-og-helseid.pdf``), a
    scenario's."""
    kept = {"æ": "\0", "ø": "\1", "å": "\2"}  # kept: ``øæ.yml`` → ``øæ.pdf``, not ``.pdf``
    text = "".join(kept.get(c, c) for c in unicodedata.normalize("NFC", text.lower()))
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^a-z0-9\0\1\2]+", "-", plain).strip("-")
    return plain.translate({0: "æ", 1: "ø", 2: "å"})


def validate_round_id(round_id: str) -> str:
    """The round id in NFC form (``2025-vår`` typed on any system names one folder)."""
    if isinstance(round_id, str):
        round_id = unicodedata.normalize("NFC", round_id)
    if not isinstance(round_id, str) or not _ROUND_ID.match(round_id) or ".." in round_id:
        raise InputError(
            "ugyldig runde-id (bare bokstaver med æøå, tall, - og _; ikke tom, / eller ..)",
            text=str(round_id),
        )
    return round_id


def rates_folder_name(index_rates: Mapping[int, float] | None,
                      price_year: int | None = None) -> str | None:
    """The folder a run with other index rates (or another price year) writes to, named by
    them (``indeks-2023-5``, ``indeks-2023-4,5+2024-3``, ``prisniva-2025``); ``None`` for the
    shipped rates, whose outputs are the round's own."""
    parts = []
    if index_rates:
        parts.append("indeks-" + "+".join(
            f"{int(year)}-{float(rate):g}".replace(".", ",")
            for year, rate in sorted(index_rates.items())))
    if price_year is not None:
        parts.append(f"prisniva-{int(price_year)}")
    return "_".join(parts) or None


@dataclass(frozen=True)
class ProjectPaths:
    """The project's folders and shared inputs, below one root."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def scenarios(self) -> Path:
        """The scenario files that ship with the project (``make scenario`` and comparisons)."""
        return self.root / "scenarios"

    @property
    def scenario_reports(self) -> Path:
        return self.reports / "scenarios"

    @property
    def cost_sharing(self) -> Path:
        return self.raw / "cost_sharing"


def project_paths(root: str | Path | None = None) -> ProjectPaths:
    return ProjectPaths(Path(root) if root is not None else project_root())


@dataclass(frozen=True)
class RoundPaths:
    root: Path
    round_id: str

    @property
    def project(self) -> ProjectPaths:
        return ProjectPaths(self.root)

    @property
    def raw(self) -> Path:
        return self.project.raw / self.round_id

    @property
    def processed(self) -> Path:
        return self.project.processed / self.round_id

    @property
    def reports(self) -> Path:
        return self.project.reports / self.round_id

    @property
    def manifest(self) -> Path:
        return self.raw / "manifest.yaml"

    @property
    def corrections(self) -> Path:
        return self.raw / "corrections.yaml"

    @property
    def claims(self) -> Path:
        return self.raw / "claims.yaml"

    @property
    def findings(self) -> Path:
        return self.raw / "findings.yaml"

    # A round's names, index rates and billing units are the round's own (its source states
    # them), so adding or editing one round never changes another's outputs.
    @property
    def names(self) -> Path:
        return self.raw / "names.csv"

    @property
    def index(self) -> Path:
        return self.raw / "index.csv"

    @property
    def billing_units(self) -> Path:
        return self.raw / "billing_units.csv"

    @property
    def scenario_reports(self) -> Path:
        """The round's scenario reports: another round's run never overwrites them."""
        return self.project.scenario_reports / self.round_id

    @property
    def figures(self) -> Path:
        return self.processed / OutputName.FIGURES

    @property
    def corrections_applied(self) -> Path:
        return self.processed / OutputName.CORRECTIONS_APPLIED

    @property
    def workbook_name(self) -> str:
        """The analysis workbook's file name (in ``analysis_dir``)."""
        return f"tbu-{self.round_id}.xlsx"

    def analysis_dir(self, index_rates: Mapping[int, float] | None = None,
                     price_year: int | None = None) -> Path:
        """Where the analysis goes: the round's folder for the shipped index, else a subfolder
        named by the rates, so another index never overwrites the default outputs."""
        name = rates_folder_name(index_rates, price_year)
        return self.processed / name if name else self.processed

    def reports_dir(self, index_rates: Mapping[int, float] | None = None) -> Path:
        """Where the PDFs go: as ``analysis_dir``, for the reports."""
        name = rates_folder_name(index_rates)
        return self.reports / name if name else self.reports


def round_paths(round_id: str, root: str | Path | None = None) -> RoundPaths:
    round_id = validate_round_id(round_id)
    paths = RoundPaths(Path(root) if root is not None else project_root(), round_id)
    if not paths.raw.is_dir():
        raise InputError("runden finnes ikke under data/raw", path=paths.raw, text=round_id)
    return paths


def discover_rounds(root: str | Path | None = None) -> list[str]:
    """Every round in ``data/raw`` (a folder with a manifest)."""
    return sorted(unicodedata.normalize("NFC", p.parent.name)
                  for p in project_paths(root).raw.glob("*/manifest.yaml"))


def round_order(manifest_path: Path) -> tuple[int, int]:
    """(year, season) of a round from its manifest: the ``year`` key if it has one, else the
    year its ``label`` or ``title`` names; the ``season`` as in ``SEASON_ORDER``."""
    raw = load_yaml_data(manifest_path)
    if not isinstance(raw, dict):
        raise InputError("manifestet må være en YAML-mapping", path=manifest_path)
    season = str(raw.get("season", ""))
    if season not in SEASON_ORDER:
        raise InputError(f"season må være en av {', '.join(SEASON_ORDER)}",
                         path=manifest_path, key="season", text=season)
    year = raw.get("year")
    if year is None:
        found = re.findall(r"\b(\d{4})\b", f"{raw.get('label', '')} {raw.get('title', '')}")
        if not found:
            raise InputError("manifestet sier ikke hvilket år runden er fra (year, label "
                             "eller title)", path=manifest_path, key="label")
        year = found[0]
    return int(year), SEASON_ORDER[season]


def latest_round(root: str | Path | None = None) -> str:
    """The newest round in ``data/raw`` by its manifest's year and season (not by name)."""
    paths = project_paths(root)
    rounds = discover_rounds(paths.root)
    if not rounds:
        raise InputError("fant ingen runde (data/raw/<runde>/manifest.yaml)", path=paths.raw)
    return max(rounds, key=lambda r: (*round_order(paths.raw / r / "manifest.yaml"), r))
