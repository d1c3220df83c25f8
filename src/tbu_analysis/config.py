"""Every path the project knows, and which round ids are safe to use as paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tbu_analysis.common.errors import InputError

_ROUND_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def project_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder above ``start`` (default: the cwd) holding
    ``data/raw`` and ``pyproject.toml``, else the cwd. Notebooks run in ``notebooks/``."""
    here = Path(start).resolve() if start is not None else Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "data" / "raw").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    return here


def validate_round_id(round_id: str) -> str:
    if not isinstance(round_id, str) or not _ROUND_ID.match(round_id) or ".." in round_id:
        raise InputError(
            "ugyldig runde-id (bare bokstaver, tall, - og _; ikke / eller ..)", text=str(round_id)
        )
    return round_id


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

    @property
    def names(self) -> Path:
        return self.raw / "names.csv"

    @property
    def index(self) -> Path:
        return self.raw / "index.csv"

    @property
    def billing_units(self) -> Path:
        return self.raw / "billing_units.csv"


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

    @property
    def names(self) -> Path:
        return self.project.names

    @property
    def index(self) -> Path:
        return self.project.index

    @property
    def figures(self) -> Path:
        return self.processed / "figures.csv"


def round_paths(round_id: str, root: str | Path | None = None) -> RoundPaths:
    validate_round_id(round_id)
    paths = RoundPaths(Path(root) if root is not None else project_root(), round_id)
    if not paths.raw.is_dir():
        raise InputError("runden finnes ikke under data/raw", path=paths.raw, text=round_id)
    return paths


def discover_rounds(root: str | Path | None = None) -> list[str]:
    """Every round in ``data/raw`` (a folder with a manifest)."""
    return sorted(p.parent.name for p in project_paths(root).raw.glob("*/manifest.yaml"))
