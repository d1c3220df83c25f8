"""JupyterLab's save hook: notebooks are saved as git stores them, whatever saved them.

The git filter (nbstripout, installed by ``make setup``) keeps outputs out of commits, but git
still lists a notebook with outputs as modified, ``make lint`` reads the file, and every later
report's provenance would call the tree dirty. So the lab saves the file stripped: outputs stay
on screen, and executed copies with outputs are what ``make report`` writes under ``reports/``.
JupyterLab also writes ``metadata.language_info`` (the Python version, codemirror mode …),
which differs by the Python that ran the kernel: it is stripped too, here, by the git filter
(``filter.nbstripout.extrakeys``) and by ``make lint`` — all three from :data:`EXTRA_KEYS`.
``make setup`` installs the hook for every ``jupyter lab`` of the project's ``.venv``
(``jupyter/etc/jupyter/jupyter_server_config.json``).
"""

from __future__ import annotations

import sys
from typing import Any

import nbformat
from nbstripout import strip_output

#: nbstripout's own default extra keys, and what JupyterLab adds by the kernel that ran it.
EXTRA_KEYS: tuple[str, ...] = (
    "metadata.signature",
    "metadata.widgets",
    "metadata.language_info",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
)


def strip_on_save(model: dict[str, Any], **kwargs: Any) -> None:
    """``FileContentsManager.pre_save_hook``: strip a notebook's outputs, execution counts,
    cell ids and :data:`EXTRA_KEYS` the way the git filter does before it is written."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = nbformat.from_dict(model["content"])
    model["content"] = strip_output(notebook, keep_output=False, keep_count=False,
                                    keep_id=False, extra_keys=list(EXTRA_KEYS))


if __name__ == "__main__":  # `python -m tbu_analysis.common.lab`: the keys, for the Makefile
    sys.stdout.write(" ".join(EXTRA_KEYS) + "\n")
