"""One error type for bad input, so every entry point can show one clear message."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, line, column or key, and offending text.

    The CLI prints ``str(error)`` and exits non-zero; no traceback is shown.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | str | None = None,
        key: str | None = None,
        text: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.key = key
        self.text = text
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"linje {self.line}")
        if self.column is not None:
            where.append(f"kolonne {self.column}")
        if self.key:
            where.append(f"nøkkel {self.key}")
        prefix = ", ".join(where)
        text = f": {self.text!r}" if self.text is not None else ""
        return f"{prefix}: {self.message}{text}" if prefix else f"{self.message}{text}"
