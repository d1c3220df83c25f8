"""Write files all-or-nothing: a failed run never leaves half-written output.

A write that the system refuses (a read-only folder, a full disk) becomes one ``WriteError``
naming the file the project meant to write, never the temporary name beside it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriteError(Exception):
    """An output could not be written; the CLI prints it as one line and exits 2."""

    def __init__(self, path: str | Path, error: OSError) -> None:
        self.path = Path(path)
        self.reason = error.strerror or str(error)
        super().__init__(f"{self.path}: kunne ikke skrive filen ({self.reason})")

    def __reduce__(self):
        """Pickled whole (``Exception`` would re-call ``__init__`` with the message alone), so
        a PDF worker's full disk reaches the CLI as this one message, not ``BrokenProcessPool``."""
        return (_rebuild_write_error, (str(self.path), self.reason))


def _rebuild_write_error(path: str, reason: str) -> WriteError:
    return WriteError(path, OSError(reason))


@contextmanager
def writing(target: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into a ``WriteError`` naming ``target``."""
    try:
        yield
    except WriteError:
        raise
    except OSError as error:
        raise WriteError(target, error) from error


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success."""
    target = Path(target)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        with writing(target):
            os.chmod(tmp, 0o666 & ~_umask())
            yield tmp
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
