"""Write processed outputs deterministically and atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import atomic_path


def write_csv(frame: pd.DataFrame, target: str | Path) -> Path:
    target = Path(target)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    return target
