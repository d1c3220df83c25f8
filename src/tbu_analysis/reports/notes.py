"""Notes said once: where each note of a report is said in full, decided in document order.

A note (the analysts' explanation of a discrepancy, another table's printing of a figure) is
said in full at its first place in the report and pointed to everywhere after. The registry
is filled as the report's note-carrying blocks render, once each, in the order the report
shows them (``ReportContext._document``), before any block is shown; each block's output is
kept for the notebook cell that shows it. So the place of a note does not depend on the order
in which a notebook asks for the blocks, and no block is rendered twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NoteRegistry:
    """One report's notes: each note's anchor and the place where it is said in full."""

    recording: bool = True  # filling in document order; closed, it is only read
    _anchors: dict[str, str] = field(default_factory=dict)
    _places: dict[str, str] = field(default_factory=dict)

    def said(self, note: str, place: str) -> str:
        """The note's anchor; while recording, the first place that says it keeps it. A note
        the document order never met has no anchor ("") and is said where it stands."""
        if self.recording and note not in self._anchors:
            self._anchors[note] = f"note-{len(self._anchors) + 1}"
            self._places[note] = place
        return self._anchors.get(note, "")

    def close(self) -> None:
        """The document is rendered: every note has its place, and no new one is given."""
        self.recording = False

    def place(self, note: str) -> str | None:
        """Where the note is said in full (None for a note the document order never met)."""
        return self._places.get(note)
