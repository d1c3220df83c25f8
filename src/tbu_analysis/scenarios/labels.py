"""Every Norwegian word the scenarios show a reader that is not in ``tbu_analysis.vocab``
(the actor groups are): table headings, kinds of rows."""

from __future__ import annotations

from tbu_analysis.vocab import GROUP_LABELS, ActorGroup

#: Actor groups that pay a bill, in the order tables list them (codes and labels: ``vocab``).
GROUPS = tuple(group.value for group in (ActorGroup.KOMMUNER, ActorGroup.RHF,
                                         ActorGroup.APOTEK, ActorGroup.OVRIGE))
UNALLOCATED = ActorGroup.IKKE_FORDELT.value
TOTAL = ActorGroup.SUM.value

GROUP_COLUMN = "Aktørgruppe"
UNIT_COLUMN = "Løsning"
SCENARIO_COLUMN = "Scenario"
YEAR_COLUMN = "År"
SUM_LABEL = GROUP_LABELS[TOTAL]

#: How a projection row came about: NHN's own figure, or projected by the scenario.
KIND_DATA, KIND_PROJECTED = "NHN", "Fremskrevet"

PROJECTION_COLUMNS = {
    "unit": UNIT_COLUMN, "year": YEAR_COLUMN, "kind": "Grunnlag", "start": "Start",
    "volume": "Volum", "efficiency": "Effektivisering", "investments": "Investeringer",
    "additions": "Faste tillegg", "end": "Slutt",
}
DEFLATOR_COLUMNS = {
    "group": GROUP_COLUMN, "year": YEAR_COLUMN, "bill_mnok": "Regning (løpende kroner)",
    "reference_mnok": "Basisår × deflator", "difference_mnok": "Over deflator",
    "bill_growth_pct": "Vekst i regning", "deflator_growth_pct": "Deflatorvekst",
}
UNALLOCATED_COLUMNS = {
    "unit": UNIT_COLUMN, "year": YEAR_COLUMN, "value_mnok": "Ikke fordelt", "reason": "Årsak",
}
PERCENT_COLUMNS = ("Vekst i regning", "Deflatorvekst", *(GROUP_LABELS[g] for g in GROUPS))

#: The assumptions' rows for a share the project interpreted, in the scenario's key and in
#: the key it is compared with.
READING_LABEL = "Tolkning (ikke sagt i kilden)"
COMPARED_READING_LABEL = "Tolkning i nøkkelen det sammenlignes med"

#: A share table's note column: a share the key does not give, against a year the solution
#: had no cost (nothing to share).
NOTE_COLUMN = "Merknad"
UNKNOWN_SHARE = "ukjent"
NO_COST = "ingen kostnad"

#: The row that sums every solution in a key-against-key table.
ALL_UNITS = "Alle løsninger"
DIFFERENCE_COLUMN = "Forskjell"
DIFFERENCE_PCT_COLUMN = "Forskjell (%)"
#: What a key's shares were applied to, as a reader sees it beside a figure.
BASIS_LABELS = {
    "kostnad": "nøkkelen brukt på hele kostnaden",
    "vekst": "nøkkelen brukt på veksten fra året før",
}

#: A year heading whose amounts use a rate without a source, and what the rate column says.
PLACEHOLDER_MARK = "*"
PLACEHOLDER_TEXT = "plassholder"
RATES_COLUMN = "Satser"
