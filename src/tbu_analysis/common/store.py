"""Write processed outputs deterministically and atomically.

A file whose new content equals the old is left alone, so reruns keep timestamps and `make`
does not rebuild what depends on it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from tbu_analysis.common.atomic import write_bytes

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_if_changed(target: str | Path, data: bytes) -> Path:
    target = Path(target)
    if target.is_file() and target.read_bytes() == data:
        return target
    write_bytes(target, data)
    return target


def write_csv(frame: pd.DataFrame, target: str | Path) -> Path:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return write_if_changed(target, buffer.getvalue().encode("utf-8"))


def write_excel(sheets: dict[str, pd.DataFrame], target: str | Path) -> Path:
    """One sheet per frame; zip entries get a fixed date so reruns are byte-identical."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
        props = writer.book.properties
        from datetime import datetime

        props.created = props.modified = datetime(2000, 1, 1)
        props.creator = "tbu-analysis"
    return write_if_changed(target, _normalise_zip(buffer.getvalue()))


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
