"""One error type for bad input, so every entry point can show one clear message."""

from __future__ import annotations

from pathlib import Path

INTERRUPTED = "avbrutt; forrige resultat er uendret"  # Ctrl-C or SIGTERM: the one line


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

    def __reduce__(self):
        """Pickled whole, so an error raised in a worker process arrives as the same message."""
        if type(self) is not InputError:  # a subclass pickles its own way
            return super().__reduce__()
        return (_rebuild_input_error, (self.message, self.path, self.line, self.column,
                                       self.key, self.text))

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
        text = f": {excerpt(self.text)!r}" if self.text is not None else ""
        return f"{prefix}: {self.message}{text}" if prefix else f"{self.message}{text}"


EXCERPT_CHARS = 200  # a 200 MB single-line table gives a message of a line, not of 200 MB


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of the offending text, with «…» where it was cut."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _rebuild_input_error(message, path, line, column, key, text) -> InputError:
    return InputError(message, path=path, line=line, column=column, key=key, text=text)
