"""Write processed outputs deterministically and atomically, and publish a folder's outputs
together.

A file whose new content equals the old is left alone, so reruns keep timestamps and `make`
does not rebuild what depends on it. A run's outputs are first written to a staging folder
beside their folder (``OutputSet``) and moved in at the end, so a kill, a full disk or a bad
input half-way leaves the earlier set whole.
"""

from __future__ import annotations

import fcntl
import io
import json
import math
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from tbu_analysis.common.atomic import atomic_path, write_bytes, writing

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_if_changed(target: str | Path, data: bytes) -> Path:
    target = Path(target)
    if target.is_file() and target.read_bytes() == data:
        return target
    write_bytes(target, data)
    return target


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def write_csv(frame: pd.DataFrame, target: str | Path) -> Path:
    return write_if_changed(target, csv_bytes(frame))


# --- Excel -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """A worksheet: its frame, optional per-cell number formats (a frame of Excel format codes
    with the same shape; empty strings keep the default) and whether it gets an autofilter."""

    frame: pd.DataFrame
    formats: pd.DataFrame | None = None
    autofilter: bool = True
    title: str = ""  # a bold line above the table (what it shows, its unit and kroner year)
    #: called with the written worksheet and its header row: adds what a frame cannot hold
    #: (a chart drawn from the sheet's own cells) and may widen the print area to it
    decorate: Callable[[Any, int], None] | None = None


def decimals_format(decimals: int | float | None) -> str:
    """The Excel number format that shows a number as printed: ``#,##0.0`` for one decimal."""
    if decimals is None or (isinstance(decimals, float) and math.isnan(decimals)):
        return FALLBACK_FLOAT_FORMAT
    places = int(decimals)
    return "#,##0" + ("." + "0" * places if places > 0 else "")


# A number whose printed precision is unknown shows up to three decimals and no float noise.
FALLBACK_FLOAT_FORMAT = "#,##0.0##"
_CLEAN_DIGITS = 10  # floats are stored rounded to this many decimals (no 0.6500000000000001)


def default_formats(frame: pd.DataFrame,
                    decimals_columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-cell formats: a column named in ``decimals_columns`` takes each row's printed
    decimals from the named column; other float columns get ``FALLBACK_FLOAT_FORMAT``, integer
    columns (years, counts) ``0``."""
    formats = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column in frame.columns:
        if decimals_columns and column in decimals_columns:
            formats[column] = frame[decimals_columns[column]].map(decimals_format)
        elif pd.api.types.is_float_dtype(frame[column]):
            formats[column] = FALLBACK_FLOAT_FORMAT
        elif pd.api.types.is_integer_dtype(frame[column]):
            formats[column] = "0"
    return formats


def _cell_value(value):
    """A cell as Excel takes it: missing values blank, numpy scalars as Python numbers,
    floats without binary noise, true/false as «ja»/«nei» (spreadsheets show 1/0 or TRUE)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, _CLEAN_DIGITS)
    return value


def _heading(column: object) -> object:
    """A column heading: a year stays a number (a spreadsheet sorts and charts it)."""
    if hasattr(column, "item") and not isinstance(column, str):
        column = column.item()
    return column if isinstance(column, int) and not isinstance(column, bool) else str(column)


