"""Where a report's numbers came from: commit, inputs, parameters, versions, time.

The time is chosen so that a rerun of the same commit gives the same bytes: the
``SOURCE_DATE_EPOCH`` environment variable if set (the reproducible-builds convention), else
the commit time of ``HEAD``, else a fixed epoch (1980-01-01T00:00:00Z). The wall clock is
never used; the label says which source the time came from.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import leaves_the_repository

#: 1980-01-01T00:00:00Z, the earliest date a ZIP file can hold; the usual reproducible default.
FIXED_EPOCH = 315532800
#: The reproducible-builds variable that pins a build's time.
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
UNKNOWN = "ukjent"
PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "weasyprint",
    "babel",
    "tbu-analysis",
)
GIT_STATUS = {
    "M": "endret",
    "A": "lagt til",
    "D": "slettet",
    "R": "flyttet",
    "C": "kopiert",
    "??": "ny, ikke i git",
    "MM": "endret",
    "AM": "lagt til og endret",
}
TIME_SOURCES = {
    "SOURCE_DATE_EPOCH": "fra SOURCE_DATE_EPOCH",
    "git": "tidspunktet for commit",
    "fixed": "fast tidspunkt, uten git",  # neither SOURCE_DATE_EPOCH nor git
}


@dataclass(frozen=True)
class Provenance:
    """Everything needed to say how a report was produced, in display order."""

    round_id: str
    commit: str
    dirty: bool | None
    #: ``git status --porcelain`` as (status code, path) pairs: what made the tree dirty.
    changes: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, str], ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    timestamp: datetime = datetime.fromtimestamp(FIXED_EPOCH, tz=UTC)
    time_source: str = "fixed"

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-friendly form (ordered as the fields)."""
        return {
            "round_id": self.round_id,
            "commit": self.commit,
            "dirty": self.dirty,
            "changes": [list(change) for change in self.changes],
            "inputs": {path: digest for path, digest in self.inputs},
            "parameters": dict(self.parameters),
            "versions": dict(self.versions),
            "timestamp": self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "time_source": self.time_source,
        }


