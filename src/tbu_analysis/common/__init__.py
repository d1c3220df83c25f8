"""Shared pieces every stage uses: errors, reading inputs, atomic writes, formatting, provenance.

Nothing here knows about a round, a table or a scenario. ``inputs`` is the one way an input
file is read and checked (pydantic models → one message with file, line, key and text);
``errors`` holds that message's type; ``atomic`` and ``store`` write outputs all-or-nothing and
byte-identically; ``formatting`` decides how a published number looks; ``provenance`` says where
a report's numbers came from.
"""
