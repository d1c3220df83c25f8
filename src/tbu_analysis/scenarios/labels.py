"""The scenario tables' Norwegian words, read from ``scenarios/templates/labels.md.j2`` (the
actor groups' are ``tbu_analysis.vocab``'s): Python names them, the template says them, so
an economist changes a heading in the template file."""

from __future__ import annotations

from tbu_analysis.scenarios.text import words
from tbu_analysis.vocab import GROUP_LABELS, ActorGroup

_TEMPLATE = "labels.md.j2"


def _words(name: str) -> dict[str, str]:
    return dict(words(_TEMPLATE, name))


_COLUMNS = _words("columns")

#: Actor groups that pay a bill, in the order tables list them (codes and labels: ``vocab``).
GROUPS = tuple(group.value for group in (ActorGroup.KOMMUNER, ActorGroup.RHF,
                                         ActorGroup.APOTEK, ActorGroup.OVRIGE))
UNALLOCATED = ActorGroup.IKKE_FORDELT.value
TOTAL = ActorGroup.SUM.value

GROUP_COLUMN = _COLUMNS["group"]
UNIT_COLUMN = _COLUMNS["unit"]
SCENARIO_COLUMN = _COLUMNS["scenario"]
YEAR_COLUMN = _COLUMNS["year"]
SUM_LABEL = GROUP_LABELS[TOTAL]

#: How a projection row came about: NHN's own figure, or projected by the scenario.
KIND_DATA, KIND_PROJECTED = (_words("kinds")[kind] for kind in ("data", "projected"))

PROJECTION_COLUMNS = {"unit": UNIT_COLUMN, "year": YEAR_COLUMN, **_words("projection")}
DEFLATOR_COLUMNS = {"group": GROUP_COLUMN, "year": YEAR_COLUMN, **_words("deflator")}
UNALLOCATED_COLUMNS = {"unit": UNIT_COLUMN, "year": YEAR_COLUMN, **_words("unallocated")}
PERCENT_COLUMNS = (DEFLATOR_COLUMNS["bill_growth_pct"], DEFLATOR_COLUMNS["deflator_growth_pct"],
                   *(GROUP_LABELS[g] for g in GROUPS))

#: The assumptions' rows for a share the project interpreted, in the scenario's key and in
#: the key it is compared with.
READING_LABEL = str(words(_TEMPLATE, "reading"))
COMPARED_READING_LABEL = str(words(_TEMPLATE, "compared_reading"))

#: A share table's note column: a share the key does not give, against a year the solution
#: had no cost (nothing to share).
NOTE_COLUMN = _COLUMNS["note"]
UNKNOWN_SHARE = str(words(_TEMPLATE, "unknown_share"))
NO_COST = str(words(_TEMPLATE, "no_cost"))

#: The row that sums every solution in a key-against-key table.
ALL_UNITS = str(words(_TEMPLATE, "all_units"))
DIFFERENCE_COLUMN = _COLUMNS["difference"]
DIFFERENCE_PCT_COLUMN = _COLUMNS["difference_pct"]
#: What a key's shares were applied to, as a reader sees it beside a figure.
BASIS_LABELS = _words("basis")

#: A year heading whose amounts use a rate without a source, and what the rate column says.
PLACEHOLDER_MARK = str(words(_TEMPLATE, "placeholder_mark"))
PLACEHOLDER_TEXT = str(words(_TEMPLATE, "placeholder_text"))
RATES_COLUMN = _COLUMNS["rates"]

#: The «Forutsetninger og kilder» table: its columns, each row's name and the short words in
#: its cells; and the sensitivity (tornado) table's columns.
ASSUMPTION_COLUMNS = _words("assumption_columns")
ASSUMPTIONS = _words("assumptions")
ASSUMPTION_WORDS = _words("assumption_words")
TORNADO_COLUMNS = _words("tornado_columns")