def excel_bytes(sheets: Mapping[str, pd.DataFrame | Sheet]) -> bytes:
    """One sheet per frame, with number formats, autofilter and frozen header; zip entries get
    a fixed date so reruns are byte-identical. Read and printed in a spreadsheet: bold headers
    that wrap (never cut to «Økte kostnader»), columns as wide as their numbers, and a page
    setup that prints in landscape, one page wide, the header repeated on every page."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for name, sheet in sheets.items():
        if isinstance(sheet, pd.DataFrame):
            sheet = Sheet(sheet, default_formats(sheet))
        frame = sheet.frame
        formats = sheet.formats if sheet.formats is not None else default_formats(frame)
        ws = book.create_sheet(title=name[:31])
        header = 3 if sheet.title else 1  # a title, a blank line, the header
        if sheet.title:
            ws.append([sheet.title])
            ws.append([])
        ws.append([_heading(c) for c in frame.columns])
        for column in range(1, len(frame.columns) + 1):
            cell = ws.cell(row=header, column=column)
            cell.font, cell.alignment = bold, wrapped
        columns = range(1, len(frame.columns) + 1)
        for row, (row_values, row_formats) in enumerate(
                zip(frame.itertuples(index=False, name=None),
                    formats.itertuples(index=False, name=None), strict=True),
                start=header + 1):
            ws.append([_cell_value(v) for v in row_values])
            # the row's cells by index (``ws[ws.max_row]`` scans every cell: quadratic)
            cells = [ws.cell(row=row, column=column) for column in columns]
            for cell, number_format in zip(cells, row_formats, strict=True):
                if number_format and cell.value is not None:
                    cell.number_format = number_format
        ws.freeze_panes = f"A{header + 1}"
        last = f"{get_column_letter(max(len(frame.columns), 1))}{header + len(frame)}"
        if sheet.autofilter and len(frame.columns):
            ws.auto_filter.ref = f"A{header}:{last}"
        lines = 1
        for index, column in enumerate(frame.columns, start=1):
            # a heading wraps at its spaces: its longest word sets the least width
            words = [len(word) for word in str(column).split()] or [8]
            texts = [str(v) for v in frame.iloc[:, index - 1].dropna()]
            # bold headings are about a fifth wider than their letters
            width = max([round(max(words) * 1.2), *(min(len(t), 60) for t in texts)])
            width = min(max(width + 2, 8), 60)
            ws.column_dimensions[get_column_letter(index)].width = width
            lines = max(lines, -(-round(len(str(column)) * 1.2) // (width - 1)))
            if any(len(t) > 60 for t in texts):  # long text wraps inside its column
                for row in range(header + 1, header + len(frame) + 1):
                    ws.cell(row=row, column=index).alignment = wrapped
        ws.row_dimensions[header].height = 15 * min(lines, 4)  # room for a wrapped heading
        if sheet.title:  # across the table's width, wrapped: printed whole, never cut
            title = ws.cell(row=1, column=1)
            title.font, title.alignment = Font(bold=True, size=12), wrapped
            if len(frame.columns) > 1:
                ws.merge_cells(start_row=1, start_column=1, end_row=1,
                               end_column=len(frame.columns))
            room = sum(ws.column_dimensions[get_column_letter(c)].width for c in columns)
            ws.row_dimensions[1].height = 16 * max(1, -(-len(sheet.title) * 1.2 // room))
        ws.print_area = f"A1:{last}"
        ws.print_title_rows = f"{header}:{header}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if sheet.decorate is not None:
            sheet.decorate(ws, header)
    props = book.properties
    props.created = props.modified = datetime(2000, 1, 1)
    props.creator = "tbu-analysis"
    buffer = io.BytesIO()
    book.save(buffer)
    return _normalise_zip(buffer.getvalue())


def write_excel(sheets: Mapping[str, pd.DataFrame | Sheet], target: str | Path) -> Path:
    return write_if_changed(target, excel_bytes(sheets))


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _normalise_zip(data: bytes) -> bytes:
    """Fixed entry dates, and the workbook's modified date (openpyxl sets it to now on save)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(
                    rb"<dcterms:modified\1>2000-01-01T00:00:00Z</dcterms:modified>", content)
            target.writestr(fixed, content)
    return out.getvalue()


# --- publishing a folder's outputs together ---------------------------------------------------

# In the staging folder, written last before the moves: the files to move in, and which of
# them are new (a roll-back removes those). The earlier bytes of every other one are kept
# under _KEPT first, so a move that fails half-way can put each file back as it was.
_MARKER = ".publish.json"
_KEPT = ".kept"


def staging_dir(folder: Path) -> Path:
    """Where a set is staged: beside its folder, or inside it (``.staging``) when the folder is
    another filesystem than its parent (a mount at ``reports/<round>``), so the final moves
    are renames within one filesystem there too."""
    folder = Path(folder)
    try:
        if folder.is_dir() and folder.stat().st_dev != folder.parent.stat().st_dev:
            return folder / ".staging"
    except OSError:
        pass
    return folder.parent / f".{folder.name}.staging"


def recover(folder: str | Path) -> None:
    """Finish what a killed run left: a staged set with its marker is complete and is moved in
    (roll forward); a set without it is discarded, so the folder keeps its earlier outputs."""
    folder = Path(folder)
    for staging in dict.fromkeys((staging_dir(folder), folder / ".staging",
                                  folder.parent / f".{folder.name}.staging")):
        if staging.exists():
            _recover(folder, staging)


