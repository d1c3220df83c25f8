"""One vocabulary: every code the data uses, the Norwegian label a reader sees, what it means.

Codes are the values stored in the manifests and written to the output files; labels are
what tables, charts, sentences and workbooks show; meanings (English) document the codes in
the README's data dictionary. Each kind of code is a ``str`` enum, so a member compares equal
to its code and other modules can take a kind's codes as the allowed values (schemas, input
models). ``labels(Kind)`` gives the read-only code → label mapping. The column descriptions of
the output files are in :data:`FIELDS`, shared by every file that has the column (in the
style of pudl's ``metadata/fields.py``), and are rendered with the output schemas by
:mod:`tbu_analysis.analysis.schemas`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Coded(StrEnum):
    """A code with its Norwegian ``label`` and its English ``meaning``."""

    label: str
    meaning: str

    def __new__(cls, code: str, label: str, meaning: str = "") -> Coded:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        member.meaning = meaning
        return member


def labels(kind: type[Coded]) -> Mapping[str, str]:
    """Code → Norwegian label for every member of ``kind``, in declaration order."""
    return MappingProxyType({member.value: member.label for member in kind})


def codes(kind: type[Coded]) -> tuple[str, ...]:
    """The allowed values of ``kind``, in declaration order."""
    return tuple(member.value for member in kind)


class Measure(Coded):
    """What a printed number measures (the manifest's ``measure``)."""

    FORSKRIFT = ("forskrift", "Forskrift", "the amount fixed in the regulation for the year")
    FINANSIERINGSBEHOV = ("finansieringsbehov", "Finansieringsbehov",
                          "funding need: cost level plus tilbakeføring, proposed for the "
                          "regulation")
    KOSTNADSNIVA = ("kostnadsnivå", "Kostnadsnivå",
                    "estimated cost level of the year, before deductions")
    PALOPT = ("påløpt", "Påløpt", "costs incurred in the year")
    PROGNOSE = ("prognose", "Prognose", "NHN's forecast for the current year")
    PROGNOSEAVVIK = ("prognoseavvik", "Prognoseavvik", "forecast minus forskrift")
    OVERFORTE_MIDLER = ("overførte_midler", "Overført fra tidligere år",
                        "unused money carried over from earlier years")
    ENDRING = ("endring", "Endring", "a change between two years by driver (see `category`)")
    VEKST_PROSENT = ("vekst_prosent", "Vekst i %", "a printed percentage")


class Series(Coded):
    """A yearly series built from one or more measures (``analysis.series``)."""

    FINANSIERINGSBEHOV = ("finansieringsbehov", "Forskriftsbeløp / finansieringsbehov",
                          "what is billed: the forskrift, else the proposed funding need, "
                          "else the estimated cost level")
    KOSTNADSNIVA = ("kostnadsnivå", "Kostnadsnivå", "the cost level, else the forskrift")


class DriverCategory(Coded):
    """Why a level changed between two years (the manifest's ``category`` of a change)."""

    INVESTERINGER = ("investeringer", "Økte kostnader grunnet investeringer",
                     "higher costs after investments (handled in rådsmodellen)")
    NY_FUNKSJONALITET = ("ny_funksjonalitet", "Ny funksjonalitet / nye løsninger",
                         "new functionality or new solutions")
    ENDREDE_FORUTSETNINGER = ("endrede_forutsetninger", "Endrede forutsetninger",
                              "changed assumptions")
    ENDRET_FINANSIERINGSKILDE = ("endret_finansieringskilde", "Endret finansieringskilde",
                                 "changed source of funding")
    ENDRET_FINANSIERING_OG_FORUTSETNINGER = (
        "endret_finansiering_og_forutsetninger", "Endring i finansiering / forutsetninger",
        "changed funding or assumptions (one column in the later table)")
    VOLUM_BEREDSKAP = ("volum_beredskap", "Volum / beredskap", "volume or preparedness")
    EFFEKTIVISERING = ("effektivisering", "Effektivisering", "efficiency gains")
    TILBAKEFORING = ("tilbakeføring", "Tilbakeføring tidligere års midler",
                     "unused money from earlier years deducted from the funding need")
    SUM_ENDRING = ("sum_endring", "Sum endring", "the sum of the changes")


class ColumnRole(Coded):
    """What a source column does in its table's identities (the manifest's column ``role``)."""

    VALUE = ("value", "Verdi", "a printed amount outside a growth table (a level, forecast or "
                               "deviation)")
    BASE = ("base", "Utgangsnivå", "the starting level of a growth table")
    DRIVER = ("driver", "Endring", "a change by driver")
    LEVEL = ("level", "Nytt nivå", "the level reached: base plus drivers")
    DEDUCTION = ("deduction", "Fradrag", "a deduction from the level (tilbakeføring)")
    FUNDING = ("funding", "Finansieringsbehov", "level plus deduction: the funding need")
    TOTAL_CHANGE = ("total_change", "Sum endring", "the sum of the drivers")


class TableRole(Coded):
    """What a source table is (the manifest's table ``role``)."""

    OVERSIKT = ("oversikt", "Oversikt", "solutions × years")
    PROGNOSE = ("prognose", "Prognose", "the current year's forecast against the forskrift")
    OVERFORTE_MIDLER = ("overforte_midler", "Overførte midler",
                        "unused money carried over from earlier years")
    VEKST = ("vekst", "Vekst og effektivisering", "growth by driver, per solution")
    DETALJ = ("detalj", "Detaljert tallgrunnlag", "one solution's activities")


class RowKind(Coded):
    """What a row of a source table is."""

    ITEM = ("item", "Post", "a solution or activity")
    SUBTOTAL = ("subtotal", "Delsum", "a subtotal of some rows")
    TOTAL = ("total", "Sum", "the table's total")
    PERCENT = ("percent", "Vekst i %", "the row of printed percentages")


class CheckType(Coded):
    """What kind of identity a reconciliation check tests."""

    RAD = ("rad", "Rader (nivå + endringer)",
           "a row: start + drivers = level, level + tilbakeføring = funding need")
    KOLONNE = ("kolonne", "Summer og delsummer", "a column: items add up to totals and subtotals")
    PROSENT = ("prosent", "Prosenter", "a printed percentage")
    KRYSS = ("kryss", "Samme tall i flere tabeller", "the same quantity in two tables")
    PASTAND = ("påstand", "Tallpåstander i teksten", "a figure stated in the prose")


class Status(Coded):
    """The outcome of a check."""

    phrase: str  # the label inside a sentence: "(avrundingsforskjell)"

    def __new__(cls, code: str, label: str, meaning: str, phrase: str) -> Status:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label, member.meaning, member.phrase = label, meaning, phrase
        return member

    OK = ("ok", "Stemmer", "the parts give the printed figure", "stemmer")
    ROUNDING = ("rounding", "Avrunding", "within the printed precision", "avrundingsforskjell")
    UNLIKELY = ("unlikely_rounding", "Usannsynlig avrunding",
                "within the printed precision, but more than two standard deviations of the "
                "summed rounding errors away (about 1 in 20 by chance)", "usannsynlig avrunding")
    DISCREPANCY = ("discrepancy", "Avvik", "beyond the printed precision", "avvik")


class PriceBasis(Coded):
    """The kroner a change in ``growth.csv`` is stated in; ``FIXED`` names its year."""

    AS_PRINTED = ("som trykt", "Som trykt", "the figures as printed")
    FIXED = ("faste <år>-kroner", "Faste kroner",
             "in the given year's kroner, with the run's index")
    NOMINAL = ("nominelle kroner", "Nominelle kroner", "the index taken out")


def fixed_kroner(year: int) -> str:
    """The price basis of amounts in ``year``'s kroner: ``faste 2024-kroner``."""
    return PriceBasis.FIXED.value.replace("<år>", str(int(year)))


#: A price basis as written in growth.csv: one of PriceBasis, with FIXED's year filled in.
PRICE_BASIS_PATTERN = r"^(som trykt|nominelle kroner|faste \d{4}-kroner)$"


class ScopeKind(Coded):
    """How a scope change (omfangsendring, ``scope.yaml``) changes what the regulation
    finances."""

    INN = ("inn", "Inn i forskriften", "enters what the regulation finances")
    UT = ("ut", "Ut av forskriften", "leaves what the regulation finances")
    FLYTTING = ("flytting", "Flyttes", "moves between solutions or items")
    OKT = ("økt", "Økt (ikke omfang)", "listed by the source among new services, but growth of "
                                       "a service already inside: never counted as scope")


class ConditionKind(Coded):
    """What an entry of the conditions register (``conditions.yaml``) is."""

    FORUTSETNING = ("forutsetning", "Forutsetning", "a condition the figures assume")
    RISIKO = ("risiko", "Risiko", "a risk the source names")
    USIKKERHET = ("usikkerhet", "Usikkerhet", "an uncertainty the source names")
    INTERVALL = ("intervall", "Intervall", "an interval the source gives instead of a point")


class Cause(Coded):
    """A cause a committee asks about by name, wherever the source gives it (``explanations``).
    How a sentence says it is the reports' (``reports/templates/prose/causes.md.j2``)."""

    CAPACITY = ("kapasitet", "Økt kapasitet i NHN",
                "NHN's own capacity; the source does not say staff or hired")
    SUPPLIER = ("leverandør", "Bytte av leverandør",
                "a change of supplier, or work taken in-house")
    MOVED = ("flyttet", "Flyttet kostnad",
             "a cost moved from another item, solution or source of funding")


class ActorGroup(Coded):
    """Who shares the bill (cost-sharing keys and scenarios)."""

    KOMMUNER = ("kommuner", "Kommuner", "the municipalities")
    RHF = ("rhf", "RHF", "the regional health authorities")
    APOTEK = ("apotek", "Apotek", "the pharmacies")
    OVRIGE = ("ovrige", "Øvrige aktører", "other actors")
    IKKE_FORDELT = ("ikke_fordelt", "Ikke fordelt", "the part no key allocates")
    SUM = ("sum", "Sum", "all groups together")


class KeyBase(Coded):
    """What a cost-sharing key's shares apply to."""

    GROWTH = ("vekst", "kostnadsveksten", "the growth in costs from the year before")
    COST = ("kostnad", "hele kostnaden", "the whole cost")
    UNSTATED = ("ukjent", "ikke oppgitt i kilden", "the source does not say")


class OutputTable(Coded):
    """A table of a round's outputs; the label names its sheet in the round's workbook."""

    FIGURES = ("figures", "Tall", "one row per number printed in the source")
    LEVELS = ("levels", "Nivåer", "each solution's and item's level per year and series")
    GROWTH = ("growth", "Vekst", "change between every pair of years")
    DRIVERS = ("drivers", "Drivere", "the driver decomposition")
    RECONCILIATION = ("reconciliation", "Avstemming", "one row per check")
    INDEX = ("index", "Indeks", "the index rates the run used, year by year, with their source")
    UNDERLYING = ("underlying", "Underliggende vekst",
                  "growth split into prisjustering, omfangsendringer and underliggende vekst")


MEASURE_LABELS = labels(Measure)
SERIES_LABELS = labels(Series)
DRIVER_LABELS = labels(DriverCategory)
#: A waterfall's step for what the source's driver amounts leave between its printed levels.
SOURCE_GAP_LABEL = "Avrunding/avvik i kilden"
STATUS_LABELS = labels(Status)
CHECK_TYPE_LABELS = labels(CheckType)
GROUP_LABELS = labels(ActorGroup)
SHEET_NAMES = labels(OutputTable)
#: The sheets beside «Tall» with the rest of each figure's columns: how and where the source
#: prints it, and how the cleaning classified it.
FIGURE_DETAIL_SHEETS: Mapping[str, str] = MappingProxyType({
    "source": "Tall – kilde", "classification": "Tall – klassifisering"})
CONDITION_KIND_LABELS = labels(ConditionKind)
CAUSE_LABELS = labels(Cause)
#: A measure as a sentence names it where it differs from its label («påløpte kostnader 2023»).
MEASURE_IN_SENTENCE: Mapping[str, str] = MappingProxyType({
    Measure.PALOPT.value: "påløpte kostnader", Measure.PROGNOSE.value: "prognose"})
#: How a report's provenance page names a run's parameters.
PARAMETER_LABELS: Mapping[str, str] = MappingProxyType({
    "solution": "Løsning", "scenario_path": "Scenariofil", "index_rates": "Indeksjustering"})
STATUS_PHRASES: Mapping[str, str] = MappingProxyType({s.value: s.phrase for s in Status})

#: Every kind of code, in the order the data dictionary lists them.
VOCABULARIES: tuple[type[Coded], ...] = (
    Measure, Series, DriverCategory, ColumnRole, TableRole, RowKind, CheckType, Status,
    PriceBasis, ActorGroup,
)

#: What each column of the output files holds; a schema may say more for its own file.
FIELDS: Mapping[str, str] = MappingProxyType({
    "round": "round id, e.g. `2024-host`",
    "table": "table id from the manifest (`notat-t1` = the note's Tabell 1, `tg-t4` = the "
             "tallgrunnlag's Tabell 4)",
    "table_number": "the table's number as printed (\"Tabell 4\")",
    "table_role": "what the table is",
    "table_primary": "the overview table the bills and the report's overview use "
                     "(`primary: true` in the manifest)",
    "solution": "canonical solution: Helsenorge, Kjernejournal, E-resept, Grunndata og "
                "HelseID, Helsenettet; `Alle løsninger` for totals of summary tables",
    "item": "canonical activity (empty for a solution-level row)",
    "parent": "the subtotal or item an activity belongs under (empty if none)",
    "measure": "what the number measures",
    "category": "for `endring`: the driver; for `vekst_prosent` the column's driver or measure; "
                "else empty",
    "year": "the year the figure is for (for a change: the year it leads to)",
    "base_year": "for a change: the year it starts from",
    "value_mnok": "the amount in million kroner; blank cells in the source are absent rows, "
                  "never 0",
    "value_pct": "the printed percentage (empty for amounts)",
    "decimals": "printed precision, used for tolerances",
    "is_total": "the row is a total, subtotal or the percent row",
    "row_kind": "what the row is",
    "column_role": "what the column does in its table's identities (from the manifest)",
    "price_basis": "the price basis as stated (\"2024-kroner; 2023-tallene er justert med "
                   "4,121 %\", \"tall er ikke indeksregulert (2024-prisnivå)\")",
    "price_year": "the kroner level of the figure",
    "nominal_year": "the year of the costs; `nominal_year < price_year` means the source "
                    "raised it by the index",
    "row_label": "the row label after corrections, as the manifest names it",
    "label_as_printed": "the row label exactly as the raw file has it",
    "text_as_printed": "the cell exactly as the raw file has it",
    "footnote": "footnote marks on the number (`*`)",
    "note": "text printed in the cell after the number (from the manifest's annotations)",
    "source_file": "the raw file the number is in",
    "source_row": "its line in the raw file (1 = first line)",
    "source_col": "its cell in the line (0 = label)",
    "corrected": "whether a correction touched the figure",
    "correction_ids": "the corrections that touched it",
    "series": "the yearly series",
    "series_label": "the series' Norwegian name",
    "nominal": "the level with the index taken out",
    "fixed": "the level in `fixed_price_year` kroner with the run's index",
    "projected": "an estimate raised to its own year's kroner because the run gave the rates",
    "fixed_price_year": "the kroner level of `fixed`",
    "from_year": "the year the change starts from",
    "to_year": "the year the change leads to",
    "from_value": "the level in `from_year`, in `price_basis`",
    "to_value": "the level in `to_year`, in `price_basis`",
    "change_mnok": "`to_value − from_value`",
    "change_pct": "the change in % of `from_value`",
    "from_measure": "the measure used for `from_year`",
    "to_measure": "the measure used for `to_year`",
    "from_table": "the table `from_value` comes from",
    "to_table": "the table `to_value` comes from",
    "category_label": "the driver's Norwegian name",
    "base_mnok": "the row's starting level",
    "pct_of_own_base": "the change in % of the row's starting level",
    "pct_of_total_base": "the change in % of the table's total starting level",
    "check_id": "a stable id of the check (findings.yaml refers to it)",
    "check_type": "what kind of identity is checked",
    "check": "what was checked, in Norwegian",
    "computed": "the figure computed from its parts",
    "printed": "the figure as printed",
    "difference": "printed − computed",
    "tolerance": "half a unit of the last printed digit of every figure in the check, "
                 "propagated through ratios for percentages",
    "status": "the outcome",
    "involves_correction": "a corrected figure takes part in the check",
    "message": "a sentence in Norwegian",
    "section": "the source's section the table or claim is in",
    "quote": "for claims: the sentence of the prose",
    "explanation": "from `findings.yaml`, where an analyst has explained the discrepancy",
    "spread": "the standard deviation of the check's summed rounding errors (each printed "
              "figure off by a uniform error of at most half a unit: √(Σ h²/3)); a difference "
              "beyond two of them is `unlikely_rounding`",
    "id": "the correction's id",
    "file": "the raw file",
    "line": "the line in the raw file",
    "column": "the cell in the line (0 = label)",
    "as_printed": "the cell as printed",
    "reason": "why the cell was corrected",
    "evidence": "quotes from the source that prove it, separated by ` | `",
    "number": "the table's number as printed",
    "document": "the source document",
    "title": "the table's title",
    "rows": "rows read from the table",
    "figures": "numbers read from the table",
    "corrected_figures": "numbers a correction touched",
})

#: The round workbook's column headings: what a reader of the spreadsheet sees instead of the
#: code (``value_mnok``, ``is_total``), with the unit where there is one. The CSV files in
#: ``data/processed/<round>/`` keep the codes for programs (their data dictionary: ``FIELDS``).
COLUMN_HEADINGS: Mapping[str, str] = MappingProxyType({
    "round": "Runde",
    "table": "Tabell-id",
    "table_number": "Tabell",
    "table_role": "Tabellens rolle",
    "table_primary": "Oversiktstabell",
    "solution": "Løsning",
    "item": "Post",
    "parent": "Hører under",
    "measure": "Mål",
    "category": "Kategori",
    "year": "År",
    "base_year": "Endringen fra år",
    "value_mnok": "Beløp (mill. kroner)",
    "value_pct": "Prosent (%)",
    "decimals": "Desimaler som trykt",
    "is_total": "Sumrad",
    "row_kind": "Radtype",
    "column_role": "Kolonnens rolle",
    "price_basis": "Kroneverdi som oppgitt",
    "price_year": "Kroneverdi (år)",
    "nominal_year": "Kostnadsår",
    "row_label": "Radnavn",
    "label_as_printed": "Radnavn som trykt",
    "text_as_printed": "Celle som trykt",
    "footnote": "Fotnotemerke",
    "note": "Merknad i cellen",
    "source_file": "Kildefil",
    "source_row": "Linje i kildefilen",
    "source_col": "Celle i linjen",
    "corrected": "Rettet",
    "correction_ids": "Rettelser",
    "series": "Serie (kode)",
    "series_label": "Serie",
    "nominal": "Nominelt (mill. kroner)",
    "fixed": "Faste kroner (mill. kroner)",
    "projected": "Fremskrevet (mill. kroner)",
    "fixed_price_year": "Faste kroner (år)",
    "from_year": "Fra år",
    "to_year": "Til år",
    "from_value": "Fra (mill. kroner)",
    "to_value": "Til (mill. kroner)",
    "change_mnok": "Endring (mill. kroner)",
    "change_pct": "Endring (%)",
    "from_measure": "Mål, fra-året",
    "to_measure": "Mål, til-året",
    "from_table": "Tabell, fra-året",
    "to_table": "Tabell, til-året",
    "category_label": "Driver",
    "base_mnok": "Utgangsnivå (mill. kroner)",
    "pct_of_own_base": "Av eget utgangsnivå (%)",
    "pct_of_total_base": "Av tabellens utgangsnivå (%)",
    "check_id": "Kontroll-id",
    "check_type": "Kontrolltype",
    "check": "Kontroll",
    "computed": "Beregnet (mill. kroner eller %)",
    "printed": "Trykt (mill. kroner eller %)",
    "difference": "Forskjell (mill. kroner eller %)",
    "tolerance": "Toleranse (mill. kroner eller %)",
    "status": "Utfall",
    "involves_correction": "Berører en rettelse",
    "message": "Melding",
    "section": "Avsnitt i kilden",
    "quote": "Sitat",
    "spread": "Spredning i avrunding (mill. kroner eller %)",
    "explanation": "Forklaring",
    "from_nominal": "Fra, nominelt (mill. kroner)",
    "to_nominal": "Til, nominelt (mill. kroner)",
    "nominal_mnok": "Nominell endring (mill. kroner)",
    "nominal_pct": "Nominell endring (%)",
    "index_mnok": "Indeks (mill. kroner)",
    "scope_mnok": "Omfang (mill. kroner)",
    "underlying_mnok": "Underliggende endring (mill. kroner)",
    "underlying_pct": "Underliggende endring (%)",
    "scope_ids": "Omfangsendringer",
    "other_ids": "Andre endringer",
    "rate_pct": "Sats (%)",
    "source": "Kilde",
})