def _git(repo_root: Path, *args: str) -> str | None:
    """Output of a git command in ``repo_root``, or ``None`` if git or the repo is missing."""
    try:
        result = subprocess.run(
            ["git", "-C", str(repo_root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
            env={**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) if set, else ``None``.

    The one place the variable is read, so the provenance page and the PDFs agree on it and a
    malformed value stops every run the same way.
    """
    env = os.environ.get(SOURCE_DATE_EPOCH)
    if env is None:
        return None
    env = env.strip()
    if not env.isascii() or not env.isdigit():  # set but empty hangs IPython's banner too
        raise InputError(f"{SOURCE_DATE_EPOCH} må være et heltall (sekunder)", text=env)
    return int(env)


def source_date(repo_root: str | Path | None = None) -> tuple[datetime, str]:
    """The reproducible time of a run and where it came from ("SOURCE_DATE_EPOCH"/"git"/"fixed")."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=UTC), SOURCE_DATE_EPOCH
    if repo_root is not None:
        out = _git(Path(repo_root), "log", "-1", "--format=%ct", "HEAD")
        if out and out.strip().isdigit():
            return datetime.fromtimestamp(int(out.strip()), tz=UTC), "git"
    return datetime.fromtimestamp(FIXED_EPOCH, tz=UTC), "fixed"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shown_path(path: Path, repo_root: Path) -> str:
    """A path relative to the repository; a file of the installed package outside it (the
    shipped fonts) relative to the package's folder ("tbu_analysis/presentation/fonts/…"), so no
    machine's absolute path widens the provenance page."""
    full = path.resolve()
    for root in (repo_root.resolve(), Path(__file__).resolve().parents[2]):
        if full.is_relative_to(root):
            return full.relative_to(root).as_posix()
    return path.as_posix()


def package_versions(packages: Iterable[str] = PACKAGES) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "ikke installert"
    return versions


def collect_provenance(
    round_id: str,
    *,
    raw_paths: Iterable[str | Path],
    parameters: Mapping[str, Any],
    repo_root: str | Path,
) -> Provenance:
    """Collect the provenance of a run of ``round_id`` over ``raw_paths`` with ``parameters``.

    Relative ``raw_paths`` are taken relative to ``repo_root`` and shown relative to it.
    A missing input raises :class:`InputError`; a missing git or repository gives "ukjent".
    """
    root = Path(repo_root)
    inputs = []
    for raw in raw_paths:
        path = Path(raw)
        full = path if path.is_absolute() else root / path
        if leaves_the_repository(full):  # named by itself; where it points is never shown
            raise InputError("inndatafilen er en lenke som peker ut av prosjektet",
                             path=os.path.relpath(os.path.abspath(full), os.path.abspath(root)))
        if not full.is_file():
            raise InputError("inndatafilen finnes ikke", path=full)
        inputs.append((_shown_path(full, root), sha256_file(full)))

    head = _git(root, "rev-parse", "--verify", "HEAD")
    commit = head.strip() if head else UNKNOWN
    status = _git(root, "status", "--porcelain")
    if status is None:
        dirty, changed = None, ()
    else:
        changed = tuple(
            (line[:2].strip(), line[3:]) for line in status.splitlines() if line.strip()
        )
        dirty = bool(changed)
    timestamp, time_source = source_date(root)
    return Provenance(
        round_id=str(round_id),
        commit=commit,
        dirty=dirty,
        changes=changed,
        inputs=tuple(inputs),
        parameters=dict(parameters),
        versions=package_versions(),
        timestamp=timestamp,
        time_source=time_source,
    )


def _describe_dirty(prov: Provenance) -> str:
    if prov.dirty is None:
        return UNKNOWN
    if not prov.dirty:
        return "Nei"
    count = len(prov.changes)
    return f"Ja ({count} {'fil' if count == 1 else 'filer'})"


def provenance_table(prov: Provenance, round_label: str = "") -> pd.DataFrame:
    """A table for the report's provenance page: one row per fact, Norwegian labels.

    Columns: ``Opplysning`` (the kind of fact, written on the first row of its group only),
    ``Element`` (file, parameter or package; empty where there is one value) and ``Verdi``.
    Every row takes one line: the inputs are listed under their folder (a row naming the
    folder, then each file by its path inside it), checksums whole and unbroken (the print
    CSS sets them small); the round by its name (``round_label``) with its id.
    """
    round_text = f"{round_label} ({prov.round_id})" if round_label else prov.round_id
    rows: list[tuple[str, str, str]] = [
        ("Beregningsrunde", "", round_text),
        ("Git-commit", "", prov.commit),
        ("Lokale endringer", "", _describe_dirty(prov)),
    ]
    rows += [
        ("Lokale endringer", _breakable(path), GIT_STATUS.get(code, code))
        for code, path in prov.changes
    ]
    rows += [("Sjekksum (SHA-256)", element, digest)
             for element, digest in _inputs_by_folder(prov.inputs)]
    rows += [("Parametre", str(k), _show_value(v)) for k, v in prov.parameters.items()]
    rows += [("Versjoner", name, ver) for name, ver in prov.versions.items()]
    when = prov.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC")
    rows.append(("Tidspunkt", "", f"{when} ({TIME_SOURCES.get(prov.time_source, '')})"))
    # The label is printed once per group: the table reads as sections on the page.
    shown = [(label if i == 0 or rows[i - 1][0] != label else "", element, value)
             for i, (label, element, value) in enumerate(rows)]
    return pd.DataFrame(shown, columns=["Opplysning", "Element", "Verdi"])


_BREAK = "\u200b"  # zero-width space: where a long path of a changed file may wrap


def _breakable(path: str) -> str:
    """A changed file's path may wrap after "/" (it can be long; the inputs are short)."""
    return path.replace("/", "/" + _BREAK)


def _inputs_by_folder(inputs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(element, checksum) rows: a row naming a folder (no checksum) before the files in it,
    each file by its path inside that folder ("tables/tallgrunnlag-tabell-01.tsv" under
    "data/raw/2024-host/"), so no path is so long that its row needs two lines."""
    rows: list[tuple[str, str]] = []
    folder = None
    for path, digest in inputs:
        if folder is None or not path.startswith(folder):
            parent = path.rpartition("/")[0]
            folder = f"{parent}/" if parent else ""
            if folder:
                rows.append((folder, ""))
        rows.append((path[len(folder):], digest))
    return rows


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if value is None:
        return "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_show_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_show_value(v) for v in value)
    if isinstance(value, float):
        return repr(value).replace(".", ",").replace("-", "\u2212")
    return str(value)
