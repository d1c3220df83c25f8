"""The round manifest: what each raw table is, column by column, read from data.

``manifest.yaml`` is validated by the pydantic models below (:class:`ManifestFile` and the
entries under it): every key is known, every field with a fixed set of values is a
``Literal``, every number and year is bounded, and a table's ``file`` must lie inside its
round. The rest of the code works with the plain :class:`Manifest` / :class:`TableSpec` built
from them. Checks that need the raw files (a column beyond the table, a header that does not
match, the source's checksum and line ranges) are in ``cleaning`` and :func:`check_source`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.inputs import InputModel, load_yaml_data, read_text, validate
from tbu_analysis.common.yamlio import LineDict
from tbu_analysis.config import SEASON_ORDER, validate_round_id
from tbu_analysis.vocab import ColumnRole as ColumnRoles
from tbu_analysis.vocab import DriverCategory
from tbu_analysis.vocab import Measure as Measures
from tbu_analysis.vocab import TableRole as TableRoles


def _codes(members: Iterable[str]) -> Any:
    """The allowed values of a manifest field as a ``Literal``, taken from the vocabulary (the
    one list of codes), so messages name them in its order."""
    return Literal[tuple(str(member) for member in members)]


#: A column's measure: any but the printed percentage, which the cleaning sets on a table's
#: percent row.
Measure = _codes(m for m in Measures if m is not Measures.VEKST_PROSENT)
ColumnRole = _codes(ColumnRoles)
TableRole = _codes(TableRoles)
RowsAre = Literal["solutions", "items"]
Category = _codes(DriverCategory)
Season = _codes(SEASON_ORDER)
Unit = Literal["MNOK"]

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Year = Annotated[int, Field(strict=True, ge=2000, le=2100)]
ColumnIndex = Annotated[int, Field(strict=True, ge=1, le=99)]
SignedColumn = Annotated[int, Field(strict=True, ge=-99, le=99)]
Line = Annotated[int, Field(strict=True, ge=1, le=10_000_000)]


# --- the file as written is what the rest of the code uses ---------------------------------
# One model per entry: validated from manifest.yaml, frozen, and read as it is by the cleaning
# and the reports (``line``: where the entry is in the manifest, for messages).


# Words a printed header uses for a measure: a header that says one of them is read as that
# measure (or, for «forskrift», as the funding need the regulation sets). Checked so that the
# manifest cannot call a printed «Prognose» a «forskrift».
MEASURE_WORDS: dict[str, frozenset[str]] = {
    "påløp": frozenset({"påløpt"}),
    "prognoseavvik": frozenset({"prognoseavvik"}),
    "prognose": frozenset({"prognose", "prognoseavvik"}),
    "kostnadsnivå": frozenset({"kostnadsnivå"}),
    "finansieringsbehov": frozenset({"finansieringsbehov"}),
    "overført": frozenset({"overførte_midler"}),
    "forskrift": frozenset({"forskrift", "finansieringsbehov"}),
}
_YEAR_IN_TEXT = r"(?<!\d)(?:19|20)\d\d(?!\d)"


def years_in(text: str) -> set[int]:
    import re

    return {int(y) for y in re.findall(_YEAR_IN_TEXT, text)}


def disagrees_with_header(measure: str, year: int, printed: str) -> str | None:
    """What in a column's printed header (with its group header above) contradicts the
    manifest's year or measure for it, or ``None``: a year the header prints must be the
    column's, and a measure word it prints must allow the column's measure."""
    years = years_in(printed)
    if years and year not in years:
        return (f"året {year} står ikke i overskriften (den trykker "
                f"{', '.join(str(y) for y in sorted(years))})")
    words = [word for word in MEASURE_WORDS if word in printed.casefold()]
    if words and not any(measure in MEASURE_WORDS[word] for word in words):
        return f"målet {measure} passer ikke til overskriften (den sier «{words[0]}»)"
    return None


class _Entry(InputModel):
    @property
    def line(self) -> int | None:
        return self.input_line


class PriceBasis(_Entry):
    label: Text
    price_year: Year
    nominal_year: Year

    @model_validator(mode="after")
    def _label_says_the_same_years(self) -> PriceBasis:
        """The label is the source's words for the price basis: a year it prints as
        «2024-kroner» or «2024-prisnivå» is the price year, «2023-tallene» the nominal one."""
        import re

        for year, word in re.findall(r"((?:19|20)\d\d)\s*-\s*(kroner|prisnivå|tallene)",
                                     self.label):
            expected = self.nominal_year if word == "tallene" else self.price_year
            if int(year) != expected:
                field = "nominal_year" if word == "tallene" else "price_year"
                raise ValueError(f"{field} er {expected}, men teksten sier «{year}-{word}»")
        return self


class ColumnSpec(_Entry):
    """A printed column: its year, measure and price basis must agree with the header the
    source prints (the header itself is checked against the table in ``cleaning``)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # a header may print as 2025

    header: Text
    measure: Measure
    year: Year
    role: ColumnRole
    price_basis: PriceBasis
    category: Category | Literal[""] = ""  # a driver's category, else ""
    base_year: Year | None = None
    _index: int = PrivateAttr(default=0)
    _line: int | None = PrivateAttr(default=None)

    @field_validator("category", mode="before")
    @classmethod
    def _none_is_no_category(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def index(self) -> int:
        """The column's number in its table (the key it stands under)."""
        return self._index

    @property
    def line(self) -> int | None:
        """The line of the column's key in its table (a column set's own line otherwise)."""
        return self._line if self._line is not None else self.input_line

    @field_validator("price_basis")
    @classmethod
    def _price_basis_of_the_year(cls, value: PriceBasis,
                                 info: ValidationInfo) -> PriceBasis:
        year = info.data.get("year")
        if year is not None and value.nominal_year != year:
            raise ValueError(f"prisgrunnlaget gjelder tall for {value.nominal_year}, men "
                             f"kolonnen er for {year}")
        return value

    @field_validator("base_year")
    @classmethod
    def _base_before_the_year(cls, value: int | None, info: ValidationInfo) -> int | None:
        year = info.data.get("year")
        if value is not None and year is not None and value >= year:
            raise ValueError(f"base_year må ligge før året ({year})")
        return value


class TotalSpec(_Entry):
    row: Text
    parts: Annotated[tuple[Text, ...], Field(min_length=1)] | None = None


class IdentitySpec(_Entry):
    result: ColumnIndex
    parts: Annotated[tuple[SignedColumn, ...], Field(min_length=1)]
    text: str = ""


class AnnotationSpec(_Entry):
    row: Text
    column: ColumnIndex
    text: Text


class TableSpec(_Entry):
    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    file: Path  # relative to the round's folder as written; read as the full path
    lines: tuple[Line, Line] | None = None
    document: str = ""
    number: Text
    reference: str = ""
    title: Text
    section: str = ""
    role: TableRole
    primary: bool = False
    rows_are: RowsAre
    solution: str = ""
    parent: str = ""
    header_rows: Annotated[int, Field(strict=True, ge=1, le=10)]
    columns: Annotated[dict[ColumnIndex, ColumnSpec], Field(min_length=1)]
    identities: tuple[IdentitySpec, ...] = ()
    base_column: ColumnIndex | None = None
    percent_row: str = ""
    percent_decimals: Annotated[int, Field(strict=True, ge=0, le=6)] | None = None
    totals: tuple[TotalSpec, ...] = ()
    note_rows: tuple[Text, ...] = ()
    annotations: tuple[AnnotationSpec, ...] = ()
    footnotes: tuple[str, ...] = ()
    precision: str = ""

    @model_validator(mode="wrap")
    @classmethod
    def _columns_know_their_place(cls, data: Any, handler: Any) -> Any:
        """Each column learns its number and the line of its key in this table (a column
        taken from a ``column_sets`` anchor is written once but used by many tables)."""
        table = handler(data)
        columns = data.get("columns") if isinstance(data, dict) else None
        lines = columns.key_lines if isinstance(columns, LineDict) else {}
        for index, column in table.columns.items():
            column._index = index
            column._line = lines.get(index)
        return table

    @field_validator("file", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("må være en filsti (tekst)")
        return value

    @field_validator("file")
    @classmethod
    def _inside_the_round(cls, relative: Path, info: ValidationInfo) -> Path:
        """A table's file is a path below the round's folder, and it exists; read as the full
        path (the manifest's folder joined)."""
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError("filen må ligge i rundens mappe (ingen absolutt sti eller ..)")
        manifest = (info.context or {}).get("path")
        if manifest is None:
            return relative
        folder = Path(manifest).parent
        if not (folder / relative).resolve().is_relative_to(folder.resolve()):
            raise ValueError("filen må ligge i rundens mappe (lenken peker ut av den)")
        if not (folder / relative).is_file():
            raise ValueError("filen finnes ikke")
        return folder / relative

    @property
    def label(self) -> str:
        """How readers see the table named: its number, unless another table shares it."""
        return self.reference or self.number

    @property
    def total_rows(self) -> set[str]:
        return {t.row for t in self.totals}

    @field_validator("columns")
    @classmethod
    def _headers_are_unique(cls, value: dict[int, ColumnSpec]) -> dict[int, ColumnSpec]:
        """Check ids and corrections name a column by its header, so each header is one."""
        seen: set[str] = set()
        for column in value.values():
            if column.header in seen:
                raise ValueError(f"overskriften «{column.header}» står på to kolonner")
            seen.add(column.header)
        return value

    @field_validator("lines")
    @classmethod
    def _first_before_last(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and value[0] > value[1]:
            raise ValueError("første linje må komme før siste")
        return value

    @field_validator("base_column")
    @classmethod
    def _base_is_a_column(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value not in info.data.get("columns", {value: None}):
            raise ValueError("base_column er ikke en av kolonnene")
        return value

    @field_validator("identities")
    @classmethod
    def _identities_name_columns(cls, value: tuple[IdentitySpec, ...],
                                 info: ValidationInfo) -> tuple[IdentitySpec, ...]:
        columns = info.data.get("columns")
        for identity in value if columns is not None else ():
            unknown = [c for c in (identity.result, *identity.parts) if abs(c) not in columns]
            if unknown:
                raise ValueError(f"identiteten nevner kolonne {abs(unknown[0])}, som tabellen "
                                 "ikke har")
        return value

    @field_validator("annotations")
    @classmethod
    def _annotations_name_columns(cls, value: tuple[AnnotationSpec, ...],
                                  info: ValidationInfo) -> tuple[AnnotationSpec, ...]:
        columns = info.data.get("columns")
        for annotation in value if columns is not None else ():
            if annotation.column not in columns:
                raise ValueError(f"merknaden står i kolonne {annotation.column}, som tabellen "
                                 "ikke har")
        return value

    @model_validator(mode="after")
    def _items_belong_to_a_solution(self) -> TableSpec:
        if self.rows_are == "items" and not self.solution:
            raise ValueError("en tabell med aktiviteter (rows_are: items) må ha «solution»")
        return self


class SourceEntry(InputModel):
    file: Text
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    description: str = ""
    #: The source document's own date as it prints it ("27.09.24"), and the words of the
    #: source that give it (checked against the source text by ``check_source``).
    date: str = ""
    date_quote: str = ""


class ManifestFile(InputModel):
    """``manifest.yaml`` as written. ``price_bases``, ``column_sets`` and ``identity_sets``
    hold the YAML anchors the tables reuse; they are checked like the tables' own entries."""

    round: Annotated[str, Field(min_length=1, max_length=40)]
    title: str = ""
    label: str = ""
    season: Season | None = None
    previous_round: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    unit: Unit = "MNOK"
    source: SourceEntry | None = None
    price_bases: dict[str, PriceBasis] = {}
    column_sets: dict[str, dict[ColumnIndex, ColumnSpec]] = {}
    identity_sets: dict[str, list[IdentitySpec]] = {}
    tables: Annotated[list[TableSpec], Field(min_length=1, max_length=200)]

    @field_validator("previous_round")
    @classmethod
    def _previous_is_another_round(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The round the spring ceiling and «since the last round» refer to: a round id (its
        tables may or may not be in ``data/raw/``), never the round itself."""
        if value is None:
            return None
        try:
            value = validate_round_id(value)
        except InputError:
            raise ValueError("ugyldig runde-id (bare bokstaver med æøå, tall, - og _)") from None
        if value == info.data.get("round"):
            raise ValueError("en runde kan ikke være sin egen forrige runde")
        return value

    @field_validator("tables")
    @classmethod
    def _one_primary_overview_and_unique_ids(cls, value: list[TableSpec],
                                             info: ValidationInfo) -> list[TableSpec]:
        if info.data.get("source") is not None:
            missing = [t.id for t in value if t.lines is None]
            if missing:
                raise ValueError(f"tabell {missing[0]} mangler «lines» (linjene i kilden)")
        primaries = [t for t in value if t.primary]
        if len(primaries) != 1 or primaries[0].role != TableRoles.OVERSIKT:
            raise ValueError("nøyaktig én tabell med role: oversikt må ha primary: true")
        seen: set[str] = set()
        for table in value:
            if table.id in seen:
                raise ValueError(f"tabell-id-en {table.id} står to ganger")
            seen.add(table.id)
        return value


# --- the round's manifest ------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    path: Path
    round_id: str
    title: str
    season: str
    unit: str
    source: dict[str, Any]
    tables: tuple[TableSpec, ...] = field(default_factory=tuple)
    label: str = ""
    source_line: int | None = None
    previous_round: str = ""  # the round this one is read against ("" when none is named)

    @property
    def primary(self) -> TableSpec:
        """The overview table (solution × year) that bills and the report's overview use."""
        return next(t for t in self.tables if t.primary)

    def table(self, table_id: str) -> TableSpec:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate ``manifest.yaml``; the first problem is one InputError."""
    path = Path(path)
    raw = load_yaml_data(path)
    parsed = validate(ManifestFile, raw, path, context={"path": path})
    source = parsed.source.model_dump() if parsed.source is not None else {}
    return Manifest(
        path=path,
        round_id=parsed.round,
        title=parsed.title,
        season=parsed.season or "",
        unit=parsed.unit,
        source=source,
        tables=tuple(parsed.tables),
        label=parsed.label or parsed.round,
        source_line=parsed.line_of("source"),
        previous_round=parsed.previous_round or "",
    )


def check_source(manifest: Manifest, root: Path) -> None:
    """The shipped source copy has the manifest's checksum, and each table's ``lines`` in it
    are, byte for byte, the table's raw file: the tables are the source, not a retyping."""
    declared = manifest.source
    if not declared:
        return
    relative = Path(declared["file"])
    source = (root / relative).resolve()
    round_folder = manifest.path.parent.resolve()
    line = manifest.source_line
    if relative.is_absolute() or not source.is_relative_to(round_folder):
        raise InputError("kilden må ligge i rundens mappe", path=manifest.path, line=line,
                         key="source.file", text=declared["file"])
    if not source.is_file():
        raise InputError("kildefilen finnes ikke", path=manifest.path, line=line,
                         key="source.file", text=declared["file"])
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != declared["sha256"]:
        raise InputError(f"kildefilen har SHA-256 {digest}, ikke den manifestet oppgir",
                         path=manifest.path, line=line, key="source.sha256",
                         text=declared["sha256"])
    text = read_text(source, "kildefilen")  # the source must be readable text too
    date, quote = declared.get("date", ""), declared.get("date_quote", "")
    if date and (date not in quote or quote not in text):
        raise InputError("kildens dato må stå i sitatet, og sitatet i kilden",
                         path=manifest.path, line=line, key="source.date_quote", text=quote)
    source_lines = data.split(b"\n")
    for table in manifest.tables:
        if table.lines is None:
            continue
        first, last = table.lines
        expected = source_lines[first - 1 : last]
        printed = table.file.read_bytes().split(b"\n")
        if printed and printed[-1] == b"":
            printed = printed[:-1]
        for offset, (ours, theirs) in enumerate(zip(printed, expected, strict=False)):
            if ours != theirs:
                raise InputError(
                    f"tabell {table.id}: linje {offset + 1} i {table.file.name} er ikke linje "
                    f"{first + offset} i kilden {relative.name} (rådata redigeres ikke; rett i "
                    "corrections.yaml)",
                    path=table.file, line=offset + 1,
                    text=ours.decode("utf-8", "replace"),
                )
        if len(printed) != len(expected):
            raise InputError(
                f"tabell {table.id}: {table.file.name} har {len(printed)} linjer, kildens "
                f"linje {first}–{last} er {len(expected)}",
                path=manifest.path, line=table.line, key="lines", text=f"{first}-{last}",
            )