def _recover(folder: Path, staging: Path) -> None:
    """Move a marked set in, all or nothing: a move that fails (a full disk on another
    filesystem, a refused rename, a signal) puts back every file already moved, so a reader
    sees the earlier set or the new one, never a mix; then the staging folder goes."""
    marker = staging / _MARKER
    if marker.is_file():
        listed = json.loads(marker.read_text(encoding="utf-8"))
        names, new = (listed, []) if isinstance(listed, list) else (listed["files"],
                                                                    listed["new"])
        try:
            for name in names:
                staged = staging / name
                if staged.is_file():
                    with writing(folder / name):
                        (folder / name).parent.mkdir(parents=True, exist_ok=True)
                        _move(staged, folder / name)
        except BaseException:
            _roll_back(folder, staging, names, set(new))
            raise
    shutil.rmtree(staging)


def _roll_back(folder: Path, staging: Path, names: list[str], new: set[str]) -> None:
    """Put back the earlier bytes of every listed file already moved in (its staged copy is
    gone): its new bytes go back to the staging folder first, so a kill during the roll-back
    leaves a set that the next run's recovery still rolls forward whole; the marker goes
    last."""
    kept = staging / _KEPT
    for name in reversed(names):
        staged, target = staging / name, folder / name
        if staged.exists() or not (name in new or (kept / name).is_file()):
            continue  # not moved yet (or listed by an older run, with nothing kept)
        with writing(target):
            _keep(target, staged)
            if name in new:
                target.unlink()
            else:
                os.replace(kept / name, target)
    (staging / _MARKER).unlink()


def _keep(source: Path, copy: Path) -> None:
    """``copy`` gets ``source``'s bytes, by a hard link where the filesystem allows one."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, copy)
    except OSError:
        shutil.copy2(source, copy)


def _move(staged: Path, target: Path) -> None:
    """Rename ``staged`` over ``target``; when the folder is another filesystem (a mount at
    ``reports/<round>``: EXDEV), copy into a temporary file beside the target and rename that,
    so the target is still replaced whole or not at all."""
    import errno

    try:
        os.replace(staged, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        with atomic_path(target) as tmp:
            shutil.copyfile(staged, tmp)
        staged.unlink()


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One run at a time per output folder (a second waits for the first to publish): a lock
    on the folder itself, so no lock file sits among the outputs."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


class OutputSet:
    """The outputs of one run into ``folder``: staged beside it, published together.

    Use as a context manager: ``publish()`` moves every staged file whose bytes differ from the
    published one into ``folder`` (unchanged files keep their timestamps); leaving the block by
    an exception discards the staged files.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.staging = staging_dir(self.folder)
        self._lock = _locked(self.folder)

    def __enter__(self) -> OutputSet:
        with writing(self.folder):
            self._lock.__enter__()
            recover(self.folder)
            self.staging.mkdir(parents=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.staging.exists():
                shutil.rmtree(self.staging)
        finally:
            self._lock.__exit__(*exc)

    def path(self, name: str) -> Path:
        """Where to stage ``name`` (a path relative to the folder); a writer fills it in."""
        staged = self.staging / name
        with writing(self.folder / name):
            staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def add_bytes(self, name: str, data: bytes) -> Path:
        staged = self.path(name)
        with writing(self.folder / name):
            staged.write_bytes(data)
        return self.folder / name

    def add_csv(self, name: str, frame: pd.DataFrame) -> Path:
        return self.add_bytes(name, csv_bytes(frame))

    def add_excel(self, name: str, sheets: Mapping[str, pd.DataFrame | Sheet]) -> Path:
        return self.add_bytes(name, excel_bytes(sheets))

    def publish(self) -> list[Path]:
        """Move every staged file in (whoever wrote it: a PDF worker, papermill, ``add_*``);
        returns them all, changed or not. A writer that failed staged nothing, so its old
        file stays."""
        names = sorted(str(p.relative_to(self.staging)) for p in self.staging.rglob("*")
                       if p.is_file() and p.name != _MARKER and not p.name.endswith(".tmp")
                       and p.relative_to(self.staging).parts[0] != _KEPT)
        changed = []
        for name in names:
            staged, target = self.staging / name, self.folder / name
            if target.is_file() and target.read_bytes() == staged.read_bytes():
                staged.unlink()
            else:
                changed.append(name)
        new = [name for name in changed if not (self.folder / name).is_file()]
        with writing(self.folder):
            for name in changed:
                if name not in new:
                    _keep(self.folder / name, self.staging / _KEPT / name)
            write_bytes(self.staging / _MARKER, json.dumps(
                {"files": changed, "new": new}, ensure_ascii=False).encode("utf-8"))
            recover(self.folder)
        return [self.folder / name for name in names]
