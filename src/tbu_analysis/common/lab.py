"""JupyterLab's save hook for ``make lab``: notebooks are saved as git stores them.

The git filter (nbstripout, installed by ``make setup``) keeps outputs out of commits, but git
still lists a notebook with outputs as modified, ``make lint`` reads the file, and every later
report's provenance would call the tree dirty. So the lab saves the file stripped: outputs stay
on screen, and executed copies with outputs are what ``make report`` writes under ``reports/``.
"""

from __future__ import annotations

from typing import Any

import nbformat
from nbstripout import strip_output


def strip_on_save(model: dict[str, Any], **kwargs: Any) -> None:
    """``FileContentsManager.pre_save_hook``: strip a notebook's outputs, execution counts and
    cell ids the way nbstripout does before it is written."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = nbformat.from_dict(model["content"])
    model["content"] = strip_output(notebook, keep_output=False, keep_count=False,
                                    keep_id=False)
