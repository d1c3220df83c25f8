"""The report's one font family, shipped with the project: Inter (SIL Open Font License 1.1,
see ``OFL.txt``). PDF, HTML edition and charts use these files and never a system font, so
the bytes of a report do not depend on what else a machine has installed."""

from __future__ import annotations

import hashlib
from pathlib import Path

FONTS_DIR = Path(__file__).parent
FONT_FAMILY = "Inter"


def font_files() -> list[Path]:
    """The shipped font files, in a stable order."""
    return sorted(FONTS_DIR.glob("*.otf"))


def font_checksums() -> dict[str, str]:
    """SHA-256 of every shipped font file, by file name (for the provenance)."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in font_files()}
